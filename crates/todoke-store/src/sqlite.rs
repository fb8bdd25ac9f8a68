//! The embedded SQLite backend: one file, WAL, nothing to install.

use crate::db::{Backend, Db, Row, Tx, Value, bind_values, map_sqlx};
use crate::error::{Result, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row as _, TypeInfo as _, ValueRef as _};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// A SQLite database file.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pool: SqlitePool,
}

impl SqliteDb {
    /// Opens (creating if missing) the database at `url` (`sqlite://path`, `sqlite:path` or a plain path).
    pub async fn open(url: &str) -> Result<Self> {
        let url = if url.starts_with("sqlite:") { url.to_string() } else { format!("sqlite://{url}") };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Deleted content (a destroyed data key) is overwritten, not left in free pages.
            .pragma("secure_delete", "on");
        let file = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(map_sqlx)?;
        restrict_permissions(&file);
        Ok(Self { pool })
    }
}

impl SqliteDb {
    /// `VACUUM INTO` the file named `target` (a bound value: the statement takes an expression).
    pub(crate) async fn vacuum_into(&self, target: &str) -> Result<()> {
        sqlx::query("VACUUM INTO ?").bind(target).execute(&self.pool).await.map_err(map_sqlx)?;
        Ok(())
    }
}

/// The database holds encrypted personal data and its metadata: only its owner should read it.
#[cfg(unix)]
fn restrict_permissions(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(not(unix))]
fn restrict_permissions(_file: &Path) {}

impl Db for SqliteDb {
    type Tx = SqliteTx;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn begin_write(&self) -> Result<SqliteTx> {
        Ok(SqliteTx::Tx(self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_sqlx)?))
    }

    async fn begin_read(&self) -> Result<SqliteTx> {
        Ok(SqliteTx::Tx(self.pool.begin().await.map_err(map_sqlx)?))
    }

    async fn single(&self) -> Result<SqliteTx> {
        Ok(SqliteTx::Single(self.pool.acquire().await.map_err(map_sqlx)?))
    }

    async fn after_erase(&self) -> Result<()> {
        // Old page images stay in the WAL until a checkpoint copies them back and truncates it.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await.map_err(map_sqlx)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// A SQLite transaction, or a connection whose statements each stand alone ([`Db::single`]).
pub enum SqliteTx {
    /// Statements inside one transaction.
    Tx(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// Statements outside any transaction.
    Single(sqlx::pool::PoolConnection<sqlx::Sqlite>),
}

impl SqliteTx {
    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        match self {
            Self::Tx(tx) => tx,
            Self::Single(conn) => conn,
        }
    }
}

impl Tx for SqliteTx {
    async fn execute(&mut self, sql: &'static str, args: &[Value]) -> Result<u64> {
        let query = bind_values!(sqlx::query(sql), args);
        Ok(query.execute(self.conn()).await.map_err(map_sqlx)?.rows_affected())
    }

    async fn run_script(&mut self, sql: &'static str) -> Result<()> {
        sqlx::raw_sql(sql).execute(self.conn()).await.map_err(map_sqlx)?;
        Ok(())
    }

    async fn fetch_all(&mut self, sql: &'static str, args: &[Value]) -> Result<Vec<Row>> {
        let query = bind_values!(sqlx::query(sql), args);
        let rows = query.fetch_all(self.conn()).await.map_err(map_sqlx)?;
        rows.iter().map(decode).collect()
    }

    async fn commit(self) -> Result<()> {
        match self {
            Self::Tx(tx) => tx.commit().await.map_err(map_sqlx),
            // Each statement committed by itself.
            Self::Single(_) => Ok(()),
        }
    }
}

fn decode(row: &SqliteRow) -> Result<Row> {
    let mut values = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" | "INT8" => Value::Int(Some(row.try_get(i)?)),
                "BLOB" => Value::Blob(Some(row.try_get(i)?)),
                "TEXT" => Value::Text(Some(row.try_get(i)?)),
                other => return Err(StoreError::corrupt(format!("unexpected SQLite type {other}"))),
            }
        };
        values.push(value);
    }
    Ok(Row(values))
}
