//! The casebook: published notices, the groups that fold notices of one incident together, and the
//! corrections users make to what was read.

use crate::audit::Actor;
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use crate::traits::{CasebookStore, NewNotice, StoredNotice};
use serde_json::json;
use sha2::{Digest, Sha256};
use todoke_core::{NoticeId, NoticeProfile};

/// The columns every notice query selects, in this order; the body is the fourth.
macro_rules! notice_columns {
    ($body:literal) => {
        concat!(
            "select n.notice_id, n.group_id, n.source, ",
            $body,
            ", n.facts, n.corrections, n.org_key, n.org_type, n.cause, n.anchor, n.month, n.follow_up, n.vendor, \
             n.added_at from casebook_notice n "
        )
    };
}

/// The digest that makes adding the same text twice add nothing.
fn digest_of(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

fn notice_of(row: &Row, mentions: Vec<String>) -> Result<StoredNotice> {
    Ok(StoredNotice {
        id: parse_id(&row.text(0)?)?,
        group: parse_id(&row.text(1)?)?,
        source: row.text(2)?,
        body: row.text(3)?,
        facts: row.text(4)?,
        corrections: row.opt_text(5)?,
        profile: NoticeProfile {
            org_key: row.opt_text(6)?,
            org_type: row.opt_text(7)?,
            cause: row.opt_text(8)?,
            anchor: row.opt_text(9)?.map(|d| d.parse().map_err(StoreError::corrupt)).transpose()?,
            month: row.opt_text(10)?,
            follow_up: row.int(11)? != 0,
            vendor: row.int(12)? != 0,
            mentions,
        },
        added_at: row.text(13)?,
    })
}

impl<D: Db> Store<D> {
    async fn mentions_of(tx: &mut D::Tx, id: &str) -> Result<Vec<String>> {
        let rows = tx
            .fetch_all(
                "select org_key from casebook_mention where notice_id = $1 order by org_key",
                &[id.to_string().into()],
            )
            .await?;
        rows.iter().map(|r| r.text(0)).collect()
    }

    async fn notices_with_mentions(tx: &mut D::Tx, rows: Vec<Row>) -> Result<Vec<StoredNotice>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mentions = Self::mentions_of(tx, &row.text(0)?).await?;
            out.push(notice_of(&row, mentions)?);
        }
        Ok(out)
    }

    async fn set_profile(tx: &mut D::Tx, id: &str, profile: &NoticeProfile) -> Result<()> {
        tx.execute(
            "update casebook_notice set org_key = $1, org_type = $2, cause = $3, anchor = $4, month = $5, \
             follow_up = $6, vendor = $7 where notice_id = $8",
            &[
                profile.org_key.clone().into(),
                profile.org_type.clone().into(),
                profile.cause.clone().into(),
                profile.anchor.map(|d| d.to_string()).into(),
                profile.month.clone().into(),
                i64::from(profile.follow_up).into(),
                i64::from(profile.vendor).into(),
                id.to_string().into(),
            ],
        )
        .await?;
        tx.execute("delete from casebook_mention where notice_id = $1", &[id.to_string().into()]).await?;
        for org in &profile.mentions {
            tx.execute(
                "insert into casebook_mention (notice_id, org_key) values ($1, $2) on conflict do nothing",
                &[id.to_string().into(), org.clone().into()],
            )
            .await?;
        }
        Ok(())
    }
}

