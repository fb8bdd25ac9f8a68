//! The figures of a campaign per party — sent, delivered, returned, re-mailed, substitute,
//! unreachable — drawn from the notices' history, by day, and the text of 確報 item 6
//! (本人への対応の実施状況) they make, which final report drafts take in.
//!
//! Figures count people (notices), not events: a letter returned, re-mailed and returned again is
//! one return. A step's day is the day it says it happened (`posted 2024-05-20`,
//! `returned CODE 2024-05-24`) when it says one, otherwise the day it was recorded.

use crate::AppError;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use todoke_core::{IncidentId, NoticeChannel, NotificationId, NotificationStatus, PartyId};
use todoke_store::{NotificationEvent, NotificationStore, StoredNotification};

/// One party's figures, as of now or as of a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Notices planned.
    pub planned: u64,
    /// Letters posted (at least once).
    pub sent_post: u64,
    /// E-mails accepted by the server (at least once).
    pub sent_email: u64,
    /// Notices sent on other channels (a bulletin).
    pub sent_other: u64,
    /// Confirmed delivered.
    pub delivered: u64,
    /// Letters that came back (at least once).
    pub returned: u64,
    /// Of those and of bounced e-mails, re-mailed to a corrected address.
    pub remailed: u64,
    /// Reached by the substitute notice instead.
    pub substitute: u64,
    /// Not reached and nothing done yet: failed, bounced or returned, neither re-mailed nor
    /// moved to the substitute notice.
    pub unreachable: u64,
}

impl Figures {
    /// Notices sent on any channel.
    pub fn sent(&self) -> u64 {
        self.sent_post + self.sent_email + self.sent_other
    }
}

/// A party's campaign: its figures now, by day, and the last day anything happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyDashboard {
    /// The party.
    pub party: PartyId,
    /// The figures now.
    pub now: Figures,
    /// The figures at the end of each day something happened, oldest first.
    pub by_day: Vec<(Date, Figures)>,
    /// The last such day.
    pub last_day: Option<Date>,
}

/// The day of a step: the one its detail names, else the day it was recorded.
fn day_of(event: &NotificationEvent) -> Option<Date> {
    let named = event.detail.as_deref().and_then(|d| d.split_whitespace().last()).and_then(|d| d.parse().ok());
    named.or_else(|| event.at.get(..10).and_then(|d| d.parse().ok()))
}

/// What one notice went through up to a point.
#[derive(Default, Clone)]
struct Path {
    channel: Option<NoticeChannel>,
    entered: HashSet<NotificationStatus>,
    now: Option<NotificationStatus>,
}

fn figures(paths: &HashMap<NotificationId, Path>) -> Figures {
    let mut f = Figures::default();
    for p in paths.values() {
        f.planned += 1;
        let ever = |s| p.entered.contains(&s);
        if ever(NotificationStatus::Sent) {
            match p.channel {
                Some(NoticeChannel::Post) => f.sent_post += 1,
                Some(NoticeChannel::Email) => f.sent_email += 1,
                _ => f.sent_other += 1,
            }
        }
        f.returned += u64::from(ever(NotificationStatus::Returned));
        f.remailed += u64::from(ever(NotificationStatus::Remailed));
        match p.now {
            Some(NotificationStatus::Delivered) => f.delivered += 1,
            Some(NotificationStatus::Substitute) => f.substitute += 1,
            Some(NotificationStatus::Failed | NotificationStatus::Bounced | NotificationStatus::Returned) => {
                f.unreachable += 1
            }
            _ => {}
        }
    }
    f
}

/// Each party's dashboard, for the parties that have notices.
pub async fn dashboards<S: NotificationStore + Sync>(
    store: &S,
    incident: IncidentId,
) -> Result<Vec<PartyDashboard>, AppError> {
    let notices = store.notifications(incident, None, None).await?;
    let events = store.notification_events(incident, None).await?;
    Ok(dashboards_of(&notices, &events))
}

