//! The consignor portal (委託元ポータル): a city signed in sees the case as it concerns it — per
//! party it belongs to, its obligations with deadlines and countdowns, the reports filed for it (a
//! 連名 report shows there once filed), how many people are on its list, its notices by status,
//! its inquiries and where its cost claim stands — each linking to the page where the work is
//! done. Only the viewer's own parties are read; the owner's members see every consignor.

use crate::access::{Scope, files_for};
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{ObligationRow, assessed, load_snapshot, obligation_row, visible};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use todoke_app::joint;
use todoke_core::PartyRole;
use todoke_store::{CaseRecordStore, CostState, CostStore, Db, NotificationStore, PersonStore};

struct PartyPortal {
    name: String,
    obligations: Vec<ObligationRow>,
    /// (kind, filed on or draft, receipt).
    reports: Vec<(String, String, String)>,
    people: u64,
    /// (channel, status, count).
    notices: Vec<(String, String, u64)>,
    inquiries: usize,
    claim_state: String,
    claim_total: i64,
    /// Each party that may report for this consignor (not a consignor itself), and whether the
    /// report is joint (連名) now.
    joint: Vec<(String, bool)>,
    /// The viewer files for this party, so answers the joint-report request.
    answers: bool,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    today: String,
    parties: Vec<PartyPortal>,
}

/// The portal of the viewer's parties on a case.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (case, scope) = load_snapshot(&state, &viewer, &id).await?;
    let record = &case.record;
    // The owner's members see every consignor; a city only itself (the scope already says so).
    let mine: Vec<_> = case
        .parties
        .iter()
        .filter(|p| scope.sees(&p.party.name))
        .filter(|p| scope != Scope::Full || p.party.role == PartyRole::Consignor)
        .collect();
    let m = Prefs::current();
    let today = state.today();
    let assessment = assessed(&state, &case, today, m.ja())?;
    let assessed_parties = visible(&assessment, &scope);
    let counts = state.store.notification_counts(record.id).await?;
    let inquiries = state.store.inquiries(record.id).await?;
    let claims = state.store.cost_claims(record.id).await?;
    let mut parties = Vec::with_capacity(mine.len());
    for p in mine {
        let (people, _) = state.store.party_people(record.id, p.id, 0).await?;
        let claim = claims.iter().find(|c| c.party == p.id);
        parties.push(PartyPortal {
            name: p.party.name.clone(),
            obligations: assessed_parties
                .iter()
                .filter(|a| a.party == p.party.name)
                .flat_map(|a| a.obligations.iter().map(|o| obligation_row(o, m)))
                .collect(),
            reports: case
                .reports
                .iter()
                .filter(|(_, r)| r.party == p.id)
                .map(|(_, r)| {
                    (
                        m.label(r.kind.key(), r.kind.label_ja()),
                        r.submitted_on.map_or_else(|| m.t("case.reports.draft").to_string(), |d| m.date(d)),
                        r.receipt_number.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            people,
            notices: counts
                .iter()
                .filter(|c| c.party == p.id)
                .map(|c| {
                    (
                        m.label(c.channel.key(), c.channel.label_ja()),
                        m.label(c.status.key(), c.status.label_ja()),
                        c.count,
                    )
                })
                .collect(),
            inquiries: inquiries.iter().filter(|(_, i)| i.party == p.id).count(),
            claim_state: {
                let state = claim.map_or(CostState::Draft, |c| c.state);
                m.label(state.key(), state.label_ja())
            },
            claim_total: claim.map_or(0, |c| c.total_yen()),
            joint: match p.party.role {
                PartyRole::Consignor => case
                    .parties
                    .iter()
                    .filter(|w| w.party.role != PartyRole::Consignor)
                    .map(|w| {
                        (w.party.name.clone(), joint::reports_jointly(&record.facts, &p.party.name, &w.party.name))
                    })
                    .collect(),
                _ => Vec::new(),
            },
            answers: files_for(&viewer, record, p),
        });
    }
    let page = PortalPage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        today: m.date(today),
        parties,
    };
    Ok(Html(page.render()?))
}

/// A consignor's answer to the joint-report request.
#[derive(serde::Deserialize)]
pub struct JointForm {
    csrf: String,
    party: String,
    with: String,
    /// `join` or `own`.
    choice: String,
}

/// Joins the joint report (連名) or files alone: the facts change and the case is re-assessed, so
/// the obligations on this page follow; back to the portal.
pub async fn joint<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    axum::extract::Form(form): axum::extract::Form<JointForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse as _;
    crate::session::check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) =
        crate::campaign::filed_party(&state, &viewer, &id, |p| p.party.name == form.party.trim()).await?;
    let join = match form.choice.as_str() {
        "join" => true,
        "own" => false,
        other => return Err(WebError::Invalid(format!("choice: expected `join` or `own`, not `{other}`"))),
    };
    let mut facts = record.facts.clone();
    joint::choose_joint_report(&mut facts, &party.party.name, form.with.trim(), join)?;
    todoke_app::update_facts(&state.store, &viewer.actor(), record.id, &facts, &todoke_rules::Options::default())
        .await?;
    Ok(axum::response::Redirect::to(&format!("/cases/{id}/portal")).into_response())
}
