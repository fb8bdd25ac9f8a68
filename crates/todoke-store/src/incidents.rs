//! Organizations, incidents, parties and incident keys.

use crate::audit::Actor;
use crate::crypto::DataKey;
use crate::db::{Db, Row, Tx, Value};
use crate::error::{Result, StoreError};
use crate::records::{read_reports, read_tasks, read_timeline};
use crate::store::{Store, parse_id, parse_json, to_json};
use crate::traits::{CaseSnapshot, DestructionCertificate, IncidentStore, IncidentSummary, OrgStore, StoredParty};
use std::sync::Arc;
use todoke_core::{Incident, IncidentId, IncidentRecord, OrgId, OrgType, Organization, PartyId, PartyRole};

impl<D: Db> Store<D> {
    async fn ensure_org_in(
        &self,
        tx: &mut D::Tx,
        actor: &Actor,
        name: &str,
        org_type: OrgType,
    ) -> Result<Organization> {
        let id = OrgId(self.new_id());
        let inserted = tx
            .execute(
                "insert into organization (organization_id, name, org_type, created_at) values ($1, $2, $3, $4) \
                 on conflict (name) do nothing",
                &[id.to_string().into(), name.into(), org_type.key().into(), self.now().into()],
            )
            .await?;
        let row = tx
            .fetch_one("select organization_id, name, org_type from organization where name = $1", &[name.into()])
            .await?;
        let org = org_from_row(&row)?;
        if inserted == 1 {
            self.audit(tx, actor, "organization.create", format!("organization:{}", org.id), &org).await?;
        }
        Ok(org)
    }
}

fn org_from_row(row: &Row) -> Result<Organization> {
    let org_type = row.text(2)?;
    Ok(Organization {
        id: parse_id(&row.text(0)?)?,
        name: row.text(1)?,
        org_type: OrgType::from_key(&org_type).ok_or_else(|| StoreError::corrupt(format!("org type {org_type}")))?,
    })
}

impl<D: Db> OrgStore for Store<D> {
    async fn ensure_organization(&self, actor: &Actor, name: &str, org_type: OrgType) -> Result<Organization> {
        let mut tx = self.db.begin_write().await?;
        let org = self.ensure_org_in(&mut tx, actor, name, org_type).await?;
        tx.commit().await?;
        Ok(org)
    }

    async fn organizations(&self) -> Result<Vec<Organization>> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all("select organization_id, name, org_type from organization order by name", &[]).await?;
        rows.iter().map(org_from_row).collect()
    }
}

impl<D: Db> IncidentStore for Store<D> {
    async fn create_incident(&self, actor: &Actor, facts: &Incident) -> Result<IncidentId> {
        let id = IncidentId(self.new_id());
        let now = self.now();
        let mut tx = self.db.begin_write().await?;

        let mut orgs = Vec::with_capacity(facts.parties.len());
        for party in &facts.parties {
            orgs.push(self.ensure_org_in(&mut tx, actor, &party.name, party.org_type).await?);
        }
        let owner = facts
            .parties
            .iter()
            .zip(&orgs)
            .find(|(p, _)| p.role == PartyRole::Handler)
            .or_else(|| facts.parties.iter().zip(&orgs).next())
            .map(|(_, org)| org.id)
            .ok_or_else(|| StoreError::Conflict("an incident needs at least one party".into()))?;

        // Parties, timeline and tasks have tables of their own.
        let core = Incident { parties: Vec::new(), timeline: Vec::new(), tasks: Vec::new(), ..facts.clone() };
        tx.execute(
            "insert into incident (incident_id, owner_id, title, facts, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5)",
            &[
                id.to_string().into(),
                owner.to_string().into(),
                facts.title.clone().into(),
                to_json(&core)?.into(),
                now.clone().into(),
            ],
        )
        .await?;
        let key = DataKey::generate();
        let (key_id, master) = self.write_key(&mut tx).await?;
        tx.execute(
            "insert into incident_key (incident_id, wrapped, created_at, key_id) values ($1, $2, $3, $4)",
            &[id.to_string().into(), master.wrap(&id.to_string(), &key).into(), now.into(), key_id.into()],
        )
        .await?;
        for (position, (party, org)) in facts.parties.iter().zip(&orgs).enumerate() {
            tx.execute(
                "insert into party (party_id, incident_id, organization_id, position, name, role, data) \
                 values ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    PartyId(self.new_id()).to_string().into(),
                    id.to_string().into(),
                    org.id.to_string().into(),
                    i64::try_from(position).unwrap_or(i64::MAX).into(),
                    party.name.clone().into(),
                    party.role.key().into(),
                    to_json(party)?.into(),
                ],
            )
            .await?;
        }
        for event in &facts.timeline {
            self.insert_timeline_event(&mut tx, id, event).await?;
        }
        for task in &facts.tasks {
            self.insert_task(&mut tx, id, task).await?;
        }
        self.audit(&mut tx, actor, "incident.create", format!("incident:{id}"), facts).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn incident(&self, id: IncidentId) -> Result<IncidentRecord> {
        Ok(self.case(id).await?.record.clone())
    }

