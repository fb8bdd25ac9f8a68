//! Timeline events, tasks, reports and inquiries.

use crate::audit::Actor;
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::{AnswerScript, CaseRecordStore};
use jiff::civil::Date;
use serde_json::json;
use todoke_core::{
    AttackTechnique, IncidentId, Inquiry, InquiryId, PartyId, Report, ReportId, ReportKind, Task, TaskId, TaskKind,
    TaskStatus, TimelineEvent, TimelineEventId, TimelineKind,
};

fn key_of<T>(text: &str, from_key: fn(&str) -> Option<T>) -> Result<T> {
    from_key(text).ok_or_else(|| StoreError::corrupt(format!("unknown value `{text}`")))
}

/// Whether a report filed on `submitted_on` met `due` (unknown while either is missing).
fn on_time(submitted_on: Option<Date>, due: Option<Date>) -> Option<bool> {
    Some(submitted_on? <= due?)
}

fn opt_date(row: &Row, i: usize) -> Result<Option<Date>> {
    row.opt_text(i)?.map(|t| t.parse().map_err(StoreError::corrupt)).transpose()
}

impl<D: Db> Store<D> {
    /// Inserts a timeline event in `tx` (no audit entry: the caller records the change).
    pub(crate) async fn insert_timeline_event(
        &self,
        tx: &mut D::Tx,
        incident: IncidentId,
        event: &TimelineEvent,
    ) -> Result<TimelineEventId> {
        let id = TimelineEventId(self.new_id());
        tx.execute(
            "insert into timeline_event (timeline_event_id, incident_id, at_utc, at, kind, text, source, technique, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                id.to_string().into(),
                incident.to_string().into(),
                event.at.at.to_string().into(),
                event.at.to_string().into(),
                event.kind.key().into(),
                event.text.clone().into(),
                event.source.clone().into(),
                event.technique.as_ref().map(|t| t.as_str().to_string()).into(),
                self.now().into(),
            ],
        )
        .await?;
        Ok(id)
    }

    /// Inserts a task in `tx` (no audit entry: the caller records the change).
    pub(crate) async fn insert_task(&self, tx: &mut D::Tx, incident: IncidentId, task: &Task) -> Result<TaskId> {
        let id = TaskId(self.new_id());
        let position = tx
            .fetch_one("select count(*) from task where incident_id = $1", &[incident.to_string().into()])
            .await?
            .int(0)?;
        let now = self.now();
        tx.execute(
            "insert into task (task_id, incident_id, position, kind, title, owner, due, status, evidence, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            &[
                id.to_string().into(),
                incident.to_string().into(),
                position.into(),
                task.kind.key().into(),
                task.title.clone().into(),
                task.owner.clone().into(),
                task.due.map(|d| d.to_string()).into(),
                task.status.key().into(),
                task.evidence.clone().into(),
                now.into(),
            ],
        )
        .await?;
        Ok(id)
    }

    async fn check_party(&self, tx: &mut D::Tx, incident: IncidentId, party: PartyId) -> Result<()> {
        tx.fetch_optional(
            "select 1 from party where party_id = $1 and incident_id = $2",
            &[party.to_string().into(), incident.to_string().into()],
        )
        .await?
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound(format!("party {party} of incident {incident}")))
    }
}

