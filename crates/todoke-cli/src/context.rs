//! Opening the store: the master key from the environment or the key file, and the backend the
//! database URL names.

use crate::cli::Global;
use crate::lang::Lang;
use anyhow::{Context as _, Result, bail};
use std::sync::Arc;
use todoke_core::SystemClock;
use todoke_store::{Actor, MasterKey, PgDb, SqliteDb, Store};

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

/// The master key: `TODOKE_MASTER_KEY` if set, else the key file.
pub fn master_key(global: &Global) -> Result<MasterKey> {
    if let Ok(text) = std::env::var(MASTER_KEY_VAR) {
        return MasterKey::from_text(&text).with_context(|| MASTER_KEY_VAR.to_string());
    }
    Ok(MasterKey::from_file(&global.key_file)?)
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

/// Opens the store on `db` with the master key.
pub async fn open_store<D: todoke_store::Db>(db: D, key: MasterKey) -> Result<Store<D>> {
    Ok(Store::open(db, key, Arc::new(SystemClock)).await?)
}
