//! Master key rotation: a ring of master keys, the ids that tell which key protects which row, and
//! the moves that put everything under a new key while servers keep running.
//!
//! - A master key's id is the start of its check value ([`MasterKey::id`]). Every row a master key
//!   protects records the id of its key: `incident_key.key_id` (the wrapped data key),
//!   `app_user.totp_key_id`, `session.pending_totp_key_id` and `audit_entry.key_id` (the MAC).
//! - The `master_key` table lists the keys the database knows. `audit_head.key_id` names the one to
//!   write with: every write reads it inside its transaction, so once a rotation registered a new
//!   key, every server writes with it (reloading its key file to get it), and no server keeps
//!   writing under the old key.
//! - The ring ([`KeyRing`]) holds the current key first and previous keys after: it is the key file
//!   (one key a line) or `TODOKE_MASTER_KEY` (keys separated by commas). When a row names a key the
//!   ring does not hold, the store reloads the ring from its [`KeySource`] once.
//! - Retiring a previous key seals its audit MAC key (derived one-way, it opens nothing) under the
//!   current key, so that the audit entries it made stay verifiable without the old master key.

use crate::audit::Actor;
use crate::crypto::{MasterKey, read_key_file};
use crate::db::{Db, Tx, Value};
use crate::error::{Result, StoreError};
use crate::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use zeroize::Zeroizing;

/// Master keys: the current one first, then previous ones still needed to open what they made.
#[derive(Clone)]
pub struct KeyRing {
    current: Arc<MasterKey>,
    previous: Vec<Arc<MasterKey>>,
    /// The keys' ids, current first, computed once: every read of a sealed row looks one up.
    ids: Vec<String>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyRing").field(&self.ids()).finish()
    }
}

impl KeyRing {
    /// A ring of one key.
    pub fn new(current: MasterKey) -> Self {
        Self::of(Arc::new(current), Vec::new())
    }

    fn of(current: Arc<MasterKey>, previous: Vec<Arc<MasterKey>>) -> Self {
        let ids = std::iter::once(&current).chain(&previous).map(|k| k.id()).collect();
        Self { current, previous, ids }
    }

    /// Every key, current first.
    fn keys(&self) -> impl Iterator<Item = &Arc<MasterKey>> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// Reads keys separated by newlines or commas (the first is current); blank entries are skipped
    /// and a key given twice is kept once.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut keys: Vec<Arc<MasterKey>> = Vec::new();
        for (n, part) in text.split(['\n', ',']).map(str::trim).filter(|p| !p.is_empty()).enumerate() {
            let key = MasterKey::from_text(part).map_err(|e| StoreError::Key(format!("key {}: {e}", n + 1)))?;
            if !keys.iter().any(|k| k.id() == key.id()) {
                keys.push(Arc::new(key));
            }
        }
        let mut keys = keys.into_iter();
        let current = keys.next().ok_or_else(|| StoreError::Key("no key given".into()))?;
        Ok(Self::of(current, keys.collect()))
    }

    /// Reads a key file of one key a line, refusing one that others can read.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = read_key_file(path)?;
        Self::from_text(&text).map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))
    }

    /// Replaces the key file at `path` with this ring, atomically: a new file (mode 0600) beside it,
    /// flushed to disk, renamed over the old one, so a crash leaves either the old file or the new.
    pub fn write_file(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let err = |e: std::io::Error| StoreError::Key(format!("cannot write key file {}: {e}", path.display()));
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(format!(".new-{}", std::process::id()));
        let temp = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let write = || -> std::io::Result<()> {
            let mut file = options.open(&temp)?;
            let mut text = Zeroizing::new(String::new());
            for key in self.keys() {
                text.push_str(key.to_text().as_str());
                text.push('\n');
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temp, path)?;
            // The rename itself is durable only once the folder is.
            #[cfg(unix)]
            std::fs::File::open(dir)?.sync_all()?;
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            err(e)
        })
    }

    /// The current key.
    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    /// The ids of the keys, current first.
    pub fn ids(&self) -> Vec<String> {
        self.ids.clone()
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        1 + self.previous.len()
    }

    /// Never true: a ring holds at least its current key.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The key with id `id`.
    pub fn get(&self, id: &str) -> Option<Arc<MasterKey>> {
        let position = self.ids.iter().position(|i| i == id)?;
        self.keys().nth(position).cloned()
    }

    /// This ring with `key` as the new current key and the others after it.
    pub fn with_current(&self, key: MasterKey) -> Self {
        Self::of(Arc::new(key), self.keys().cloned().collect())
    }

    /// This ring without the keys `ids` (the current key always stays).
    pub fn without(&self, ids: &[String]) -> Self {
        let previous = self.previous.iter().filter(|k| !ids.contains(&k.id())).cloned().collect();
        Self::of(self.current.clone(), previous)
    }
}

