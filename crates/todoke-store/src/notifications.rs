//! Notices to affected people (本人通知): one row per (incident, person, channel) holding where the
//! notice stands, and an append-only history of its steps. No personal data is kept here: whoever
//! sends a notice opens the person's sealed record for the address.

use crate::audit::Actor;
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::{
    NoticesPlanned, NotificationCount, NotificationEvent, NotificationStore, PlannedNotice, StatusChange,
    StoredNotification,
};
use serde_json::json;
use todoke_core::{AffectedPerson, IncidentId, NoticeChannel, NotificationId, NotificationStatus, PartyId, PersonId};

fn channel(text: &str) -> Result<NoticeChannel> {
    NoticeChannel::from_key(text).ok_or_else(|| StoreError::corrupt(format!("unknown channel `{text}`")))
}

fn status(text: &str) -> Result<NotificationStatus> {
    NotificationStatus::from_key(text).ok_or_else(|| StoreError::corrupt(format!("unknown notice status `{text}`")))
}

/// The columns every query of a notification selects, in this order.
fn notification(row: &Row) -> Result<StoredNotification> {
    Ok(StoredNotification {
        id: parse_id(&row.text(0)?)?,
        incident: parse_id(&row.text(1)?)?,
        party: parse_id(&row.text(2)?)?,
        person: parse_id(&row.text(3)?)?,
        channel: channel(&row.text(4)?)?,
        status: status(&row.text(5)?)?,
        attempts: row.int(6)?,
        last_error: row.opt_text(7)?,
        message_id: row.opt_text(8)?,
        created_at: row.text(9)?,
        updated_at: row.text(10)?,
    })
}

impl<D: Db> Store<D> {
    /// Appends a step to a notice's history in `tx`.
    pub(crate) async fn notification_step(
        &self,
        tx: &mut D::Tx,
        id: NotificationId,
        status: NotificationStatus,
        detail: Option<&str>,
    ) -> Result<()> {
        tx.execute(
            "insert into notification_event (notification_id, incident_id, party_id, channel, at, status, detail) \
             select notification_id, incident_id, party_id, channel, $2, $3, $4 from notification \
             where notification_id = $1",
            &[id.to_string().into(), self.now().into(), status.key().into(), detail.map(str::to_string).into()],
        )
        .await?;
        Ok(())
    }
}

impl<D: Db> Store<D> {
    /// Moves a notice from `change.from` to `change.to` in `tx`, with its history step and audit
    /// entry (compare and set); false when the notice is not in `change.from` (or not of
    /// `incident`, when given).
    pub(crate) async fn change_in(
        &self,
        tx: &mut D::Tx,
        actor: &Actor,
        incident: Option<IncidentId>,
        id: NotificationId,
        change: &StatusChange<'_>,
    ) -> Result<bool> {
        let changed = tx
            .execute(
                "update notification set status = $1, attempts = attempts + $2, last_error = $3, \
                 message_id = coalesce($4, message_id), updated_at = $5 \
                 where notification_id = $6 and status = $7 and ($8 is null or incident_id = $8)",
                &[
                    change.to.key().into(),
                    i64::from(change.attempt).into(),
                    change.error.map(str::to_string).into(),
                    change.message_id.map(str::to_string).into(),
                    self.now().into(),
                    id.to_string().into(),
                    change.from.key().into(),
                    incident.map(|i| i.to_string()).into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Ok(false);
        }
        self.notification_step(tx, id, change.to, change.detail).await?;
        let what = json!({
            "from": change.from.key(),
            "to": change.to.key(),
            "attempt": change.attempt,
            "detail": change.detail,
        });
        self.audit(tx, actor, "notification.status", format!("notification:{id}"), &what).await?;
        Ok(true)
    }
}

impl<D: Db> NotificationStore for Store<D> {
    async fn plan_notifications(
        &self,
        actor: &Actor,
        incident: IncidentId,
        notices: &[PlannedNotice],
    ) -> Result<NoticesPlanned> {
        let mut tx = self.db.begin_write().await?;
        let now = self.now();
        let mut outcome = NoticesPlanned::default();
        let mut added = Vec::new();
        for notice in notices {
            let id = NotificationId(self.new_id());
            // Selecting from affected_person checks that the person is on the party's list of
            // this incident; the unique key makes a re-run add nothing.
            let inserted = tx
                .execute(
                    "insert into notification (notification_id, incident_id, party_id, affected_person_id, channel, \
                     status, attempts, last_error, message_id, created_at, updated_at) \
                     select $1, incident_id, party_id, affected_person_id, $2, $3, 0, null, null, $4, $4 \
                     from affected_person where affected_person_id = $5 and incident_id = $6 and party_id = $7 \
                     on conflict (incident_id, affected_person_id, channel) do nothing",
                    &[
                        id.to_string().into(),
                        notice.channel.key().into(),
                        NotificationStatus::Pending.key().into(),
                        now.clone().into(),
                        notice.person.to_string().into(),
                        incident.to_string().into(),
                        notice.party.to_string().into(),
                    ],
                )
                .await?;
            if inserted == 1 {
                self.notification_step(&mut tx, id, NotificationStatus::Pending, None).await?;
                outcome.added += 1;
                added.push(id.to_string());
                continue;
            }
            let planned = tx
                .fetch_optional(
                    "select 1 from notification \
                     where incident_id = $1 and affected_person_id = $2 and channel = $3 and party_id = $4",
                    &[
                        incident.to_string().into(),
                        notice.person.to_string().into(),
                        notice.channel.key().into(),
                        notice.party.to_string().into(),
                    ],
                )
                .await?;
            if planned.is_none() {
                return Err(StoreError::NotFound(format!(
                    "person {} of party {} of incident {incident}",
                    notice.person, notice.party
                )));
            }
            outcome.already_present += 1;
        }
        if outcome.added > 0 {
            self.audit(&mut tx, actor, "notification.plan", format!("incident:{incident}"), &added).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    async fn notifications(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
        channel: Option<NoticeChannel>,
    ) -> Result<Vec<StoredNotification>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                "select notification_id, incident_id, party_id, affected_person_id, channel, status, attempts, \
                 last_error, message_id, created_at, updated_at from notification \
                 where incident_id = $1 and ($2 is null or party_id = $2) and ($3 is null or channel = $3) \
                 order by notification_id",
                &[
                    incident.to_string().into(),
                    party.map(|p| p.to_string()).into(),
                    channel.map(|c| c.key().to_string()).into(),
                ],
            )
            .await?;
        rows.iter().map(notification).collect()
    }

