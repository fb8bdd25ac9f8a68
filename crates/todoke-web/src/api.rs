//! The JSON API under `/api/v1`, authorized exactly as the pages are. Wire types are the domain's
//! serde forms (CONTRACTS.md): do not rename their keys.

use crate::access::Scope;
use crate::error::{ApiError, WebError};
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{load_case, visible};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use todoke_store::{CaseRecordStore, Db, IncidentStore};

fn viewer(v: Result<Viewer, crate::error::WebError>) -> Result<Viewer, ApiError> {
    v.map_err(ApiError)
}

/// `GET /api/v1/cases`: the cases the caller may see.
pub async fn cases<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let mut out = Vec::new();
    for summary in state.store.incidents().await? {
        let case = state.store.case(summary.id).await?;
        if let Some(scope) = crate::access::scope(&viewer, &case.record, &case.parties) {
            let share = match scope {
                Scope::Full => Value::Null,
                Scope::Parties(names) => json!(names),
            };
            out.push(
                json!({ "id": summary.id, "title": summary.title, "owner": summary.owner, "only_parties": share }),
            );
        }
    }
    Ok(Json(json!({ "cases": out })))
}

/// A case to open, as the API takes it: the guided form's answers.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseInput {
    /// The organization's id; may be left out by whoever works for one only.
    #[serde(default)]
    organization: String,
    title: String,
    #[serde(default)]
    summary: String,
    event: String,
    #[serde(default)]
    suspected: bool,
    cause: String,
    data_items: Vec<String>,
    sensitive: Option<bool>,
    financial_risk: Option<bool>,
    persons: Option<u64>,
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    my_number: bool,
    known_on: String,
    #[serde(default)]
    consignors: Vec<ConsignorInput>,
    /// Whether the case starts with the usual response checklist (yes when absent).
    #[serde(default = "yes")]
    checklist: bool,
}

fn yes() -> bool {
    true
}

/// A consignor of a case to open.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsignorInput {
    name: String,
    #[serde(rename = "type", default)]
    org_type: String,
    #[serde(default)]
    known_on: String,
}

/// `POST /api/v1/cases`: opens a case for one of the caller's organizations, as the guided form does.
pub async fn open_case<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    use crate::new_case::{chosen_organization, date, keyed, org_type};
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    let input: CaseInput = json_body(&headers, &body)?;
    let org = chosen_organization(&state, &viewer, &input.organization).await?;
    let mut consignors = Vec::with_capacity(input.consignors.len());
    for (n, c) in input.consignors.iter().enumerate() {
        let field = format!("consignors[{n}]");
        let kind = org_type(&c.org_type).ok_or_else(|| {
            WebError::Invalid(format!("{field}.type: expected business, public_body or public_hospital"))
        })?;
        let known_on = if c.known_on.trim().is_empty() { None } else { Some(date(&field, &c.known_on)?) };
        consignors.push(todoke_app::new_case::Consignor { name: c.name.clone(), org_type: kind, known_on });
    }
    let answers = todoke_app::new_case::NewCase {
        title: input.title,
        summary: Some(input.summary),
        event: keyed("event", &input.event, todoke_core::EventKind::from_key)?,
        suspected: input.suspected,
        cause: keyed("cause", &input.cause, todoke_core::Cause::from_key)?,
        data_items: input.data_items,
        sensitive: input.sensitive,
        financial_risk: input.financial_risk,
        persons: input.persons,
        encrypted: input.encrypted,
        my_number: input.my_number,
        handler: (org.name.clone(), org.org_type),
        known_on: date("known_on", &input.known_on)?,
        consignors,
        checklist: input.checklist,
    };
    let id = todoke_app::new_case::open_case(&state.store, &viewer.actor(), &answers).await.map_err(WebError::from)?;
    Ok(created(json!({ "id": id, "title": answers.title, "owner": org.name })))
}