/// Where the ring came from, so that a running store can read it again after another process
/// rotated the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file, read again when a row names a key the ring does not hold.
    File(PathBuf),
    /// An environment variable (named): a running process cannot see it change.
    Env(String),
    /// Keys handed over in code (tests, a one-off check): nothing to reload.
    Given,
}

/// The ring a store uses, behind a lock so that a reload replaces it for every task at once.
pub(crate) struct Keys {
    ring: RwLock<Arc<KeyRing>>,
    source: KeySource,
    /// Held while reloading, so that tasks meeting the same new id reload once, not once each.
    reload: Mutex<()>,
}

impl Keys {
    pub(crate) fn new(ring: KeyRing, source: KeySource) -> Self {
        Self { ring: RwLock::new(Arc::new(ring)), source, reload: Mutex::new(()) }
    }

    /// The ring as it is now.
    pub(crate) fn ring(&self) -> Arc<KeyRing> {
        self.ring.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The key with id `id`, reloading the ring from its source once if it is not held (another
    /// process rotated the key and wrote the key file).
    pub(crate) fn get(&self, id: &str) -> Result<Arc<MasterKey>> {
        if let Some(key) = self.ring().get(id) {
            return Ok(key);
        }
        let _one_reload = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
        // Another task may have reloaded while this one waited.
        if let Some(key) = self.ring().get(id) {
            return Ok(key);
        }
        let ring = match &self.source {
            KeySource::File(path) => KeyRing::from_file(path)?,
            KeySource::Env(var) => {
                return Err(StoreError::Key(format!(
                    "the database uses master key {id}, which {var} does not hold: the key was rotated by \
                     another process; restart with {var} set to the new key first (NEW,OLD)"
                )));
            }
            KeySource::Given => return Err(StoreError::Key(format!("master key {id} is not held"))),
        };
        let found = ring.get(id);
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(ring);
        found.ok_or_else(|| {
            let file = match &self.source {
                KeySource::File(path) => path.display().to_string(),
                _ => String::new(),
            };
            StoreError::Key(format!("the database uses master key {id}, which the key file {file} does not hold"))
        })
    }
}

/// One master key the database knows, and how many rows it still protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyState {
    /// The key's id.
    pub id: String,
    /// Whether new rows are written with it.
    pub current: bool,
    /// Whether this process holds it (the key file or the environment has it).
    pub held: bool,
    /// When it was registered.
    pub added_at: String,
    /// When everything was moved under it (the rotation to it finished).
    pub rotated_at: Option<String>,
    /// When it was retired (it may be gone from the key file; its audit MAC key is kept sealed).
    pub retired_at: Option<String>,
    /// Incident data keys it wraps.
    pub incident_keys: i64,
    /// TOTP seeds (enrolled and being enrolled) it seals.
    pub totp_seeds: i64,
    /// Audit entries it made the MAC of.
    pub audit_entries: i64,
    /// Audit MAC keys of retired master keys it seals.
    pub sealed_audit_keys: i64,
}

impl KeyState {
    /// The rows this key must stay for (audit entries excepted: a retired key's are kept
    /// verifiable by its sealed audit MAC key).
    pub fn rows_needing_key(&self) -> i64 {
        self.incident_keys + self.totp_seeds + self.sealed_audit_keys
    }
}

/// What a re-wrapping pass moved under the current key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rewrapped {
    /// Incident data keys.
    pub incident_keys: u64,
    /// TOTP seeds, enrolled or being enrolled.
    pub totp_seeds: u64,
    /// Audit MAC keys of retired master keys.
    pub sealed_audit_keys: u64,
}

