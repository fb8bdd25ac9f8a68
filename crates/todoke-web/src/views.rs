//! The HTML pages.

use crate::access::{Scope, can_edit, files_for, reads_audit, scope};
use crate::error::WebError;
use crate::session::Viewer;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use todoke_rules::{Assessment, Obligation, Options, PartyAssessment, Status, assess};
use todoke_store::{AuditStore, AuthStore, CaseRecordStore, Db, IncidentStore, OrgStore};

fn render(page: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(page.render()?))
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// What went wrong, for the user.
    pub message: String,
    /// The request id to quote to support.
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    failed: bool,
}

/// The sign-in page.
pub async fn sign_in_page() -> Result<Html<String>, WebError> {
    render(&SignInPage { failed: false })
}

/// The sign-in page again, after a failure that says nothing of why.
pub fn sign_in_failed() -> Response {
    match (SignInPage { failed: true }).render() {
        Ok(body) => (StatusCode::UNAUTHORIZED, Html(body)).into_response(),
        Err(e) => WebError::from(e).into_response(),
    }
}

/// The stylesheet (a file, since the CSP allows no inline style).
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css")).into_response()
}

/// Anything else.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// An obligation as a row of the deadline table.
pub struct ObligationRow {
    kind: String,
    recipient: String,
    when: String,
    countdown: String,
    css: &'static str,
    basis: String,
    notes: Vec<String>,
}

