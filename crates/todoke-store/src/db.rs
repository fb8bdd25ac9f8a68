//! The small interface the store needs from a database: transactions that run constant SQL with
//! bound values and give back rows of plain values. SQLite and PostgreSQL implement it; everything
//! above it (tables, encryption, the audit chain) is written once, so the two backends cannot drift.
//!
//! SQL text is `&'static str`: values are always bound (`$1`, `$2` …), never formatted in.

use crate::error::{Result, StoreError};
use std::future::Future;

/// A value bound to, or read from, SQL. NULLs are typed, because PostgreSQL checks the type of
/// every parameter, NULL included. Booleans are stored as integers 0/1 and times as RFC 3339 text,
/// so that both backends hold the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer or NULL.
    Int(Option<i64>),
    /// Text or NULL.
    Text(Option<String>),
    /// Bytes or NULL.
    Blob(Option<Vec<u8>>),
}

impl Value {
    fn is_null(&self) -> bool {
        matches!(self, Self::Int(None) | Self::Text(None) | Self::Blob(None))
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident($conv:expr)),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Self::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Self::$variant(v.map($conv))
            }
        }
    )*};
}

value_from!(
    i64 => Int(|v| v),
    bool => Int(i64::from),
    &str => Text(str::to_string),
    String => Text(|v| v),
    Vec<u8> => Blob(|v| v),
);

/// One row of a result.
#[derive(Debug, Clone)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value> {
        self.0.get(i).ok_or_else(|| StoreError::corrupt(format!("column {i} missing")))
    }

    /// Column `i` as text; NULL is an error.
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| StoreError::corrupt(format!("column {i} is NULL")))
    }

    /// Column `i` as text or NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.get(i)? {
            v if v.is_null() => Ok(None),
            Value::Text(s) => Ok(s.clone()),
            other => Err(StoreError::corrupt(format!("column {i}: expected text, found {other:?}"))),
        }
    }

    /// Column `i` as an integer; NULL is an error.
    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| StoreError::corrupt(format!("column {i} is NULL")))
    }

    /// Column `i` as an integer or NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.get(i)? {
            v if v.is_null() => Ok(None),
            Value::Int(v) => Ok(*v),
            other => Err(StoreError::corrupt(format!("column {i}: expected an integer, found {other:?}"))),
        }
    }

    /// Column `i` as bytes or NULL.
    pub fn opt_blob(&self, i: usize) -> Result<Option<Vec<u8>>> {
        match self.get(i)? {
            v if v.is_null() => Ok(None),
            Value::Blob(v) => Ok(v.clone()),
            other => Err(StoreError::corrupt(format!("column {i}: expected bytes, found {other:?}"))),
        }
    }

    /// Column `i` as bytes; NULL is an error.
    pub fn blob(&self, i: usize) -> Result<Vec<u8>> {
        self.opt_blob(i)?.ok_or_else(|| StoreError::corrupt(format!("column {i} is NULL")))
    }
}

/// Which database engine is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A database the store can run on.
pub trait Db: Clone + Send + Sync + 'static {
    /// A transaction of this database.
    type Tx: Tx;

    /// Which engine this is.
    fn backend(&self) -> Backend;

    /// Starts a transaction that will write: it holds the write lock from the start, so a
    /// read-then-write inside it never races another writer.
    fn begin_write(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// Starts a transaction that only reads (one consistent snapshot).
    fn begin_read(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// A connection outside any transaction, for a read that one statement answers: a statement
    /// reads one consistent snapshot by itself, and the BEGIN and ROLLBACK of [`Db::begin_read`]
    /// would be two more round trips to the database on every page.
    fn single(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// Work to do after data was destroyed, so that no copy lingers in the files (WAL, free pages).
    fn after_erase(&self) -> impl Future<Output = Result<()>> + Send;

    /// Closes the connections.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// A transaction: rolled back when dropped without [`Tx::commit`].
pub trait Tx: Send {
    /// Runs one statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &'static str, args: &[Value]) -> impl Future<Output = Result<u64>> + Send;

    /// Runs a script of several statements without parameters (migrations).
    fn run_script(&mut self, sql: &'static str) -> impl Future<Output = Result<()>> + Send;

    /// Runs one query and returns all its rows.
    fn fetch_all(&mut self, sql: &'static str, args: &[Value]) -> impl Future<Output = Result<Vec<Row>>> + Send;

    /// Runs one query that returns at most one row.
    fn fetch_optional(
        &mut self,
        sql: &'static str,
        args: &[Value],
    ) -> impl Future<Output = Result<Option<Row>>> + Send {
        async move { Ok(self.fetch_all(sql, args).await?.into_iter().next()) }
    }

    /// Runs one query that returns exactly one row.
    fn fetch_one(&mut self, sql: &'static str, args: &[Value]) -> impl Future<Output = Result<Row>> + Send {
        async move {
            self.fetch_optional(sql, args)
                .await?
                .ok_or_else(|| StoreError::corrupt(format!("expected a row from: {sql}")))
        }
    }

    /// Makes the transaction's changes durable.
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

/// Binds [`Value`]s to a sqlx query, for either backend.
macro_rules! bind_values {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Blob(v) => query.bind(v.clone()),
            };
        }
        query
    }};
}
pub(crate) use bind_values;

/// Maps a sqlx error, turning unique violations into [`StoreError::Conflict`].
pub(crate) fn map_sqlx(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(db.message().to_string());
    }
    StoreError::Database(e)
}