/// The kinds of rows a master key protects, each moved by its own constant SQL.
#[derive(Clone, Copy)]
enum Protected {
    IncidentKey,
    TotpSeed,
    PendingTotp,
    AuditKey,
}

impl Protected {
    const ALL: [Self; 4] = [Self::IncidentKey, Self::TotpSeed, Self::PendingTotp, Self::AuditKey];

    /// Up to $2 rows not under key $1: (row id, sealed value, key id).
    fn select(self) -> &'static str {
        match self {
            Self::IncidentKey => {
                "select incident_id, wrapped, key_id from incident_key \
                 where wrapped is not null and key_id <> $1 order by incident_id limit $2"
            }
            Self::TotpSeed => {
                "select user_id, totp_secret, totp_key_id from app_user \
                 where totp_secret is not null and totp_key_id <> $1 order by user_id limit $2"
            }
            Self::PendingTotp => {
                "select session_hash, pending_totp, pending_totp_key_id from session \
                 where pending_totp is not null and pending_totp_key_id <> $1 order by session_hash limit $2"
            }
            Self::AuditKey => {
                "select key_id, audit_key, audit_key_by from master_key \
                 where audit_key is not null and audit_key_by <> $1 order by key_id limit $2"
            }
        }
    }

    /// Sets value $1 and key $2 on row $3, only if it still has key $4 and value $5: a writer that
    /// changed the row meanwhile wins, and the row is looked at again in the next batch.
    fn update(self) -> &'static str {
        match self {
            Self::IncidentKey => {
                "update incident_key set wrapped = $1, key_id = $2 \
                 where incident_id = $3 and key_id = $4 and wrapped = $5"
            }
            Self::TotpSeed => {
                "update app_user set totp_secret = $1, totp_key_id = $2 \
                 where user_id = $3 and totp_key_id = $4 and totp_secret = $5"
            }
            Self::PendingTotp => {
                "update session set pending_totp = $1, pending_totp_key_id = $2 \
                 where session_hash = $3 and pending_totp_key_id = $4 and pending_totp = $5"
            }
            Self::AuditKey => {
                "update master_key set audit_key = $1, audit_key_by = $2 \
                 where key_id = $3 and audit_key_by = $4 and audit_key = $5"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::IncidentKey => "incident keys",
            Self::TotpSeed => "TOTP seeds",
            Self::PendingTotp => "TOTP seeds being enrolled",
            Self::AuditKey => "audit keys of retired master keys",
        }
    }

    /// Opens `sealed` (of row `id`) with `old` and seals it again with `new`.
    fn reseal(self, old: &MasterKey, new: &MasterKey, id: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        Ok(match self {
            Self::IncidentKey => new.wrap(id, &old.unwrap(id, sealed)?),
            Self::TotpSeed => {
                let context = format!("totp:{id}");
                new.seal_secret(&context, &Zeroizing::new(old.open_secret(&context, sealed)?))
            }
            Self::PendingTotp => {
                let context = format!("pending-totp:{id}");
                new.seal_secret(&context, &Zeroizing::new(old.open_secret(&context, sealed)?))
            }
            Self::AuditKey => new.seal_audit_key(id, &old.open_audit_key(id, sealed)?),
        })
    }
}

