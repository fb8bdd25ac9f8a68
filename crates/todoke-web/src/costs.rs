//! Cost claims (費用請求) in the browser. A consignor (whoever files for its party) sees and edits
//! only its own claim: it recomputes the notice lines from the campaign, adds lines by hand and
//! submits. The owner's staff see every consignor's claim with totals and approve it, return it for
//! correction or mark it paid. Each claim's invoice (請求書) opens as a page or downloads as a file.
//! A claim of a party the viewer does not see is "not found", like any case that is not theirs.

use crate::access::{Scope, can_edit, files_for};
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::load_case;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use todoke_core::{IncidentRecord, PartyRole};
use todoke_store::{CostCategory, CostClaim, CostMove, CostState, CostStore, Db, StoredParty};

/// The consignors whose claims the viewer may see: every consignor for the owner's members, its
/// own for a consignor's officers. Refused to whoever sees a case but files for none of its parties.
pub(crate) fn claim_parties(
    viewer: &Viewer,
    record: &IncidentRecord,
    parties: Vec<StoredParty>,
    scope: &Scope,
) -> Vec<StoredParty> {
    parties
        .into_iter()
        .filter(|p| p.party.role == PartyRole::Consignor && scope.sees(&p.party.name))
        .filter(|p| *scope == Scope::Full || files_for(viewer, record, p))
        .collect()
}

async fn load_claims<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(IncidentRecord, Vec<StoredParty>), WebError> {
    let (record, parties, scope) = load_case(state, viewer, id).await?;
    let mine = claim_parties(viewer, &record, parties, &scope);
    if mine.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok((record, mine))
}

/// The party named by a form or path, among those the viewer sees; any other is "not found".
fn party_of<'a>(parties: &'a [StoredParty], id: &str) -> Result<&'a StoredParty, WebError> {
    parties.iter().find(|p| p.id.to_string() == id.trim()).ok_or(WebError::NotFound)
}

struct LineRow {
    id: String,
    category: String,
    description: String,
    quantity: i64,
    unit_yen: i64,
    amount_yen: i64,
    campaign: bool,
}

struct ClaimView {
    party_id: String,
    party: String,
    state: String,
    state_key: &'static str,
    paid_on: String,
    note: String,
    lines: Vec<LineRow>,
    totals: Vec<(String, i64)>,
    total: i64,
    /// The viewer may change the lines and submit (its own claim, while a draft or returned).
    edits: bool,
    /// The viewer may approve, return or mark paid (the owner's staff, in the right state).
    decides: bool,
}

#[derive(Template)]
#[template(path = "costs.html")]
struct CostsPage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    today: String,
    claims: Vec<ClaimView>,
    categories: Vec<(&'static str, String)>,
    grand_total: i64,
    /// Invoices can be had as PDF (the server has the fonts).
    fonts: bool,
}

fn claim_view(viewer: &Viewer, record: &IncidentRecord, party: &StoredParty, claim: Option<CostClaim>) -> ClaimView {
    let m = Prefs::current();
    let state = claim.as_ref().map_or(CostState::Draft, |c| c.state);
    let (lines, totals, total, paid_on, note) = match &claim {
        Some(c) => (
            c.lines
                .iter()
                .map(|l| LineRow {
                    id: l.id.to_string(),
                    category: m.label(l.category.key(), l.category.label_ja()),
                    description: l.description.clone(),
                    quantity: l.quantity,
                    unit_yen: l.unit_yen,
                    amount_yen: l.amount_yen,
                    campaign: l.source == todoke_store::LineSource::Campaign,
                })
                .collect(),
            todoke_app::costs::totals_by_category(c)
                .into_iter()
                .map(|(cat, yen)| (m.label(cat.key(), cat.label_ja()), yen))
                .collect(),
            c.total_yen(),
            c.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            c.note.clone().unwrap_or_default(),
        ),
        None => (Vec::new(), Vec::new(), 0, String::new(), String::new()),
    };
    ClaimView {
        party_id: party.id.to_string(),
        party: party.party.name.clone(),
        state: m.label(state.key(), state.label_ja()),
        state_key: state.key(),
        paid_on,
        note,
        lines,
        totals,
        total,
        edits: state.editable() && files_for(viewer, record, party),
        decides: matches!(state, CostState::Submitted | CostState::Approved) && can_edit(viewer, record),
    }
}

/// The claims the viewer may see, with the forms it may use.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, parties) = load_claims(&state, &viewer, &id).await?;
    let stored = state.store.cost_claims(record.id).await?;
    let claims: Vec<ClaimView> = parties
        .iter()
        .map(|p| {
            let claim = stored.iter().find(|c| c.party == p.id).cloned();
            claim_view(&viewer, &record, p, claim)
        })
        .collect();
    let m = Prefs::current();
    let page = CostsPage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        today: state.today().to_string(),
        grand_total: claims.iter().fold(0i64, |sum, c| sum.saturating_add(c.total)),
        claims,
        categories: CostCategory::ALL.iter().map(|c| (c.key(), m.label(c.key(), c.label_ja()))).collect(),
        fonts: state.fonts.is_some(),
    };
    Ok(Html(page.render()?))
}

