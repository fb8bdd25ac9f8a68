//! The letters of a campaign in the browser: posted, returned (返戻, by hand or from an uploaded
//! list), re-mailed to a corrected address, or moved to the substitute notice, whose publications
//! are recorded here too. Each form acts for the parties the viewer may file for: a notice of a
//! party they do not see is not found, one they see but do not file for is forbidden.

use crate::access::files_for;
use crate::campaign::filed_among;
use crate::error::WebError;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::load_desk_case;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use todoke_app::campaign::{self, ReturnReason, ReturnRow};
use todoke_core::{IncidentRecord, NotificationId, PartyId};
use todoke_store::{AuditStore, Db, NotificationStore, StoredParty};

fn back(id: &str) -> Response {
    Redirect::to(&format!("/cases/{id}/campaign")).into_response()
}

fn day(field: &str, text: &str, default: Option<Date>) -> Result<Date, WebError> {
    match (text.trim(), default) {
        ("", Some(d)) => Ok(d),
        (text, _) => campaign::parse_day(text)
            .ok_or_else(|| WebError::Invalid(format!("{field}: expected a date such as 2024-05-27"))),
    }
}

/// The case and the parties the viewer may file for.
async fn managed<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(IncidentRecord, Vec<StoredParty>, Vec<PartyId>), WebError> {
    let (record, parties) = load_desk_case(state, viewer, id).await?;
    let mine = parties.iter().filter(|p| files_for(viewer, &record, p)).map(|p| p.id).collect();
    Ok((record, parties, mine))
}

/// The party of a notice the viewer files for: 404 when unseen (or no such notice), 403 when seen.
async fn notice_party<D: Db>(
    state: &AppState<D>,
    record: &IncidentRecord,
    parties: &[StoredParty],
    mine: &[PartyId],
    notice: &str,
) -> Result<(NotificationId, PartyId), WebError> {
    let id: NotificationId = notice.trim().parse().map_err(|_| WebError::NotFound)?;
    let n = state
        .store
        .notification(record.id, id)
        .await?
        .filter(|n| parties.iter().any(|p| p.id == n.party))
        .ok_or(WebError::NotFound)?;
    if !mine.contains(&n.party) {
        return Err(WebError::Forbidden);
    }
    Ok((id, n.party))
}

/// The posting form.
#[derive(Deserialize)]
pub struct PostedForm {
    csrf: String,
    party: String,
    #[serde(default)]
    date: String,
}

/// Records that the party's waiting letters were posted (today unless a date is given).
pub async fn posted<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PostedForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, _) = managed(&state, &viewer, &id).await?;
    let party = filed_among(&viewer, &record, &parties, |p| p.party.name == form.party.trim())?.id;
    let on = day("date", &form.date, Some(state.today()))?;
    campaign::record_posted(&state.store, &viewer.actor(), record.id, party, on).await?;
    Ok(back(&id))
}

/// Which party's hand-off file, and in which encoding.
#[derive(Deserialize)]
pub struct HandoffQuery {
    party: String,
    /// `utf8` for UTF-8 with a BOM; Shift_JIS otherwise.
    #[serde(default)]
    encoding: String,
}

/// The print vendor's file of the party's letters waiting to be posted (a download, made on
/// request and never kept; handing it over is audited with its count, not its content).
pub async fn handoff<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(query): Query<HandoffQuery>,
) -> Result<Response, WebError> {
    let (record, parties, _) = managed(&state, &viewer, &id).await?;
    let party = filed_among(&viewer, &record, &parties, |p| p.party.name == query.party.trim())?.id;
    let rows = campaign::handoff_rows(&state.store, record.id, party).await?;
    let sjis = query.encoding != "utf8";
    let file = campaign::handoff_csv(&rows, sjis)?;
    let object = format!("party:{party} letters:{}", rows.len());
    state.store.record_event(&viewer.actor(), "campaign.handoff", &object).await?;
    Ok(crate::records::csv_download(file, sjis, "handoff.csv"))
}

/// A return recorded by hand.
#[derive(Deserialize)]
pub struct ReturnForm {
    csrf: String,
    notice: String,
    reason: String,
    #[serde(default)]
    date: String,
}

/// Records one returned letter.
pub async fn returned<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReturnForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, mine) = managed(&state, &viewer, &id).await?;
    let (notice, party) = notice_party(&state, &record, &parties, &mine, &form.notice).await?;
    let reason = ReturnReason::parse(&form.reason)
        .ok_or_else(|| WebError::Invalid("reason: expected one of Japan Post's return reasons".into()))?;
    let row = ReturnRow {
        line: 1,
        notice: notice.to_string(),
        reason,
        returned_on: day("date", &form.date, Some(state.today()))?,
    };
    campaign::record_returns(&state.store, &viewer.actor(), record.id, &[party], &[row]).await?;
    Ok(back(&id))
}

/// A list of returns uploaded (`multipart/form-data`: `csrf`, `file`), recorded all or nothing for
/// the parties the viewer files for.
pub async fn upload<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let fields = crate::upload::fields(&headers, &body)?;
    let field = |name: &str| fields.iter().find(|f| f.name == name).map(|f| f.data.clone());
    check_csrf(&viewer, &headers, &String::from_utf8_lossy(&field("csrf").unwrap_or_default()))?;
    let (record, _, mine) = managed(&state, &viewer, &id).await?;
    if mine.is_empty() {
        return Err(WebError::Forbidden);
    }
    let file = field("file")
        .filter(|f| !f.is_empty())
        .ok_or_else(|| WebError::Invalid("file: expected a list of returns (CSV, UTF-8 or Shift_JIS)".into()))?;
    campaign::upload_returns(&state.store, &viewer.actor(), record.id, &mine, &file).await?;
    Ok(back(&id))
}

/// A corrected address for a returned letter.
#[derive(Deserialize)]
pub struct RemailForm {
    csrf: String,
    notice: String,
    postal_code: String,
    address: String,
}

/// Keeps the corrected address (sealed) and marks the letter to be posted again.
pub async fn remail<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RemailForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, mine) = managed(&state, &viewer, &id).await?;
    let (notice, party) = notice_party(&state, &record, &parties, &mine, &form.notice).await?;
    campaign::remail(&state.store, &viewer.actor(), record.id, &[party], notice, &form.postal_code, &form.address)
        .await?;
    Ok(back(&id))
}

/// Which notice to move to the substitute notice.
#[derive(Deserialize)]
pub struct SubstituteForm {
    csrf: String,
    notice: String,
}

/// Moves a returned (or failed) notice to the party's substitute notice.
pub async fn substitute<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SubstituteForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, mine) = managed(&state, &viewer, &id).await?;
    let (notice, party) = notice_party(&state, &record, &parties, &mine, &form.notice).await?;
    campaign::move_to_substitute(&state.store, &viewer.actor(), record.id, &[party], notice).await?;
    Ok(back(&id))
}

/// Where and when the substitute notice was published.
#[derive(Deserialize)]
pub struct PublicationForm {
    csrf: String,
    party: String,
    place: String,
    from: String,
    #[serde(default)]
    to: String,
}

/// Records a publication of the party's substitute notice, as evidence.
pub async fn publication<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PublicationForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, parties, _) = managed(&state, &viewer, &id).await?;
    let party = filed_among(&viewer, &record, &parties, |p| p.party.name == form.party.trim())?.id;
    let from = day("from", &form.from, None)?;
    let to = if form.to.trim().is_empty() { None } else { Some(day("to", &form.to, None)?) };
    campaign::publish_substitute(&state.store, &viewer.actor(), record.id, party, &form.place, from, to).await?;
    Ok(back(&id))
}