impl<D: Db> Store<D> {
    /// Checks the ring against the keys the database knows, at open; see [`Store::open_ring`].
    pub(crate) async fn check_keys(&self, register_current: bool) -> Result<()> {
        let ring = self.keys.ring();
        let mut tx = self.db.begin_write().await?;
        // Taking the head row first serializes servers that start together (a row lock in
        // PostgreSQL; SQLite write transactions are already exclusive).
        tx.execute("update audit_head set key_id = key_id where audit_head_id = 1", &[]).await?;
        let known = tx.fetch_all("select key_id, check_value from master_key", &[]).await?;
        if known.is_empty() {
            self.adopt(&mut tx, &ring).await?;
        }
        let known = tx.fetch_all("select key_id, check_value from master_key", &[]).await?;
        for row in &known {
            if let Some(key) = ring.get(&row.text(0)?)
                && key.check_value() != row.text(1)?
            {
                return Err(StoreError::Key(format!("key {} does not match the one this database knows", key.id())));
            }
        }
        let head = tx.fetch_one("select key_id from audit_head where audit_head_id = 1", &[]).await?.text(0)?;
        if ring.get(&head).is_none() {
            return Err(StoreError::Key(format!(
                "this database uses a different master key ({head}) from the ones given ({}); \
                 check TODOKE_MASTER_KEY or the key file (a rotation writes the new key first)",
                ring.ids().join(", ")
            )));
        }
        let current = ring.current();
        let registered = known.iter().any(|r| r.text(0).is_ok_and(|id| id == current.id()));
        if !registered {
            if !register_current {
                return Err(StoreError::Key(format!(
                    "the first key given ({}) is new to this database: finish the rotation with \
                     `todoke key rotate`, or give the database's key ({head}) first",
                    current.id()
                )));
            }
            // A rotation: from now on every writer writes with the new key.
            tx.execute(
                "insert into master_key (key_id, check_value, added_at) values ($1, $2, $3)",
                &[current.id().into(), current.check_value().into(), self.now().into()],
            )
            .await?;
            tx.execute("update audit_head set key_id = $1 where audit_head_id = 1", &[current.id().into()]).await?;
        }
        tx.commit().await
    }

    /// Registers the key this database was made with, the first time a todoke with key rings opens
    /// it, and gives its id to every row made before (the migration could not know it).
    async fn adopt(&self, tx: &mut D::Tx, ring: &KeyRing) -> Result<()> {
        let check = tx.fetch_optional("select value from meta where key = 'master_key_check'", &[]).await?;
        let original = match check {
            Some(row) => {
                let check = row.text(0)?;
                ring.keys().find(|k| k.check_value() == check).cloned().ok_or_else(|| {
                    StoreError::Key(
                        "this database was created with a different master key (check TODOKE_MASTER_KEY or the key file)"
                            .into(),
                    )
                })?
            }
            None => {
                let key = ring.current.clone();
                tx.execute(
                    "insert into meta (key, value) values ('master_key_check', $1)",
                    &[key.check_value().into()],
                )
                .await?;
                key
            }
        };
        let (id, now) = (Value::from(original.id()), Value::from(self.now()));
        tx.execute(
            "insert into master_key (key_id, check_value, added_at, rotated_at) values ($1, $2, $3, $3)",
            &[id.clone(), original.check_value().into(), now],
        )
        .await?;
        for sql in [
            "update audit_head set key_id = $1 where audit_head_id = 1",
            "update incident_key set key_id = $1 where key_id is null",
            "update app_user set totp_key_id = $1 where totp_key_id is null and totp_secret is not null",
            "update session set pending_totp_key_id = $1 where pending_totp_key_id is null and pending_totp is not null",
            "update audit_entry set key_id = $1 where key_id is null",
        ] {
            tx.execute(sql, std::slice::from_ref(&id)).await?;
        }
        Ok(())
    }

