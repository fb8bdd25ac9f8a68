//! [`Store`]: the store traits implemented once over any [`Db`].

use crate::audit::{self, Actor, Change};
use crate::crypto::{DataKey, MasterKey};
use crate::db::{Db, Tx};
use crate::error::{Result, StoreError};
use crate::keyring::{KeyRing, KeySource, Keys};
use crate::migrate::migrate;
use crate::snapshots::Snapshots;
use jiff::Timestamp;
use serde::Serialize;
use std::sync::Arc;
use todoke_core::{Clock, IncidentId};
use uuid::Uuid;

/// The store: a database, the master keys and a clock.
#[derive(Clone)]
pub struct Store<D: Db> {
    pub(crate) db: D,
    pub(crate) keys: Arc<Keys>,
    clock: Arc<dyn Clock>,
    pub(crate) snapshots: Arc<Snapshots>,
}

impl<D: Db> std::fmt::Debug for Store<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.db.backend()).finish_non_exhaustive()
    }
}

impl<D: Db> Store<D> {
    /// Opens the store: migrates the schema and checks that `key` is the master key this database
    /// was made with (a new database adopts it).
    pub async fn open(db: D, key: MasterKey, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open_ring(db, KeyRing::new(key), KeySource::Given, clock).await
    }

    /// Opens the store with a ring of master keys (see [`crate::keyring`]): the database's current
    /// key must be among them, and the ring's first key must be one the database knows. `source` is
    /// where the ring is read again when a row names a key it does not hold.
    pub async fn open_ring(db: D, ring: KeyRing, source: KeySource, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open_with(db, ring, source, clock, false).await
    }

    /// Opens the store for `todoke key rotate`: like [`Store::open_ring`], but a first key new to
    /// the database is registered and becomes the key every writer writes with.
    pub async fn open_for_rotation(db: D, ring: KeyRing, source: KeySource, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open_with(db, ring, source, clock, true).await
    }

    async fn open_with(
        db: D,
        ring: KeyRing,
        source: KeySource,
        clock: Arc<dyn Clock>,
        register_current: bool,
    ) -> Result<Self> {
        let store = Self { db, keys: Arc::new(Keys::new(ring, source)), clock, snapshots: Arc::default() };
        migrate(&store.db, &store.now()).await?;
        store.check_keys(register_current).await?;
        Ok(store)
    }

    /// The database underneath.
    pub fn db(&self) -> &D {
        &self.db
    }

    /// Closes the database connections.
    pub async fn close(&self) {
        self.db.close().await;
    }

    pub(crate) fn now_ts(&self) -> Timestamp {
        self.clock.now()
    }

    /// The current time as stored: RFC 3339 in UTC.
    pub(crate) fn now(&self) -> String {
        self.now_ts().to_string()
    }

    /// A new time-ordered id.
    pub(crate) fn new_id(&self) -> Uuid {
        let now = self.now_ts();
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.as_second()).unwrap_or(0),
            u32::try_from(now.subsec_nanosecond()).unwrap_or(0),
        );
        Uuid::new_v7(ts)
    }

    /// Appends the audit entry for a change made in `tx`.
    pub(crate) async fn audit<T: Serialize>(
        &self,
        tx: &mut D::Tx,
        actor: &Actor,
        action: &str,
        object: String,
        change: &T,
    ) -> Result<()> {
        let change = Change { actor, action, object, digest: audit::digest_of(change) };
        audit::append(tx, &self.keys, &self.now(), change).await
    }

    /// The data key of an incident, or [`StoreError::Erased`] once destroyed.
    pub(crate) async fn data_key(&self, tx: &mut D::Tx, incident: IncidentId) -> Result<DataKey> {
        let id = incident.to_string();
        let row = tx
            .fetch_optional("select wrapped, key_id from incident_key where incident_id = $1", &[id.clone().into()])
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("incident {id}")))?;
        match row.opt_blob(0)? {
            // The master key that wrapped it, which another process's rotation may have just added.
            Some(wrapped) => self.keys.get(&row.text(1)?)?.unwrap(&id, &wrapped),
            None => Err(StoreError::Erased(id)),
        }
    }

    /// Seals a value under `key` for the row `context`.
    pub(crate) fn seal<T: Serialize>(key: &DataKey, context: &str, value: &T) -> Result<Vec<u8>> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(value).map_err(StoreError::corrupt)?);
        Ok(key.seal(context, &json))
    }

    /// Opens what [`Store::seal`] sealed.
    pub(crate) fn open_sealed<T: serde::de::DeserializeOwned>(
        key: &DataKey,
        context: &str,
        sealed: &[u8],
    ) -> Result<T> {
        let json = zeroize::Zeroizing::new(key.open(context, sealed)?);
        serde_json::from_slice(&json).map_err(StoreError::corrupt)
    }
}

/// Parses an id stored as text.
pub(crate) fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T> {
    text.parse().map_err(|_| StoreError::corrupt(format!("bad id `{text}`")))
}

/// Parses a JSON column.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

/// Serializes a value for a JSON column.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(StoreError::corrupt)
}
