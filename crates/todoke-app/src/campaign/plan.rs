//! A party's notices planned from its stored people. The channel of each person is chosen by the
//! people plan itself (`todoke_people::plan`, the rule of `todoke people plan`), so the campaign and
//! the plan can never disagree: the stored list goes in as rows, the plan's per-channel lists come
//! back, and their source column (`FILE:LINE`) names the stored people each planned person merges.

use crate::AppError;
use crate::people::person_row;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use todoke_core::{IncidentId, NoticeChannel, PersonId};
use todoke_people::{Channel, ColumnMapping, Input, NoProgress, OutputEncoding, PlanConfig, PlanOptions};
use todoke_store::{Actor, NotificationStore, PersonStore, PlannedNotice, StoredParty, StoredPerson};

/// The name the stored list goes by in the plan (its source column reads `stored:LINE`).
const SOURCE: &str = "stored";

/// What planning a party's notices did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartyPlan {
    /// Records on the party's stored list.
    pub records: u64,
    /// People after merging the records of one person (名寄せ).
    pub persons: u64,
    /// Notices planned now, per channel (`email`, `post`, …).
    pub added: BTreeMap<String, u64>,
    /// People who already had a notice planned (a re-run).
    pub already_planned: u64,
}

impl PartyPlan {
    /// Notices planned now, on all channels.
    pub fn added_total(&self) -> u64 {
        self.added.values().sum()
    }
}

fn notice_channel(channel: Channel) -> NoticeChannel {
    match channel {
        Channel::Email => NoticeChannel::Email,
        Channel::Post => NoticeChannel::Post,
        Channel::Bulletin => NoticeChannel::Bulletin,
        Channel::Substitute => NoticeChannel::Substitute,
    }
}

/// Plans the notices of `party` from its stored people with the channels and rule of `config`: one
/// notice per person (the records of one person merged), on the first channel of the party's list
/// that the person's contact data allows. A person who has a notice already gets none more.
pub async fn plan_party<S>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: &StoredParty,
    config: &PlanConfig,
) -> Result<PartyPlan, AppError>
where
    S: PersonStore + NotificationStore + Sync,
{
    let people = store.people(incident, Some(party.id)).await?;
    let planned: HashSet<PersonId> =
        store.notifications(incident, Some(party.id), None).await?.into_iter().map(|n| n.person).collect();
    let name = party.party.name.clone();
    let rows: Vec<_> = people.iter().map(|p| person_row(name.clone(), p.person.clone())).collect();
    let config = config.clone();
    // The plan is CPU work over files: off the async workers.
    let channels = tokio::task::spawn_blocking(move || run_plan(rows, config))
        .await
        .map_err(|e| AppError::Campaign(format!("the people plan stopped: {e}")))??;

    let mut outcome = PartyPlan { records: people.len() as u64, persons: channels.len() as u64, ..Default::default() };
    let mut notices = Vec::new();
    for (channel, lines) in channels {
        let merged: Vec<&StoredPerson> =
            lines.iter().filter_map(|line| line.checked_sub(1).and_then(|i| people.get(i))).collect();
        if merged.iter().any(|p| planned.contains(&p.id)) {
            outcome.already_planned += 1;
            continue;
        }
        let Some(person) = representative(&merged, channel) else { continue };
        notices.push(PlannedNotice { party: party.id, person: person.id, channel: notice_channel(channel) });
    }
    // One call per channel, so that what was added is counted per channel exactly (a notice that
    // another run planned meanwhile counts as planned already).
    for channel in NoticeChannel::ALL {
        let of_channel: Vec<PlannedNotice> = notices.iter().filter(|n| n.channel == *channel).copied().collect();
        if of_channel.is_empty() {
            continue;
        }
        let stored = store.plan_notifications(actor, incident, &of_channel).await?;
        outcome.already_planned += stored.already_present;
        if stored.added > 0 {
            outcome.added.insert(channel.key().to_string(), stored.added);
        }
    }
    Ok(outcome)
}

/// The stored record a notice is addressed from: for an e-mail, the first of the person's records
/// whose address is usable (the plan chose e-mail because one is); otherwise the first record.
fn representative<'a>(merged: &[&'a StoredPerson], channel: Channel) -> Option<&'a StoredPerson> {
    let usable = |p: &&&StoredPerson| {
        channel != Channel::Email || p.person.email.as_deref().and_then(todoke_people::normalize_email).is_some()
    };
    merged.iter().find(usable).or(merged.first()).copied()
}

/// Runs the people plan over the stored rows; for each planned person, its channel and the line
/// numbers (1-based, in the order of the rows) of the records it merges.
fn run_plan(
    rows: Vec<[String; todoke_people::Field::ALL.len()]>,
    config: PlanConfig,
) -> Result<Vec<(Channel, Vec<usize>)>, AppError> {
    // The plan writes its lists, personal data included, to files: a private folder (0700) in
    // memory where there is one, removed when this returns, whatever happens.
    let dir = private_folder().map_err(|e| AppError::Campaign(format!("no temporary folder: {e}")))?;
    let out = dir.path().join("plan");
    let options = PlanOptions {
        inputs: vec![Input::rows(SOURCE, rows)],
        excludes: Vec::new(),
        mapping: ColumnMapping::default(),
        config,
        encoding: OutputEncoding::Utf8,
        out: out.clone(),
    };
    todoke_people::plan(options, &NoProgress).map_err(|e| AppError::Campaign(e.to_string()))?;
    let mut planned = Vec::new();
    // One party went in: every folder in the output is that party's.
    for entry in std::fs::read_dir(&out).map_err(io_error)? {
        let folder = entry.map_err(io_error)?.path();
        if folder.is_dir() {
            for channel in Channel::ALL {
                let file = folder.join(format!("{}.csv", channel.key()));
                if file.exists() {
                    for lines in source_lines(&file)? {
                        planned.push((channel, lines));
                    }
                }
            }
        }
    }
    Ok(planned)
}

/// A private temporary folder for the plan's lists: in `/dev/shm` (a tmpfs, in memory) where the
/// system has it, so that the plaintext lists of stored people never reach a disk; else in the
/// system's temporary folder.
fn private_folder() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("todoke-plan-");
    // Owner only, whatever the umask.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let memory = Path::new("/dev/shm");
    if memory.is_dir()
        && let Ok(dir) = builder.tempdir_in(memory)
    {
        return Ok(dir);
    }
    builder.tempdir()
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::Campaign(format!("cannot read the people plan: {e}"))
}

/// The source lines of each person of a channel list: its last column, `stored:3;stored:7`.
fn source_lines(file: &Path) -> Result<Vec<Vec<usize>>, AppError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_path(file).map_err(csv_error)?;
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let sources = record.iter().next_back().unwrap_or_default();
        let lines = sources
            .split(';')
            .filter_map(|s| s.rsplit_once(':'))
            .filter(|(file, _)| *file == SOURCE)
            .filter_map(|(_, line)| line.parse().ok())
            .collect();
        out.push(lines);
    }
    Ok(out)
}

fn csv_error(e: csv::Error) -> AppError {
    // A CSV error's position is enough; its text never quotes a record.
    AppError::Campaign(format!("cannot read the people plan: {}", e.position().map_or(0, |p| p.line())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_plan_folder_is_private_and_in_memory_where_the_system_has_it() {
        let dir = super::private_folder().unwrap();
        #[cfg(target_os = "linux")]
        assert!(dir.path().starts_with("/dev/shm"), "{}", dir.path().display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
