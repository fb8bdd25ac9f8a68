//! Sending a party's e-mail notices: at most `rate_per_second`, temporary refusals (4xx) retried
//! with a doubling wait, permanent ones (5xx) recorded as bounces — and never twice.
//!
//! Never twice: a notice is claimed in the store (`sending`, one attempt more; compare-and-set,
//! so two runs cannot both claim it) before its SMTP transaction and marked `sent` once the server
//! accepted it. A notice found in `sending` was claimed by a run that died or lost its connection
//! while the server may have accepted it: it is reported, and sent again only with
//! [`SendOptions::resend_unknown`]. Each notice's Message-ID is made from its id, so a resent
//! notice carries the same Message-ID and a bounce is matched to its notice.

use super::notice::NoticeText;
use super::smtp::SmtpConfig;
use crate::AppError;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Address, AsyncTransport, Message};
use serde::Serialize;
use std::time::Duration;
use todoke_core::{IncidentId, NoticeChannel, NotificationStatus};
use todoke_store::{Actor, NotificationStore, StatusChange, StoredNotification, StoredParty};
use tokio::time::Instant;

/// How a run sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// Sends again the notices left in `sending` by an earlier run that stopped before it knew
    /// whether the server accepted them (their recipients may get the notice twice).
    pub resend_unknown: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    /// The party's e-mail notices.
    pub notices: u64,
    /// Notices this run handed to the server (or tried to).
    pub attempted: u64,
    /// Accepted by the server now.
    pub sent: u64,
    /// Refused for good (5xx) now.
    pub bounced: u64,
    /// Could not be sent now: no usable address, or temporary refusals until the retries ran out.
    pub failed: u64,
    /// Temporary refusals that were retried.
    pub retried: u64,
    /// Settled before this run (sent, bounced, returned …): not sent again.
    pub already_done: u64,
    /// In `sending`: may or may not have gone; sent again only when asked for.
    pub unknown: u64,
    /// Claimed by another run meanwhile.
    pub busy: u64,
    /// Why the run stopped before the end (the server could not be reached); the notices not
    /// reached stay as they were.
    pub stopped: Option<String>,
}

/// Spaces messages at most `rate` a second apart.
pub(crate) struct Pace {
    interval: Duration,
    next: Option<Instant>,
}

impl Pace {
    pub(crate) fn new(rate_per_second: f64) -> Self {
        // An hour at most between two messages: a rate too small to mean anything is not an overflow.
        let interval = Duration::try_from_secs_f64(1.0 / rate_per_second)
            .unwrap_or(Duration::from_secs(3600))
            .min(Duration::from_secs(3600));
        Self { interval, next: None }
    }

    pub(crate) async fn wait(&mut self) {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.next = Some(Instant::now() + self.interval);
    }
}

/// How one notice ended in this run.
enum Outcome {
    Sent,
    Bounced,
    Failed,
    /// No reply from the server: the notice stays in `sending` and the run stops.
    Unknown(String),
    /// Another run claimed it first.
    Busy,
}

/// Sends `party`'s e-mail notices of `incident` through the server of `config`, with `notice` as
/// text; `progress` is called after each notice with the report so far.
#[allow(clippy::too_many_arguments)]
pub async fn send_email<S: NotificationStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: &StoredParty,
    config: &SmtpConfig,
    notice: &NoticeText,
    options: SendOptions,
    progress: &(dyn Fn(&SendReport) + Send + Sync),
) -> Result<SendReport, AppError> {
    config.check()?;
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|_| AppError::Invalid(format!("from: `{}` is not an e-mail address", config.from)))?;
    let notices = store.notifications(incident, Some(party.id), Some(NoticeChannel::Email)).await?;
    let mut report = SendReport { notices: notices.len() as u64, ..SendReport::default() };
    let mut todo = Vec::new();
    for n in notices {
        match n.status {
            status if status.is_settled() => report.already_done += 1,
            NotificationStatus::Sending if !options.resend_unknown => report.unknown += 1,
            _ => todo.push(n),
        }
    }
    if todo.is_empty() {
        progress(&report);
        return Ok(report);
    }
    let transport = config.transport()?;
    // Reaching the server first means a server that is down leaves no notice in doubt.
    match transport.test_connection().await {
        Ok(true) => {}
        Ok(false) => {
            report.stopped = Some(format!("the SMTP server {}:{} did not answer", config.host, config.port));
            return Ok(report);
        }
        Err(e) => {
            report.stopped = Some(format!("cannot reach the SMTP server {}:{}: {e}", config.host, config.port));
            return Ok(report);
        }
    }
    let sender = Sender { store, actor, incident, config, notice, from: &from, transport: &transport };
    let mut pace = Pace::new(config.rate_per_second);
    for n in &todo {
        report.attempted += 1;
        match sender.send(n, &mut pace, &mut report).await? {
            Outcome::Sent => report.sent += 1,
            Outcome::Bounced => report.bounced += 1,
            Outcome::Failed => report.failed += 1,
            Outcome::Busy => report.busy += 1,
            Outcome::Unknown(why) => {
                report.unknown += 1;
                report.stopped = Some(why);
            }
        }
        progress(&report);
        if report.stopped.is_some() {
            break;
        }
    }
    Ok(report)
}

/// What sending one notice needs.
struct Sender<'a, S> {
    store: &'a S,
    actor: &'a Actor,
    incident: IncidentId,
    config: &'a SmtpConfig,
    notice: &'a NoticeText,
    from: &'a Mailbox,
    transport: &'a lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
}

