//! What the campaign page shows of each party's letters: the figures (sent, delivered, returned,
//! re-mailed, substitute, unreachable), their chart over time, the text of 確報 item 6, the notices
//! that need a decision (returned, bounced, failed) and the substitute notice's publications.
//! Notices are shown by id and reason code only: names and addresses stay sealed.

use crate::access::files_for;
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::Viewer;
use crate::state::AppState;
use std::collections::HashMap;
use todoke_app::campaign::{self, Figures, ReturnReason};
use todoke_core::{IncidentRecord, NoticeChannel, NotificationStatus, PartyId};
use todoke_store::{Db, NotificationStore, ReturnStore, StoredParty};

/// How many notices needing a decision one party's list shows; the rest are handled by list.
const SHOWN: usize = 200;

/// A notice that came back or could not be sent.
pub struct Problem {
    pub id: String,
    pub channel: String,
    pub status: String,
    /// The reason (a return label) or the error code.
    pub reason: String,
}

/// A publication of the substitute notice.
pub struct Publication {
    pub place: String,
    pub from: String,
    pub to: String,
}

/// One party's letters on the page.
#[derive(Default)]
pub struct PartyLetters {
    pub figures: Figures,
    pub chart: String,
    pub item6: Option<String>,
    /// Letters waiting to be posted (planned, or re-addressed).
    pub waiting: u64,
    pub problems: Vec<Problem>,
    pub more_problems: usize,
    pub publications: Vec<Publication>,
}

/// The return reasons for the forms: (code, label).
pub fn reasons() -> Vec<(&'static str, &'static str)> {
    ReturnReason::ALL.iter().map(|r| (r.key(), r.label_ja())).collect()
}

fn reason_of(error: Option<&str>) -> String {
    match error {
        Some(code) => ReturnReason::parse(code).map_or_else(|| code.to_string(), |r| r.label_ja().to_string()),
        None => String::new(),
    }
}

/// Each visible party's letters, by party.
pub async fn letters<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    record: &IncidentRecord,
    parties: &[StoredParty],
    m: Prefs,
) -> Result<HashMap<PartyId, PartyLetters>, WebError> {
    let notices = state.store.notifications(record.id, None, None).await?;
    let events = state.store.notification_events(record.id, None).await?;
    let dashboards = campaign::dashboards_of(&notices, &events);
    let publications = state.store.substitute_publications(record.id, None).await?;
    let mut out = HashMap::new();
    for p in parties {
        let mut shown = PartyLetters::default();
        if let Some(d) = dashboards.iter().find(|d| d.party == p.id) {
            shown.figures = d.now.clone();
            shown.chart = crate::campaign_chart::over_time(&d.by_day, m);
            shown.item6 = campaign::item6_text(d);
        }
        let mine = notices.iter().filter(|n| n.party == p.id);
        shown.waiting = mine
            .clone()
            .filter(|n| n.channel == NoticeChannel::Post)
            .filter(|n| matches!(n.status, NotificationStatus::Pending | NotificationStatus::Remailed))
            .count() as u64;
        // Only who files for the party decides about its notices.
        if files_for(viewer, record, p) {
            let problems: Vec<_> = mine
                .filter(|n| {
                    matches!(
                        n.status,
                        NotificationStatus::Returned | NotificationStatus::Bounced | NotificationStatus::Failed
                    )
                })
                .collect();
            shown.more_problems = problems.len().saturating_sub(SHOWN);
            shown.problems = problems
                .into_iter()
                .take(SHOWN)
                .map(|n| Problem {
                    id: n.id.to_string(),
                    channel: m.label(n.channel.key(), n.channel.label_ja()).to_string(),
                    status: m.label(n.status.key(), n.status.label_ja()).to_string(),
                    reason: reason_of(n.last_error.as_deref()),
                })
                .collect();
        }
        shown.publications = publications
            .iter()
            .filter(|x| x.party == p.id)
            .map(|x| Publication {
                place: x.publication.place.clone(),
                from: m.date(x.publication.from),
                to: x.publication.to.map(|d| m.date(d)).unwrap_or_default(),
            })
            .collect();
        out.insert(p.id, shown);
    }
    Ok(out)
}
