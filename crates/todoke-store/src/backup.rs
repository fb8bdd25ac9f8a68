//! Backups: an online copy of an SQLite database (a consistent snapshot taken while the server
//! runs), and the counts that check a copy against its source. PostgreSQL is backed up with its own
//! tools (`pg_dump -Fc`), described in the README.

use crate::db::{Db, Tx};
use crate::error::{Result, StoreError};
use crate::sqlite::SqliteDb;
use crate::store::Store;
use serde::Serialize;
use std::path::Path;

/// Rows per table of what a backup must carry; two databases with the same counts and a verifying
/// audit chain with the same head hold the same records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Organizations.
    pub organizations: i64,
    /// Incidents.
    pub incidents: i64,
    /// Parties of incidents.
    pub parties: i64,
    /// Affected people (sealed).
    pub people: i64,
    /// Timeline events, tasks, reports and inquiries together.
    pub records: i64,
    /// User accounts.
    pub users: i64,
    /// Casebook notices.
    pub notices: i64,
    /// Audit entries.
    pub audit_entries: i64,
}

impl<D: Db> Store<D> {
    /// Counts the rows a backup must carry, in one read transaction (one snapshot).
    pub async fn counts(&self) -> Result<Counts> {
        let mut tx = self.db.begin_read().await?;
        let mut n = async |sql: &'static str| -> Result<i64> { tx.fetch_one(sql, &[]).await?.int(0) };
        Ok(Counts {
            organizations: n("select count(*) from organization").await?,
            incidents: n("select count(*) from incident").await?,
            parties: n("select count(*) from party").await?,
            people: n("select count(*) from affected_person").await?,
            records: n("select (select count(*) from timeline_event) + (select count(*) from task) + \
                        (select count(*) from report) + (select count(*) from inquiry)")
            .await?,
            users: n("select count(*) from app_user").await?,
            notices: n("select count(*) from casebook_notice").await?,
            audit_entries: n("select count(*) from audit_entry").await?,
        })
    }
}

impl SqliteDb {
    /// Writes a consistent copy of the database to `path` (which must not exist) while it stays in
    /// use: SQLite's `VACUUM INTO`, into a file made readable by its owner only.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        let io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(io)?;
        let target = path.to_str().ok_or_else(|| StoreError::Io(format!("{}: not a UTF-8 path", path.display())))?;
        let result = self.vacuum_into(target).await;
        if result.is_err() {
            let _ = std::fs::remove_file(path);
        }
        result
    }
}
