//! Letter jobs: a party's letters printed in the background, batch by batch (migration
//! 0011_letter_job). A job fixes its notices, their order and the letter body when it is created;
//! each printed batch is sealed under the incident's data key and committed together with the
//! job's progress, so that a job cut short resumes at its first missing batch.

use crate::audit::Actor;
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use serde_json::json;
use std::future::Future;
use todoke_core::{IncidentId, NotificationId, PartyId};
use uuid::Uuid;

/// Where a letter job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterJobState {
    /// Batches remain to be printed.
    Running,
    /// Every batch is printed.
    Done,
    /// Printing stopped on an error; it can be resumed.
    Failed,
}

impl LetterJobState {
    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "running" => Ok(Self::Running),
            "done" => Ok(Self::Done),
            "failed" => Ok(Self::Failed),
            other => Err(StoreError::corrupt(format!("letter job state `{other}`"))),
        }
    }
}

/// A letter job. Nothing personal: the body is the letter's text without any recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LetterJob {
    /// Its id.
    pub id: Uuid,
    /// The party whose letters these are.
    pub party: PartyId,
    /// Where it stands.
    pub state: LetterJobState,
    /// How many letters it prints.
    pub total: u64,
    /// Letters per batch (the last batch may hold fewer).
    pub batch_size: u64,
    /// Letters printed so far.
    pub printed: u64,
    /// Batches printed so far (batch `n` holds letters `n * batch_size ..`).
    pub batches: u64,
    /// The letter's Markdown, the same for every recipient.
    pub body: String,
    /// Why printing stopped, when it failed (no personal data).
    pub error: Option<String>,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

impl LetterJob {
    /// How many batches the whole job makes.
    pub fn batch_count(&self) -> u64 {
        self.total.div_ceil(self.batch_size.max(1))
    }
}

/// Letter jobs and their sealed batches. Creating, printing a batch, failing and downloading are
/// audited, by count and never by name.
pub trait LetterStore {
    /// A new running job printing `notices` (of `incident` and `party`, in this order) with
    /// `body`, `batch_size` letters a batch.
    fn create_letter_job(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        notices: &[NotificationId],
        batch_size: u64,
        body: &str,
    ) -> impl Future<Output = Result<Uuid>> + Send;

