//! Deadline reminders sent by the running server (`todoke serve --reminders`): a run every hour,
//! each reminder going out once however often runs come (the store records what was sent).

use crate::state::AppState;
use std::time::Duration;
use todoke_store::{Actor, Db};

/// How often the server looks for reminders due.
pub const REMINDER_INTERVAL: Duration = Duration::from_secs(3600);

/// Starts sending the reminders due, now and every `every`, through the server's SMTP server, with
/// links to the cases at `site`. False (nothing started) when the server has no SMTP server.
pub fn start_reminders<D: Db>(state: &AppState<D>, every: Duration, site: Option<String>) -> bool {
    let Some(smtp) = state.smtp.clone() else { return false };
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let actor = Actor::system();
            let sent =
                todoke_app::reminders::send_reminders(&state.store, &actor, &smtp, state.today(), site.as_deref());
            match sent.await {
                // Counts only: a reminder's addresses and subjects stay out of the log.
                Ok(report) if report.sent > 0 || report.failed > 0 => tracing::info!(
                    due = report.due,
                    sent = report.sent,
                    messages = report.messages,
                    failed = report.failed,
                    "deadline reminders sent"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("deadline reminders not sent: {e}"),
            }
        }
    });
    true
}
