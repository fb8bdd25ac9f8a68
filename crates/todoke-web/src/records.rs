//! The working record of a case from the case page: timeline events (a form, or a CSV import that
//! is refused whole when a row is bad), tasks and the 再発防止策 register, report drafts made from the
//! case and marked submitted; and the display preferences form.
//!
//! Who may do what: the timeline and the tasks are the owner's working record, changed only by the
//! owner's editors (a party's members do not see them). A report is drafted or marked submitted by
//! those who may file for its party ([`crate::access::files_for`]). The page forms and the JSON API
//! share the functions here, so that both are authorized the same way.

use crate::access::{Scope, can_edit, files_for};
use crate::error::WebError;
use crate::i18n::{COOKIE, Prefs};
use crate::session::{Viewer, check_csrf, check_same_origin};
use crate::state::AppState;
use crate::timeline_csv;
use crate::views::load_case;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use todoke_core::{
    Date, IncidentId, IncidentRecord, Report, ReportId, ReportKind, Task, TaskId, TaskKind, TaskStatus, TimelineEvent,
};
use todoke_rules::Options;
use todoke_store::{CaseRecordStore, Db};

// ---------------------------------------------------------------------------------------------
// Checked input, shared by the forms and the API.

fn date(field: &str, text: &str) -> Result<Date, WebError> {
    text.trim()
        .parse()
        .map_err(|_| WebError::Invalid(format!("{field}: expected a date such as 2024-02-21, found `{}`", text.trim())))
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_string)
}

/// A task from its fields.
pub fn task(kind: &str, title: &str, owner: &str, due: &str) -> Result<Task, WebError> {
    let kind = TaskKind::from_key(kind.trim())
        .ok_or_else(|| WebError::Invalid(format!("kind: expected prevention or action, found `{kind}`")))?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 500 {
        return Err(WebError::Invalid("title: expected what is to be done (at most 500 characters)".into()));
    }
    let owner = optional(owner);
    if owner.as_ref().is_some_and(|o| o.chars().count() > 200) {
        return Err(WebError::Invalid("owner: expected at most 200 characters".into()));
    }
    let due = match due.trim() {
        "" => None,
        d => Some(date("due", d)?),
    };
    Ok(Task { kind, title: title.to_string(), owner, due, status: TaskStatus::Open, evidence: None })
}

/// A task's new status, with its evidence (required to mark a task done).
pub fn status(key: &str, evidence: &str) -> Result<(TaskStatus, Option<String>), WebError> {
    let keys: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.key()).collect();
    let status = TaskStatus::from_key(key.trim())
        .ok_or_else(|| WebError::Invalid(format!("status: expected one of {}, found `{key}`", keys.join(", "))))?;
    let evidence = optional(evidence);
    if evidence.as_ref().is_some_and(|e| e.chars().count() > 2000) {
        return Err(WebError::Invalid("evidence: expected at most 2000 characters".into()));
    }
    if status == TaskStatus::Done && evidence.is_none() {
        return Err(WebError::Invalid("evidence: a task is marked done with what shows it is done".into()));
    }
    Ok((status, evidence))
}

/// A report kind from its key.
pub fn report_kind(key: &str) -> Result<ReportKind, WebError> {
    ReportKind::from_key(key.trim()).ok_or_else(|| {
        WebError::Invalid(format!("kind: expected preliminary, final or follow_up, found `{}`", key.trim()))
    })
}

/// A date-time from a form: `2024-01-28T02:10` (a `datetime-local` field) with its UTC offset, or
/// a full RFC 3339 date-time.
pub(crate) fn form_time(at: &str, offset: &str) -> String {
    let at = at.trim();
    let has_zone = at.get(11..).is_some_and(|time| time.contains(['Z', 'z', '+', '-']));
    if has_zone {
        return at.to_string();
    }
    let seconds = if at.len() == 16 { ":00" } else { "" };
    let offset = if offset.trim().is_empty() { "+09:00" } else { offset.trim() };
    format!("{at}{seconds}{offset}")
}

// ---------------------------------------------------------------------------------------------
// The changes, authorized.

/// A case whose working record the viewer may change: the owner's editors only. A case that is
/// none of the viewer's is not found; a party's member is refused.
pub async fn owner_case<D: Db>(state: &AppState<D>, viewer: &Viewer, id: &str) -> Result<IncidentRecord, WebError> {
    let (record, _, scope) = load_case(state, viewer, id).await?;
    if scope != Scope::Full || !can_edit(viewer, &record) {
        return Err(WebError::Forbidden);
    }
    Ok(record)
}