/// A manual line as the form sends it.
#[derive(Deserialize)]
pub struct LineForm {
    csrf: String,
    party: String,
    category: String,
    description: String,
    quantity: String,
    unit_yen: String,
}

/// The party of a change, which the viewer must file for (a consignor's officer for its own).
async fn filing_party<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    party: &str,
) -> Result<(IncidentRecord, StoredParty), WebError> {
    let (record, parties) = load_claims(state, viewer, id).await?;
    let party = party_of(&parties, party)?.clone();
    if !files_for(viewer, &record, &party) {
        return Err(WebError::Forbidden);
    }
    Ok((record, party))
}

fn back(record: &IncidentRecord) -> Response {
    Redirect::to(&format!("/cases/{}/costs", record.id)).into_response()
}

/// Adds a line by hand.
pub async fn add_line<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LineForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) = filing_party(&state, &viewer, &id, &form.party).await?;
    let line = todoke_app::costs::manual_line(&form.category, &form.description, &form.quantity, &form.unit_yen)?;
    state.store.add_cost_line(&viewer.actor(), record.id, party.id, &line).await?;
    Ok(back(&record))
}

/// A form naming a party (and, to remove a line, the line).
#[derive(Deserialize)]
pub struct PartyForm {
    csrf: String,
    party: String,
    #[serde(default)]
    line: String,
}

/// Recomputes the notice lines from the campaign's counts at the agreed unit costs.
pub async fn refresh<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PartyForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) = filing_party(&state, &viewer, &id, &form.party).await?;
    // At the unit costs agreed in the organization's PLAN.toml (defaults: post 150, e-mail 50).
    let (actor, name) = (viewer.actor(), &party.party.name);
    todoke_app::costs::refresh_campaign_lines(&state.store, &actor, record.id, party.id, name, &state.org.plan).await?;
    Ok(back(&record))
}

/// Removes a line of an editable claim.
pub async fn remove_line<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PartyForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) = filing_party(&state, &viewer, &id, &form.party).await?;
    let line = form.line.trim().parse().map_err(|_| WebError::NotFound)?;
    state.store.remove_cost_line(&viewer.actor(), record.id, party.id, line).await?;
    Ok(back(&record))
}

/// A move of a claim as the form sends it: the state the viewer saw and the one it asks for.
#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    party: String,
    from: String,
    to: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    note: String,
}

/// Submits (the consignor), approves, returns or marks paid (the owner's staff). A move someone
/// else made first is a conflict: the page shows where the claim stands now.
pub async fn move_claim<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties) = load_claims(&state, &viewer, &id).await?;
    let party = party_of(&parties, &form.party)?;
    let parse = |field: &str, key: &str| {
        CostState::from_key(key.trim())
            .ok_or_else(|| WebError::Invalid(format!("{field}: unknown state `{}`", key.trim())))
    };
    let (from, to) = (parse("from", &form.from)?, parse("to", &form.to)?);
    let allowed = match to {
        CostState::Submitted => files_for(&viewer, &record, party),
        CostState::Approved | CostState::Returned | CostState::Paid => can_edit(&viewer, &record),
        CostState::Draft => false,
    };
    if !allowed {
        return Err(WebError::Forbidden);
    }
    let paid_on = match to {
        CostState::Paid => Some(form.paid_on.trim().parse().map_err(|_| {
            WebError::Invalid(format!("paid_on: expected a date such as 2024-09-30, found `{}`", form.paid_on.trim()))
        })?),
        _ => None,
    };
    let note = form.note.trim();
    let step = CostMove { from, to, paid_on, note: (to == CostState::Returned && !note.is_empty()).then_some(note) };
    if !state.store.move_cost_claim(&viewer.actor(), record.id, party.id, &step).await? {
        return Err(WebError::Conflict);
    }
    Ok(back(&record))
}

/// `?download=1` asks for the invoice as a file; `?format=pdf` as a PDF.
#[derive(Deserialize)]
pub struct InvoiceQuery {
    #[serde(default)]
    download: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// A claim's invoice as an HTML page (or file).
pub async fn invoice<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path((id, party)): Path<(String, String)>,
    Query(query): Query<InvoiceQuery>,
) -> Result<Response, WebError> {
    let (record, parties) = load_claims(&state, &viewer, &id).await?;
    let party = party_of(&parties, &party)?;
    let claim = state.store.cost_claim(record.id, party.id).await?.ok_or(WebError::NotFound)?;
    let pdf = query.format.as_deref() == Some("pdf");
    let mut response = if pdf {
        let fonts = crate::campaign_letters::fonts(&state)?;
        let file = todoke_app::costs::invoice_pdf(&record.facts, &party.party.name, &claim, state.today(), &fonts)?;
        ([(header::CONTENT_TYPE, "application/pdf")], file).into_response()
    } else {
        let html = todoke_app::costs::invoice_html(&record.facts, &party.party.name, &claim, state.today())?;
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    };
    if query.download.is_some() || pdf {
        // The file name is ASCII: party names are Japanese and headers are not.
        let value = format!("attachment; filename=\"invoice-{}.{}\"", party.id, if pdf { "pdf" } else { "html" });
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}
