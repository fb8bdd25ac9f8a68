//! The inquiry log (問い合わせ対応記録) of a case: what callers asked each party's desk and what
//! they were told, with daily counts by topic (what a 確報 and a city's report upward quote). The
//! owner's staff see every party's inquiries; a party's members see and log only their own. The
//! log is sealed in the store: callers say personal things.

use crate::access::can_edit;
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::{load_desk_case, party_name};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use todoke_core::{Inquiry, InquiryChannel};
use todoke_store::{AnswerScript, CaseRecordStore, Db};

/// Topics offered in the form (any other may be typed).
const TOPICS: [&str; 6] = ["事実確認", "対象かどうか", "二次被害", "通知文書", "今後の対応", "苦情・意見"];
/// Who called.
const CALLERS: [&str; 3] = ["本人", "家族", "その他"];

struct Row {
    received: String,
    party: String,
    channel: String,
    caller: String,
    topic: String,
    damage: bool,
    answer: String,
    escalated: bool,
}

#[derive(Template)]
#[template(path = "inquiries.html")]
struct InquiriesPage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    parties: Vec<String>,
    channels: Vec<(&'static str, String)>,
    callers: [&'static str; 3],
    topics: [&'static str; 6],
    rows: Vec<Row>,
    /// The topics that occur, in order, and per day (as received) the count of each.
    stat_topics: Vec<String>,
    stats: Vec<DayCount>,
    /// The answer scripts, each topic's versions newest first.
    scripts: Vec<(String, Vec<AnswerScript>)>,
    /// Whether the viewer may write a new version of a script (the owner's editors).
    edits_scripts: bool,
}

/// A day (YYYY-MM-DD), its count per topic, and its total.
type DayCount = (String, Vec<usize>, usize);

/// The log, the form and the daily counts.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let (record, desks) = load_desk_case(&state, &viewer, &id).await?;
    let m = Prefs::current();
    let mut inquiries: Vec<Inquiry> = state
        .store
        .inquiries(record.id)
        .await?
        .into_iter()
        .map(|(_, i)| i)
        .filter(|i| desks.iter().any(|p| p.id == i.party))
        .collect();
    let (stat_topics, stats) = daily_counts(&inquiries);
    let mut scripts: Vec<(String, Vec<AnswerScript>)> = Vec::new();
    for script in state.store.answer_scripts(record.id).await?.into_iter().rev() {
        match scripts.iter_mut().find(|(topic, _)| *topic == script.topic) {
            Some((_, versions)) => versions.push(script),
            None => scripts.push((script.topic.clone(), vec![script])),
        }
    }
    scripts.reverse();
    inquiries.reverse();
    let rows = inquiries
        .iter()
        .map(|i| Row {
            received: m.time(&i.received_at),
            party: party_name(&desks, i.party).unwrap_or_default().to_string(),
            channel: m.label(i.channel.key(), i.channel.label_ja()),
            caller: i.caller_category.clone(),
            topic: i.topic.clone(),
            damage: i.secondary_damage_claimed,
            answer: i.answer.clone(),
            escalated: i.escalated,
        })
        .collect();
    let page = InquiriesPage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        parties: desks.iter().map(|p| p.party.name.clone()).collect(),
        channels: InquiryChannel::ALL.iter().map(|c| (c.key(), m.label(c.key(), c.label_ja()))).collect(),
        callers: CALLERS,
        topics: TOPICS,
        rows,
        stat_topics,
        stats,
        scripts,
        edits_scripts: can_edit(&viewer, &record),
    };
    Ok(Html(page.render()?))
}

