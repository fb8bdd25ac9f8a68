//! A party's letters as PDF from the campaign page: a job printed in the background, batch by
//! batch (`todoke_app::campaign::print_letters`), its progress read from the store on each visit,
//! each printed batch a download of its own. Jobs left running by a stop resume when the server
//! starts again ([`resume_letter_jobs`]). Only who files for the party starts, resumes or downloads
//! them: the PDFs hold names and addresses, and every download is audited.

use crate::error::WebError;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::load_desk_case;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use todoke_app::campaign;
use todoke_core::{IncidentId, IncidentRecord};
use todoke_docs::Fonts;
use todoke_store::{Actor, Db, LetterJob, LetterJobState, LetterStore, StoredParty};
use uuid::Uuid;

/// The jobs this server is printing now: one worker per job.
#[derive(Debug, Default)]
pub struct Printing(Mutex<HashSet<Uuid>>);

impl Printing {
    /// Claims `job` for a worker; false when one has it already.
    fn claim(&self, job: Uuid) -> bool {
        self.0.lock().is_ok_and(|mut jobs| jobs.insert(job))
    }

    fn release(&self, job: Uuid) {
        if let Ok(mut jobs) = self.0.lock() {
            jobs.remove(&job);
        }
    }
}

/// The fonts letters (and other PDFs) are set in, or why there are none.
pub(crate) fn fonts<D: Db>(state: &AppState<D>) -> Result<Arc<Fonts>, WebError> {
    state.fonts.clone().ok_or_else(|| {
        WebError::Invalid(
            "fonts: this server found no fonts for PDF (apt-get install fonts-ipaexfont-mincho fonts-ipaexfont-gothic)"
                .into(),
        )
    })
}

/// Prints `job` in the background unless a worker of this server prints it already.
fn spawn_printing<D: Db>(state: &AppState<D>, actor: Actor, incident: IncidentId, job: Uuid) -> Result<(), WebError> {
    let fonts = fonts(state)?;
    if !state.printing.claim(job) {
        return Ok(());
    }
    let store = state.store.clone();
    let printing = state.printing.clone();
    tokio::spawn(async move {
        if let Err(e) = campaign::print_letters(&store, &actor, incident, job, fonts, &|_| {}).await {
            // The store errors and typesetting errors carry no personal data.
            tracing::error!(%job, "letters stopped: {e}");
        }
        printing.release(job);
    });
    Ok(())
}

/// Resumes every job a stop left running (called once when the server starts). A server without
/// fonts resumes none: they wait, still running, for one that has them.
pub async fn resume_letter_jobs<D: Db>(state: &AppState<D>) -> Result<usize, WebError> {
    if state.fonts.is_none() {
        return Ok(0);
    }
    let running = state.store.running_letter_jobs().await?;
    for (incident, job) in &running {
        spawn_printing(state, Actor::system(), *incident, *job)?;
    }
    Ok(running.len())
}

/// A job of the case whose party the viewer files for.
async fn filed_job<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    job: &str,
) -> Result<(IncidentRecord, LetterJob), WebError> {
    let (record, parties) = load_desk_case(state, viewer, id).await?;
    let job: Uuid = job.parse().map_err(|_| WebError::NotFound)?;
    let found = match state.store.letter_job(record.id, job).await {
        Ok(found) => found,
        Err(todoke_store::StoreError::NotFound(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    crate::campaign::filed_among(viewer, &record, &parties, |p| p.id == found.party)?;
    Ok((record, found))
}

/// Starts printing the party's letters waiting to go; back to the campaign page.
pub async fn start<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<crate::campaign::StartForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, party) =
        crate::campaign::filed_party(&state, &viewer, &id, |p| p.party.name == form.party.trim()).await?;
    // Said before a job is made that no worker could print.
    fonts(&state)?;
    let body = campaign::letter_body(
        &record.facts,
        &party.party.name,
        &state.org.profile,
        &state.org.templates,
        state.today(),
    )?;
    let actor = viewer.actor();
    let job = campaign::start_letters(&state.store, &actor, record.id, &party, &body, campaign::LETTER_BATCH).await?;
    spawn_printing(&state, actor, record.id, job)?;
    Ok(Redirect::to(&format!("/cases/{id}/campaign#letters")).into_response())
}

/// The resume form.
#[derive(Deserialize)]
pub struct ResumeForm {
    csrf: String,
}

/// Resumes a failed job, or one whose worker is gone; back to the campaign page.
pub async fn resume<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, job)): Path<(String, String)>,
    Form(form): Form<ResumeForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let (record, found) = filed_job(&state, &viewer, &id, &job).await?;
    state.store.resume_letter_job(&viewer.actor(), record.id, found.id).await?;
    spawn_printing(&state, viewer.actor(), record.id, found.id)?;
    Ok(Redirect::to(&format!("/cases/{id}/campaign#letters")).into_response())
}

/// One printed batch as a PDF download.
pub async fn download<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path((id, job, batch)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (record, found) = filed_job(&state, &viewer, &id, &job).await?;
    let batch: u64 = batch.strip_suffix(".pdf").and_then(|b| b.parse().ok()).ok_or(WebError::NotFound)?;
    if batch >= found.batches {
        return Err(WebError::NotFound);
    }
    let pdf = state.store.letter_batch_pdf(&viewer.actor(), record.id, found.id, batch).await?;
    let name = format!("letters-{}-{:03}.pdf", found.created_at.get(..10).unwrap_or("job"), batch + 1);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        pdf,
    )
        .into_response())
}

/// A job as the campaign page lists it.
pub struct JobView {
    /// Its id.
    pub id: String,
    /// running, done or failed.
    pub state: &'static str,
    /// The i18n key of its state.
    pub state_label: &'static str,
    /// Letters printed.
    pub printed: u64,
    /// Letters in all.
    pub total: u64,
    /// The printed batches' numbers (from 0) with their first and last letter (from 1).
    pub batches: Vec<(u64, u64, u64)>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was started.
    pub created_at: String,
    /// Printing now, in this server.
    pub printing: bool,
}

/// The party's jobs, newest first.
pub async fn jobs<D: Db>(
    state: &AppState<D>,
    incident: IncidentId,
    party: &StoredParty,
) -> Result<Vec<JobView>, WebError> {
    let jobs = state.store.letter_jobs(incident, Some(party.id)).await?;
    let printing: HashSet<Uuid> = state.printing.0.lock().map(|j| j.clone()).unwrap_or_default();
    Ok(jobs
        .into_iter()
        .map(|j| JobView {
            id: j.id.to_string(),
            state: j.state.key(),
            state_label: match j.state {
                LetterJobState::Running => "campaign.letters_state.running",
                LetterJobState::Done => "campaign.letters_state.done",
                LetterJobState::Failed => "campaign.letters_state.failed",
            },
            printed: j.printed,
            total: j.total,
            batches: (0..j.batches).map(|b| (b, b * j.batch_size + 1, ((b + 1) * j.batch_size).min(j.total))).collect(),
            error: j.error.clone(),
            created_at: j.created_at.clone(),
            printing: printing.contains(&j.id),
        })
        .collect())
}
