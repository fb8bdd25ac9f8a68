//! The tamper-evident audit log: every change appends an entry whose hash covers the previous
//! entry's hash (a chain), and whose MAC, under a key derived from the master key, makes it
//! unforgeable by someone who can write to the database but does not hold the key. Each entry
//! records the id of the master key that made its MAC, so the chain verifies across a key rotation:
//! entries before it with the old key (or, once that is retired, its sealed audit MAC key), entries
//! after it with the new one.
//!
//! A head row (`audit_head`) carries the last sequence number and hash, so that deleting entries
//! at the end is caught too. The head hash can be published: whoever holds it can later prove
//! that nothing before it was rewritten.

use crate::db::{Tx, Value};
use crate::error::Result;
use crate::keyring::{Keys, audit_key_for};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: `user:<id>`, `cli:<login>` or `system`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// A signed-in user.
    pub fn user(id: todoke_core::UserId) -> Self {
        Self(format!("user:{id}"))
    }

    /// Someone at the command line, by their login name.
    pub fn cli(login: &str) -> Self {
        Self(format!("cli:{login}"))
    }

    /// todoke itself (migrations, retention).
    pub fn system() -> Self {
        Self("system".into())
    }

    /// The actor as recorded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done, e.g. `incident.create`.
    pub action: String,
    /// What it was done to, e.g. `incident:<id>`.
    pub object: String,
    /// SHA-256 of the change as stored (hex).
    pub digest: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
    /// This entry's MAC under the master key.
    pub mac: String,
}

/// SHA-256 (hex) of a change, as recorded in its audit entry.
pub fn digest_of<T: Serialize>(change: &T) -> String {
    let bytes = serde_json::to_vec(change).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// The hash of an entry: every field, length-prefixed, and the previous hash.
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    digest: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"todoke-audit-v1");
    h.update(seq.to_be_bytes());
    for field in [at, actor, action, object, digest, prev_hash] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// What an append records.
pub(crate) struct Change<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub object: String,
    pub digest: String,
}

/// Appends an entry inside the transaction that makes the change, so both commit or neither does.
pub(crate) async fn append<T: Tx>(tx: &mut T, keys: &Keys, at: &str, change: Change<'_>) -> Result<()> {
    // Taking the head row first serializes appenders (a row lock in PostgreSQL; SQLite write
    // transactions are already exclusive). The head names the master key to MAC with.
    let head = tx
        .fetch_one("update audit_head set seq = seq + 1 where audit_head_id = 1 returning seq, hash, key_id", &[])
        .await?;
    let (seq, prev_hash, key_id) = (head.int(0)?, head.text(1)?, head.text(2)?);
    let hash = entry_hash(seq, at, change.actor.as_str(), change.action, &change.object, &change.digest, &prev_hash);
    let mac = keys.get(&key_id)?.audit_mac(&hash);
    tx.execute(
        "insert into audit_entry (seq, at, actor, action, object, digest, prev_hash, hash, mac, key_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            seq.into(),
            at.into(),
            change.actor.as_str().into(),
            change.action.into(),
            change.object.into(),
            change.digest.into(),
            prev_hash.into(),
            hash.clone().into(),
            mac.into(),
            key_id.into(),
        ],
    )
    .await?;
    tx.execute("update audit_head set hash = $1 where audit_head_id = 1", &[Value::from(hash)]).await?;
    Ok(())
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: i64,
    /// The head hash (publish it to let others check later).
    pub head_hash: String,
    /// The first problem found, if any.
    pub first_bad: Option<AuditProblem>,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The sequence number of the first entry that does not verify (or the one expected there).
    pub seq: i64,
    /// Why.
    pub reason: String,
}

/// Checks the chain in pages, so that a long log needs little memory.
pub(crate) async fn verify<T: Tx>(tx: &mut T, keys: &Keys) -> Result<AuditReport> {
    const PAGE: i64 = 1000;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut after = 0i64;
    let problem = |seq: i64, reason: String| Some(AuditProblem { seq, reason });
    let mut first_bad = None;
    // The MAC key of each master key met, found once.
    let mut mac_keys = HashMap::new();
    'pages: loop {
        let rows = tx
            .fetch_all(
                "select seq, at, actor, action, object, digest, prev_hash, hash, mac, key_id from audit_entry \
                 where seq > $1 order by seq limit $2",
                &[after.into(), PAGE.into()],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let seq = row.int(0)?;
            after = seq;
            let (at, actor, action, object, digest) =
                (row.text(1)?, row.text(2)?, row.text(3)?, row.text(4)?, row.text(5)?);
            let (stored_prev, stored_hash, stored_mac) = (row.text(6)?, row.text(7)?, row.text(8)?);
            if seq != expected_seq {
                let reason = if seq > expected_seq {
                    format!("entry {expected_seq} is missing (the next entry is {seq})")
                } else {
                    format!("entry {seq} appears out of order")
                };
                first_bad = problem(expected_seq, reason);
                break 'pages;
            }
            if stored_prev != prev_hash {
                first_bad =
                    problem(seq, "does not follow the entry before it (entries deleted, inserted or reordered)".into());
                break 'pages;
            }
            if entry_hash(seq, &at, &actor, &action, &object, &digest, &prev_hash) != stored_hash {
                first_bad = problem(seq, "its content was changed after it was written".into());
                break 'pages;
            }
            // An entry without a key id, or naming a key this database never knew, was not written
            // by todoke: it fails like a wrong MAC.
            let key_id = row.opt_text(9)?.unwrap_or_default();
            if !mac_keys.contains_key(&key_id) {
                let key = audit_key_for(tx, keys, &key_id).await?;
                mac_keys.insert(key_id.clone(), key);
            }
            if mac_keys.get(&key_id).and_then(|k| k.as_ref()).map(|k| k.mac(&stored_hash)) != Some(stored_mac) {
                first_bad = problem(seq, "its MAC does not verify (written without the master key)".into());
                break 'pages;
            }
            prev_hash = stored_hash;
            expected_seq += 1;
        }
    }
    let entries = expected_seq - 1;
    if first_bad.is_none() {
        let head = tx.fetch_one("select seq, hash from audit_head where audit_head_id = 1", &[]).await?;
        let (head_seq, head_hash) = (head.int(0)?, head.text(1)?);
        if head_seq != entries || head_hash != prev_hash {
            first_bad = problem(
                entries + 1,
                format!(
                    "the log ends at entry {entries} but its head records entry {head_seq} (entries deleted at the end)"
                ),
            );
        }
    }
    Ok(AuditReport { entries, head_hash: prev_hash, first_bad })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_changes_the_hash() {
        let base = entry_hash(1, "t", "a", "x", "o", "d", GENESIS_HASH);
        assert_ne!(base, entry_hash(2, "t", "a", "x", "o", "d", GENESIS_HASH));
        assert_ne!(base, entry_hash(1, "t2", "a", "x", "o", "d", GENESIS_HASH));
        assert_ne!(base, entry_hash(1, "t", "a", "x", "o", "d2", GENESIS_HASH));
        assert_ne!(base, entry_hash(1, "t", "ax", "", "o", "d", GENESIS_HASH));
        assert_ne!(base, entry_hash(1, "t", "a", "x", "o", "d", &base));
    }
}
