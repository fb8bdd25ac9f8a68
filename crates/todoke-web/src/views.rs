//! The HTML pages.

use crate::access::{Scope, can_edit, files_for, reads_audit, scope};
use crate::cache::Cached;
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::Viewer;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;
use todoke_core::{ReportKind, TaskKind, TaskStatus, TimelineKind};
use todoke_rules::{Assessment, Obligation, Options, PartyAssessment, Status, assess};
use todoke_store::{AuditStore, AuthStore, CaseSnapshot, Db, IncidentStore, OrgStore};

fn render(page: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(page.render()?))
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The display preferences.
    pub m: Prefs,
    /// What went wrong, for the user.
    pub message: String,
    /// The request id to quote to support.
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    m: Prefs,
    /// No session yet: the display form is checked by its origin only.
    csrf: String,
    failed: bool,
}

/// The sign-in page.
pub async fn sign_in_page() -> Result<Html<String>, WebError> {
    render(&SignInPage { m: Prefs::current(), csrf: String::new(), failed: false })
}

/// The sign-in page again, after a failure that says nothing of why.
pub fn sign_in_failed() -> Response {
    match (SignInPage { m: Prefs::current(), csrf: String::new(), failed: true }).render() {
        Ok(body) => (StatusCode::UNAUTHORIZED, Html(body)).into_response(),
        Err(e) => WebError::from(e).into_response(),
    }
}

/// The stylesheet (a file, since the CSP allows no inline style).
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css")).into_response()
}

/// The upload-progress script of the people page (a file, since the CSP allows no inline script).
pub async fn upload_script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/upload.js")).into_response()
}

/// Anything else.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// An obligation as a row of the deadline table.
pub struct ObligationRow {
    pub(crate) kind: String,
    pub(crate) recipient: String,
    pub(crate) when: String,
    pub(crate) countdown: String,
    pub(crate) css: &'static str,
    pub(crate) basis: String,
    pub(crate) notes: Vec<String>,
}

/// Also the consignor portal's (`portal.rs`): the same rows as the case page.
pub(crate) fn obligation_row(o: &Obligation, m: Prefs) -> ObligationRow {
    let when = match (&o.due, &o.window) {
        (Some(due), _) => m.date_text(due),
        (None, Some(w)) => {
            format!("{} 〜 {}{}", m.date(w.from), m.date(w.to), m.t("obligation.guidance"))
        }
        (None, None) => m.t("obligation.promptly").into(),
    };
    let (countdown, css) = match (o.status, o.days_left, &o.relieved_by) {
        (_, _, Some(_)) => (m.t("obligation.relieved").to_string(), "relieved"),
        (Some(Status::Overdue), Some(d), _) => (m.days_over(-d), "overdue"),
        (Some(Status::Open), Some(d), _) if d <= 7 => (m.days_left(d), "urgent"),
        (Some(Status::Open), Some(d), _) => (m.days_left(d), "open"),
        _ => (String::new(), "open"),
    };
    let mut notes: Vec<String> = o.relieved_by.iter().map(|r| format!("{}: {r}", m.t("obligation.relieved"))).collect();
    if !o.joint_with.is_empty() {
        notes.push(format!("{}: {}", m.t("obligation.joint"), o.joint_with.join("、")));
    }
    notes.extend(o.assumptions.iter().map(|a| format!("{}: {a}", m.t("obligation.assumption"))));
    ObligationRow {
        kind: o.kind.label(m.ja()).into(),
        recipient: todoke_rules::recipient_label(&o.recipient, m.ja()).to_string(),
        when,
        countdown,
        css,
        basis: o.basis.clone(),
        notes,
    }
}

/// A party's assessment on the case page.
pub struct PartyView {
    name: String,
    regime: String,
    verdict: String,
    categories: String,
    obligations: Vec<ObligationRow>,
    explanation: Vec<String>,
}