/// Per day (the date as received, in the caller's zone) the number of inquiries of each topic, and
/// the day's total; topics in order of first appearance.
fn daily_counts(inquiries: &[Inquiry]) -> (Vec<String>, Vec<DayCount>) {
    let mut topics: Vec<String> = Vec::new();
    let mut days: BTreeMap<String, BTreeMap<usize, usize>> = BTreeMap::new();
    for i in inquiries {
        let t = match topics.iter().position(|t| *t == i.topic) {
            Some(t) => t,
            None => {
                topics.push(i.topic.clone());
                topics.len() - 1
            }
        };
        *days.entry(i.received_at.zoned().date().to_string()).or_default().entry(t).or_default() += 1;
    }
    let stats = days
        .into_iter()
        .map(|(day, counts)| {
            let row: Vec<usize> = (0..topics.len()).map(|t| counts.get(&t).copied().unwrap_or(0)).collect();
            let total = row.iter().sum();
            (day, row, total)
        })
        .collect();
    (topics, stats)
}

/// An inquiry as the form sends it.
#[derive(Deserialize)]
pub struct InquiryForm {
    csrf: String,
    party: String,
    received_at: String,
    #[serde(default)]
    offset: String,
    channel: String,
    caller: String,
    topic: String,
    #[serde(default)]
    damage: Option<String>,
    answer: String,
    #[serde(default)]
    escalated: Option<String>,
}

/// Logs an inquiry for one of the viewer's desks.
pub async fn add_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<InquiryForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, desks) = load_desk_case(&state, &viewer, &id).await?;
    let party = desks.iter().find(|p| p.party.name == form.party.trim()).ok_or(WebError::NotFound)?;
    let at = crate::records::form_time(&form.received_at, &form.offset);
    let inquiry = Inquiry {
        party: party.id,
        received_at: at.parse().map_err(|_| {
            WebError::Invalid(format!("received_at: expected a date and time such as 2024-07-01T10:30, found `{at}`"))
        })?,
        channel: InquiryChannel::from_key(form.channel.trim())
            .ok_or_else(|| WebError::Invalid(format!("channel: unknown `{}`", form.channel.trim())))?,
        caller_category: required("caller", &form.caller)?,
        topic: required("topic", &form.topic)?,
        secondary_damage_claimed: form.damage.is_some(),
        answer: required("answer", &form.answer)?,
        escalated: form.escalated.is_some(),
    };
    state.store.add_inquiry(&viewer.actor(), record.id, &inquiry).await?;
    Ok(Redirect::to(&format!("/cases/{}/inquiries", record.id)).into_response())
}

/// A new version of an answer script as the form sends it.
#[derive(Deserialize)]
pub struct ScriptForm {
    csrf: String,
    topic: String,
    body: String,
}

/// Writes the next version of a topic's answer script (the owner's editors).
pub async fn add_script_form<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ScriptForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let record = crate::records::owner_case(&state, &viewer, &id).await?;
    let topic = required("topic", &form.topic)?;
    let body = required("body", &form.body)?;
    state.store.add_answer_script(&viewer.actor(), record.id, &topic, &body).await?;
    Ok(Redirect::to(&format!("/cases/{}/inquiries#scripts", record.id)).into_response())
}

fn required(field: &str, value: &str) -> Result<String, WebError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(WebError::Invalid(format!("{field}: expected a value, found nothing")));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(at: &str, topic: &str) -> Inquiry {
        Inquiry {
            party: todoke_core::PartyId(uuid::Uuid::nil()),
            received_at: at.parse().unwrap(),
            channel: InquiryChannel::Phone,
            caller_category: "本人".into(),
            topic: topic.into(),
            secondary_damage_claimed: false,
            answer: "a".into(),
            escalated: false,
        }
    }

    #[test]
    fn counts_per_day_and_topic_in_the_callers_zone() {
        let log = [
            inquiry("2024-07-01T09:00:00+09:00", "事実確認"),
            inquiry("2024-07-01T23:30:00+09:00", "二次被害"),
            inquiry("2024-07-01T10:00:00+09:00", "事実確認"),
            inquiry("2024-07-02T08:00:00+09:00", "二次被害"),
        ];
        let (topics, days) = daily_counts(&log);
        assert_eq!(topics, ["事実確認", "二次被害"]);
        assert_eq!(days, vec![("2024-07-01".into(), vec![2, 1], 3), ("2024-07-02".into(), vec![0, 1], 1)]);
    }
}