/// Adds checked events to a case's timeline.
pub async fn add_events<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    events: &[TimelineEvent],
) -> Result<(IncidentId, usize), WebError> {
    let record = owner_case(state, viewer, id).await?;
    let added = todoke_app::case_records::add_timeline_events(&state.store, &viewer.actor(), record.id, events).await?;
    Ok((record.id, added))
}

/// Adds a task.
pub async fn add_task<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    task: &Task,
) -> Result<(IncidentId, TaskId), WebError> {
    let record = owner_case(state, viewer, id).await?;
    let task_id = todoke_app::case_records::add_task(&state.store, &viewer.actor(), record.id, task).await?;
    Ok((record.id, task_id))
}

/// Moves a task of the case on.
pub async fn move_task<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    task: &str,
    status: TaskStatus,
    evidence: Option<&str>,
) -> Result<(IncidentId, Task), WebError> {
    let record = owner_case(state, viewer, id).await?;
    let task: TaskId = task.parse().map_err(|_| WebError::NotFound)?;
    let moved =
        todoke_app::case_records::set_task_status(&state.store, &viewer.actor(), record.id, task, status, evidence)
            .await?;
    Ok((record.id, moved))
}

/// Drafts the PPC report of `party` from the case (todoke-docs, Markdown) and stores it unsubmitted.
/// A party's member drafts from its share only: the owner's timeline and tasks are left out.
pub async fn make_draft<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    party: &str,
    kind: ReportKind,
) -> Result<(IncidentId, ReportId, Report), WebError> {
    let (record, parties, scope) = load_case(state, viewer, id).await?;
    let stored =
        parties.iter().find(|p| p.party.name == party && scope.sees(&p.party.name)).ok_or(WebError::NotFound)?;
    if !files_for(viewer, &record, stored) {
        return Err(WebError::Forbidden);
    }
    let today = state.today();
    let outcome = todoke_app::assess_stored(
        &state.store,
        &viewer.actor(),
        record.id,
        &Options { as_of: Some(today), ..Options::default() },
    )
    .await?;
    let mut incident = record.facts.clone();
    if scope != Scope::Full {
        incident.timeline.clear();
        incident.tasks.clear();
    }
    let doc_kind = match kind {
        ReportKind::Preliminary => todoke_docs::DocKind::PreliminaryReport,
        ReportKind::Final => todoke_docs::DocKind::FinalReport,
        ReportKind::FollowUp => todoke_docs::DocKind::FollowUpReport,
    };
    let case = todoke_docs::Case {
        incident: &incident,
        assessment: Some(&outcome.assessment),
        party,
        profile: &state.org.profile,
        today,
        edition: 1,
        counts: None,
        recipient: None,
    };
    let mut markdown = todoke_docs::render_markdown(doc_kind, &case, &state.org.templates)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    // The final report's item 6 states what the notice campaign did, from its figures.
    if doc_kind == todoke_docs::DocKind::FinalReport {
        let dashboards = todoke_app::campaign::dashboards(&state.store, record.id).await?;
        if let Some(text) = dashboards.iter().find(|d| d.party == stored.id).and_then(todoke_app::campaign::item6_text)
        {
            markdown = todoke_app::campaign::with_item6(&markdown, &text);
        }
    }
    let (report_id, report) =
        todoke_app::case_records::save_draft(&state.store, &viewer.actor(), record.id, party, kind, &markdown).await?;
    Ok((record.id, report_id, report))
}

/// Marks a draft of the case submitted; whether it was on time is frozen with it.
pub async fn submit<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    report: &str,
    submitted_on: Date,
    receipt: Option<&str>,
) -> Result<(IncidentId, Report), WebError> {
    let (record, parties, scope) = load_case(state, viewer, id).await?;
    let report: ReportId = report.parse().map_err(|_| WebError::NotFound)?;
    let (_, stored) =
        state.store.reports(record.id).await?.into_iter().find(|(r, _)| *r == report).ok_or(WebError::NotFound)?;
    let party = parties.iter().find(|p| p.id == stored.party).ok_or(WebError::NotFound)?;
    // Another party's report is none of a party member's business: not found, not forbidden.
    if !scope.sees(&party.party.name) {
        return Err(WebError::NotFound);
    }
    if !files_for(viewer, &record, party) {
        return Err(WebError::Forbidden);
    }
    let submitted =
        todoke_app::case_records::submit_draft(&state.store, &viewer.actor(), record.id, report, submitted_on, receipt)
            .await?;
    Ok((record.id, submitted))
}