/// `GET /api/v1/cases/{id}`: a case's facts, with only the parties the caller may see.
pub async fn case<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (mut record, _, scope) = load_case(&state, &viewer, &id).await?;
    record.facts.parties.retain(|p| scope.sees(&p.name));
    if scope != Scope::Full {
        // The timeline and tasks are the owner's working record.
        record.facts.timeline.clear();
        record.facts.tasks.clear();
    }
    Ok(Json(serde_json::to_value(&record).map_err(|e| crate::error::WebError::Internal(e.to_string()))?))
}

/// `GET /api/v1/cases/{id}/assessment`: the assessment (CONTRACTS.md §1) of the visible parties,
/// measured against today.
pub async fn assessment<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (case, scope) = crate::views::load_snapshot(&state, &viewer, &id).await?;
    let mut assessment = crate::views::assessed(&state, &case, state.today(), true)?.as_ref().clone();
    assessment.parties = visible(&assessment, &scope);
    Ok(Json(serde_json::to_value(&assessment).map_err(|e| crate::error::WebError::Internal(e.to_string()))?))
}

/// `GET /api/v1/openapi.json`: the API's description.
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("../openapi.json")).into_response()
}

// ---------------------------------------------------------------------------------------------
// The working record of a case: parties, timeline, tasks, reports. Changes need the session's
// CSRF token in `X-CSRF-Token` (from `GET /api/v1/session`) and a JSON body.

/// The header an API change carries the session's CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";

fn check_api_csrf(viewer: &Viewer, headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    crate::session::check_csrf(viewer, headers, token).map_err(ApiError)
}

fn json_body<T: serde::de::DeserializeOwned>(headers: &axum::http::HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(ApiError(WebError::Invalid("expected a JSON body (Content-Type: application/json)".into())));
    }
    serde_json::from_slice(body).map_err(|e| ApiError(WebError::Invalid(format!("JSON: {e}"))))
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError(WebError::Internal(e.to_string())))
}

/// The object `value` with `fields` added.
fn with_fields(mut value: Value, fields: Vec<(&str, Value)>) -> Value {
    if let Some(map) = value.as_object_mut() {
        for (k, v) in fields {
            map.insert(k.to_string(), v);
        }
    }
    value
}

fn created(body: Value) -> Response {
    (axum::http::StatusCode::CREATED, Json(body)).into_response()
}

/// The owner's working record is not a party's: a party's member is refused.
async fn full_case<D: Db>(state: &AppState<D>, viewer: &Viewer, id: &str) -> Result<todoke_core::IncidentId, ApiError> {
    let (record, _, scope) = load_case(state, viewer, id).await?;
    if scope != Scope::Full {
        return Err(ApiError(WebError::Forbidden));
    }
    Ok(record.id)
}

/// `GET /api/v1/session`: who is signed in, and the token API changes carry.
pub async fn session(v: Result<Viewer, WebError>) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    Ok(Json(json!({
        "login": viewer.user.login,
        "name": viewer.user.display_name,
        "csrf_token": viewer.csrf_token,
    })))
}

/// `GET /api/v1/cases/{id}/parties`: the parties the caller may see.
pub async fn parties<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (_, parties, scope) = load_case(&state, &viewer, &id).await?;
    let visible: Vec<Value> = parties
        .iter()
        .filter(|p| scope.sees(&p.party.name))
        .map(|p| Ok(json!({ "id": p.id, "org": p.org, "party": to_json(&p.party)? })))
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(json!({ "parties": visible })))
}

/// Stored records as JSON objects, each with its `id`.
fn with_ids<I: serde::Serialize, T: serde::Serialize>(rows: Vec<(I, T)>) -> Result<Vec<Value>, ApiError> {
    rows.into_iter().map(|(id, row)| Ok(with_fields(to_json(&row)?, vec![("id", json!(id))]))).collect()
}

/// `GET /api/v1/cases/{id}/timeline`: the owner's timeline, in time order.
pub async fn timeline<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let case = full_case(&state, &viewer, &id).await?;
    let events = with_ids(state.store.timeline(case).await?)?;
    Ok(Json(json!({ "events": events })))
}