    /// The jobs of an incident (of one party, when given), newest first.
    fn letter_jobs(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> impl Future<Output = Result<Vec<LetterJob>>> + Send;

    /// One job.
    fn letter_job(&self, incident: IncidentId, job: Uuid) -> impl Future<Output = Result<LetterJob>> + Send;

    /// The notices of batch `batch`, in the job's order.
    fn letter_batch_notices(
        &self,
        incident: IncidentId,
        job: Uuid,
        batch: u64,
    ) -> impl Future<Output = Result<Vec<NotificationId>>> + Send;

    /// Keeps batch `batch`'s PDF (sealed) and counts its letters as printed, together; the job is
    /// done with its last batch. False, and nothing kept, when the job is not running or the
    /// batch is not the next one (another worker printed it first).
    fn add_letter_batch(
        &self,
        actor: &Actor,
        incident: IncidentId,
        job: Uuid,
        batch: u64,
        letters: u64,
        pdf: &[u8],
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Marks a running job failed with `error` (no personal data).
    fn fail_letter_job(
        &self,
        actor: &Actor,
        incident: IncidentId,
        job: Uuid,
        error: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Marks a failed job running again; false when it was not failed.
    fn resume_letter_job(
        &self,
        actor: &Actor,
        incident: IncidentId,
        job: Uuid,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The PDF of a printed batch, opened; the download is audited.
    fn letter_batch_pdf(
        &self,
        actor: &Actor,
        incident: IncidentId,
        job: Uuid,
        batch: u64,
    ) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Every running job of every incident not erased, to resume when the server starts.
    fn running_letter_jobs(&self) -> impl Future<Output = Result<Vec<(IncidentId, Uuid)>>> + Send;
}

/// The columns [`job_of`] reads, in its order (a macro, so that queries stay constant text).
macro_rules! job_columns {
    () => {
        "letter_job_id, party_id, state, total, batch_size, printed, batches, body, error, created_at, updated_at"
    };
}

fn count(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(StoreError::corrupt)
}

fn int(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(StoreError::corrupt)
}

fn job_of(r: &Row) -> Result<LetterJob> {
    Ok(LetterJob {
        id: parse_id(&r.text(0)?)?,
        party: parse_id(&r.text(1)?)?,
        state: LetterJobState::parse(&r.text(2)?)?,
        total: count(r.int(3)?)?,
        batch_size: count(r.int(4)?)?,
        printed: count(r.int(5)?)?,
        batches: count(r.int(6)?)?,
        body: r.text(7)?,
        error: r.opt_text(8)?,
        created_at: r.text(9)?,
        updated_at: r.text(10)?,
    })
}

fn batch_context(job: Uuid, batch: u64) -> String {
    format!("letter_batch:{job}:{batch}")
}

impl<D: Db> Store<D> {
    async fn read_letter_job(tx: &mut D::Tx, incident: IncidentId, job: Uuid) -> Result<LetterJob> {
        let row = tx
            .fetch_optional(
                concat!("select ", job_columns!(), " from letter_job where letter_job_id = $1 and incident_id = $2"),
                &[job.to_string().into(), incident.to_string().into()],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("letter job {job} of incident {incident}")))?;
        job_of(&row)
    }
}

impl<D: Db> LetterStore for Store<D> {
    async fn create_letter_job(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        notices: &[NotificationId],
        batch_size: u64,
        body: &str,
    ) -> Result<Uuid> {
        if batch_size == 0 {
            return Err(StoreError::Invalid("a letter job needs at least one letter a batch".into()));
        }
        let mut tx = self.db.begin_write().await?;
        let id = self.new_id();
        let now = self.now();
        // Selecting from party checks that the party is of this incident.
        let inserted = tx
            .execute(
                "insert into letter_job (letter_job_id, incident_id, party_id, state, total, batch_size, printed, \
                 batches, body, error, created_at, updated_at) \
                 select $1, incident_id, party_id, 'running', $2, $3, 0, 0, $4, null, $5, $5 from party \
                 where party_id = $6 and incident_id = $7",
                &[
                    id.to_string().into(),
                    int(notices.len() as u64)?.into(),
                    int(batch_size)?.into(),
                    body.to_string().into(),
                    now.into(),
                    party.to_string().into(),
                    incident.to_string().into(),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::NotFound(format!("party {party} of incident {incident}")));
        }
        for (seq, notice) in notices.iter().enumerate() {
            // Selecting from notification checks that each notice is the party's.
            let inserted = tx
                .execute(
                    "insert into letter_job_item (letter_job_id, seq, notification_id) \
                     select $1, $2, notification_id from notification \
                     where notification_id = $3 and incident_id = $4 and party_id = $5",
                    &[
                        id.to_string().into(),
                        int(seq as u64)?.into(),
                        notice.to_string().into(),
                        incident.to_string().into(),
                        party.to_string().into(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(StoreError::NotFound(format!("notification {notice} of party {party}")));
            }
        }
        let detail = json!({ "party": party, "letters": notices.len(), "batch_size": batch_size });
        self.audit(&mut tx, actor, "letters.job.create", format!("letter_job:{id}"), &detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn letter_jobs(&self, incident: IncidentId, party: Option<PartyId>) -> Result<Vec<LetterJob>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                concat!(
                    "select ",
                    job_columns!(),
                    " from letter_job where incident_id = $1 and ($2 is null or party_id = $2) \
                     order by created_at desc, letter_job_id desc"
                ),
                &[incident.to_string().into(), party.map(|p| p.to_string()).into()],
            )
            .await?;
        rows.iter().map(job_of).collect()
    }

    async fn letter_job(&self, incident: IncidentId, job: Uuid) -> Result<LetterJob> {
        let mut tx = self.db.begin_read().await?;
        Self::read_letter_job(&mut tx, incident, job).await
    }

    async fn letter_batch_notices(&self, incident: IncidentId, job: Uuid, batch: u64) -> Result<Vec<NotificationId>> {
        let mut tx = self.db.begin_read().await?;
        let found = Self::read_letter_job(&mut tx, incident, job).await?;
        let first = batch.saturating_mul(found.batch_size);
        let rows = tx
            .fetch_all(
                "select notification_id from letter_job_item where letter_job_id = $1 and seq >= $2 and seq < $3 \
                 order by seq",
                &[job.to_string().into(), int(first)?.into(), int(first.saturating_add(found.batch_size))?.into()],
            )
            .await?;
        rows.iter().map(|r| parse_id(&r.text(0)?)).collect()
    }

    async fn add_letter_batch(
        &self,
        actor: &Actor,
        incident: IncidentId,
        job: Uuid,
        batch: u64,
        letters: u64,
        pdf: &[u8],
    ) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let found = Self::read_letter_job(&mut tx, incident, job).await?;
        if found.state != LetterJobState::Running || found.batches != batch {
            return Ok(false);
        }
        let printed = found.printed.saturating_add(letters);
        let state = if printed >= found.total { LetterJobState::Done } else { LetterJobState::Running };
        let now = self.now();
        // Compare and set on the batch count: of two workers printing the same batch, one keeps it.
        let moved = tx
            .execute(
                "update letter_job set printed = $1, batches = $2, state = $3, updated_at = $4 \
                 where letter_job_id = $5 and batches = $6 and state = 'running'",
                &[
                    int(printed)?.into(),
                    int(batch + 1)?.into(),
                    state.key().into(),
                    now.clone().into(),
                    job.to_string().into(),
                    int(batch)?.into(),
                ],
            )
            .await?;
        if moved == 0 {
            return Ok(false);
        }
        let key = self.data_key(&mut tx, incident).await?;
        let sealed = key.seal(&batch_context(job, batch), pdf);
        tx.execute(
            "insert into letter_batch (letter_job_id, batch, letters, sealed, created_at) values ($1, $2, $3, $4, $5)",
            &[job.to_string().into(), int(batch)?.into(), int(letters)?.into(), sealed.into(), now.into()],
        )
        .await?;
        let detail = json!({ "batch": batch, "letters": letters, "state": state });
        self.audit(&mut tx, actor, "letters.batch", format!("letter_job:{job}"), &detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn fail_letter_job(&self, actor: &Actor, incident: IncidentId, job: Uuid, error: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let moved = tx
            .execute(
                "update letter_job set state = 'failed', error = $1, updated_at = $2 \
                 where letter_job_id = $3 and incident_id = $4 and state = 'running'",
                &[error.to_string().into(), self.now().into(), job.to_string().into(), incident.to_string().into()],
            )
            .await?;
        if moved > 0 {
            self.audit(&mut tx, actor, "letters.job.fail", format!("letter_job:{job}"), &json!({ "error": error }))
                .await?;
        }
        tx.commit().await
    }

    async fn resume_letter_job(&self, actor: &Actor, incident: IncidentId, job: Uuid) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let moved = tx
            .execute(
                "update letter_job set state = 'running', error = null, updated_at = $1 \
                 where letter_job_id = $2 and incident_id = $3 and state = 'failed'",
                &[self.now().into(), job.to_string().into(), incident.to_string().into()],
            )
            .await?;
        if moved == 0 {
            return Ok(false);
        }
        self.audit(&mut tx, actor, "letters.job.resume", format!("letter_job:{job}"), &json!({})).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn letter_batch_pdf(&self, actor: &Actor, incident: IncidentId, job: Uuid, batch: u64) -> Result<Vec<u8>> {
        let mut tx = self.db.begin_write().await?;
        let row = tx
            .fetch_optional(
                "select b.letters, b.sealed from letter_batch b join letter_job j on j.letter_job_id = b.letter_job_id \
                 where b.letter_job_id = $1 and b.batch = $2 and j.incident_id = $3",
                &[job.to_string().into(), int(batch)?.into(), incident.to_string().into()],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("batch {batch} of letter job {job}")))?;
        let key = self.data_key(&mut tx, incident).await?;
        let pdf = key.open(&batch_context(job, batch), &row.blob(1)?)?;
        // Who took the names and addresses out, and how many.
        let detail = json!({ "batch": batch, "letters": row.int(0)? });
        self.audit(&mut tx, actor, "letters.download", format!("letter_job:{job}"), &detail).await?;
        tx.commit().await?;
        Ok(pdf)
    }

    async fn running_letter_jobs(&self) -> Result<Vec<(IncidentId, Uuid)>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                "select j.incident_id, j.letter_job_id from letter_job j join incident i on i.incident_id = j.incident_id \
                 where j.state = 'running' and i.erased_at is null order by j.created_at",
                &[],
            )
            .await?;
        rows.iter().map(|r| Ok((parse_id(&r.text(0)?)?, parse_id(&r.text(1)?)?))).collect()
    }
}
