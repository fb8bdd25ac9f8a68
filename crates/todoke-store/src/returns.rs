//! Returned letters (返戻) and what follows them: several status changes made together or not at
//! all (an uploaded list of returns), the corrected address a returned letter goes to again
//! (sealed like every personal record), and the publications of a party's substitute notice
//! (代替措置), kept as evidence of when and where the public notice stood.

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::StatusChange;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::future::Future;
use todoke_core::{IncidentId, NotificationId, PartyId};
use uuid::Uuid;

/// The corrected address a returned letter is mailed to again. Personal data: sealed in the store
/// and never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// 郵便番号 (`123-4567`).
    pub postal_code: String,
    /// 住所.
    pub address: String,
}

impl std::fmt::Debug for PostalAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostalAddress { .. }")
    }
}

/// Where and when a party's substitute notice (代替措置) was published: not personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubstitutePublication {
    /// Where: the URL of the public notice page, or the place it was posted at.
    pub place: String,
    /// Published from.
    pub from: Date,
    /// Published until (`None`: still published).
    pub to: Option<Date>,
}

/// A stored publication of a substitute notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPublication {
    /// Its id.
    pub id: Uuid,
    /// The party that published it.
    pub party: PartyId,
    /// Where and when.
    pub publication: SubstitutePublication,
    /// When it was recorded (RFC 3339, UTC).
    pub created_at: String,
}

/// Returns, re-mailing and substitute notices. Every change is audited without personal data.
pub trait ReturnStore {
    /// Makes every change (each only if its notice, of `incident`, still is in its `from`) or none:
    /// false, and nothing changed, when one of them could not be made.
    fn change_notifications(
        &self,
        actor: &Actor,
        incident: IncidentId,
        changes: &[(NotificationId, StatusChange<'_>)],
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Keeps `address` (sealed) as the one a notice of `incident` goes to from now on and makes
    /// `change` (to `remailed`), together; false, and nothing kept, when the notice was not in
    /// `change.from`.
    fn readdress_notification(
        &self,
        actor: &Actor,
        incident: IncidentId,
        id: NotificationId,
        address: &PostalAddress,
        change: &StatusChange<'_>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The corrected address of a notice, opened, if one was given.
    fn notification_address(
        &self,
        incident: IncidentId,
        id: NotificationId,
    ) -> impl Future<Output = Result<Option<PostalAddress>>> + Send;

    /// Records a publication of `party`'s substitute notice.
    fn add_substitute_publication(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        publication: &SubstitutePublication,
    ) -> impl Future<Output = Result<Uuid>> + Send;

    /// The publications of an incident (of one party, when given), oldest first.
    fn substitute_publications(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> impl Future<Output = Result<Vec<StoredPublication>>> + Send;
}

fn date(text: &str) -> Result<Date> {
    text.parse().map_err(StoreError::corrupt)
}

impl<D: Db> ReturnStore for Store<D> {
    async fn change_notifications(
        &self,
        actor: &Actor,
        incident: IncidentId,
        changes: &[(NotificationId, StatusChange<'_>)],
    ) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        for (id, change) in changes {
            if !self.change_in(&mut tx, actor, Some(incident), *id, change).await? {
                // Dropping the transaction rolls back the changes made so far.
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn readdress_notification(
        &self,
        actor: &Actor,
        incident: IncidentId,
        id: NotificationId,
        address: &PostalAddress,
        change: &StatusChange<'_>,
    ) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        if !self.change_in(&mut tx, actor, Some(incident), id, change).await? {
            return Ok(false);
        }
        let key = self.data_key(&mut tx, incident).await?;
        let sealed = Self::seal(&key, &format!("notification_address:{id}"), address)?;
        tx.execute(
            "insert into notification_address (notification_id, incident_id, sealed, updated_at) \
             values ($1, $2, $3, $4) \
             on conflict (notification_id) do update set sealed = excluded.sealed, updated_at = excluded.updated_at",
            &[id.to_string().into(), incident.to_string().into(), sealed.into(), self.now().into()],
        )
        .await?;
        // The audit names the notice only: the address is what it must never hold.
        self.audit(&mut tx, actor, "notification.readdress", format!("notification:{id}"), &json!({})).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn notification_address(&self, incident: IncidentId, id: NotificationId) -> Result<Option<PostalAddress>> {
        let mut tx = self.db.begin_read().await?;
        let row = tx
            .fetch_optional(
                "select sealed from notification_address where notification_id = $1 and incident_id = $2",
                &[id.to_string().into(), incident.to_string().into()],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let key = self.data_key(&mut tx, incident).await?;
        Self::open_sealed(&key, &format!("notification_address:{id}"), &row.blob(0)?).map(Some)
    }

    async fn add_substitute_publication(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        publication: &SubstitutePublication,
    ) -> Result<Uuid> {
        let mut tx = self.db.begin_write().await?;
        let id = self.new_id();
        // Selecting from party checks that the party is of this incident.
        let inserted = tx
            .execute(
                "insert into substitute_publication \
                 (publication_id, incident_id, party_id, place, from_date, to_date, created_at) \
                 select $1, incident_id, party_id, $2, $3, $4, $5 from party \
                 where party_id = $6 and incident_id = $7",
                &[
                    id.to_string().into(),
                    publication.place.clone().into(),
                    publication.from.to_string().into(),
                    publication.to.map(|d| d.to_string()).into(),
                    self.now().into(),
                    party.to_string().into(),
                    incident.to_string().into(),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::NotFound(format!("party {party} of incident {incident}")));
        }
        self.audit(&mut tx, actor, "substitute.publish", format!("party:{party}"), publication).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn substitute_publications(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> Result<Vec<StoredPublication>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                "select publication_id, party_id, place, from_date, to_date, created_at from substitute_publication \
                 where incident_id = $1 and ($2 is null or party_id = $2) order by from_date, publication_id",
                &[incident.to_string().into(), party.map(|p| p.to_string()).into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredPublication {
                    id: parse_id(&r.text(0)?)?,
                    party: parse_id(&r.text(1)?)?,
                    publication: SubstitutePublication {
                        place: r.text(2)?,
                        from: date(&r.text(3)?)?,
                        to: r.opt_text(4)?.as_deref().map(date).transpose()?,
                    },
                    created_at: r.text(5)?,
                })
            })
            .collect()
    }
}