    async fn case(&self, id: IncidentId) -> Result<Arc<CaseSnapshot>> {
        let revision = self
            .db
            .single()
            .await?
            .fetch_optional("select revision from incident where incident_id = $1", &[id.to_string().into()])
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))?
            .int(0)?;
        if let Some(kept) = self.snapshots.get(id, revision) {
            return Ok(kept);
        }
        // The revision is read again inside the snapshot: a change in between gives a newer
        // snapshot, labelled with its own revision.
        let snapshot = Arc::new(read_case(&mut self.db.begin_read().await?, id).await?);
        self.snapshots.put(snapshot.clone());
        Ok(snapshot)
    }

    async fn find_incident(&self, id_or_prefix: &str) -> Result<IncidentId> {
        let wanted = id_or_prefix.trim().to_ascii_lowercase();
        let not_found = || StoreError::NotFound(format!("incident `{id_or_prefix}`"));
        // Only hex digits and dashes can be part of an id; anything else is no id (and no LIKE pattern).
        if wanted.len() < 4 || !wanted.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                "select incident_id from incident where incident_id like $1 order by incident_id limit 2",
                &[format!("{wanted}%").into()],
            )
            .await?;
        match rows.as_slice() {
            [one] => parse_id(&one.text(0)?),
            [] => Err(not_found()),
            _ => Err(StoreError::Conflict(format!("`{id_or_prefix}` matches several incidents; give more of the id"))),
        }
    }

    async fn incidents(&self) -> Result<Vec<IncidentSummary>> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                "select i.incident_id, i.title, o.name, i.facts, i.created_at, i.erased_at \
                 from incident i join organization o on o.organization_id = i.owner_id \
                 order by i.created_at, i.incident_id",
                &[],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: IncidentId = parse_id(&row.text(0)?)?;
            let facts: Incident = parse_json(&row.text(3)?)?;
            // Read in the same transaction: a second connection per incident would starve the pool.
            let parties = read_parties(&mut tx, id).await?;
            out.push(IncidentSummary {
                id,
                title: row.text(1)?,
                owner: row.text(2)?,
                first_known_on: parties.iter().map(|p| p.party.known_on).min(),
                parties: parties.len(),
                persons: facts.persons,
                created_at: row.text(4)?,
                erased: row.opt_text(5)?.is_some(),
            });
        }
        Ok(out)
    }

    async fn parties(&self, id: IncidentId) -> Result<Vec<StoredParty>> {
        read_parties(&mut self.db.single().await?, id).await
    }

    async fn update_incident(&self, actor: &Actor, id: IncidentId, facts: &Incident) -> Result<()> {
        if facts.parties.is_empty() {
            return Err(StoreError::Conflict("an incident needs at least one party".into()));
        }
        let now = self.now();
        let mut tx = self.db.begin_write().await?;
        let core = Incident { parties: Vec::new(), timeline: Vec::new(), tasks: Vec::new(), ..facts.clone() };
        let changed = tx
            .execute(
                "update incident set title = $1, facts = $2, updated_at = $3 where incident_id = $4",
                &[facts.title.clone().into(), to_json(&core)?.into(), now.into(), id.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("incident {id}")));
        }
        let existing =
            tx.fetch_all("select party_id, name from party where incident_id = $1", &[id.to_string().into()]).await?;
        // Parties no longer in the facts go, unless something depends on them.
        for row in &existing {
            let name = row.text(1)?;
            if facts.parties.iter().any(|p| p.name == name) {
                continue;
            }
            let party_id = row.text(0)?;
            let used = tx
                .fetch_one(
                    "select (select count(*) from affected_person where party_id = $1) \
                     + (select count(*) from report where party_id = $1) \
                     + (select count(*) from inquiry where party_id = $1)",
                    &[party_id.clone().into()],
                )
                .await?
                .int(0)?;
            if used > 0 {
                return Err(StoreError::Conflict(format!(
                    "party `{name}` has people, reports or inquiries and cannot be removed from the incident"
                )));
            }
            tx.execute("delete from party where party_id = $1", &[party_id.into()]).await?;
        }
        for (position, party) in facts.parties.iter().enumerate() {
            let org = self.ensure_org_in(&mut tx, actor, &party.name, party.org_type).await?;
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            let updated = tx
                .execute(
                    "update party set position = $1, role = $2, data = $3 where incident_id = $4 and name = $5",
                    &[
                        position.into(),
                        party.role.key().into(),
                        to_json(party)?.into(),
                        id.to_string().into(),
                        party.name.clone().into(),
                    ],
                )
                .await?;
            if updated == 0 {
                tx.execute(
                    "insert into party (party_id, incident_id, organization_id, position, name, role, data) \
                     values ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        PartyId(self.new_id()).to_string().into(),
                        id.to_string().into(),
                        org.id.to_string().into(),
                        position.into(),
                        party.name.clone().into(),
                        party.role.key().into(),
                        to_json(party)?.into(),
                    ],
                )
                .await?;
            }
        }
        let change = Incident { timeline: Vec::new(), tasks: Vec::new(), ..facts.clone() };
        self.audit(&mut tx, actor, "incident.update", format!("incident:{id}"), &change).await?;
        tx.commit().await
    }

    async fn erase_incident(&self, actor: &Actor, id: IncidentId, reason: &str) -> Result<DestructionCertificate> {
        let now = self.now();
        let mut tx = self.db.begin_write().await?;
        let args = [id.to_string().into()];
        let title = tx
            .fetch_optional("select title from incident where incident_id = $1", &args)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))?
            .text(0)?;
        let count = |row: Row| row.int(0).and_then(|n| u64::try_from(n).map_err(StoreError::corrupt));
        let people = count(tx.fetch_one("select count(*) from affected_person where incident_id = $1", &args).await?)?;
        let inquiries = count(tx.fetch_one("select count(*) from inquiry where incident_id = $1", &args).await?)?;
        let destroyed = tx
            .execute(
                "update incident_key set wrapped = null, destroyed_at = $1 where incident_id = $2 and wrapped is not null",
                &[now.clone().into(), id.to_string().into()],
            )
            .await?;
        if destroyed == 0 {
            return Err(StoreError::Erased(id.to_string()));
        }
        tx.execute(
            "update incident set erased_at = $1, updated_at = $1 where incident_id = $2",
            &[Value::from(now.clone()), id.to_string().into()],
        )
        .await?;
        let certificate =
            DestructionCertificate { incident: id, title, people, inquiries, destroyed_at: now, reason: reason.into() };
        self.audit(&mut tx, actor, "incident.erase", format!("incident:{id}"), &certificate).await?;
        tx.commit().await?;
        self.db.after_erase().await?;
        Ok(certificate)
    }
}

