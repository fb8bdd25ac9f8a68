//! The PostgreSQL backend, for deployments where several stateless app servers share one database.

use crate::db::{Backend, Db, Row, Tx, Value, bind_values, map_sqlx};
use crate::error::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Row as _, TypeInfo as _, ValueRef as _};
use std::str::FromStr;

/// A PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgDb {
    pool: PgPool,
}

impl PgDb {
    /// Connects to `url` (`postgres://user:password@host:port/database`).
    pub async fn open(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Url(e.to_string()))?;
        let pool = PgPoolOptions::new().max_connections(8).connect_with(options).await.map_err(map_sqlx)?;
        Ok(Self { pool })
    }
}

impl Db for PgDb {
    type Tx = PgTx;

    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn begin_write(&self) -> Result<PgTx> {
        Ok(PgTx::Tx(self.pool.begin().await.map_err(map_sqlx)?))
    }

    async fn begin_read(&self) -> Result<PgTx> {
        let tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(map_sqlx)?;
        Ok(PgTx::Tx(tx))
    }

    async fn single(&self) -> Result<PgTx> {
        Ok(PgTx::Single(self.pool.acquire().await.map_err(map_sqlx)?))
    }

    async fn after_erase(&self) -> Result<()> {
        // Reclaims the dead row versions that still hold the destroyed key.
        sqlx::raw_sql("VACUUM incident_key").execute(&self.pool).await.map_err(map_sqlx)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// A PostgreSQL transaction, or a connection whose statements each stand alone ([`Db::single`]).
pub enum PgTx {
    /// Statements inside one transaction.
    Tx(sqlx::Transaction<'static, sqlx::Postgres>),
    /// Statements outside any transaction.
    Single(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl PgTx {
    fn conn(&mut self) -> &mut sqlx::PgConnection {
        match self {
            Self::Tx(tx) => tx,
            Self::Single(conn) => conn,
        }
    }
}

impl Tx for PgTx {
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

fn decode(row: &PgRow) -> Result<Row> {
    let mut values = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match raw.type_info().name() {
                "INT8" => Value::Int(Some(row.try_get(i)?)),
                "INT4" => Value::Int(Some(i64::from(row.try_get::<i32, _>(i)?))),
                "INT2" => Value::Int(Some(i64::from(row.try_get::<i16, _>(i)?))),
                "BOOL" => Value::Int(Some(i64::from(row.try_get::<bool, _>(i)?))),
                "BYTEA" => Value::Blob(Some(row.try_get(i)?)),
                "TEXT" | "VARCHAR" | "NAME" => Value::Text(Some(row.try_get(i)?)),
                other => return Err(StoreError::corrupt(format!("unexpected PostgreSQL type {other}"))),
            }
        };
        values.push(value);
    }
    Ok(Row(values))
}