impl<D: Db> CaseRecordStore for Store<D> {
    async fn add_timeline_event(
        &self,
        actor: &Actor,
        incident: IncidentId,
        event: &TimelineEvent,
    ) -> Result<TimelineEventId> {
        let mut tx = self.db.begin_write().await?;
        let id = self.insert_timeline_event(&mut tx, incident, event).await?;
        self.audit(&mut tx, actor, "timeline.add", format!("timeline_event:{id}"), event).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn timeline(&self, incident: IncidentId) -> Result<Vec<(TimelineEventId, TimelineEvent)>> {
        read_timeline(&mut self.db.single().await?, incident).await
    }

    async fn add_task(&self, actor: &Actor, incident: IncidentId, task: &Task) -> Result<TaskId> {
        let mut tx = self.db.begin_write().await?;
        let id = self.insert_task(&mut tx, incident, task).await?;
        self.audit(&mut tx, actor, "task.add", format!("task:{id}"), task).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn tasks(&self, incident: IncidentId) -> Result<Vec<(TaskId, Task)>> {
        read_tasks(&mut self.db.single().await?, incident).await
    }

    async fn set_task_status(
        &self,
        actor: &Actor,
        task: TaskId,
        status: TaskStatus,
        evidence: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let changed = tx
            .execute(
                "update task set status = $1, evidence = coalesce($2, evidence), updated_at = $3 where task_id = $4",
                &[status.key().into(), evidence.into(), self.now().into(), task.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("task {task}")));
        }
        let change = json!({ "status": status, "evidence": evidence });
        self.audit(&mut tx, actor, "task.status", format!("task:{task}"), &change).await?;
        tx.commit().await
    }

    async fn add_report(&self, actor: &Actor, incident: IncidentId, report: &Report) -> Result<ReportId> {
        let id = ReportId(self.new_id());
        let mut tx = self.db.begin_write().await?;
        // Locks the party's row (PostgreSQL; SQLite write transactions are exclusive already), so
        // that two filings of one party are checked one after the other.
        let locked = tx
            .execute(
                "update party set position = position where party_id = $1 and incident_id = $2",
                &[report.party.to_string().into(), incident.to_string().into()],
            )
            .await?;
        if locked == 0 {
            return Err(StoreError::NotFound(format!("party {} of incident {incident}", report.party)));
        }
        // A filing is recorded once: the same filing again (a retry after a crash or a lost
        // answer, a form sent twice) is the one already recorded, not a second report.
        if let Some(submitted_on) = report.submitted_on {
            let same = tx
                .fetch_optional(
                    "select report_id from report where incident_id = $1 and party_id = $2 and kind = $3 \
                     and submitted_on = $4 and coalesce(receipt_number, '') = $5 and content = $6 \
                     order by report_id limit 1",
                    &[
                        incident.to_string().into(),
                        report.party.to_string().into(),
                        report.kind.key().into(),
                        submitted_on.to_string().into(),
                        report.receipt_number.clone().unwrap_or_default().into(),
                        report.content.clone().into(),
                    ],
                )
                .await?;
            if let Some(row) = same {
                return parse_id(&row.text(0)?);
            }
        }
        tx.execute(
            "insert into report (report_id, incident_id, party_id, kind, content, submitted_on, receipt_number, \
             created_at, due, on_time) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                id.to_string().into(),
                incident.to_string().into(),
                report.party.to_string().into(),
                report.kind.key().into(),
                report.content.clone().into(),
                report.submitted_on.map(|d| d.to_string()).into(),
                report.receipt_number.clone().into(),
                self.now().into(),
                report.due.map(|d| d.to_string()).into(),
                on_time(report.submitted_on, report.due).into(),
            ],
        )
        .await?;
        self.audit(&mut tx, actor, "report.add", format!("report:{id}"), report).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn submit_report(
        &self,
        actor: &Actor,
        report: ReportId,
        submitted_on: Date,
        receipt_number: Option<&str>,
        due: Option<Date>,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let Some(row) = tx
            .fetch_optional(
                "select due from report where report_id = $1 and submitted_on is null",
                &[report.to_string().into()],
            )
            .await?
        else {
            let exists =
                tx.fetch_optional("select 1 from report where report_id = $1", &[report.to_string().into()]).await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(format!("report {report} was already submitted and is frozen")),
                None => StoreError::NotFound(format!("report {report}")),
            });
        };
        let due = due.or(opt_date(&row, 0)?);
        let on_time = on_time(Some(submitted_on), due);
        tx.execute(
            "update report set submitted_on = $1, receipt_number = $2, due = $3, on_time = $4 \
             where report_id = $5 and submitted_on is null",
            &[
                submitted_on.to_string().into(),
                receipt_number.into(),
                due.map(|d| d.to_string()).into(),
                on_time.into(),
                report.to_string().into(),
            ],
        )
        .await?;
        let change =
            json!({ "submitted_on": submitted_on, "receipt_number": receipt_number, "due": due, "on_time": on_time });
        self.audit(&mut tx, actor, "report.submit", format!("report:{report}"), &change).await?;
        tx.commit().await
    }

    async fn reports(&self, incident: IncidentId) -> Result<Vec<(ReportId, Report)>> {
        read_reports(&mut self.db.single().await?, incident).await
    }

    async fn add_inquiry(&self, actor: &Actor, incident: IncidentId, inquiry: &Inquiry) -> Result<InquiryId> {
        let id = InquiryId(self.new_id());
        let mut tx = self.db.begin_write().await?;
        self.check_party(&mut tx, incident, inquiry.party).await?;
        let key = self.data_key(&mut tx, incident).await?;
        let sealed = Self::seal(&key, &format!("inquiry:{id}"), inquiry)?;
        tx.execute(
            "insert into inquiry (inquiry_id, incident_id, party_id, received_at_utc, channel, topic, sealed, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                id.to_string().into(),
                incident.to_string().into(),
                inquiry.party.to_string().into(),
                inquiry.received_at.at.to_string().into(),
                inquiry.channel.key().into(),
                inquiry.topic.clone().into(),
                sealed.clone().into(),
                self.now().into(),
            ],
        )
        .await?;
        self.audit(&mut tx, actor, "inquiry.add", format!("inquiry:{id}"), &hex::encode(&sealed)).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn inquiries(&self, incident: IncidentId) -> Result<Vec<(InquiryId, Inquiry)>> {
        let mut tx = self.db.begin_read().await?;
        let key = self.data_key(&mut tx, incident).await?;
        let rows = tx
            .fetch_all(
                "select inquiry_id, sealed from inquiry where incident_id = $1 order by received_at_utc, inquiry_id",
                &[incident.to_string().into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: InquiryId = parse_id(&r.text(0)?)?;
                Ok((id, Self::open_sealed(&key, &format!("inquiry:{id}"), &r.blob(1)?)?))
            })
            .collect()
    }

    async fn add_answer_script(&self, actor: &Actor, incident: IncidentId, topic: &str, body: &str) -> Result<i64> {
        let (topic, body) = (topic.trim(), body.trim());
        if topic.is_empty() || body.is_empty() {
            return Err(StoreError::Invalid("an answer script needs a topic and a body".into()));
        }
        // The write lock is held from the start: two writers cannot take the same version.
        let mut tx = self.db.begin_write().await?;
        let last = tx
            .fetch_one(
                "select coalesce(max(version), 0) from answer_script where incident_id = $1 and topic = $2",
                &[incident.to_string().into(), topic.into()],
            )
            .await?
            .int(0)?;
        let version = last + 1;
        let id = self.new_id();
        tx.execute(
            "insert into answer_script (answer_script_id, incident_id, topic, version, body, created_at) \
             values ($1, $2, $3, $4, $5, $6)",
            &[
                id.to_string().into(),
                incident.to_string().into(),
                topic.into(),
                version.into(),
                body.into(),
                self.now().into(),
            ],
        )
        .await?;
        let change = json!({ "topic": topic, "version": version, "body": body });
        self.audit(&mut tx, actor, "answer_script.add", format!("incident:{incident}"), &change).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn answer_scripts(&self, incident: IncidentId) -> Result<Vec<AnswerScript>> {
        let mut tx = self.db.single().await?;
        let rows = tx
            .fetch_all(
                "select topic, version, body, created_at from answer_script where incident_id = $1 \
                 order by topic, version",
                &[incident.to_string().into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AnswerScript { topic: r.text(0)?, version: r.int(1)?, body: r.text(2)?, created_at: r.text(3)? })
            })
            .collect()
    }
}

