//! Users, memberships and the audit log's own queries.

use crate::audit::{self, Actor, AuditEntry, AuditReport, Change};
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::{AssessmentStore, AuditStore, StoredAssessment, UserStore};
use serde_json::json;
use todoke_core::IncidentId;
use todoke_core::{Membership, OrgId, Role, User, UserId};

/// A role as stored.
pub(crate) fn stored_role(key: &str) -> Result<Role> {
    Role::from_key(key).ok_or_else(|| StoreError::corrupt(format!("role {key}")))
}

fn user_from_row(row: &Row) -> Result<User> {
    Ok(User { id: parse_id(&row.text(0)?)?, login: row.text(1)?, display_name: row.text(2)? })
}

impl<D: Db> UserStore for Store<D> {
    async fn create_user(&self, actor: &Actor, login: &str, display_name: &str) -> Result<User> {
        let login = login.trim();
        if login.is_empty() {
            return Err(StoreError::Conflict("a login cannot be empty".into()));
        }
        let user =
            User { id: UserId(self.new_id()), login: login.to_string(), display_name: display_name.trim().to_string() };
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "insert into app_user (user_id, login, display_name, created_at) values ($1, $2, $3, $4)",
            &[
                user.id.to_string().into(),
                user.login.clone().into(),
                user.display_name.clone().into(),
                self.now().into(),
            ],
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(format!("the login `{login}` is taken")),
            other => other,
        })?;
        self.audit(&mut tx, actor, "user.create", format!("user:{}", user.id), &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let mut tx = self.db.single().await?;
        let row = tx
            .fetch_optional(
                "select user_id, login, display_name from app_user where login = $1",
                &[login.trim().into()],
            )
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn add_membership(&self, actor: &Actor, user: UserId, org: OrgId, role: Role) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let added = tx
            .execute(
                "insert into membership (user_id, organization_id, role, created_at) values ($1, $2, $3, $4) \
                 on conflict do nothing",
                &[user.to_string().into(), org.to_string().into(), role.key().into(), self.now().into()],
            )
            .await?;
        if added == 1 {
            let change = json!({ "user": user, "organization": org, "role": role });
            self.audit(&mut tx, actor, "membership.add", format!("user:{user}"), &change).await?;
        }
        tx.commit().await
    }

    async fn remove_membership(&self, actor: &Actor, user: UserId, org: OrgId) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let removed = tx
            .execute(
                "delete from membership where user_id = $1 and organization_id = $2",
                &[user.to_string().into(), org.to_string().into()],
            )
            .await?;
        if removed > 0 {
            let change = json!({ "user": user, "organization": org });
            self.audit(&mut tx, actor, "membership.remove", format!("user:{user}"), &change).await?;
        }
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn members(&self, org: OrgId) -> Result<Vec<(User, Role)>> {
        self.members_of(org).await
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>> {
        let mut tx = self.db.single().await?;
        let rows = tx
            .fetch_all(
                "select organization_id, role from membership where user_id = $1 order by organization_id, role",
                &[user.to_string().into()],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(Membership { user, org: parse_id(&r.text(0)?)?, role: stored_role(&r.text(1)?)? }))
            .collect()
    }
}

impl<D: Db> Store<D> {
    async fn members_of(&self, org: OrgId) -> Result<Vec<(User, Role)>> {
        let mut tx = self.db.single().await?;
        let rows = tx
            .fetch_all(
                "select u.user_id, u.login, u.display_name, m.role from app_user u \
                 join membership m on m.user_id = u.user_id where m.organization_id = $1 order by u.login, m.role",
                &[org.to_string().into()],
            )
            .await?;
        rows.iter().map(|r| Ok((user_from_row(r)?, stored_role(&r.text(3)?)?))).collect()
    }
}

impl<D: Db> AuditStore for Store<D> {
    async fn record_event(&self, actor: &Actor, action: &str, object: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let change = Change { actor, action, object: object.to_string(), digest: audit::digest_of(&json!(null)) };
        audit::append(&mut tx, &self.keys, &self.now(), change).await?;
        tx.commit().await
    }

    async fn verify_audit(&self) -> Result<AuditReport> {
        let mut tx = self.db.begin_read().await?;
        audit::verify(&mut tx, &self.keys).await
    }

    async fn audit_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                "select seq, at, actor, action, object, digest, prev_hash, hash, mac from audit_entry \
                 where seq > $1 order by seq limit $2",
                &[after_seq.into(), limit.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.int(0)?,
                    at: r.text(1)?,
                    actor: r.text(2)?,
                    action: r.text(3)?,
                    object: r.text(4)?,
                    digest: r.text(5)?,
                    prev_hash: r.text(6)?,
                    hash: r.text(7)?,
                    mac: r.text(8)?,
                })
            })
            .collect()
    }
}

impl<D: Db> AssessmentStore for Store<D> {
    async fn record_assessment(&self, actor: &Actor, incident: IncidentId, inputs: &str, result: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let id = self.new_id();
        tx.execute(
            "insert into assessment (assessment_id, incident_id, created_at, inputs, result) values ($1, $2, $3, $4, $5)",
            &[id.to_string().into(), incident.to_string().into(), self.now().into(), inputs.into(), result.into()],
        )
        .await
        .map_err(|e| match e {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                StoreError::NotFound(format!("incident {incident}"))
            }
            other => other,
        })?;
        let change = json!({ "inputs": audit::digest_of(&inputs), "result": audit::digest_of(&result) });
        self.audit(&mut tx, actor, "assessment.record", format!("incident:{incident}"), &change).await?;
        tx.commit().await
    }

    async fn assessments(&self, incident: IncidentId) -> Result<Vec<StoredAssessment>> {
        let mut tx = self.db.single().await?;
        let rows = tx
            .fetch_all(
                "select created_at, inputs, result from assessment where incident_id = $1 order by created_at, assessment_id",
                &[incident.to_string().into()],
            )
            .await?;
        rows.iter().map(|r| Ok(StoredAssessment { at: r.text(0)?, inputs: r.text(1)?, result: r.text(2)? })).collect()
    }
}
