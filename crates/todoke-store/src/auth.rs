//! Passwords (as hashes), lockout and sessions.

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::store::{Store, parse_id};
use crate::traits::{AuthStore, Credentials, Session};
use todoke_core::{User, UserId};

impl<D: Db> AuthStore for Store<D> {
    async fn set_password_hash(&self, actor: &Actor, user: UserId, hash: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let changed = tx
            .execute(
                "update app_user set password_hash = $1, failed_sign_ins = 0, locked_until = null where user_id = $2",
                &[hash.into(), user.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(crate::StoreError::NotFound(format!("user {user}")));
        }
        // The hash itself stays out of the log: only that the password changed.
        self.audit(&mut tx, actor, "user.password", format!("user:{user}"), &"password changed").await?;
        tx.commit().await
    }

    async fn credentials(&self, login: &str) -> Result<Option<Credentials>> {
        let mut tx = self.db.single().await?;
        let row = tx
            .fetch_optional(
                "select user_id, login, display_name, password_hash, failed_sign_ins, locked_until, totp_secret, \
                 totp_key_id from app_user where login = $1",
                &[login.trim().into()],
            )
            .await?;
        row.map(|r| {
            let user_id: UserId = parse_id(&r.text(0)?)?;
            Ok(Credentials {
                user: User { id: user_id, login: r.text(1)?, display_name: r.text(2)? },
                password_hash: r.opt_text(3)?,
                failed_sign_ins: r.int(4)?,
                locked_until: r.opt_text(5)?,
                totp_secret: r
                    .opt_blob(6)?
                    .map(|s| self.keys.get(&r.text(7)?)?.open_secret(&format!("totp:{user_id}"), &s))
                    .transpose()?,
            })
        })
        .transpose()
    }

    async fn record_sign_in_failure(&self, user: UserId, lock_until: Option<&str>) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "update app_user set failed_sign_ins = failed_sign_ins + 1, locked_until = coalesce($1, locked_until) \
             where user_id = $2",
            &[lock_until.into(), user.to_string().into()],
        )
        .await?;
        let action = if lock_until.is_some() { "sign_in.locked" } else { "sign_in.failed" };
        self.audit(&mut tx, &Actor::user(user), action, format!("user:{user}"), &lock_until).await?;
        tx.commit().await
    }

    async fn create_session(&self, user: UserId, token_hash: &str, csrf_token: &str, expires_at: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        tx.execute(
            "insert into session (session_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)",
            &[token_hash.into(), user.to_string().into(), csrf_token.into(), self.now().into(), expires_at.into()],
        )
        .await?;
        tx.execute(
            "update app_user set failed_sign_ins = 0, locked_until = null where user_id = $1",
            &[user.to_string().into()],
        )
        .await?;
        self.audit(&mut tx, &Actor::user(user), "sign_in", format!("user:{user}"), &expires_at).await?;
        tx.commit().await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let mut tx = self.db.single().await?;
        let row = tx
            .fetch_optional(
                "select u.user_id, u.login, u.display_name, s.csrf_token, s.expires_at, s.pending_totp, \
                 u.totp_secret is not null, s.pending_totp_key_id \
                 from session s join app_user u on u.user_id = s.user_id \
                 where s.session_hash = $1 and s.expires_at > $2",
                &[token_hash.into(), self.now().into()],
            )
            .await?;
        row.map(|r| {
            let pending = r
                .opt_blob(5)?
                .map(|s| self.keys.get(&r.text(7)?)?.open_secret(&format!("pending-totp:{token_hash}"), &s))
                .transpose()?;
            Ok(Session {
                user: User { id: parse_id(&r.text(0)?)?, login: r.text(1)?, display_name: r.text(2)? },
                csrf_token: r.text(3)?,
                expires_at: r.text(4)?,
                pending_totp: pending,
                has_totp: r.int(6)? != 0,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        tx.execute("delete from session where session_hash = $1", &[token_hash.into()]).await?;
        tx.commit().await
    }

    async fn set_totp_secret(&self, actor: &Actor, user: UserId, secret: Option<&[u8]>) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let (key_id, key) = self.write_key(&mut tx).await?;
        let sealed = secret.map(|s| key.seal_secret(&format!("totp:{user}"), s));
        let key_id = sealed.as_ref().map(|_| key_id);
        let changed = tx
            .execute(
                "update app_user set totp_secret = $1, totp_key_id = $2, totp_last_step = null where user_id = $3",
                &[sealed.into(), key_id.into(), user.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(crate::StoreError::NotFound(format!("user {user}")));
        }
        let action = if secret.is_some() { "user.totp.enroll" } else { "user.totp.remove" };
        self.audit(&mut tx, actor, action, format!("user:{user}"), &action).await?;
        tx.commit().await
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let changed = tx
            .execute(
                "update app_user set totp_last_step = $1 where user_id = $2 and (totp_last_step is null or totp_last_step < $1)",
                &[step.into(), user.to_string().into()],
            )
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    async fn set_pending_totp(&self, token_hash: &str, secret: Option<&[u8]>) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let (key_id, key) = self.write_key(&mut tx).await?;
        let sealed = secret.map(|s| key.seal_secret(&format!("pending-totp:{token_hash}"), s));
        let key_id = sealed.as_ref().map(|_| key_id);
        tx.execute(
            "update session set pending_totp = $1, pending_totp_key_id = $2 where session_hash = $3",
            &[sealed.into(), key_id.into(), token_hash.into()],
        )
        .await?;
        tx.commit().await
    }

    async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        let mut tx = self.db.begin_write().await?;
        let n = tx.execute("delete from session where user_id = $1", &[user.to_string().into()]).await?;
        self.audit(&mut tx, &Actor::user(user), "sign_out.everywhere", format!("user:{user}"), &n).await?;
        tx.commit().await?;
        Ok(n)
    }
}