    async fn notification(&self, incident: IncidentId, id: NotificationId) -> Result<Option<StoredNotification>> {
        let row = self
            .db
            .single()
            .await?
            .fetch_optional(
                "select notification_id, incident_id, party_id, affected_person_id, channel, status, attempts, \
                 last_error, message_id, created_at, updated_at from notification \
                 where notification_id = $1 and incident_id = $2",
                &[id.to_string().into(), incident.to_string().into()],
            )
            .await?;
        row.as_ref().map(notification).transpose()
    }

    async fn notification_by_message_id(
        &self,
        incident: IncidentId,
        message_id: &str,
    ) -> Result<Option<StoredNotification>> {
        let row = self
            .db
            .single()
            .await?
            .fetch_optional(
                "select notification_id, incident_id, party_id, affected_person_id, channel, status, attempts, \
                 last_error, message_id, created_at, updated_at from notification \
                 where message_id = $1 and incident_id = $2",
                &[message_id.into(), incident.to_string().into()],
            )
            .await?;
        row.as_ref().map(notification).transpose()
    }

    async fn change_notification(&self, actor: &Actor, id: NotificationId, change: &StatusChange<'_>) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let changed = self.change_in(&mut tx, actor, None, id, change).await?;
        if changed {
            tx.commit().await?;
        }
        Ok(changed)
    }

    async fn notification_counts(&self, incident: IncidentId) -> Result<Vec<NotificationCount>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                "select party_id, channel, status, count(*) from notification where incident_id = $1 \
                 group by party_id, channel, status order by party_id, channel, status",
                &[incident.to_string().into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NotificationCount {
                    party: parse_id(&r.text(0)?)?,
                    channel: channel(&r.text(1)?)?,
                    status: status(&r.text(2)?)?,
                    count: u64::try_from(r.int(3)?).map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }

    async fn last_notification_step(&self, incident: IncidentId) -> Result<Option<String>> {
        // The last step recorded (times are the store's clock at recording, in RFC 3339 of varying
        // precision: ordered by sequence, not by text).
        let row = self
            .db
            .single()
            .await?
            .fetch_optional(
                "select at from notification_event where incident_id = $1 order by seq desc limit 1",
                &[incident.to_string().into()],
            )
            .await?;
        row.map(|r| r.text(0)).transpose()
    }

    async fn notification_events(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> Result<Vec<NotificationEvent>> {
        let rows = self
            .db
            .single()
            .await?
            .fetch_all(
                "select notification_id, party_id, channel, at, status, detail from notification_event \
                 where incident_id = $1 and ($2 is null or party_id = $2) order by seq",
                &[incident.to_string().into(), party.map(|p| p.to_string()).into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(NotificationEvent {
                    notification: parse_id(&r.text(0)?)?,
                    party: parse_id(&r.text(1)?)?,
                    channel: channel(&r.text(2)?)?,
                    at: r.text(3)?,
                    status: status(&r.text(4)?)?,
                    detail: r.opt_text(5)?,
                })
            })
            .collect()
    }

    async fn notification_recipient(&self, incident: IncidentId, id: NotificationId) -> Result<AffectedPerson> {
        let mut tx = self.db.begin_read().await?;
        let row = tx
            .fetch_optional(
                "select a.affected_person_id, a.sealed from notification n \
                 join affected_person a on a.affected_person_id = n.affected_person_id \
                 where n.notification_id = $1 and n.incident_id = $2",
                &[id.to_string().into(), incident.to_string().into()],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("notification {id} of incident {incident}")))?;
        let person: PersonId = parse_id(&row.text(0)?)?;
        let key = self.data_key(&mut tx, incident).await?;
        Self::open_sealed(&key, &format!("affected_person:{person}"), &row.blob(1)?)
    }
}