impl<D: Db> CasebookStore for Store<D> {
    async fn add_notice(&self, actor: &Actor, notice: &NewNotice, related: &[NoticeId]) -> Result<(NoticeId, bool)> {
        let digest = digest_of(&notice.body);
        let mut tx = self.db.begin_write().await?;
        if let Some(row) = tx
            .fetch_optional("select notice_id from casebook_notice where digest = $1", &[digest.clone().into()])
            .await?
        {
            return Ok((parse_id(&row.text(0)?)?, false));
        }
        let id = NoticeId(self.new_id());
        // The groups this notice joins; the oldest absorbs the others (ids are time-ordered).
        let mut groups = Vec::new();
        for other in related {
            let row = tx
                .fetch_optional(
                    "select group_id from casebook_notice where notice_id = $1",
                    &[other.to_string().into()],
                )
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("casebook notice {other}")))?;
            groups.push(parse_id::<NoticeId>(&row.text(0)?)?);
        }
        groups.sort();
        groups.dedup();
        let group = groups.first().copied().unwrap_or(id);
        for merged in groups.iter().skip(1) {
            tx.execute(
                "update casebook_notice set group_id = $1 where group_id = $2",
                &[group.to_string().into(), merged.to_string().into()],
            )
            .await?;
        }
        tx.execute(
            "insert into casebook_notice (notice_id, group_id, digest, source, body, facts, follow_up, vendor, added_at) \
             values ($1, $2, $3, $4, $5, $6, 0, 0, $7)",
            &[
                id.to_string().into(),
                group.to_string().into(),
                digest.clone().into(),
                notice.source.clone().into(),
                notice.body.clone().into(),
                notice.facts.clone().into(),
                self.now().into(),
            ],
        )
        .await?;
        Self::set_profile(&mut tx, &id.to_string(), &notice.profile).await?;
        let change = json!({ "source": notice.source, "digest": digest, "group": group, "merged": groups });
        self.audit(&mut tx, actor, "casebook.add", format!("notice:{id}"), &change).await?;
        tx.commit().await?;
        Ok((id, true))
    }

    async fn notices_of_org(&self, org_key: &str) -> Result<Vec<StoredNotice>> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(
                concat!(
                    notice_columns!("''"),
                    "where n.org_key = $1 or n.notice_id in \
                     (select notice_id from casebook_mention where org_key = $1) order by n.notice_id"
                ),
                &[org_key.to_string().into()],
            )
            .await?;
        Self::notices_with_mentions(&mut tx, rows).await
    }

    async fn notice(&self, id: NoticeId) -> Result<Option<StoredNotice>> {
        let mut tx = self.db.begin_read().await?;
        let Some(row) = tx
            .fetch_optional(concat!(notice_columns!("n.body"), "where n.notice_id = $1"), &[id.to_string().into()])
            .await?
        else {
            return Ok(None);
        };
        let mentions = Self::mentions_of(&mut tx, &id.to_string()).await?;
        notice_of(&row, mentions).map(Some)
    }

    async fn notices(&self, after: Option<NoticeId>, limit: i64, with_body: bool) -> Result<Vec<StoredNotice>> {
        let mut tx = self.db.begin_read().await?;
        let after = after.map_or_else(String::new, |a| a.to_string());
        let args = [after.into(), limit.into()];
        let rows = if with_body {
            tx.fetch_all(
                concat!(notice_columns!("n.body"), "where n.notice_id > $1 order by n.notice_id limit $2"),
                &args,
            )
            .await?
        } else {
            tx.fetch_all(concat!(notice_columns!("''"), "where n.notice_id > $1 order by n.notice_id limit $2"), &args)
                .await?
        };
        Self::notices_with_mentions(&mut tx, rows).await
    }

    async fn notice_count(&self) -> Result<u64> {
        let mut tx = self.db.begin_read().await?;
        let n = tx.fetch_one("select count(*) from casebook_notice", &[]).await?.int(0)?;
        u64::try_from(n).map_err(StoreError::corrupt)
    }

    async fn correct_notice(
        &self,
        actor: &Actor,
        id: NoticeId,
        corrections: &str,
        profile: &NoticeProfile,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let changed = tx
            .execute(
                "update casebook_notice set corrections = $1 where notice_id = $2",
                &[corrections.to_string().into(), id.to_string().into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("casebook notice {id}")));
        }
        Self::set_profile(&mut tx, &id.to_string(), profile).await?;
        self.audit(&mut tx, actor, "casebook.correct", format!("notice:{id}"), &corrections).await?;
        tx.commit().await
    }
}