/// [`dashboards`] from the notices and their history already read (a page that shows the notices
/// too reads them once).
pub fn dashboards_of(notices: &[StoredNotification], events: &[NotificationEvent]) -> Vec<PartyDashboard> {
    let mut parties: BTreeMap<PartyId, Vec<&NotificationEvent>> = BTreeMap::new();
    for n in notices {
        parties.entry(n.party).or_default();
    }
    for e in events {
        parties.entry(e.party).or_default().push(e);
    }
    parties
        .into_iter()
        .map(|(party, mut events)| {
            // Steps in the order they happened; on one day, in the order they were recorded.
            events.sort_by_key(|e| day_of(e));
            let mut paths: HashMap<NotificationId, Path> = HashMap::new();
            let mut by_day: Vec<(Date, Figures)> = Vec::new();
            for (i, e) in events.iter().enumerate() {
                let path = paths.entry(e.notification).or_default();
                path.channel = Some(e.channel);
                path.entered.insert(e.status);
                path.now = Some(e.status);
                let day = day_of(e);
                let next_day = events.get(i + 1).and_then(|n| day_of(n));
                if let Some(day) = day.filter(|d| next_day != Some(*d)) {
                    by_day.push((day, figures(&paths)));
                }
            }
            // The notices' own statuses are the truth now (a step without history cannot be).
            for n in notices.iter().filter(|n| n.party == party) {
                let path = paths.entry(n.id).or_default();
                path.channel = Some(n.channel);
                path.now = Some(n.status);
                path.entered.insert(n.status);
            }
            let last_day = by_day.last().map(|(d, _)| *d);
            PartyDashboard { party, now: figures(&paths), by_day, last_day }
        })
        .collect()
}

/// 確報 item 6 (本人への対応の実施状況) from a party's figures: `令和6年5月27日までに18,863名に
/// 書面で通知。629通が返戻、うち412名に再送、150名は公表により代替。`; `None` before anything was
/// sent.
pub fn item6_text(dashboard: &PartyDashboard) -> Option<String> {
    let f = &dashboard.now;
    if f.sent() == 0 && f.substitute == 0 {
        return None;
    }
    let n = todoke_ja::format_number;
    let mut ways = Vec::new();
    if f.sent_post > 0 {
        ways.push(format!("{}名に書面で", n(f.sent_post)));
    }
    if f.sent_email > 0 {
        ways.push(format!("{}名に電子メールで", n(f.sent_email)));
    }
    if f.sent_other > 0 {
        ways.push(format!("{}名に掲示等で", n(f.sent_other)));
    }
    let by = dashboard.last_day.and_then(todoke_ja::format_wareki).map(|d| format!("{d}までに")).unwrap_or_default();
    let mut text = if ways.is_empty() { by } else { format!("{by}{}通知。", ways.join("、")) };
    if f.returned > 0 {
        let mut after = Vec::new();
        if f.remailed > 0 {
            after.push(format!("{}名に再送", n(f.remailed)));
        }
        if f.substitute > 0 {
            after.push(format!("{}名は公表により代替", n(f.substitute)));
        }
        let after = if after.is_empty() { String::new() } else { format!("、うち{}", after.join("、")) };
        text.push_str(&format!("{}通が返戻{after}。", n(f.returned)));
    } else if f.substitute > 0 {
        text.push_str(&format!("{}名は公表により代替。", n(f.substitute)));
    }
    if f.unreachable > 0 {
        text.push_str(&format!("{}名には現在も通知が届いていない。", n(f.unreachable)));
    }
    Some(text)
}

/// The heading of item 6 in the report templates.
const ITEM6: &str = "## 6. 本人への対応の実施状況";

/// `markdown` (a report draft) with `text` as the first point of item 6; "未実施" goes, since the
/// figures show otherwise. A draft without the item is returned as it was.
pub fn with_item6(markdown: &str, text: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + text.len() + 8);
    let mut in_item = false;
    let mut placed = false;
    for line in markdown.lines() {
        if in_item && !placed && !line.trim().is_empty() {
            out.push_str(&format!("- {text}\n"));
            placed = true;
            if line.trim_start().starts_with("未実施") {
                continue;
            }
        }
        if line.starts_with("## ") {
            in_item = line.trim_end() == ITEM6;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item6_goes_first_and_replaces_not_done() {
        let draft = "## 5. 二次被害\n\nなし\n\n## 6. 本人への対応の実施状況\n\n未実施（通知の方法及び時期を検討中）\n\n## 7. 公表\n";
        let out = with_item6(draft, "令和6年5月27日までに3名に書面で通知。");
        assert!(
            out.contains("## 6. 本人への対応の実施状況\n\n- 令和6年5月27日までに3名に書面で通知。\n\n## 7."),
            "{out}"
        );
        assert!(!out.contains("未実施"));
        let listed = "## 6. 本人への対応の実施状況\n\n- 令和6年5月1日　通知を開始\n";
        assert!(with_item6(listed, "X").contains("- X\n- 令和6年5月1日"));
        assert_eq!(with_item6("## 1. 概要\n", "X"), "## 1. 概要\n");
    }
}
