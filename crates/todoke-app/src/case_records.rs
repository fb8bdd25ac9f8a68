//! The working record of a case: timeline events (one by one or a checked batch), tasks and the
//! 再発防止策 register with their status and evidence, and report drafts that are later marked
//! submitted. Every change names the incident it belongs to, and a task or report of another
//! incident is "not found", so that a caller authorized for one case cannot touch another's.

use crate::AppError;
use todoke_core::{Date, IncidentId, Report, ReportId, ReportKind, Task, TaskId, TaskStatus, TimelineEvent};
use todoke_rules::{ObligationKind, Options, due_of};
use todoke_store::{Actor, AssessmentStore, CaseRecordStore, IncidentStore, StoreError};

/// Adds checked timeline events to an incident, in the order given; answers how many were added.
/// The caller checks every event first (a CSV import is refused whole when one row is bad).
pub async fn add_timeline_events<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    events: &[TimelineEvent],
) -> Result<usize, AppError>
where
    S: IncidentStore + CaseRecordStore + Sync,
{
    // The incident must exist before anything is written.
    store.incident(incident).await?;
    for event in events {
        store.add_timeline_event(actor, incident, event).await?;
    }
    Ok(events.len())
}

/// Adds a task or a recurrence-prevention measure.
pub async fn add_task<S>(store: &S, actor: &Actor, incident: IncidentId, task: &Task) -> Result<TaskId, AppError>
where
    S: CaseRecordStore + Sync,
{
    Ok(store.add_task(actor, incident, task).await?)
}

/// Moves a task of `incident` on, with the evidence for it; a task of another incident is not found.
pub async fn set_task_status<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    task: TaskId,
    status: TaskStatus,
    evidence: Option<&str>,
) -> Result<Task, AppError>
where
    S: CaseRecordStore + Sync,
{
    let mine = |tasks: Vec<(TaskId, Task)>| tasks.into_iter().find(|(id, _)| *id == task).map(|(_, t)| t);
    if mine(store.tasks(incident).await?).is_none() {
        return Err(StoreError::NotFound(format!("task {task}")).into());
    }
    store.set_task_status(actor, task, status, evidence).await?;
    mine(store.tasks(incident).await?).ok_or_else(|| StoreError::NotFound(format!("task {task}")).into())
}

fn obligation_of(kind: ReportKind) -> Option<ObligationKind> {
    match kind {
        ReportKind::Preliminary => Some(ObligationKind::PreliminaryReport),
        ReportKind::Final => Some(ObligationKind::FinalReport),
        // A follow-up (続報) has no deadline of its own.
        ReportKind::FollowUp => None,
    }
}

/// The due date of a party's report of `kind` under the assessment in force (recorded if new).
async fn due_now<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: &str,
    kind: ReportKind,
) -> Result<Option<Date>, AppError>
where
    S: IncidentStore + AssessmentStore + Sync,
{
    let outcome = crate::assess_stored(store, actor, incident, &Options::default()).await?;
    Ok(obligation_of(kind).and_then(|k| due_of(&outcome.assessment, party, k)))
}

/// Stores a draft report of `party` (not submitted): its content as drafted, and the due date of
/// the assessment in force.
pub async fn save_draft<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: &str,
    kind: ReportKind,
    content: &str,
) -> Result<(ReportId, Report), AppError>
where
    S: IncidentStore + AssessmentStore + CaseRecordStore + Sync,
{
    let stored_party = store
        .parties(incident)
        .await?
        .into_iter()
        .find(|p| p.party.name == party)
        .ok_or_else(|| AppError::NoSuchParty(party.to_string()))?;
    let due = due_now(store, actor, incident, party, kind).await?;
    let report = Report {
        party: stored_party.id,
        kind,
        content: content.to_string(),
        submitted_on: None,
        receipt_number: None,
        due,
        on_time: None,
    };
    let id = store.add_report(actor, incident, &report).await?;
    Ok((id, report))
}

