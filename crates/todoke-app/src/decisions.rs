//! Decisions are records: every assessment of a stored incident is kept with the facts it was made
//! from; a change of facts re-assesses and says what changed; a filed report freezes whether it was
//! on time against the deadline of the assessment in force.

use todoke_core::{Date, Incident, IncidentId, Report, ReportId, ReportKind};
use todoke_rules::{Assessment, ObligationKind, Options, Packs, assess, changes, due_of};
use todoke_store::{Actor, AssessmentStore, CaseRecordStore, IncidentStore, StoreError};

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The rules could not assess the facts.
    #[error(transparent)]
    Assess(#[from] todoke_rules::AssessError),
    /// A rule pack is broken.
    #[error(transparent)]
    Packs(#[from] todoke_rules::PackError),
    /// A party named by the user is not in the incident.
    #[error("no party named `{0}` in this incident")]
    NoSuchParty(String),
    /// A user named by the user does not exist.
    #[error("no user with the login `{0}`")]
    NoSuchUser(String),
    /// A stored assessment could not be read back.
    #[error("stored assessment is malformed: {0}")]
    Stored(String),
    /// The casebook's search index failed.
    #[error(transparent)]
    Search(#[from] todoke_casebook::SearchError),
    /// A correction of a casebook notice was refused.
    #[error(transparent)]
    Correction(#[from] todoke_casebook::CorrectionError),
    /// No casebook notice has this id.
    #[error("no notice `{0}` in the casebook")]
    NoSuchNotice(String),
    /// An input was refused: the message names the field and what was expected.
    #[error("{0}")]
    Invalid(String),
    /// A notice campaign could not be planned or its notice written (no personal data in it).
    #[error("notice campaign: {0}")]
    Campaign(String),
}

/// An assessment of a stored incident and what changed since the previous one.
#[derive(Debug, Clone)]
pub struct AssessOutcome {
    /// The assessment, measured against the requested day.
    pub assessment: Assessment,
    /// What changed since the previous recorded assessment (empty for the first or when nothing did).
    pub changes: Vec<String>,
    /// When the previous assessment was recorded.
    pub previous_at: Option<String>,
    /// Whether this assessment was recorded (it is, unless identical to the previous one).
    pub recorded: bool,
}

/// Stored assessments are canonical: Japanese text, not measured against any day.
fn canonical(facts: &Incident) -> Result<Assessment, AppError> {
    Ok(assess(facts, &Packs::embedded()?, &Options::default())?)
}

/// Assesses a stored incident, records the assessment if facts or result changed, and says what
/// changed since the previous one.
pub async fn assess_stored<S>(
    store: &S,
    actor: &Actor,
    id: IncidentId,
    options: &Options,
) -> Result<AssessOutcome, AppError>
where
    S: IncidentStore + AssessmentStore + Sync,
{
    let record = store.incident(id).await?;
    let stored = canonical(&record.facts)?;
    let inputs = serde_json::to_string(&record.facts).map_err(|e| AppError::Stored(e.to_string()))?;
    let result = serde_json::to_string(&stored).map_err(|e| AppError::Stored(e.to_string()))?;
    let previous = store.assessments(id).await?.pop();
    let (changes, previous_at, same) = match &previous {
        Some(p) => {
            let before: Assessment = serde_json::from_str(&p.result).map_err(|e| AppError::Stored(e.to_string()))?;
            (changes(&before, &stored, options.japanese), Some(p.at.clone()), p.inputs == inputs && p.result == result)
        }
        None => (Vec::new(), None, false),
    };
    if !same {
        store.record_assessment(actor, id, &inputs, &result).await?;
    }
    let assessment = assess(&record.facts, &Packs::embedded()?, options)?;
    Ok(AssessOutcome { assessment, changes, previous_at, recorded: !same })
}

/// Replaces an incident's facts and re-assesses it.
pub async fn update_facts<S>(
    store: &S,
    actor: &Actor,
    id: IncidentId,
    facts: &Incident,
    options: &Options,
) -> Result<AssessOutcome, AppError>
where
    S: IncidentStore + AssessmentStore + Sync,
{
    // Record the assessment in force before the change, so the change is measured against it.
    if store.assessments(id).await?.is_empty() {
        assess_stored(store, actor, id, options).await?;
    }
    store.update_incident(actor, id, facts).await?;
    assess_stored(store, actor, id, options).await
}

fn obligation_of(kind: ReportKind) -> ObligationKind {
    match kind {
        ReportKind::Preliminary => ObligationKind::PreliminaryReport,
        ReportKind::Final | ReportKind::FollowUp => ObligationKind::FinalReport,
    }
}

/// A report as filed with the PPC.
#[derive(Debug, Clone)]
pub struct Filing<'a> {
    /// The reporting party's name.
    pub party: &'a str,
    /// 速報, 確報 or 続報.
    pub kind: ReportKind,
    /// The day it was submitted.
    pub submitted_on: Date,
    /// The PPC's receipt number.
    pub receipt_number: Option<&'a str>,
    /// What was reported.
    pub content: &'a str,
}

/// Records a filed report: its due date comes from the current assessment, and whether it was on
/// time is frozen with it.
pub async fn file_report<S>(
    store: &S,
    actor: &Actor,
    id: IncidentId,
    filing: &Filing<'_>,
) -> Result<(ReportId, Report), AppError>
where
    S: IncidentStore + AssessmentStore + CaseRecordStore + Sync,
{
    let Filing { party: party_name, kind, submitted_on, receipt_number, content } = *filing;
    let party = store
        .parties(id)
        .await?
        .into_iter()
        .find(|p| p.party.name == party_name)
        .ok_or_else(|| AppError::NoSuchParty(party_name.to_string()))?;
    let outcome = assess_stored(store, actor, id, &Options::default()).await?;
    // A follow-up (続報) has no deadline of its own.
    let due =
        (kind != ReportKind::FollowUp).then(|| due_of(&outcome.assessment, party_name, obligation_of(kind))).flatten();
    let report = Report {
        party: party.id,
        kind,
        content: content.to_string(),
        submitted_on: Some(submitted_on),
        receipt_number: receipt_number.map(str::to_string),
        due,
        on_time: None,
    };
    let report_id = store.add_report(actor, id, &report).await?;
    let stored = store
        .reports(id)
        .await?
        .into_iter()
        .find(|(r, _)| *r == report_id)
        .map(|(_, r)| r)
        .ok_or_else(|| AppError::Stored("the filed report was not found".into()))?;
    Ok((report_id, stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_store::testkit::{actor, sample_incident, sqlite_store};

    #[tokio::test]
    async fn decisions_are_recorded_and_changes_shown() {
        let (store, _dir) = sqlite_store().await;
        let mut facts = sample_incident();
        facts.cause = todoke_core::Cause::Bug;
        facts.data_items.retain(|d| d.name == "氏名");
        facts.persons = Some(900);
        facts.parties.truncate(1);
        facts.parties[0].joint_report_with.clear();
        let id = store.create_incident(&actor(), &facts).await.unwrap();

        let first = assess_stored(&store, &actor(), id, &Options::default()).await.unwrap();
        assert!(first.recorded && first.changes.is_empty());
        assert!(!first.assessment.parties[0].reportable);
        let again = assess_stored(&store, &actor(), id, &Options::default()).await.unwrap();
        assert!(!again.recorded, "an identical assessment is not recorded twice");

        facts.persons = Some(1200);
        let after = update_facts(&store, &actor(), id, &facts, &Options::default()).await.unwrap();
        assert!(after.recorded);
        assert!(after.changes.iter().any(|c| c.contains("報告対象外 → 報告対象")), "{:?}", after.changes);
        let kept = store.assessments(id).await.unwrap();
        assert_eq!(kept.len(), 2);
        assert!(kept[0].result.contains("\"reportable\":false"), "the not-reportable verdict is kept");

        // K = 2024-01-29, 1,200 people: final report due day 30 = 2024-02-27.
        let name = facts.parties[0].name.clone();
        let filing = |kind, on: &str| Filing {
            party: &name,
            kind,
            submitted_on: on.parse().unwrap(),
            receipt_number: None,
            content: "",
        };
        let (_, late) = file_report(&store, &actor(), id, &filing(ReportKind::Final, "2024-03-01")).await.unwrap();
        assert_eq!(late.due.map(|d| d.to_string()).as_deref(), Some("2024-02-27"));
        assert_eq!(late.on_time, Some(false));
        let (_, on_time) =
            file_report(&store, &actor(), id, &filing(ReportKind::Preliminary, "2024-01-30")).await.unwrap();
        assert_eq!(on_time.on_time, Some(true));
        assert!(matches!(
            file_report(&store, &actor(), id, &Filing { party: "どこか", ..filing(ReportKind::Final, "2024-03-01") })
                .await,
            Err(AppError::NoSuchParty(_))
        ));
    }
}