fn party_view(p: &PartyAssessment, m: Prefs) -> PartyView {
    let verdict = m.t(match (p.voluntary, p.reportable) {
        (true, _) => "verdict.voluntary",
        (false, true) => "verdict.reportable",
        (false, false) => "verdict.not_reportable",
    });
    let categories = p.categories.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ");
    PartyView {
        name: p.party.clone(),
        regime: p.regime_name.clone(),
        verdict: verdict.to_string(),
        categories,
        obligations: p.obligations.iter().map(|o| obligation_row(o, m)).collect(),
        explanation: p.explanation.clone(),
    }
}

/// What a viewer sees of an assessment.
pub fn visible(assessment: &Assessment, scope: &Scope) -> Vec<PartyAssessment> {
    assessment.parties.iter().filter(|p| scope.sees(&p.party)).cloned().collect()
}

/// The next open deadline among the parties, as (label, days left).
fn next_deadline(parties: &[PartyAssessment], m: Prefs) -> Option<(String, i64)> {
    parties
        .iter()
        .flat_map(|p| p.obligations.iter().map(move |o| (p, o)))
        .filter(|(_, o)| o.status == Some(Status::Open) && o.due.is_some())
        .filter_map(|(p, o)| {
            o.days_left.map(|d| {
                (
                    format!(
                        "{} {} {}",
                        p.party,
                        o.kind.label(m.ja()),
                        m.date_text(o.due.as_deref().unwrap_or_default())
                    ),
                    d,
                )
            })
        })
        .min_by_key(|(_, d)| *d)
}

struct CaseRow {
    id: String,
    title: String,
    owner: String,
    share: String,
    next: String,
    countdown: String,
    css: &'static str,
    overdue: usize,
    portal: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    m: Prefs,
    user: String,
    csrf: String,
    today: String,
    rows: Vec<CaseRow>,
    audit: bool,
    /// Whether the viewer may open a case.
    can_open: bool,
    /// Whether the viewer administers an organization's users.
    users: bool,
}

/// The cases the viewer may see, with the next deadline of each.
pub async fn dashboard<D: Db>(State(state): State<AppState<D>>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let today = state.today();
    let m = Prefs::current();
    let mut rows = Vec::new();
    for summary in state.store.incidents().await? {
        let case = state.store.case(summary.id).await?;
        let Some(scope) = scope(&viewer, &case.record, &case.parties) else { continue };
        let assessment = assessed(&state, &case, today, m.ja())?;
        let mine = visible(&assessment, &scope);
        let overdue = mine
            .iter()
            .flat_map(|p| &p.obligations)
            .filter(|o| o.status == Some(Status::Overdue) && o.due.is_some())
            .count();
        let (next, countdown, css) = match next_deadline(&mine, m) {
            Some((label, d)) => (label, m.days_left(d), if d <= 7 { "urgent" } else { "open" }),
            None => ("—".into(), String::new(), "open"),
        };
        let share = match &scope {
            Scope::Full => m.t("common.all").to_string(),
            Scope::Parties(names) => names.join("、"),
        };
        // A consignor's own share of the case is gathered on its portal.
        let portal = scope != Scope::Full;
        rows.push(CaseRow {
            id: summary.id.to_string(),
            title: summary.title,
            owner: summary.owner,
            share,
            next,
            countdown,
            css,
            overdue,
            portal,
        });
    }
    // One read of the organizations serves both links: opening a case and managing accounts.
    let orgs = state.store.organizations().await?;
    render(&Dashboard {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        today: m.date(today),
        rows,
        audit: reads_audit(&viewer),
        can_open: !crate::new_case::openable_among(orgs.clone(), &viewer).is_empty(),
        users: !crate::users::administered_among(orgs, &viewer).is_empty(),
    })
}

struct TimelineRow {
    at: String,
    kind: String,
    text: String,
    source: String,
    technique: String,
}

struct TaskRow {
    id: String,
    kind: String,
    title: String,
    owner: String,
    status: String,
    status_key: &'static str,
    evidence: String,
    due: String,
}

struct ReportRow {
    id: String,
    party: String,
    kind: String,
    submitted_on: String,
    receipt: String,
    timeliness: String,
    /// A draft's content as HTML (escaped by the Markdown renderer), shown on the page.
    html: String,
    /// Whether the viewer may mark this draft submitted.
    submittable: bool,
}