    /// The key to write with, as the database names it inside `tx` (after a rotation registered a
    /// new key, every server writes with it).
    pub(crate) async fn write_key(&self, tx: &mut D::Tx) -> Result<(String, Arc<MasterKey>)> {
        let id = tx.fetch_one("select key_id from audit_head where audit_head_id = 1", &[]).await?.text(0)?;
        let key = self.keys.get(&id)?;
        Ok((id, key))
    }

    /// The keys this store holds now.
    pub fn key_ring(&self) -> Arc<KeyRing> {
        self.keys.ring()
    }

    /// The keys the database knows, which is current, and how many rows each protects.
    pub async fn key_status(&self) -> Result<Vec<KeyState>> {
        let ring = self.keys.ring();
        let mut tx = self.db.begin_read().await?;
        let head = tx.fetch_one("select key_id from audit_head where audit_head_id = 1", &[]).await?.text(0)?;
        let mut counts: BTreeMap<(String, usize), i64> = BTreeMap::new();
        let queries: [&'static str; 5] = [
            "select key_id, count(*) from incident_key where wrapped is not null group by key_id",
            "select totp_key_id, count(*) from app_user where totp_secret is not null group by totp_key_id",
            "select pending_totp_key_id, count(*) from session where pending_totp is not null group by pending_totp_key_id",
            "select key_id, count(*) from audit_entry group by key_id",
            "select audit_key_by, count(*) from master_key where audit_key is not null group by audit_key_by",
        ];
        for (i, sql) in queries.into_iter().enumerate() {
            for row in tx.fetch_all(sql, &[]).await? {
                let id = row.opt_text(0)?.unwrap_or_default();
                *counts.entry((id, i)).or_default() += row.int(1)?;
            }
        }
        let rows = tx
            .fetch_all("select key_id, added_at, rotated_at, retired_at from master_key order by added_at, key_id", &[])
            .await?;
        rows.iter()
            .map(|r| {
                let id = r.text(0)?;
                let n = |i: usize| counts.get(&(id.clone(), i)).copied().unwrap_or(0);
                Ok(KeyState {
                    current: id == head,
                    held: ring.get(&id).is_some(),
                    added_at: r.text(1)?,
                    rotated_at: r.opt_text(2)?,
                    retired_at: r.opt_text(3)?,
                    incident_keys: n(0),
                    totp_seeds: n(1) + n(2),
                    audit_entries: n(3),
                    sealed_audit_keys: n(4),
                    id,
                })
            })
            .collect()
    }

    /// Whether a rotation is unfinished: the current key's rotation has not been recorded as done,
    /// or rows are still under another key.
    pub async fn rotation_pending(&self) -> Result<bool> {
        let status = self.key_status().await?;
        Ok(status.iter().any(|k| {
            if k.current { k.rotated_at.is_none() } else { k.retired_at.is_none() && k.rows_needing_key() > 0 }
        }))
    }

