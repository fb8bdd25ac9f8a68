//! Opening the store: the master key from the environment or the key file, and the backend the
//! database URL names.

use crate::cli::Global;
use crate::lang::Lang;
use anyhow::{Context as _, Result, bail};
use std::sync::Arc;
use todoke_core::SystemClock;
use todoke_store::{Actor, KeyRing, KeySource, MasterKey, PgDb, SqliteDb, Store};

/// The environment variable that holds the master key (base64), instead of a key file.
pub const MASTER_KEY_VAR: &str = "TODOKE_MASTER_KEY";

/// What a command needs besides the store.
pub struct Ctx {
    pub lang: Lang,
    pub actor: Actor,
}

impl Ctx {
    pub fn new(global: &Global) -> Self {
        let login = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
        Self { lang: global.lang, actor: Actor::cli(&login) }
    }

    /// The message in the user's language.
    pub fn say<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ja, en)
    }
}

/// The master keys (the current one first, then previous ones during a rotation), and where they
/// came from, so that a running server can read the key file again after `todoke key rotate`.
pub struct MasterKeys {
    pub ring: KeyRing,
    pub source: KeySource,
}

impl From<MasterKey> for MasterKeys {
    fn from(key: MasterKey) -> Self {
        Self { ring: KeyRing::new(key), source: KeySource::Given }
    }
}

/// The master keys: `TODOKE_MASTER_KEY` if set (keys separated by commas), else the key file (one
/// key a line).
pub fn master_key(global: &Global) -> Result<MasterKeys> {
    if let Ok(text) = std::env::var(MASTER_KEY_VAR) {
        let ring = KeyRing::from_text(&text).with_context(|| MASTER_KEY_VAR.to_string())?;
        return Ok(MasterKeys { ring, source: KeySource::Env(MASTER_KEY_VAR.into()) });
    }
    let ring = KeyRing::from_file(&global.key_file)?;
    Ok(MasterKeys { ring, source: KeySource::File(global.key_file.clone()) })
}

/// A database the URL names.
pub enum Database {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

pub async fn open_database(url: &str) -> Result<Database> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let db = PgDb::open(url).await.context("cannot connect to PostgreSQL")?;
        Ok(Database::Postgres(db))
    } else if url.starts_with("sqlite:") || !url.contains("://") {
        let db = SqliteDb::open(url).await.with_context(|| format!("cannot open SQLite database {url}"))?;
        Ok(Database::Sqlite(db))
    } else {
        bail!("unknown database URL `{url}`: expected sqlite://PATH or postgres://…")
    }
}

/// Opens the store on `db` with the master keys.
pub async fn open_store<D: todoke_store::Db>(db: D, keys: impl Into<MasterKeys>) -> Result<Store<D>> {
    let MasterKeys { ring, source } = keys.into();
    Ok(Store::open_ring(db, ring, source, Arc::new(SystemClock)).await?)
}