fn obligation_row(o: &Obligation) -> ObligationRow {
    let when = match (&o.due, &o.window) {
        (Some(due), _) => due.clone(),
        (None, Some(w)) => format!("{} 〜 {}（目安）", w.from, w.to),
        (None, None) => "速やかに".into(),
    };
    let (countdown, css) = match (o.status, o.days_left, &o.relieved_by) {
        (_, _, Some(_)) => ("免除".to_string(), "relieved"),
        (Some(Status::Overdue), Some(d), _) => (format!("{}日超過", -d), "overdue"),
        (Some(Status::Open), Some(0), _) => ("本日".to_string(), "urgent"),
        (Some(Status::Open), Some(d), _) if d <= 7 => (format!("あと{d}日"), "urgent"),
        (Some(Status::Open), Some(d), _) => (format!("あと{d}日"), "open"),
        _ => (String::new(), "open"),
    };
    let mut notes: Vec<String> = o.relieved_by.iter().map(|r| format!("免除: {r}")).collect();
    if !o.joint_with.is_empty() {
        notes.push(format!("連名: {}", o.joint_with.join("、")));
    }
    notes.extend(o.assumptions.iter().map(|a| format!("前提: {a}")));
    ObligationRow {
        kind: o.kind.label(true).into(),
        recipient: todoke_rules::recipient_label(&o.recipient, true).to_string(),
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
    verdict: &'static str,
    categories: String,
    obligations: Vec<ObligationRow>,
    explanation: Vec<String>,
}

fn party_view(p: &PartyAssessment) -> PartyView {
    let verdict = match (p.voluntary, p.reportable) {
        (true, _) => "努力義務",
        (false, true) => "報告対象",
        (false, false) => "報告対象外",
    };
    let categories = p.categories.iter().map(|c| c.key()).collect::<Vec<_>>().join(", ");
    PartyView {
        name: p.party.clone(),
        regime: p.regime_name.clone(),
        verdict,
        categories,
        obligations: p.obligations.iter().map(obligation_row).collect(),
        explanation: p.explanation.clone(),
    }
}

/// What a viewer sees of an assessment.
pub fn visible(assessment: &Assessment, scope: &Scope) -> Vec<PartyAssessment> {
    assessment.parties.iter().filter(|p| scope.sees(&p.party)).cloned().collect()
}

/// The next open deadline among the parties, as (label, days left).
fn next_deadline(parties: &[PartyAssessment]) -> Option<(String, i64)> {
    parties
        .iter()
        .flat_map(|p| p.obligations.iter().map(move |o| (p, o)))
        .filter(|(_, o)| o.status == Some(Status::Open) && o.due.is_some())
        .filter_map(|(p, o)| {
            o.days_left
                .map(|d| (format!("{} {} {}", p.party, o.kind.label(true), o.due.clone().unwrap_or_default()), d))
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
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    user: String,
    csrf: String,
    today: String,
    rows: Vec<CaseRow>,
    audit: bool,
}

/// The cases the viewer may see, with the next deadline of each.
pub async fn dashboard<D: Db>(State(state): State<AppState<D>>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let today = state.today();
    let options = Options { as_of: Some(today), ..Options::default() };
    let mut rows = Vec::new();
    for summary in state.store.incidents().await? {
        let record = state.store.incident(summary.id).await?;
        let parties = state.store.parties(summary.id).await?;
        let Some(scope) = scope(&viewer, &record, &parties) else { continue };
        let assessment = assess(&record.facts, &state.packs, &options)?;
        let mine = visible(&assessment, &scope);
        let overdue = mine
            .iter()
            .flat_map(|p| &p.obligations)
            .filter(|o| o.status == Some(Status::Overdue) && o.due.is_some())
            .count();
        let (next, countdown, css) = match next_deadline(&mine) {
            Some((label, d)) => (label, format!("あと{d}日"), if d <= 7 { "urgent" } else { "open" }),
            None => ("—".into(), String::new(), "open"),
        };
        let share = match &scope {
            Scope::Full => "全体".to_string(),
            Scope::Parties(names) => names.join("、"),
        };
        rows.push(CaseRow {
            id: summary.id.to_string(),
            title: summary.title,
            owner: summary.owner,
            share,
            next,
            countdown,
            css,
            overdue,
        });
    }
    render(&Dashboard {
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        today: today.to_string(),
        rows,
        audit: reads_audit(&viewer),
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
    kind: String,
    title: String,
    status: String,
    due: String,
}

struct ReportRow {
    party: String,
    kind: String,
    submitted_on: String,
    receipt: String,
    timeliness: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
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
    parties: Vec<PartyView>,
    /// The timeline and tasks are the owner's working record, not shown to a party's share.
    full: bool,
    editable: bool,
    report_parties: Vec<String>,
    id: String,
    changes: Vec<String>,
    chart: String,
    persons_value: String,
    cause_options: Vec<(String, String, bool)>,
    malicious_value: &'static str,
    sensitive_value: &'static str,
    suspected_checked: bool,
    encrypted_checked: bool,
    timeline: Vec<TimelineRow>,
    tasks: Vec<TaskRow>,
    reports: Vec<ReportRow>,
}

fn tri_value(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// What changed between the last two recorded assessments, for the parties the viewer sees.
async fn last_changes<D: Db>(
    state: &AppState<D>,
    record: &todoke_core::IncidentRecord,
    scope: &Scope,
) -> Result<Vec<String>, WebError> {
    let kept = todoke_store::AssessmentStore::assessments(&state.store, record.id).await?;
    let [.., before, after] = kept.as_slice() else { return Ok(Vec::new()) };
    let parse = |json: &str| serde_json::from_str::<Assessment>(json).map_err(|e| WebError::Internal(e.to_string()));
    let lines = todoke_rules::changes(&parse(&before.result)?, &parse(&after.result)?, true);
    // Each line is "PARTY：CHANGE"; the same change for many consignors is said once.
    let mut grouped: Vec<(String, Vec<&str>)> = Vec::new();
    for line in &lines {
        let party =
            record.facts.parties.iter().map(|p| p.name.as_str()).find(|name| line.starts_with(&format!("{name}：")));
        let Some(party) = party.filter(|name| scope.sees(name)) else { continue };
        let change = line.get(party.len() + "：".len()..).unwrap_or_default().to_string();
        match grouped.iter_mut().find(|(c, _)| *c == change) {
            Some((_, parties)) => parties.push(party),
            None => grouped.push((change, vec![party])),
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(change, parties)| match parties.as_slice() {
            [first, rest @ ..] if !rest.is_empty() => format!("{first}ほか{}団体：{change}", rest.len()),
            [first, ..] => format!("{first}：{change}"),
            [] => change,
        })
        .collect())
}

/// Loads a case and the viewer's scope on it; a case that is none of theirs is "not found".
pub async fn load_case<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(todoke_core::IncidentRecord, Vec<todoke_store::StoredParty>, Scope), WebError> {
    let id: todoke_core::IncidentId = id.parse().map_err(|_| WebError::NotFound)?;
    let record = state.store.incident(id).await?;
    let parties = state.store.parties(id).await?;
    let scope = scope(viewer, &record, &parties).ok_or(WebError::NotFound)?;
    Ok((record, parties, scope))
}

/// One case: its facts, each visible party's obligations with countdowns, timeline, tasks, reports.
pub async fn case_page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, parties, scope) = load_case(&state, &viewer, &id).await?;
    let today = state.today();
    // Viewing records the assessment in force when it changed since the last record.
    let outcome = todoke_app::assess_stored(
        &state.store,
        &viewer.actor(),
        record.id,
        &Options { as_of: Some(today), ..Options::default() },
    )
    .await?;
    let assessment = outcome.assessment;
    let changes = last_changes(&state, &record, &scope).await?;
    let mine = visible(&assessment, &scope);
    let chart = crate::chart::deadlines(&mine, today);
    let f = &record.facts;
    let reports = state
        .store
        .reports(record.id)
        .await?
        .into_iter()
        .filter_map(|(_, r)| {
            let party = parties.iter().find(|p| p.id == r.party)?.party.name.clone();
            scope.sees(&party).then(|| ReportRow {
                party,
                kind: r.kind.label_ja().into(),
                submitted_on: r.submitted_on.map_or_else(|| "下書き".into(), |d| d.to_string()),
                receipt: r.receipt_number.unwrap_or_default(),
                timeliness: match r.on_time {
                    Some(true) => "期限内".into(),
                    Some(false) => "期限超過".into(),
                    None => String::new(),
                },
            })
        })
        .collect();
    let page = CasePage {
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        today: today.to_string(),
        title: f.title.clone(),
        summary: f.summary.clone().unwrap_or_default(),
        event: format!("{}{}", f.event.label_ja(), if f.suspected { "（おそれ）" } else { "" }),
        cause: f.cause.label_ja().into(),
        items: f.data_items.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join("、"),
        persons: f.persons.map_or_else(|| "不明".into(), |n| n.to_string()),
        occurred: match (f.occurred_from, f.occurred_to) {
            (None, None) => "不明".into(),
            (a, b) => format!(
                "{} 〜 {}",
                a.map(|d| d.to_string()).unwrap_or_default(),
                b.map(|d| d.to_string()).unwrap_or_default()
            ),
        },
        share: match &scope {
            Scope::Full => "全体".into(),
            Scope::Parties(names) => format!("{} に関する部分のみ", names.join("、")),
        },
        parties: mine.iter().map(party_view).collect(),
        full: scope == Scope::Full,
        editable: scope == Scope::Full && can_edit(&viewer, &record),
        report_parties: parties
            .iter()
            .filter(|p| scope.sees(&p.party.name) && files_for(&viewer, &record, p))
            .map(|p| p.party.name.clone())
            .collect(),
        id: record.id.to_string(),
        changes,
        chart,
        persons_value: f.persons.map(|n| n.to_string()).unwrap_or_default(),
        cause_options: todoke_core::Cause::ALL
            .iter()
            .map(|c| (c.key().to_string(), c.label_ja().to_string(), *c == f.cause))
            .collect(),
        malicious_value: tri_value(f.malicious),
        sensitive_value: tri_value(f.sensitive),
        suspected_checked: f.suspected,
        encrypted_checked: f.encrypted,
        timeline: f
            .timeline
            .iter()
            .map(|e| TimelineRow {
                at: e.at.to_string(),
                kind: e.kind.label_ja().into(),
                text: e.text.clone(),
                source: e.source.clone().unwrap_or_default(),
                technique: e.technique.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default(),
            })
            .collect(),
        tasks: f
            .tasks
            .iter()
            .map(|t| TaskRow {
                kind: t.kind.label_ja().into(),
                title: t.title.clone(),
                status: t.status.label_ja().into(),
                due: t.due.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
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
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        intact: report.first_bad.is_none(),
        entries: report.entries,
        head: report.head_hash,
        problem: report.first_bad.map(|b| format!("エントリ {}: {}", b.seq, b.reason)).unwrap_or_default(),
        rows,
    })
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
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
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        done: viewer.has_totp,
        retry: query.is_some_and(|q| q.contains("retry")),
        qr,
        secret: secret_text,
    })
}
