//! A party's letters as PDF, printed in the background (本人通知の印刷).
//!
//! [`start_letters`] fixes the job: the post notices waiting to go (planned ones, and re-mailed
//! ones, which go to their corrected address), in notice order, and the letter's text as of today.
//! [`print_letters`] then prints it batch by batch; each batch's PDF is sealed and committed with
//! the job's progress, so a job cut short (a restart, a kill) resumes at its first missing batch
//! and is never printed twice. A batch is a PDF of its own, which is also what print vendors take.

use super::handoff::letter_recipient;
use crate::AppError;
use jiff::civil::Date;
use std::sync::Arc;
use todoke_core::{Incident, IncidentId, NoticeChannel, NotificationStatus};
use todoke_docs::{Case, DocKind, Fonts, Profile, Templates};
use todoke_store::{Actor, LetterJob, LetterJobState, LetterStore, NotificationStore, ReturnStore, StoredParty};
use uuid::Uuid;

/// Letters a batch: a PDF of a few megabytes that prints in seconds, and little work lost to a kill.
pub const LETTER_BATCH: u64 = 500;

/// The letter's Markdown for `party`, the same for every recipient (the address block is set on
/// each page apart from it).
pub fn letter_body(
    incident: &Incident,
    party: &str,
    profile: &Profile,
    templates: &Templates,
    today: Date,
) -> Result<String, AppError> {
    let case = Case { incident, assessment: None, party, profile, today, edition: 1, counts: None, recipient: None };
    todoke_docs::render_markdown(DocKind::NoticeLetter, &case, templates)
        .map_err(|e| AppError::Campaign(format!("cannot write the notice letter: {e}")))
}

/// A new job printing `party`'s letters waiting to go, `batch_size` a batch, with `body`.
pub async fn start_letters<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: &StoredParty,
    body: &str,
    batch_size: u64,
) -> Result<Uuid, AppError>
where
    S: NotificationStore + LetterStore + Sync,
{
    let waiting: Vec<_> = store
        .notifications(incident, Some(party.id), Some(NoticeChannel::Post))
        .await?
        .into_iter()
        .filter(|n| matches!(n.status, NotificationStatus::Pending | NotificationStatus::Remailed))
        .map(|n| n.id)
        .collect();
    if waiting.is_empty() {
        return Err(AppError::Invalid(format!(
            "party: `{}` has no letters waiting to go (plan its notices first)",
            party.party.name
        )));
    }
    Ok(store.create_letter_job(actor, incident, party.id, &waiting, batch_size, body).await?)
}

/// Prints the job's missing batches, calling `progress` after each; the job as it ends. A failure
/// is kept on the job (without personal data) and returned; resuming prints only what is missing.
pub async fn print_letters<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    job: Uuid,
    fonts: Arc<Fonts>,
    progress: &(dyn Fn(&LetterJob) + Sync),
) -> Result<LetterJob, AppError>
where
    S: NotificationStore + ReturnStore + LetterStore + Sync,
{
    match print_batches(store, actor, incident, job, fonts, progress).await {
        Ok(done) => Ok(done),
        Err(e) => {
            store.fail_letter_job(actor, incident, job, &e.to_string()).await?;
            Err(e)
        }
    }
}

async fn print_batches<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    job: Uuid,
    fonts: Arc<Fonts>,
    progress: &(dyn Fn(&LetterJob) + Sync),
) -> Result<LetterJob, AppError>
where
    S: NotificationStore + ReturnStore + LetterStore + Sync,
{
    loop {
        let current = store.letter_job(incident, job).await?;
        progress(&current);
        if current.state != LetterJobState::Running {
            return Ok(current);
        }
        let batch = current.batches;
        let notices = store.letter_batch_notices(incident, job, batch).await?;
        let mut recipients = Vec::with_capacity(notices.len());
        for notice in &notices {
            recipients.push(letter_recipient(store, incident, *notice).await?);
        }
        let body = current.body;
        let fonts = fonts.clone();
        // Typesetting is CPU work (on every core): off the async workers.
        let pdf = tokio::task::spawn_blocking(move || {
            todoke_docs::letters_pdf(recipients.iter().map(|r| (r, body.as_str())), &fonts)
        })
        .await
        .map_err(|e| AppError::Campaign(format!("printing stopped: {e}")))?
        .map_err(|e| AppError::Campaign(format!("cannot print the letters: {e}")))?;
        // False: another worker printed this batch first; the next turn reads where it stands.
        store.add_letter_batch(actor, incident, job, batch, notices.len() as u64, &pdf).await?;
    }
}