    /// Moves every row still under another key to the current one, in small transactions of up to
    /// `batch` rows so that servers keep writing meanwhile. Each row moves by compare-and-set on its
    /// old key and value, so a concurrent change is never overwritten; re-running after a crash
    /// finishes the job. `progress` hears the kind of row and how many moved so far.
    pub async fn rewrap(&self, batch: i64, progress: &mut (dyn FnMut(&str, u64) + Send)) -> Result<Rewrapped> {
        let mut done = Rewrapped::default();
        for kind in Protected::ALL {
            let mut moved = 0u64;
            loop {
                let mut tx = self.db.begin_write().await?;
                let (new_id, new) = self.write_key(&mut tx).await?;
                let rows = tx.fetch_all(kind.select(), &[new_id.clone().into(), batch.max(1).into()]).await?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let (id, sealed, old_id) = (row.text(0)?, row.blob(1)?, row.text(2)?);
                    let old = self.keys.get(&old_id)?;
                    let resealed = kind.reseal(&old, &new, &id, &sealed)?;
                    moved += tx
                        .execute(
                            kind.update(),
                            &[resealed.into(), new_id.clone().into(), id.into(), old_id.into(), sealed.into()],
                        )
                        .await?;
                }
                tx.commit().await?;
                progress(kind.name(), moved);
            }
            match kind {
                Protected::IncidentKey => done.incident_keys += moved,
                Protected::TotpSeed | Protected::PendingTotp => done.totp_seeds += moved,
                Protected::AuditKey => done.sealed_audit_keys += moved,
            }
        }
        Ok(done)
    }

    /// Records that the rotation to the current key is done, with the audit entry `key.rotate`
    /// (ids only). Returns false when it was recorded already.
    pub async fn finish_rotation(&self, actor: &Actor) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let (new_id, _) = self.write_key(&mut tx).await?;
        let changed = tx
            .execute(
                "update master_key set rotated_at = $1 where key_id = $2 and rotated_at is null",
                &[self.now().into(), new_id.clone().into()],
            )
            .await?;
        if changed == 0 {
            return Ok(false);
        }
        let previous: Vec<String> = tx
            .fetch_all(
                "select key_id from master_key where retired_at is null and key_id <> $1 order by added_at, key_id",
                &[new_id.clone().into()],
            )
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_>>()?;
        let change = serde_json::json!({ "from": previous, "to": new_id });
        let object = format!("master-key:{}->{new_id}", previous.join(","));
        self.audit(&mut tx, actor, "key.rotate", object, &change).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Retires every key but the current one, once no row needs it: its audit MAC key is sealed
    /// under the current key (the entries it made stay verifiable) and it is marked retired; the
    /// caller then drops it from the key file. Refuses, with counts, while rows still need a key.
    /// Returns the ids retired.
    pub async fn retire_keys(&self, actor: &Actor) -> Result<Vec<String>> {
        let status = self.key_status().await?;
        let mut tx = self.db.begin_write().await?;
        // The head row lock waits for writers in flight (each appends an audit entry), so that
        // the counts below are final: every writer after this one writes with the current key.
        let head = tx
            .fetch_one("update audit_head set key_id = key_id where audit_head_id = 1 returning key_id", &[])
            .await?
            .text(0)?;
        let current = self.keys.get(&head)?;
        let mut retired = Vec::new();
        let mut still_needed = Vec::new();
        for key in status.iter().filter(|k| k.id != head && k.retired_at.is_none()) {
            let id = Value::from(key.id.clone());
            let mut count =
                async |sql: &'static str| -> Result<i64> { tx.fetch_one(sql, std::slice::from_ref(&id)).await?.int(0) };
            let incident_keys =
                count("select count(*) from incident_key where wrapped is not null and key_id = $1").await?;
            let totp = count("select count(*) from app_user where totp_secret is not null and totp_key_id = $1")
                .await?
                + count("select count(*) from session where pending_totp is not null and pending_totp_key_id = $1")
                    .await?;
            let sealed =
                count("select count(*) from master_key where audit_key is not null and audit_key_by = $1").await?;
            let entries = count("select count(*) from audit_entry where key_id = $1").await?;
            if incident_keys + totp + sealed > 0 {
                still_needed.push(format!(
                    "{}: {incident_keys} incident keys, {totp} TOTP seeds, {sealed} audit keys of retired keys",
                    key.id
                ));
                continue;
            }
            let audit_key = if entries > 0 {
                let old = self.keys.get(&key.id).map_err(|_| {
                    StoreError::Key(format!(
                        "master key {} made {entries} audit entries: it must be held (in the key file) to be retired",
                        key.id
                    ))
                })?;
                Some(current.seal_audit_key(&key.id, &old.audit_key()))
            } else {
                None
            };
            let audit_key_by = audit_key.as_ref().map(|_| head.clone());
            tx.execute(
                "update master_key set retired_at = $1, audit_key = $2, audit_key_by = $3 \
                 where key_id = $4 and retired_at is null",
                &[self.now().into(), audit_key.into(), audit_key_by.into(), key.id.clone().into()],
            )
            .await?;
            retired.push(key.id.clone());
        }
        if !still_needed.is_empty() {
            return Err(StoreError::Conflict(format!(
                "previous master keys still protect rows ({}); run `todoke key rotate` to move them to {head} first",
                still_needed.join("; ")
            )));
        }
        if !retired.is_empty() {
            let change = serde_json::json!({ "retired": retired, "current": head });
            let object = format!("master-key:{}", retired.join(","));
            self.audit(&mut tx, actor, "key.retire", object, &change).await?;
        }
        tx.commit().await?;
        Ok(retired)
    }
}

