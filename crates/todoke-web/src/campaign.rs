//! Notices to individuals in the browser: each party's notices counted per channel and status, and
//! a form that plans a party's notices and sends the e-mail ones in the background (through the SMTP
//! server `todoke serve` was given). Progress shows on reload: the counts are read from the store,
//! where each notice's status is committed as it changes. Who may file for a party may start its
//! campaign; a consignor sees and starts only its own.

use crate::access::files_for;
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::{load_desk_case, load_seen_case};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use todoke_app::campaign::{self, SendOptions, SendReport};
use todoke_core::{IncidentId, NoticeChannel, NotificationStatus, PartyId};
use todoke_store::{AuditStore, Db, NotificationStore, StoredParty};

/// One campaign run of a party, as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Still sending.
    pub running: bool,
    /// The report so far (or at the end).
    pub report: SendReport,
    /// Why the run failed, if it did (no personal data: store and SMTP errors carry none).
    pub error: Option<String>,
}

/// The runs since the server started, per case and party. One run per party at a time.
#[derive(Debug, Default)]
pub struct Runs(Mutex<HashMap<(IncidentId, PartyId), Run>>);

impl Runs {
    fn get(&self, key: (IncidentId, PartyId)) -> Option<Run> {
        self.0.lock().ok().and_then(|runs| runs.get(&key).cloned())
    }

    fn update(&self, key: (IncidentId, PartyId), change: impl FnOnce(&mut Run)) {
        if let Ok(mut runs) = self.0.lock() {
            change(runs.entry(key).or_default());
        }
    }

    /// Marks a run started; false when one is running already.
    fn start(&self, key: (IncidentId, PartyId)) -> bool {
        let Ok(mut runs) = self.0.lock() else { return false };
        let run = runs.entry(key).or_default();
        if run.running {
            return false;
        }
        *run = Run { running: true, ..Run::default() };
        true
    }
}

struct PartyCampaign {
    name: String,
    manages: bool,
    /// (channel, status, count), in channel then status order.
    counts: Vec<(String, String, u64)>,
    run: Option<Run>,
    /// The figures, their chart and 確報 item 6 (`campaign_view`).
    letters: crate::campaign_view::PartyLetters,
    /// Its letter jobs, newest first (only for who files for it).
    letter_jobs: Vec<crate::campaign_letters::JobView>,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    smtp: bool,
    /// Letters can be printed here (the server has the fonts).
    fonts: bool,
    parties: Vec<PartyCampaign>,
    today: String,
    manages_any: bool,
    reasons: Vec<(&'static str, &'static str)>,
}

/// The counts and the form.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, parties) = load_seen_case(&state, &viewer, &id).await?;
    let counts = state.store.notification_counts(record.id).await?;
    let m = Prefs::current();
    let mut letters = crate::campaign_view::letters(&state, &viewer, &record, &parties, m).await?;
    let mut shown = Vec::with_capacity(parties.len());
    for p in &parties {
        let manages = files_for(&viewer, &record, p);
        let mut mine: Vec<_> = counts.iter().filter(|c| c.party == p.id).collect();
        mine.sort_by_key(|c| (channel_order(c.channel), status_order(c.status)));
        shown.push(PartyCampaign {
            name: p.party.name.clone(),
            manages,
            counts: mine
                .iter()
                .map(|c| {
                    let label = |key: &'static str, ja: &'static str| m.label(key, ja);
                    (label(c.channel.key(), c.channel.label_ja()), label(c.status.key(), c.status.label_ja()), c.count)
                })
                .collect(),
            run: state.campaigns.get((record.id, p.id)),
            letters: letters.remove(&p.id).unwrap_or_default(),
            letter_jobs: if manages { crate::campaign_letters::jobs(&state, record.id, p).await? } else { Vec::new() },
        });
    }
    let page = CampaignPage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        smtp: state.smtp.is_some(),
        fonts: state.fonts.is_some(),
        parties: shown,
        today: state.today().to_string(),
        manages_any: parties.iter().any(|p| files_for(&viewer, &record, p)),
        reasons: crate::campaign_view::reasons(),
    };
    Ok(Html(page.render()?))
}