/// Marks a draft of `incident` submitted with its receipt number; whether it met the deadline in
/// force now is frozen with it. A report of another incident is not found; a submitted one is a
/// conflict.
pub async fn submit_draft<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    report: ReportId,
    submitted_on: Date,
    receipt_number: Option<&str>,
) -> Result<Report, AppError>
where
    S: IncidentStore + AssessmentStore + CaseRecordStore + Sync,
{
    let find = |reports: Vec<(ReportId, Report)>| reports.into_iter().find(|(id, _)| *id == report).map(|(_, r)| r);
    let draft = find(store.reports(incident).await?).ok_or_else(|| StoreError::NotFound(format!("report {report}")))?;
    if draft.submitted_on.is_some() {
        return Err(StoreError::Conflict(format!("report {report} was already submitted and is frozen")).into());
    }
    let party = store
        .parties(incident)
        .await?
        .into_iter()
        .find(|p| p.id == draft.party)
        .ok_or_else(|| StoreError::NotFound(format!("party of report {report}")))?;
    let due = due_now(store, actor, incident, &party.party.name, draft.kind).await?.or(draft.due);
    store.submit_report(actor, report, submitted_on, receipt_number, due).await?;
    find(store.reports(incident).await?).ok_or_else(|| AppError::Stored("the submitted report was not found".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_core::{TaskKind, TimelineKind};
    use todoke_store::testkit::{actor, sample_incident, sqlite_store};

    #[tokio::test]
    async fn tasks_and_reports_stay_in_their_incident() {
        let (store, _dir) = sqlite_store().await;
        let facts = sample_incident();
        let id = store.create_incident(&actor(), &facts).await.unwrap();
        let other = store.create_incident(&actor(), &facts).await.unwrap();

        let event = TimelineEvent {
            at: "2024-01-30T09:00:00+09:00".parse().unwrap(),
            kind: TimelineKind::Report,
            text: "速報を提出".into(),
            source: None,
            technique: None,
        };
        let before = store.timeline(id).await.unwrap().len();
        assert_eq!(add_timeline_events(&store, &actor(), id, &[event.clone(), event]).await.unwrap(), 2);
        assert_eq!(store.timeline(id).await.unwrap().len(), before + 2);

        let task = Task {
            kind: TaskKind::Prevention,
            title: "VPN機器の更新".into(),
            owner: None,
            due: None,
            status: TaskStatus::Open,
            evidence: None,
        };
        let task_id = add_task(&store, &actor(), id, &task).await.unwrap();
        let moved = set_task_status(&store, &actor(), id, task_id, TaskStatus::Done, Some("更新記録 2024-03-01"))
            .await
            .unwrap();
        assert_eq!((moved.status, moved.evidence.as_deref()), (TaskStatus::Done, Some("更新記録 2024-03-01")));
        let wrong = set_task_status(&store, &actor(), other, task_id, TaskStatus::Open, None).await;
        assert!(matches!(wrong, Err(AppError::Store(StoreError::NotFound(_)))), "{wrong:?}");

        let party = facts.parties[0].name.clone();
        let (draft, saved) = save_draft(&store, &actor(), id, &party, ReportKind::Final, "# 下書き").await.unwrap();
        assert!(saved.submitted_on.is_none() && saved.due.is_some());
        let wrong = submit_draft(&store, &actor(), other, draft, "2024-02-01".parse().unwrap(), None).await;
        assert!(matches!(wrong, Err(AppError::Store(StoreError::NotFound(_)))), "{wrong:?}");
        let done =
            submit_draft(&store, &actor(), id, draft, "2024-02-01".parse().unwrap(), Some("R6-1")).await.unwrap();
        assert_eq!((done.on_time, done.receipt_number.as_deref()), (Some(true), Some("R6-1")));
        assert_eq!(done.content, "# 下書き", "the content is kept as drafted");
        let again = submit_draft(&store, &actor(), id, draft, "2024-02-02".parse().unwrap(), None).await;
        assert!(matches!(again, Err(AppError::Store(StoreError::Conflict(_)))), "frozen: {again:?}");
        assert!(matches!(
            save_draft(&store, &actor(), id, "どこか", ReportKind::Final, "").await,
            Err(AppError::NoSuchParty(_))
        ));
    }
}
