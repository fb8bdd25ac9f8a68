//! Changes made from the case page: key facts (re-assessed, with what changed), and reports filed.

use crate::access::{Scope, can_edit, files_for};
use crate::error::WebError;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::load_case;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use todoke_core::{Cause, ReportKind};
use todoke_rules::Options;
use todoke_store::Db;

/// The facts that most often change during a case.
#[derive(Deserialize)]
pub struct FactsForm {
    csrf: String,
    /// Empty when unknown.
    persons: String,
    cause: String,
    /// `yes`, `no` or empty (not stated).
    malicious: String,
    sensitive: String,
    #[serde(default)]
    suspected: Option<String>,
    #[serde(default)]
    encrypted: Option<String>,
}

fn tri(value: &str) -> Result<Option<bool>, WebError> {
    match value {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        other => Err(WebError::Invalid(format!("expected yes, no or empty, found `{other}`"))),
    }
}

/// Updates the key facts of a case and re-assesses it; the case page then shows what changed.
pub async fn update_facts<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<FactsForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, _, scope) = load_case(&state, &viewer, &id).await?;
    if scope != Scope::Full || !can_edit(&viewer, &record) {
        return Err(WebError::Forbidden);
    }
    let mut facts = record.facts.clone();
    facts.persons = match form.persons.trim() {
        "" => None,
        n => Some(n.parse().map_err(|_| WebError::Invalid(format!("本人の数: expected a whole number, found `{n}`")))?),
    };
    facts.cause = Cause::from_key(&form.cause)
        .ok_or_else(|| WebError::Invalid(format!("原因: unknown cause `{}`", form.cause)))?;
    facts.malicious = tri(&form.malicious)?;
    facts.sensitive = tri(&form.sensitive)?;
    facts.suspected = form.suspected.is_some();
    facts.encrypted = form.encrypted.is_some();
    todoke_app::update_facts(&state.store, &viewer.actor(), record.id, &facts, &Options::default()).await?;
    Ok(Redirect::to(&format!("/cases/{}", record.id)).into_response())
}

/// A report filed with the PPC.
#[derive(Deserialize)]
pub struct ReportForm {
    csrf: String,
    party: String,
    kind: String,
    submitted_on: String,
    #[serde(default)]
    receipt: String,
}

/// Records a filed report; whether it was on time is frozen with it.
pub async fn file_report<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, scope) = load_case(&state, &viewer, &id).await?;
    let party = parties.iter().find(|p| p.party.name == form.party).ok_or(WebError::NotFound)?;
    if !scope.sees(&party.party.name) || !files_for(&viewer, &record, party) {
        return Err(WebError::Forbidden);
    }
    let kind = ReportKind::from_key(&form.kind)
        .ok_or_else(|| WebError::Invalid(format!("種別: unknown kind `{}`", form.kind)))?;
    let submitted_on = form.submitted_on.parse().map_err(|_| {
        WebError::Invalid(format!("提出日: expected a date such as 2024-02-21, found `{}`", form.submitted_on))
    })?;
    let receipt = Some(form.receipt.trim()).filter(|r| !r.is_empty());
    let filing = todoke_app::Filing { party: &form.party, kind, submitted_on, receipt_number: receipt, content: "" };
    todoke_app::file_report(&state.store, &viewer.actor(), record.id, &filing).await?;
    Ok(Redirect::to(&format!("/cases/{}", record.id)).into_response())
}