fn channel_order(c: NoticeChannel) -> usize {
    NoticeChannel::ALL.iter().position(|x| *x == c).unwrap_or(usize::MAX)
}

fn status_order(s: NotificationStatus) -> usize {
    NotificationStatus::ALL.iter().position(|x| *x == s).unwrap_or(usize::MAX)
}

/// A form naming the party to act for: plan, send, print.
#[derive(Deserialize)]
pub struct StartForm {
    pub(crate) csrf: String,
    pub(crate) party: String,
}

/// Plans the party's notices (without sending any): what the letters and the hand-off file are made
/// from when notices go by post only. Planning again adds only people new on the list.
pub async fn plan<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) = filed_party(&state, &viewer, &id, |p| p.party.name == form.party.trim()).await?;
    campaign::plan_party(&state.store, &viewer.actor(), record.id, &party, &state.org.plan).await?;
    Ok(Redirect::to(&format!("/cases/{id}/campaign")).into_response())
}

/// The case and its party that `matches`, which the viewer must file for: 404 when unseen, 403
/// when only seen.
pub(crate) async fn filed_party<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    matches: impl Fn(&StoredParty) -> bool,
) -> Result<(todoke_core::IncidentRecord, StoredParty), WebError> {
    let (record, parties) = load_desk_case(state, viewer, id).await?;
    let party = filed_among(viewer, &record, &parties, matches)?.clone();
    Ok((record, party))
}

/// The party among `parties` (of `record`, as the viewer sees them) that `matches`, which the
/// viewer must file for: 404 when unseen, 403 when only seen.
pub(crate) fn filed_among<'a>(
    viewer: &Viewer,
    record: &todoke_core::IncidentRecord,
    parties: &'a [StoredParty],
    matches: impl Fn(&StoredParty) -> bool,
) -> Result<&'a StoredParty, WebError> {
    // A party the viewer does not see is not told apart from one that does not exist.
    let party = parties.iter().find(|p| matches(p)).ok_or(WebError::NotFound)?;
    if !files_for(viewer, record, party) {
        return Err(WebError::Forbidden);
    }
    Ok(party)
}

/// Plans the party's notices and sends the e-mail ones in the background; back to the page.
pub async fn start<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) = filed_party(&state, &viewer, &id, |p| p.party.name == form.party.trim()).await?;
    let Some(smtp) = state.smtp.clone() else {
        return Err(WebError::Invalid("smtp: this server has no SMTP server set (todoke serve --smtp-host …)".into()));
    };
    // Planned first (planning again adds only people new on the list); the background sends.
    campaign::plan_party(&state.store, &viewer.actor(), record.id, &party, &state.org.plan).await?;
    let key = (record.id, party.id);
    if !state.campaigns.start(key) {
        return Err(WebError::Invalid(format!("party: the notices of `{}` are being sent already", party.party.name)));
    }
    let actor = viewer.actor();
    state.store.record_event(&actor, "campaign.email.start", &format!("party:{}", party.id)).await?;
    let notice = campaign::notice_text(
        &record.facts,
        &party.party.name,
        &state.org.profile,
        &state.org.templates,
        state.today(),
    );
    let runs = state.campaigns.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        let result = match notice {
            Ok(notice) => {
                let progress = |report: &SendReport| runs.update(key, |run| run.report = report.clone());
                let options = SendOptions::default();
                campaign::send_email(&store, &actor, record.id, &party, &smtp, &notice, options, &progress).await
            }
            Err(e) => Err(e),
        };
        runs.update(key, |run| {
            run.running = false;
            match result {
                Ok(report) => run.report = report,
                Err(e) => {
                    tracing::error!(party = %party.id, "e-mail campaign failed: {e}");
                    run.error = Some(e.to_string());
                }
            }
        });
    });
    Ok(Redirect::to(&format!("/cases/{id}/campaign")).into_response())
}