// ---------------------------------------------------------------------------------------------
// The page forms.

fn back_to(id: IncidentId, anchor: &str) -> Response {
    Redirect::to(&format!("/cases/{id}#{anchor}")).into_response()
}

/// A timeline event from the case page.
#[derive(Deserialize)]
pub struct EventForm {
    csrf: String,
    at: String,
    #[serde(default)]
    offset: String,
    kind: String,
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    technique: String,
}

/// Adds an event to the timeline.
pub async fn add_event_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    owner_case(&state, &viewer, &id).await?;
    let event =
        timeline_csv::event(&form_time(&form.at, &form.offset), &form.kind, &form.text, &form.source, &form.technique)
            .map_err(WebError::Invalid)?;
    let (case, _) = add_events(&state, &viewer, &id, &[event]).await?;
    Ok(back_to(case, "timeline"))
}

/// Imports timeline events from an uploaded CSV file: all of them, or none.
pub async fn import_events_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let fields = crate::upload::fields(&headers, &body)?;
    let field = |name: &str| fields.iter().find(|f| f.name == name).map(|f| f.data.as_slice());
    let csrf = String::from_utf8_lossy(field("csrf").unwrap_or_default()).into_owned();
    check_csrf(&viewer, &headers, &csrf)?;
    owner_case(&state, &viewer, &id).await?;
    let file = field("file").ok_or_else(|| WebError::Invalid("file: expected a CSV file".into()))?;
    let events = timeline_csv::parse(file).map_err(|problems| {
        WebError::Invalid(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    })?;
    let (case, _) = add_events(&state, &viewer, &id, &events).await?;
    Ok(back_to(case, "timeline"))
}

/// Which file the timeline is exported as.
#[derive(Deserialize)]
pub struct ExportQuery {
    /// `utf8` for UTF-8 with a BOM; Shift_JIS otherwise.
    #[serde(default)]
    encoding: String,
}

/// The timeline as a CSV file (時系列表), for the owner's members: the columns the import reads.
pub async fn export_timeline<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
) -> Result<Response, WebError> {
    let (record, _, scope) = load_case(&state, &viewer, &id).await?;
    if scope != Scope::Full {
        return Err(WebError::Forbidden);
    }
    let events: Vec<TimelineEvent> = state.store.timeline(record.id).await?.into_iter().map(|(_, e)| e).collect();
    let sjis = query.encoding != "utf8";
    let file = timeline_csv::export(&events, sjis).map_err(WebError::Invalid)?;
    let object = format!("incident:{} events:{}", record.id, events.len());
    todoke_store::AuditStore::record_event(&state.store, &viewer.actor(), "timeline.export", &object).await?;
    Ok(csv_download(file, sjis, "timeline.csv"))
}

/// A CSV file to download, in Shift_JIS or UTF-8.
pub fn csv_download(file: Vec<u8>, sjis: bool, name: &str) -> Response {
    let charset = if sjis { "Shift_JIS" } else { "utf-8" };
    let headers = [
        (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    (headers, file).into_response()
}

/// A task from the case page.
#[derive(Deserialize)]
pub struct TaskForm {
    csrf: String,
    kind: String,
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
}

/// Adds a task or a recurrence-prevention measure.
pub async fn add_task_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    owner_case(&state, &viewer, &id).await?;
    let task = task(&form.kind, &form.title, &form.owner, &form.due)?;
    let (case, _) = add_task(&state, &viewer, &id, &task).await?;
    Ok(back_to(case, "tasks"))
}

/// A task's new status.
#[derive(Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    #[serde(default)]
    evidence: String,
}

/// Moves a task on, with its evidence.
pub async fn task_status_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, task)): Path<(String, String)>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    owner_case(&state, &viewer, &id).await?;
    let (status, evidence) = status(&form.status, &form.evidence)?;
    let (case, _) = move_task(&state, &viewer, &id, &task, status, evidence.as_deref()).await?;
    Ok(back_to(case, "tasks"))
}

/// A draft to make.
#[derive(Deserialize)]
pub struct DraftForm {
    csrf: String,
    party: String,
    kind: String,
}