impl<S: NotificationStore + Sync> Sender<'_, S> {
    async fn change(
        &self,
        n: &StoredNotification,
        from: NotificationStatus,
        to: NotificationStatus,
        attempt: bool,
        code: Option<&str>,
        message_id: Option<&str>,
    ) -> Result<bool, AppError> {
        let error = code.filter(|_| to != NotificationStatus::Sent);
        let change = StatusChange { from, to, attempt, detail: code, error, message_id };
        Ok(self.store.change_notification(self.actor, n.id, &change).await?)
    }

    async fn send(
        &self,
        n: &StoredNotification,
        pace: &mut Pace,
        report: &mut SendReport,
    ) -> Result<Outcome, AppError> {
        use NotificationStatus::{Bounced, Failed, Sending, Sent};
        let person = self.store.notification_recipient(self.incident, n.id).await?;
        let address =
            person.email.as_deref().and_then(todoke_people::normalize_email).and_then(|a| a.parse::<Address>().ok());
        let Some(address) = address else {
            return Ok(if self.change(n, n.status, Failed, false, Some("no-address"), None).await? {
                Outcome::Failed
            } else {
                Outcome::Busy
            });
        };
        let message_id = format!("<{}@{}>", n.id, self.from.email.domain());
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, address))
            .subject(self.notice.subject.clone())
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(
                Body::new_with_encoding(self.notice.for_recipient(&person.name), ContentTransferEncoding::Base64)
                    .map_err(|_| AppError::Campaign("the notice cannot be encoded in base64".into()))?,
            )
            .map_err(|e| AppError::Campaign(format!("cannot build the e-mail: {e}")))?;
        drop(person);
        if !self.change(n, n.status, Sending, true, None, Some(&message_id)).await? {
            return Ok(Outcome::Busy);
        }
        let mut retries = 0;
        loop {
            pace.wait().await;
            match self.transport.send(message.clone()).await {
                Ok(response) => {
                    let code = format!("smtp {}", response.code());
                    self.change(n, Sending, Sent, false, Some(&code), None).await?;
                    return Ok(Outcome::Sent);
                }
                Err(e) if e.is_permanent() => {
                    self.change(n, Sending, Bounced, false, Some(&reply_code(&e)), None).await?;
                    return Ok(Outcome::Bounced);
                }
                Err(e) if e.is_transient() && retries < self.config.retries => {
                    retries += 1;
                    report.retried += 1;
                    tokio::time::sleep(backoff(self.config.retry_delay, retries)).await;
                    // Another attempt of the same notice: counted and kept in its history.
                    self.change(n, Sending, Sending, true, Some(&reply_code(&e)), None).await?;
                }
                Err(e) if e.is_transient() => {
                    self.change(n, Sending, Failed, false, Some(&reply_code(&e)), None).await?;
                    return Ok(Outcome::Failed);
                }
                Err(e) => {
                    // No SMTP reply (the connection failed or was lost, a timeout): the server may
                    // have accepted the message, so the notice stays in `sending`.
                    let what = if e.is_timeout() { "timeout" } else { "no-reply" };
                    self.change(n, Sending, Sending, false, Some(what), None).await?;
                    return Ok(Outcome::Unknown(format!(
                        "lost the SMTP server {}:{} while sending ({e}); the notice in doubt stays `sending`",
                        self.config.host, self.config.port
                    )));
                }
            }
        }
    }
}

/// `smtp 550`: the reply code only — a refusal's text often quotes the address.
fn reply_code(e: &lettre::transport::smtp::Error) -> String {
    e.status().map_or_else(|| "smtp".to_string(), |code| format!("smtp {code}"))
}

/// The wait before retry `n` (1, 2, …): `first`, then doubling, at most an hour.
fn backoff(first: Duration, n: u32) -> Duration {
    first.saturating_mul(1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX)).min(Duration::from_secs(3600))
}

/// Records that the e-mail with `message_id` bounced afterwards (a delivery status notification
/// came back), with the DSN status code (`5.1.1`) or reply code (`550`). Returns the notice.
pub async fn record_bounce<S: NotificationStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    message_id: &str,
    code: &str,
) -> Result<StoredNotification, AppError> {
    // Only digits and dots: whatever else a bounce says may quote the address.
    let code = code.trim();
    if code.is_empty() || code.len() > 12 || !code.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(AppError::Invalid(format!("code: expected a status code such as 5.1.1 or 550, not `{code}`")));
    }
    let wanted = message_id.trim();
    let wanted = if wanted.starts_with('<') { wanted.to_string() } else { format!("<{wanted}>") };
    let n = store
        .notification_by_message_id(incident, &wanted)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("message id: no notice of this incident was sent as {wanted}")))?;
    let detail = format!("dsn {code}");
    let from = match n.status {
        NotificationStatus::Sent | NotificationStatus::Delivered | NotificationStatus::Sending => n.status,
        other => {
            return Err(AppError::Invalid(format!("message id: the notice is `{}`, not sent", other.key())));
        }
    };
    let change = StatusChange {
        from,
        to: NotificationStatus::Bounced,
        attempt: false,
        detail: Some(&detail),
        error: Some(&detail),
        message_id: None,
    };
    if !store.change_notification(actor, n.id, &change).await? {
        return Err(AppError::Invalid("message id: the notice changed meanwhile; try again".into()));
    }
    Ok(StoredNotification { status: NotificationStatus::Bounced, last_error: Some(detail), ..n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let s = Duration::from_secs(1);
        assert_eq!([1, 2, 3, 4].map(|n| backoff(s, n)), [1, 2, 4, 8].map(Duration::from_secs));
        assert_eq!(backoff(s, 40), Duration::from_secs(3600));
    }
}