/// A timeline event as the API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EventInput {
    at: String,
    kind: String,
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    technique: String,
}

/// `POST /api/v1/cases/{id}/timeline`: adds one event (`at` with its UTC offset).
pub async fn add_event<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    crate::records::owner_case(&state, &viewer, &id).await?;
    let input: EventInput = json_body(&headers, &body)?;
    let event = crate::timeline_csv::event(&input.at, &input.kind, &input.text, &input.source, &input.technique)
        .map_err(|e| ApiError(WebError::Invalid(e)))?;
    let (_, added) = crate::records::add_events(&state, &viewer, &id, std::slice::from_ref(&event)).await?;
    Ok(created(json!({ "added": added, "event": to_json(&event)? })))
}

/// `POST /api/v1/cases/{id}/timeline/import`: a CSV file as the body (`text/csv`); all rows or none,
/// with every bad row's line and reason.
pub async fn import_events<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    crate::records::owner_case(&state, &viewer, &id).await?;
    let events = match crate::timeline_csv::parse(&body) {
        Ok(events) => events,
        Err(problems) => {
            let list: Vec<Value> = problems.iter().map(|p| json!({ "line": p.line, "reason": p.reason })).collect();
            let body = json!({
                "error": format!("{}: CSV: nothing was imported", crate::i18n::Prefs::current().t("error.invalid")),
                "status": 400,
                "request_id": crate::error::current_request_id(),
                "problems": list,
            });
            return Ok((axum::http::StatusCode::BAD_REQUEST, Json(body)).into_response());
        }
    };
    let (_, added) = crate::records::add_events(&state, &viewer, &id, &events).await?;
    Ok(created(json!({ "added": added })))
}

/// `GET /api/v1/cases/{id}/tasks`: the owner's tasks and 再発防止策 register.
pub async fn tasks<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let case = full_case(&state, &viewer, &id).await?;
    let tasks = with_ids(state.store.tasks(case).await?)?;
    Ok(Json(json!({ "tasks": tasks })))
}

/// A task as the API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskInput {
    kind: String,
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
}

/// `POST /api/v1/cases/{id}/tasks`: adds a task.
pub async fn add_task<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    crate::records::owner_case(&state, &viewer, &id).await?;
    let input: TaskInput = json_body(&headers, &body)?;
    let task = crate::records::task(&input.kind, &input.title, &input.owner, &input.due)?;
    let (_, task_id) = crate::records::add_task(&state, &viewer, &id, &task).await?;
    Ok(created(with_fields(to_json(&task)?, vec![("id", json!(task_id))])))
}

/// A task's new status as the API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    status: String,
    #[serde(default)]
    evidence: String,
}

/// `PATCH /api/v1/cases/{id}/tasks/{task}`: moves a task on, with its evidence.
pub async fn task_status<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path((id, task)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    crate::records::owner_case(&state, &viewer, &id).await?;
    let input: StatusInput = json_body(&headers, &body)?;
    let (status, evidence) = crate::records::status(&input.status, &input.evidence)?;
    let (_, moved) = crate::records::move_task(&state, &viewer, &id, &task, status, evidence.as_deref()).await?;
    Ok(Json(with_fields(to_json(&moved)?, vec![("id", json!(task))])))
}

fn report_json(id: todoke_core::ReportId, party: &str, r: &todoke_core::Report) -> Result<Value, ApiError> {
    Ok(with_fields(
        to_json(r)?,
        vec![("id", json!(id)), ("party_name", json!(party)), ("draft", json!(r.submitted_on.is_none()))],
    ))
}

/// `GET /api/v1/cases/{id}/reports`: the reports and drafts of the parties the caller may see.
pub async fn reports<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (record, parties, scope) = load_case(&state, &viewer, &id).await?;
    let mut out = Vec::new();
    for (id, r) in state.store.reports(record.id).await? {
        let Some(name) = crate::views::party_name(&parties, r.party) else { continue };
        if scope.sees(name) {
            out.push(report_json(id, name, &r)?);
        }
    }
    Ok(Json(json!({ "reports": out })))
}