/// Drafts a party's PPC report from the case.
pub async fn draft_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DraftForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let kind = report_kind(&form.kind)?;
    let (case, _, _) = make_draft(&state, &viewer, &id, &form.party, kind).await?;
    Ok(back_to(case, "reports"))
}

/// A draft's submission.
#[derive(Deserialize)]
pub struct SubmitForm {
    csrf: String,
    submitted_on: String,
    #[serde(default)]
    receipt: String,
}

/// Marks a draft submitted with its receipt number.
pub async fn submit_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, report)): Path<(String, String)>,
    Form(form): Form<SubmitForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let submitted_on = date("submitted_on", &form.submitted_on)?;
    let receipt = optional(&form.receipt);
    let (case, _) = submit(&state, &viewer, &id, &report, submitted_on, receipt.as_deref()).await?;
    Ok(back_to(case, "reports"))
}

/// The display preferences.
#[derive(Deserialize)]
pub struct PrefsForm {
    #[serde(default)]
    csrf: String,
    lang: String,
    dates: String,
}

/// Where to go back to after the preferences: the page the form was on (its same-origin path), else
/// the dashboard.
fn referring_path(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let referer = headers.get(header::REFERER).and_then(|r| r.to_str().ok());
    let path = referer.and_then(|r| r.split_once("://")).and_then(|(_, rest)| {
        let (authority, path) = rest.split_at(rest.find('/')?);
        (Some(authority) == host).then_some(path)
    });
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".into(),
    }
}

/// Remembers the language and the date style in this browser (a cookie, for a year). A signed-in
/// user's form carries the session's CSRF token; the sign-in page's is checked by its origin.
pub async fn set_preferences<D: Db>(
    viewer: Result<Viewer, WebError>,
    State(_state): State<AppState<D>>,
    headers: HeaderMap,
    Form(form): Form<PrefsForm>,
) -> Result<Response, WebError> {
    match &viewer {
        Ok(viewer) => check_csrf(viewer, &headers, &form.csrf)?,
        Err(_) => check_same_origin(&headers)?,
    }
    let prefs = Prefs {
        lang: Prefs::lang_from(&form.lang).ok_or_else(|| WebError::Invalid("lang: expected ja or en".into()))?,
        dates: Prefs::dates_from(&form.dates)
            .ok_or_else(|| WebError::Invalid("dates: expected western or wareki".into()))?,
    };
    let cookie =
        format!("{COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000", prefs.cookie_value());
    let mut response = Redirect::to(&referring_path(&headers)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.to_string()))?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_take_their_offset() {
        assert_eq!(form_time("2024-01-28T02:10", "+09:00"), "2024-01-28T02:10:00+09:00");
        assert_eq!(form_time("2024-01-28T02:10", ""), "2024-01-28T02:10:00+09:00");
        assert_eq!(form_time("2024-01-28T02:10:05", "+00:00"), "2024-01-28T02:10:05+00:00");
        assert_eq!(form_time("2024-01-28T02:10:00-05:00", "+09:00"), "2024-01-28T02:10:00-05:00");
        assert_eq!(form_time("2024-01-28T02:10:00Z", "+09:00"), "2024-01-28T02:10:00Z");
    }

    #[test]
    fn the_way_back_stays_on_this_site() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(referring_path(&h), "/");
        h.insert(header::REFERER, "http://127.0.0.1:8080/cases/x?y=1".parse().unwrap());
        assert_eq!(referring_path(&h), "/cases/x?y=1");
        h.insert(header::REFERER, "http://evil.example/cases/x".parse().unwrap());
        assert_eq!(referring_path(&h), "/");
        h.insert(header::REFERER, "http://127.0.0.1:8080//evil.example/".parse().unwrap());
        assert_eq!(referring_path(&h), "/");
    }

    #[test]
    fn tasks_and_statuses_are_checked() {
        assert!(task("prevention", "VPN更新", "", "2024-03-01").is_ok());
        assert!(matches!(task("other", "x", "", ""), Err(WebError::Invalid(_))));
        assert!(matches!(task("action", " ", "", ""), Err(WebError::Invalid(_))));
        assert!(matches!(task("action", "x", "", "3月1日"), Err(WebError::Invalid(m)) if m.starts_with("due:")));
        assert!(matches!(status("done", ""), Err(WebError::Invalid(m)) if m.starts_with("evidence:")));
        assert_eq!(status("in_progress", "").unwrap(), (TaskStatus::InProgress, None));
    }
}