/// The case page's charts and each visible party's obligations: most of the page, and the same for
/// every viewer with the same scope and preferences until the case or the day changes
/// ([`crate::cache::AssessmentCache::section`]).
#[derive(Template)]
#[template(path = "case_assessment.html")]
struct AssessmentSection {
    m: Prefs,
    chart: String,
    obligations_chart: String,
    parties: Vec<PartyView>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    m: Prefs,
    user: String,
    csrf: String,
    today: String,
    title: String,
    summary: String,
    event: String,
    cause: String,
    items: String,
    persons: String,
    occurred: String,
    share: String,
    /// The charts and the parties' obligations, rendered ([`AssessmentSection`]).
    assessment: Arc<str>,
    /// The timeline and tasks are the owner's working record, not shown to a party's share.
    full: bool,
    editable: bool,
    /// Whether the viewer may ask "am I affected?" here.
    lookup: bool,
    report_parties: Vec<String>,
    id: String,
    changes: Vec<String>,
    persons_value: String,
    cause_options: Vec<(String, String, bool)>,
    malicious_value: &'static str,
    sensitive_value: &'static str,
    suspected_checked: bool,
    encrypted_checked: bool,
    timeline: Vec<TimelineRow>,
    timeline_kinds: Vec<(&'static str, String)>,
    offsets: Vec<(&'static str, &'static str)>,
    tasks: Vec<TaskRow>,
    task_kinds: Vec<(&'static str, String)>,
    task_statuses: Vec<(&'static str, String)>,
    report_kinds: Vec<(&'static str, String)>,
    reports: Vec<ReportRow>,
}

fn tri_value(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// The UTC offsets the timeline form offers (JST first).
pub const OFFSETS: &[(&str, &str)] = &[
    ("+09:00", "JST (UTC+09:00)"),
    ("+00:00", "UTC"),
    ("+08:00", "UTC+08:00"),
    ("+01:00", "CET (UTC+01:00)"),
    ("+02:00", "UTC+02:00"),
    ("-05:00", "UTC-05:00"),
    ("-08:00", "UTC-08:00"),
];

/// What changed between the last two recorded assessments (each line "PARTY：CHANGE", or
/// "PARTY: CHANGE" in English).
async fn change_lines<D: Db>(
    state: &AppState<D>,
    record: &todoke_core::IncidentRecord,
    japanese: bool,
) -> Result<Vec<String>, WebError> {
    let kept = todoke_store::AssessmentStore::assessments(&state.store, record.id).await?;
    let [.., before, after] = kept.as_slice() else { return Ok(Vec::new()) };
    let parse = |json: &str| serde_json::from_str::<Assessment>(json).map_err(|e| WebError::Internal(e.to_string()));
    Ok(todoke_rules::changes(&parse(&before.result)?, &parse(&after.result)?, japanese))
}

/// The changes the viewer may see, the same change for many consignors said once.
fn group_changes(lines: &[String], record: &todoke_core::IncidentRecord, scope: &Scope, m: Prefs) -> Vec<String> {
    let sep = if m.ja() { "：" } else { ": " };
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for line in lines {
        let party =
            record.facts.parties.iter().map(|p| p.name.as_str()).find(|name| line.starts_with(&format!("{name}{sep}")));
        let Some(party) = party.filter(|name| scope.sees(name)) else { continue };
        let change = line.get(party.len() + sep.len()..).unwrap_or_default().to_string();
        match grouped.iter_mut().find(|(c, _)| *c == change) {
            Some((_, parties)) => parties.push(party),
            None => grouped.push((change, vec![party])),
        }
    }
    grouped
        .into_iter()
        .map(|(change, parties)| match parties.as_slice() {
            [first, rest @ ..] if !rest.is_empty() && m.ja() => format!("{first}ほか{}団体：{change}", rest.len()),
            [first, rest @ ..] if !rest.is_empty() => format!("{first} and {} others: {change}", rest.len()),
            [first, ..] => format!("{first}{sep}{change}"),
            [] => change,
        })
        .collect()
}

/// The assessment of a case measured against `today`, from the cache when the facts are those it
/// was made from (no record is made: viewing the dashboard or the API decides nothing).
pub fn assessed<D: Db>(
    state: &AppState<D>,
    case: &CaseSnapshot,
    today: jiff::civil::Date,
    japanese: bool,
) -> Result<Arc<Assessment>, WebError> {
    let id = case.record.id;
    let key = state.cache.key(case, today, japanese);
    if let Some(hit) = state.cache.get(id, japanese, key) {
        return Ok(hit.assessment);
    }
    let options = Options { as_of: Some(today), japanese, ..Options::default() };
    let assessment = Arc::new(assess(&case.record.facts, &state.packs, &options)?);
    state.cache.put(id, japanese, key, Cached { assessment: assessment.clone(), changes: None });
    Ok(assessment)
}

/// The case page's assessment and the lines of what its last change changed. Viewing records the
/// assessment in force when it changed since the last record; with the same facts, day and
/// language as the last view, both come from the cache.
async fn assessed_with_changes<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    case: &CaseSnapshot,
    today: jiff::civil::Date,
    japanese: bool,
) -> Result<(Arc<Assessment>, Arc<Vec<String>>), WebError> {
    let record = &case.record;
    let key = state.cache.key(case, today, japanese);
    if let Some(Cached { assessment, changes: Some(lines) }) = state.cache.get(record.id, japanese, key) {
        return Ok((assessment, lines));
    }
    let options = Options { as_of: Some(today), japanese, ..Options::default() };
    let outcome = todoke_app::assess_stored(&state.store, &viewer.actor(), record.id, &options).await?;
    let assessment = Arc::new(outcome.assessment);
    let lines = Arc::new(change_lines(state, record, japanese).await?);
    state.cache.put(record.id, japanese, key, Cached { assessment: assessment.clone(), changes: Some(lines.clone()) });
    Ok((assessment, lines))
}

/// Loads a case (the store's snapshot, shared) and the viewer's scope on it; a case that is none
/// of theirs is "not found".
pub async fn load_snapshot<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(Arc<CaseSnapshot>, Scope), WebError> {
    let id: todoke_core::IncidentId = id.parse().map_err(|_| WebError::NotFound)?;
    let case = state.store.case(id).await?;
    let scope = scope(viewer, &case.record, &case.parties).ok_or(WebError::NotFound)?;
    Ok((case, scope))
}

/// Loads a case and the viewer's scope on it, as copies to work on.
pub async fn load_case<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(todoke_core::IncidentRecord, Vec<todoke_store::StoredParty>, Scope), WebError> {
    let (case, scope) = load_snapshot(state, viewer, id).await?;
    Ok((case.record.clone(), case.parties.clone(), scope))
}

/// A case with the parties the viewer sees; not found when none of theirs.
pub async fn load_seen_case<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(todoke_core::IncidentRecord, Vec<todoke_store::StoredParty>), WebError> {
    let (record, parties, scope) = load_case(state, viewer, id).await?;
    let seen = parties.into_iter().filter(|p| scope.sees(&p.party.name)).collect();
    Ok((record, seen))
}

/// A case for the work of its desks ("am I affected?", inquiries, lists of people) with the parties
/// the viewer sees; refused to whoever works no desk (auditors), not found when none of theirs.
pub async fn load_desk_case<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(todoke_core::IncidentRecord, Vec<todoke_store::StoredParty>), WebError> {
    let (record, seen) = load_seen_case(state, viewer, id).await?;
    if !crate::access::looks_up(viewer, &record, &seen) {
        return Err(WebError::Forbidden);
    }
    Ok((record, seen))
}

/// The name of a party by id.
pub fn party_name(parties: &[todoke_store::StoredParty], id: todoke_core::PartyId) -> Option<&str> {
    parties.iter().find(|p| p.id == id).map(|p| p.party.name.as_str())
}

/// The report kinds with their names.
fn report_kinds(m: Prefs) -> Vec<(&'static str, String)> {
    ReportKind::ALL.iter().map(|k| (k.key(), m.label(k.key(), k.label_ja()))).collect()
}

/// One case: its facts, each visible party's obligations with countdowns, the charts, timeline,
/// tasks, reports and drafts.
pub async fn case_page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (case, scope) = load_snapshot(&state, &viewer, &id).await?;
    let (record, parties, stored_reports) = (&case.record, &case.parties, &case.reports);
    let today = state.today();
    let m = Prefs::current();
    let (assessment, lines) = assessed_with_changes(&state, &viewer, &case, today, m.ja()).await?;
    let changes = group_changes(&lines, record, &scope, m);
    let assessment_html = state.cache.section(&case, today, m, &scope, || {
        let mine = visible(&assessment, &scope);
        let filed = |party: &str| -> Vec<ReportKind> {
            stored_reports
                .iter()
                .filter(|(_, r)| r.submitted_on.is_some() && party_name(parties, r.party) == Some(party))
                .map(|(_, r)| r.kind)
                .collect()
        };
        AssessmentSection {
            m,
            chart: crate::chart::deadlines(&mine, today, m),
            obligations_chart: crate::chart::obligations(&mine, &filed, m),
            parties: mine.iter().map(|p| party_view(p, m)).collect(),
        }
        .render()
        .map_err(WebError::from)
    })?;
    let f = &record.facts;
    let editable = scope == Scope::Full && can_edit(&viewer, record);
    let lookup = crate::access::looks_up(&viewer, record, parties);
    let reports = stored_reports
        .iter()
        .filter_map(|(id, r)| {
            let party = parties.iter().find(|p| p.id == r.party)?;
            let name = party.party.name.clone();
            scope.sees(&name).then(|| ReportRow {
                id: id.to_string(),
                party: name,
                kind: m.label(r.kind.key(), r.kind.label_ja()),
                submitted_on: r.submitted_on.map_or_else(|| m.t("case.reports.draft").into(), |d| m.date(d)),
                receipt: r.receipt_number.clone().unwrap_or_default(),
                timeliness: match r.on_time {
                    Some(true) => m.t("case.reports.on_time").into(),
                    Some(false) => m.t("case.reports.late").into(),
                    None => r.due.map(|d| m.date(d)).unwrap_or_default(),
                },
                html: if r.submitted_on.is_none() && !r.content.is_empty() {
                    todoke_docs::markdown_to_html(&r.content)
                } else {
                    String::new()
                },
                submittable: r.submitted_on.is_none() && files_for(&viewer, record, party),
            })
        })
        .collect();
    let tasks = if scope == Scope::Full { case.tasks.as_slice() } else { &[] };
    let unknown = m.t("case.unknown");
    let page = CasePage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        today: m.date(today),
        title: f.title.clone(),
        summary: f.summary.clone().unwrap_or_default(),
        event: format!(
            "{}{}",
            m.label(f.event.key(), f.event.label_ja()),
            if f.suspected { m.t("case.suspected") } else { "" }
        ),
        cause: m.label(f.cause.key(), f.cause.label_ja()),
        items: f.data_items.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join("、"),
        persons: f.persons.map_or_else(|| unknown.into(), |n| n.to_string()),
        occurred: match (f.occurred_from, f.occurred_to) {
            (None, None) => unknown.into(),
            (a, b) => {
                format!("{} 〜 {}", a.map(|d| m.date(d)).unwrap_or_default(), b.map(|d| m.date(d)).unwrap_or_default())
            }
        },
        share: match &scope {
            Scope::Full => m.t("common.all").into(),
            Scope::Parties(names) => format!("{} {}", names.join("、"), m.t("case.share_parties")),
        },
        assessment: assessment_html,
        full: scope == Scope::Full,
        editable,
        lookup,
        report_parties: parties
            .iter()
            .filter(|p| scope.sees(&p.party.name) && files_for(&viewer, record, p))
            .map(|p| p.party.name.clone())
            .collect(),
        id: record.id.to_string(),
        changes,
        persons_value: f.persons.map(|n| n.to_string()).unwrap_or_default(),
        cause_options: todoke_core::Cause::ALL
            .iter()
            .map(|c| (c.key().to_string(), m.label(c.key(), c.label_ja()), *c == f.cause))
            .collect(),
        malicious_value: tri_value(f.malicious),
        sensitive_value: tri_value(f.sensitive),
        suspected_checked: f.suspected,
        encrypted_checked: f.encrypted,
        timeline: if scope == Scope::Full { f.timeline.as_slice() } else { &[] }
            .iter()
            .map(|e| TimelineRow {
                at: m.time(&e.at),
                kind: m.label(e.kind.key(), e.kind.label_ja()),
                text: e.text.clone(),
                source: e.source.clone().unwrap_or_default(),
                technique: e.technique.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default(),
            })
            .collect(),
        timeline_kinds: TimelineKind::ALL.iter().map(|k| (k.key(), m.label(k.key(), k.label_ja()))).collect(),
        offsets: OFFSETS.to_vec(),
        tasks: tasks
            .iter()
            .map(|(id, t)| TaskRow {
                id: id.to_string(),
                kind: m.label(t.kind.key(), t.kind.label_ja()),
                title: t.title.clone(),
                owner: t.owner.clone().unwrap_or_default(),
                status: m.label(t.status.key(), t.status.label_ja()),
                status_key: t.status.key(),
                evidence: t.evidence.clone().unwrap_or_default(),
                due: t.due.map(|d| m.date(d)).unwrap_or_default(),
            })
            .collect(),
        task_kinds: TaskKind::ALL.iter().map(|k| (k.key(), m.label(k.key(), k.label_ja()))).collect(),
        task_statuses: TaskStatus::ALL.iter().map(|k| (k.key(), m.label(k.key(), k.label_ja()))).collect(),
        report_kinds: report_kinds(m),
        reports,
    };
    render(&page)
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    m: Prefs,
    user: String,
    csrf: String,
    intact: bool,
    entries: i64,
    head: String,
    problem: String,
    rows: Vec<AuditRow>,
}

/// The audit log and its verification, for the deployment's administrators and auditors.
pub async fn audit_page<D: Db>(State(state): State<AppState<D>>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let system = state.store.organizations().await?.into_iter().find(|o| o.name == todoke_app::SYSTEM_ORG);
    let in_system = system.is_some_and(|org| viewer.memberships.iter().any(|m| m.org == org.id));
    if !(in_system && reads_audit(&viewer)) {
        return Err(WebError::Forbidden);
    }
    let report = state.store.verify_audit().await?;
    let after = (report.entries - 100).max(0);
    let mut rows: Vec<AuditRow> = state
        .store
        .audit_entries(after, 100)
        .await?
        .into_iter()
        .map(|e| AuditRow { seq: e.seq, at: e.at, actor: e.actor, action: e.action, object: e.object })
        .collect();
    rows.reverse();
    render(&AuditPage {
        m: Prefs::current(),
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        intact: report.first_bad.is_none(),
        entries: report.entries,
        head: report.head_hash,
        problem: report.first_bad.map(|b| format!("{}: {}", b.seq, b.reason)).unwrap_or_default(),
        rows,
    })
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    m: Prefs,
    user: String,
    csrf: String,
    done: bool,
    retry: bool,
    qr: String,
    secret: String,
}

/// Two-factor enrollment: a new secret as a QR code and as text, to confirm with a code.
pub async fn two_factor_page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Html<String>, WebError> {
    use todoke_app::totp;
    let (mut qr, mut secret_text) = (String::new(), String::new());
    if !viewer.has_totp {
        let secret = match &viewer.pending_totp {
            Some(s) => s.clone(),
            None => {
                let s = totp::new_secret();
                state.store.set_pending_totp(&viewer.token_hash, Some(&s)).await?;
                s
            }
        };
        qr = totp::qr_svg(&totp::otpauth_uri(&secret, &viewer.user.login)).unwrap_or_default();
        secret_text = totp::base32(&secret);
    }
    render(&TwoFactorPage {
        m: Prefs::current(),
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        done: viewer.has_totp,
        retry: query.is_some_and(|q| q.contains("retry")),
        qr,
        secret: secret_text,
    })
}