/// A whole case from one read transaction.
async fn read_case(tx: &mut impl Tx, id: IncidentId) -> Result<CaseSnapshot> {
    let row = tx
        .fetch_optional(
            "select owner_id, facts, erased_at, revision from incident where incident_id = $1",
            &[id.to_string().into()],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))?;
    let mut facts: Incident = parse_json(&row.text(1)?)?;
    let parties = read_parties(tx, id).await?;
    let tasks = read_tasks(tx, id).await?;
    facts.parties = parties.iter().map(|p| p.party.clone()).collect();
    facts.timeline = read_timeline(tx, id).await?.into_iter().map(|(_, e)| e).collect();
    facts.tasks = tasks.iter().map(|(_, t)| t.clone()).collect();
    let erased_at = row.opt_text(2)?.map(|t| t.parse()).transpose().map_err(StoreError::corrupt)?;
    Ok(CaseSnapshot {
        revision: row.int(3)?,
        record: IncidentRecord { id, owner: parse_id(&row.text(0)?)?, facts, erased_at },
        parties,
        tasks,
        reports: read_reports(tx, id).await?,
    })
}

/// The parties of an incident in their order, read in `tx`.
pub(crate) async fn read_parties(tx: &mut impl Tx, id: IncidentId) -> Result<Vec<StoredParty>> {
    let rows = tx
        .fetch_all(
            "select party_id, organization_id, data from party where incident_id = $1 order by position",
            &[id.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredParty { id: parse_id(&r.text(0)?)?, org: parse_id(&r.text(1)?)?, party: parse_json(&r.text(2)?)? })
        })
        .collect()
}