/// A report as the API takes it: a draft made from the case (`draft: true`), or a report already
/// submitted (`submitted_on`, and the receipt number when known).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportInput {
    party: String,
    kind: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    submitted_on: Option<String>,
    #[serde(default)]
    receipt_number: Option<String>,
}

/// `POST /api/v1/cases/{id}/reports`: drafts a party's PPC report from the case, or records one
/// already submitted (its timeliness frozen).
pub async fn add_report<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    let input: ReportInput = json_body(&headers, &body)?;
    let kind = crate::records::report_kind(&input.kind)?;
    match (input.draft, input.submitted_on.as_deref()) {
        (true, None) => {
            let (_, report_id, report) = crate::records::make_draft(&state, &viewer, &id, &input.party, kind).await?;
            Ok(created(report_json(report_id, &input.party, &report)?))
        }
        (false, Some(on)) => {
            let (record, parties, scope) = load_case(&state, &viewer, &id).await?;
            let party = parties
                .iter()
                .find(|p| p.party.name == input.party && scope.sees(&p.party.name))
                .ok_or(WebError::NotFound)?;
            if !crate::access::files_for(&viewer, &record, party) {
                return Err(ApiError(WebError::Forbidden));
            }
            let submitted_on = on.parse().map_err(|_| {
                WebError::Invalid(format!("submitted_on: expected a date such as 2024-02-21, found `{on}`"))
            })?;
            let filing = todoke_app::Filing {
                party: &input.party,
                kind,
                submitted_on,
                receipt_number: input.receipt_number.as_deref().map(str::trim).filter(|r| !r.is_empty()),
                content: "",
            };
            let (report_id, report) =
                todoke_app::file_report(&state.store, &viewer.actor(), record.id, &filing).await?;
            Ok(created(report_json(report_id, &input.party, &report)?))
        }
        _ => Err(ApiError(WebError::Invalid("expected either \"draft\": true or \"submitted_on\"".into()))),
    }
}

/// A draft's submission as the API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitInput {
    submitted_on: String,
    #[serde(default)]
    receipt_number: Option<String>,
}

/// `POST /api/v1/cases/{id}/reports/{report}/submit`: marks a draft submitted with its receipt
/// number; whether it was on time is frozen (a second submission is a 409).
pub async fn submit_report<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, WebError>,
    headers: axum::http::HeaderMap,
    Path((id, report)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    let input: SubmitInput = json_body(&headers, &body)?;
    let submitted_on = input.submitted_on.parse().map_err(|_| {
        WebError::Invalid(format!("submitted_on: expected a date such as 2024-02-21, found `{}`", input.submitted_on))
    })?;
    let receipt = input.receipt_number.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let (case, submitted) = crate::records::submit(&state, &viewer, &id, &report, submitted_on, receipt).await?;
    let parties = state.store.parties(case).await?;
    let name = crate::views::party_name(&parties, submitted.party).unwrap_or_default().to_string();
    let id: todoke_core::ReportId = report.parse().map_err(|_| WebError::NotFound)?;
    Ok(Json(report_json(id, &name, &submitted)?))
}

/// A question "am I affected?" as the API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupInput {
    name_kana: String,
    birth_date: String,
}

/// `POST /api/v1/cases/{id}/lookup`: whether a person (kana name, birth date) is on a list the
/// caller may see, and on which parties' lists. Rate-limited and audited.
pub async fn lookup<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    check_api_csrf(&viewer, &headers)?;
    let input: LookupInput = json_body(&headers, &body)?;
    let parties = crate::lookup::answer(&state, &viewer, &id, &input.name_kana, &input.birth_date).await?;
    Ok(Json(json!({ "affected": !parties.is_empty(), "parties": parties })))
}
