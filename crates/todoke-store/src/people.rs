//! Affected people: sealed under the incident's data key, found through blind indexes.

use crate::audit::Actor;
use crate::crypto::DataKey;
use crate::db::{Db, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::{PeopleAdded, PersonStore, StoredPerson};
use jiff::civil::Date;
use todoke_core::{AffectedPerson, IncidentId, PartyId, PersonId};
use todoke_ja::normalize_name;

/// The blind indexes of a person: by name and birth date, by kana and birth date (the identity rule
/// of CONTRACTS.md §3), and of the whole record (so a re-import stores nothing twice).
struct BlindIndexes {
    name_birth: Option<Vec<u8>>,
    kana_birth: Option<Vec<u8>>,
    record: Vec<u8>,
}

fn blind_indexes(key: &DataKey, person: &AffectedPerson) -> Result<BlindIndexes> {
    let birth = person.birth_date.map(|d| d.to_string());
    let by = |tag: &str, name: Option<&str>| match (name, &birth) {
        (Some(name), Some(birth)) if !name.trim().is_empty() => {
            Some(key.blind_index(tag, &[&normalize_name(name), birth]))
        }
        _ => None,
    };
    let record = zeroize::Zeroizing::new(serde_json::to_string(person).map_err(StoreError::corrupt)?);
    Ok(BlindIndexes {
        name_birth: by("name+birth", Some(&person.name)),
        kana_birth: by("kana+birth", person.name_kana.as_deref()),
        record: key.blind_index("record", &[&record]),
    })
}

impl<D: Db> PersonStore for Store<D> {
    async fn add_people(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        people: &[AffectedPerson],
    ) -> Result<PeopleAdded> {
        let mut tx = self.db.begin_write().await?;
        let owner = tx
            .fetch_optional("select incident_id from party where party_id = $1", &[party.to_string().into()])
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("party {party}")))?;
        if owner.text(0)? != incident.to_string() {
            return Err(StoreError::NotFound(format!("party {party} of incident {incident}")));
        }
        let key = self.data_key(&mut tx, incident).await?;
        let now = self.now();
        let mut outcome = PeopleAdded::default();
        let mut added_records = Vec::new();
        for person in people {
            let id = PersonId(self.new_id());
            let index = blind_indexes(&key, person)?;
            let sealed = Self::seal(&key, &format!("affected_person:{id}"), person)?;
            let inserted = tx
                .execute(
                    "insert into affected_person \
                     (affected_person_id, incident_id, party_id, sealed, bi_name_birth, bi_kana_birth, bi_record, created_at) \
                     values ($1, $2, $3, $4, $5, $6, $7, $8) \
                     on conflict (incident_id, party_id, bi_record) do nothing",
                    &[
                        id.to_string().into(),
                        incident.to_string().into(),
                        party.to_string().into(),
                        sealed.into(),
                        index.name_birth.into(),
                        index.kana_birth.into(),
                        index.record.clone().into(),
                        now.clone().into(),
                    ],
                )
                .await?;
            if inserted == 1 {
                outcome.added += 1;
                added_records.push(hex::encode(&index.record));
            } else {
                outcome.already_present += 1;
            }
        }
        if outcome.added > 0 {
            self.audit(&mut tx, actor, "people.add", format!("party:{party}"), &added_records).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn people(&self, incident: IncidentId, party: Option<PartyId>) -> Result<Vec<StoredPerson>> {
        let mut tx = self.db.begin_read().await?;
        let key = self.data_key(&mut tx, incident).await?;
        let rows = tx
            .fetch_all(
                "select affected_person_id, party_id, sealed from affected_person \
                 where incident_id = $1 and ($2 is null or party_id = $2) order by affected_person_id",
                &[incident.to_string().into(), party.map(|p| p.to_string()).into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: PersonId = parse_id(&r.text(0)?)?;
                let person = Self::open_sealed(&key, &format!("affected_person:{id}"), &r.blob(2)?)?;
                Ok(StoredPerson { id, party: parse_id(&r.text(1)?)?, person })
            })
            .collect()
    }

    async fn person(&self, incident: IncidentId, id: PersonId) -> Result<Option<StoredPerson>> {
        let mut tx = self.db.begin_read().await?;
        let row = tx
            .fetch_optional(
                "select party_id, sealed from affected_person where incident_id = $1 and affected_person_id = $2",
                &[incident.to_string().into(), id.to_string().into()],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let key = self.data_key(&mut tx, incident).await?;
        let person = Self::open_sealed(&key, &format!("affected_person:{id}"), &row.blob(1)?)?;
        Ok(Some(StoredPerson { id, party: parse_id(&row.text(0)?)?, person }))
    }

    async fn party_people(&self, incident: IncidentId, party: PartyId, limit: u64) -> Result<(u64, Vec<StoredPerson>)> {
        let mut tx = self.db.begin_read().await?;
        let args = [incident.to_string().into(), party.to_string().into()];
        let count = tx
            .fetch_one("select count(*) from affected_person where incident_id = $1 and party_id = $2", &args)
            .await?
            .int(0)?;
        let key = self.data_key(&mut tx, incident).await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = tx
            .fetch_all(
                "select affected_person_id, sealed from affected_person where incident_id = $1 and party_id = $2 \
                 order by affected_person_id limit $3",
                &[incident.to_string().into(), party.to_string().into(), limit.into()],
            )
            .await?;
        let people = rows
            .iter()
            .map(|r| {
                let id: PersonId = parse_id(&r.text(0)?)?;
                let person = Self::open_sealed(&key, &format!("affected_person:{id}"), &r.blob(1)?)?;
                Ok(StoredPerson { id, party, person })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((u64::try_from(count).map_err(StoreError::corrupt)?, people))
    }

    async fn count_people(&self, incident: IncidentId) -> Result<u64> {
        let mut tx = self.db.begin_read().await?;
        let row = tx
            .fetch_one("select count(*) from affected_person where incident_id = $1", &[incident.to_string().into()])
            .await?;
        u64::try_from(row.int(0)?).map_err(StoreError::corrupt)
    }

    async fn find_people_by_kana(
        &self,
        incident: IncidentId,
        name_kana: &str,
        birth_date: Date,
    ) -> Result<Vec<(PersonId, PartyId)>> {
        let mut tx = self.db.begin_read().await?;
        let key = self.data_key(&mut tx, incident).await?;
        let probe = AffectedPerson {
            name_kana: Some(name_kana.to_string()),
            birth_date: Some(birth_date),
            ..Default::default()
        };
        let Some(index) = blind_indexes(&key, &probe)?.kana_birth else {
            return Ok(Vec::new());
        };
        let rows = tx
            .fetch_all(
                "select affected_person_id, party_id from affected_person where incident_id = $1 and bi_kana_birth = $2 \
                 order by affected_person_id",
                &[incident.to_string().into(), index.into()],
            )
            .await?;
        rows.iter().map(|r| Ok((parse_id(&r.text(0)?)?, parse_id(&r.text(1)?)?))).collect()
    }
}