/// The audit MAC key for entries made under master key `id`: the key itself when held, else the
/// audit key sealed when it was retired; `None` when the database knows no such key (a forgery).
pub(crate) async fn audit_key_for<T: Tx>(tx: &mut T, keys: &Keys, id: &str) -> Result<Option<crate::crypto::AuditKey>> {
    let Some(row) =
        tx.fetch_optional("select audit_key, audit_key_by from master_key where key_id = $1", &[id.into()]).await?
    else {
        return Ok(None);
    };
    match (row.opt_blob(0)?, row.opt_text(1)?) {
        (Some(sealed), Some(by)) => Ok(Some(keys.get(&by)?.open_audit_key(id, &sealed)?)),
        _ => Ok(Some(keys.get(id)?.audit_key())),
    }
}

/// Rotation on every backend: SQLite always, PostgreSQL when TODOKE_TEST_PG_URL is set.
#[cfg(all(test, feature = "testkit"))]
mod conformance {
    crate::conformance_tests!(
        rotating_the_master_key_rewraps_everything_and_retiring_keeps_the_audit,
        a_running_server_reloads_its_key_file_after_a_rotation_elsewhere,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_read_lines_and_commas_and_keep_the_first_current() {
        let (a, b) = (MasterKey::generate(), MasterKey::generate());
        let lines = format!("{}\n{}\n\n", b.to_text().as_str(), a.to_text().as_str());
        let ring = KeyRing::from_text(&lines).unwrap();
        assert_eq!(ring.ids(), vec![b.id(), a.id()]);
        assert_eq!(ring.current().id(), b.id());
        let commas = format!("{}, {}", b.to_text().as_str(), a.to_text().as_str());
        assert_eq!(KeyRing::from_text(&commas).unwrap().ids(), ring.ids());
        assert!(KeyRing::from_text(" \n").is_err());
        assert!(format!("{ring:?}").contains(&a.id()));
        assert!(!format!("{ring:?}").contains(a.to_text().as_str()), "the debug form holds no key");
        assert_eq!(ring.without(&[b.id(), a.id()]).ids(), vec![b.id()], "the current key always stays");
    }

    #[test]
    fn key_files_are_replaced_atomically_and_one_line_files_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("todoke.key");
        let a = MasterKey::create_file(&path).unwrap();
        assert_eq!(KeyRing::from_file(&path).unwrap().ids(), vec![a.id()]);
        let b = MasterKey::generate();
        let ring = KeyRing::from_file(&path).unwrap().with_current(b);
        ring.write_file(&path).unwrap();
        assert_eq!(KeyRing::from_file(&path).unwrap().ids(), ring.ids());
        assert_eq!(MasterKey::from_file(&path).unwrap().id(), ring.current().id(), "a plain read gets the current key");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn key_ids_are_short_stable_and_distinct() {
        let a = MasterKey::generate();
        assert_eq!(a.id().len(), 16);
        assert_eq!(a.id(), MasterKey::from_text(&a.to_text()).unwrap().id());
        assert!(a.check_value().starts_with(&a.id()));
        assert_ne!(a.id(), MasterKey::generate().id());
    }
}
