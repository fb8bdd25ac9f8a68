//! Deadline reminders (migration 0013_reminder): the e-mail address each user gets them at, and
//! which reminders went out, so that none goes out twice however often reminders run.

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use serde_json::json;
use std::future::Future;
use todoke_core::{IncidentId, OrgId, PartyId, Role, User, UserId};

/// One reminder: a party's obligation at one stage of its countdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderKey {
    /// The incident.
    pub incident: IncidentId,
    /// The party the obligation is of.
    pub party: PartyId,
    /// The obligation: its kind and recipient, `final_report:ppc`.
    pub obligation: String,
    /// Its due date as the assessment gives it.
    pub due: String,
    /// The stage of the countdown: days left when it is sent (7, 3, 1, 0), or -1 once overdue.
    pub stage: i64,
}

/// A member of an organization who gets reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The user.
    pub user: User,
    /// Their role there.
    pub role: Role,
    /// Their e-mail address.
    pub email: String,
}

/// Reminder addresses and the record of reminders sent.
pub trait ReminderStore {
    /// Sets (or, with `None`, removes) the address a user gets reminders at.
    fn set_user_email(
        &self,
        actor: &Actor,
        user: UserId,
        email: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The address a user gets reminders at, if any.
    fn user_email(&self, user: UserId) -> impl Future<Output = Result<Option<String>>> + Send;

    /// The members of an organization who have an address, with their roles.
    fn contacts(&self, org: OrgId) -> impl Future<Output = Result<Vec<Contact>>> + Send;

    /// Takes a reminder to send to `recipients` addresses: true when nobody took it before. Taking
    /// it records it as sent; a reminder that then could not be sent is given back with
    /// [`ReminderStore::release_reminder`].
    fn claim_reminder(
        &self,
        actor: &Actor,
        key: &ReminderKey,
        recipients: u64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Gives back a reminder that could not be sent, so that the next run tries it again.
    fn release_reminder(&self, actor: &Actor, key: &ReminderKey) -> impl Future<Output = Result<()>> + Send;
}

fn object_of(key: &ReminderKey) -> String {
    format!("incident:{} party:{} {} due:{} stage:{}", key.incident, key.party, key.obligation, key.due, key.stage)
}

impl<D: Db> ReminderStore for Store<D> {
    async fn set_user_email(&self, actor: &Actor, user: UserId, email: Option<&str>) -> Result<()> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        let mut tx = self.db.begin_write().await?;
        let changed = tx
            .execute(
                "update app_user set email = $1 where user_id = $2",
                &[email.map(str::to_string).into(), user.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("user {user}")));
        }
        let action = if email.is_some() { "user.email.set" } else { "user.email.remove" };
        self.audit(&mut tx, actor, action, format!("user:{user}"), &json!({ "email": email })).await?;
        tx.commit().await
    }

    async fn user_email(&self, user: UserId) -> Result<Option<String>> {
        let mut tx = self.db.single().await?;
        let row =
            tx.fetch_optional("select email from app_user where user_id = $1", &[user.to_string().into()]).await?;
        Ok(row.map(|r| r.opt_text(0)).transpose()?.flatten())
    }

    async fn contacts(&self, org: OrgId) -> Result<Vec<Contact>> {
        let mut tx = self.db.single().await?;
        let rows = tx
            .fetch_all(
                "select u.user_id, u.login, u.display_name, m.role, u.email from app_user u \
                 join membership m on m.user_id = u.user_id \
                 where m.organization_id = $1 and u.email is not null order by u.login, m.role",
                &[org.to_string().into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Contact {
                    user: User { id: parse_id(&r.text(0)?)?, login: r.text(1)?, display_name: r.text(2)? },
                    role: crate::users::stored_role(&r.text(3)?)?,
                    email: r.text(4)?,
                })
            })
            .collect()
    }

    async fn claim_reminder(&self, actor: &Actor, key: &ReminderKey, recipients: u64) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let taken = tx
            .execute(
                "insert into reminder_sent (incident_id, party_id, obligation, due, stage, recipients, sent_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
                &[
                    key.incident.to_string().into(),
                    key.party.to_string().into(),
                    key.obligation.clone().into(),
                    key.due.clone().into(),
                    key.stage.into(),
                    i64::try_from(recipients).unwrap_or(i64::MAX).into(),
                    self.now().into(),
                ],
            )
            .await?
            == 1;
        if taken {
            let object = format!("{} recipients:{recipients}", object_of(key));
            self.audit(&mut tx, actor, "reminder.send", object, &json!(null)).await?;
        }
        tx.commit().await?;
        Ok(taken)
    }

    async fn release_reminder(&self, actor: &Actor, key: &ReminderKey) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let released = tx
            .execute(
                "delete from reminder_sent where incident_id = $1 and party_id = $2 and obligation = $3 \
                 and due = $4 and stage = $5",
                &[
                    key.incident.to_string().into(),
                    key.party.to_string().into(),
                    key.obligation.clone().into(),
                    key.due.clone().into(),
                    key.stage.into(),
                ],
            )
            .await?;
        if released == 1 {
            self.audit(&mut tx, actor, "reminder.release", object_of(key), &json!(null)).await?;
        }
        tx.commit().await
    }
}
