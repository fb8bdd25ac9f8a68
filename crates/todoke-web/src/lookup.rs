//! "Am I affected?" in the browser: a call-center operator or an officer asks by the reading of a
//! caller's name and their birth date, and learns on which of the lists they may see the caller is.

use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::{load_desk_case, party_name};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde::Deserialize;
use todoke_store::Db;

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    /// The parties the caller was found under; `None` before a question.
    result: Option<Vec<String>>,
}

/// A question as the form sends it.
#[derive(Deserialize)]
pub struct AskForm {
    csrf: String,
    name_kana: String,
    birth_date: String,
}

/// Answers a question on case `id`: the names of the parties, among those the viewer sees, whose
/// lists hold the person. Refused to auditors, above the rate limit, and on others' cases.
pub async fn answer<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    name_kana: &str,
    birth_date: &str,
) -> Result<Vec<String>, WebError> {
    let (record, parties) = load_desk_case(state, viewer, id).await?;
    if !state.lookups.allow(&viewer.user.id.to_string()) {
        return Err(WebError::TooMany);
    }
    // Callers give their birth date as they know it: 和暦 (昭和45年3月1日, S45.3.1) or 西暦.
    let birth_date = todoke_ja::parse_date(birth_date.trim()).ok_or_else(|| {
        WebError::Invalid("birth_date: expected a date such as 1970-03-01, 昭和45年3月1日 or S45.3.1".into())
    })?;
    let found =
        todoke_app::lookup::am_i_affected(&state.store, &viewer.actor(), record.id, name_kana, birth_date).await?;
    Ok(found.into_iter().filter_map(|party| party_name(&parties, party)).map(str::to_string).collect())
}

async fn render_page<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    result: Option<Vec<String>>,
) -> Result<Html<String>, WebError> {
    let (record, _) = load_desk_case(state, viewer, id).await?;
    let page = LookupPage {
        m: Prefs::current(),
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        result,
    };
    Ok(Html(page.render()?))
}

/// The question form.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    render_page(&state, &viewer, &id, None).await
}

/// The answer, under a fresh form (the name and date asked about are not shown again).
pub async fn ask_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Html<String>, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let found = answer(&state, &viewer, &id, &form.name_kana, &form.birth_date).await?;
    render_page(&state, &viewer, &id, Some(found)).await
}