/// The timeline of an incident, read in `tx` (so that a case is read from one snapshot).
pub(crate) async fn read_timeline(
    tx: &mut impl Tx,
    incident: IncidentId,
) -> Result<Vec<(TimelineEventId, TimelineEvent)>> {
    let rows = tx
        .fetch_all(
            "select timeline_event_id, at, kind, text, source, technique from timeline_event \
             where incident_id = $1 order by at_utc, created_at, timeline_event_id",
            &[incident.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let technique = r.opt_text(5)?.map(AttackTechnique::try_from).transpose().map_err(StoreError::corrupt)?;
            Ok((
                parse_id(&r.text(0)?)?,
                TimelineEvent {
                    at: r.text(1)?.parse().map_err(StoreError::corrupt)?,
                    kind: key_of(&r.text(2)?, TimelineKind::from_key)?,
                    text: r.text(3)?,
                    source: r.opt_text(4)?,
                    technique,
                },
            ))
        })
        .collect()
}

/// An incident's reports, oldest first, read in `tx`.
pub(crate) async fn read_reports(tx: &mut impl Tx, incident: IncidentId) -> Result<Vec<(ReportId, Report)>> {
    let rows = tx
        .fetch_all(
            "select report_id, party_id, kind, content, submitted_on, receipt_number, due, on_time from report \
             where incident_id = $1 order by created_at, report_id",
            &[incident.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse_id(&r.text(0)?)?,
                Report {
                    party: parse_id(&r.text(1)?)?,
                    kind: key_of(&r.text(2)?, ReportKind::from_key)?,
                    content: r.text(3)?,
                    submitted_on: opt_date(r, 4)?,
                    receipt_number: r.opt_text(5)?,
                    due: opt_date(r, 6)?,
                    on_time: r.opt_int(7)?.map(|v| v != 0),
                },
            ))
        })
        .collect()
}

/// The tasks of an incident, read in `tx`.
pub(crate) async fn read_tasks(tx: &mut impl Tx, incident: IncidentId) -> Result<Vec<(TaskId, Task)>> {
    let rows = tx
        .fetch_all(
            "select task_id, kind, title, owner, due, status, evidence from task where incident_id = $1 order by position",
            &[incident.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse_id(&r.text(0)?)?,
                Task {
                    kind: key_of(&r.text(1)?, TaskKind::from_key)?,
                    title: r.text(2)?,
                    owner: r.opt_text(3)?,
                    due: opt_date(r, 4)?,
                    status: key_of(&r.text(5)?, TaskStatus::from_key)?,
                    evidence: r.opt_text(6)?,
                },
            ))
        })
        .collect()
}
