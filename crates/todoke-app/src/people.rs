//! A party's list of affected people into a stored case: the lists are read (CSV in UTF-8 or
//! Shift_JIS, or Excel) and normalized by `todoke-people`, and the party's rows stored sealed, all in
//! one transaction (`PersonStore::add_people`) — re-importing a list adds nothing twice. Shared by
//! `todoke people import`, the demo and the upload in the browser.

use crate::AppError;
use todoke_core::AffectedPerson;
use todoke_people::{ColumnMapping, Field, Input, Progress, Reason, Rejected};

/// Reads `inputs` as the list of `party` (named `party_name` in the facts); the rows that belong to
/// it, as people to store, and the rows that cannot be used (sorted by file and line).
pub fn read_list(
    party_name: &str,
    inputs: Vec<Input>,
    mapping: &ColumnMapping,
    progress: &dyn Progress,
) -> Result<(Vec<AffectedPerson>, Vec<Rejected>), AppError> {
    let inputs = inputs.into_iter().map(|i| i.with_party(Some(party_name))).collect();
    let (records, mut rejected) =
        todoke_people::read_records(inputs, mapping, progress).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut people = Vec::with_capacity(records.len());
    for r in records {
        if r.party != party_name {
            rejected.push(Rejected { file: r.file, line: r.line, reason: Reason::OtherParty });
            continue;
        }
        people.push(AffectedPerson {
            name: r.name,
            name_kana: r.name_kana,
            birth_date: Some(r.birth_date),
            sex: r.sex,
            postal_code: r.postal_code,
            address: r.address,
            phone: r.phone,
            email: r.email,
            person_id: r.person_id,
            group: r.group,
        });
    }
    rejected.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok((people, rejected))
}

/// A stored person as a row of a list (in the order of [`Field::ALL`]) of `party`: how stored people
/// go back into the people plan (`todoke people plan --incident`, the campaign plan).
pub fn person_row(party: String, p: AffectedPerson) -> [String; Field::ALL.len()] {
    let o = |v: Option<String>| v.unwrap_or_default();
    [
        party,
        p.name,
        o(p.name_kana),
        p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        o(p.sex),
        o(p.postal_code),
        o(p.address),
        o(p.phone),
        o(p.email),
        o(p.person_id),
        o(p.group),
    ]
}
