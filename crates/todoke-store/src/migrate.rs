//! Schema migrations, run at every start. Each backend has its own folder of numbered scripts
//! (`migrations/<backend>/NNNN_what.sql`); a script is never edited once released — its checksum is
//! recorded and checked, so an edited one is refused rather than half-applied.

use crate::db::{Backend, Db, Tx};
use crate::error::{Result, StoreError};
use sha2::{Digest, Sha256};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/sqlite/0001_foundation.sql") },
    Migration { version: 2, name: "assessment", sql: include_str!("../migrations/sqlite/0002_assessment.sql") },
    Migration { version: 3, name: "sign_in", sql: include_str!("../migrations/sqlite/0003_sign_in.sql") },
    Migration { version: 4, name: "totp", sql: include_str!("../migrations/sqlite/0004_totp.sql") },
    Migration { version: 5, name: "casebook", sql: include_str!("../migrations/sqlite/0005_casebook.sql") },
    Migration { version: 6, name: "answer_script", sql: include_str!("../migrations/sqlite/0006_answer_script.sql") },
    Migration { version: 7, name: "notification", sql: include_str!("../migrations/sqlite/0007_notification.sql") },
    Migration { version: 8, name: "case_revision", sql: include_str!("../migrations/sqlite/0008_case_revision.sql") },
    Migration { version: 9, name: "returns", sql: include_str!("../migrations/sqlite/0009_returns.sql") },
    Migration { version: 10, name: "cost", sql: include_str!("../migrations/sqlite/0010_cost.sql") },
    Migration { version: 11, name: "letter_job", sql: include_str!("../migrations/sqlite/0011_letter_job.sql") },
    Migration { version: 12, name: "key_ring", sql: include_str!("../migrations/sqlite/0012_key_ring.sql") },
    Migration { version: 13, name: "reminder", sql: include_str!("../migrations/sqlite/0013_reminder.sql") },
];

const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/postgres/0001_foundation.sql") },
    Migration { version: 2, name: "assessment", sql: include_str!("../migrations/postgres/0002_assessment.sql") },
    Migration { version: 3, name: "sign_in", sql: include_str!("../migrations/postgres/0003_sign_in.sql") },
    Migration { version: 4, name: "totp", sql: include_str!("../migrations/postgres/0004_totp.sql") },
    Migration { version: 5, name: "casebook", sql: include_str!("../migrations/postgres/0005_casebook.sql") },
    Migration { version: 6, name: "answer_script", sql: include_str!("../migrations/postgres/0006_answer_script.sql") },
    Migration { version: 7, name: "notification", sql: include_str!("../migrations/postgres/0007_notification.sql") },
    Migration { version: 8, name: "case_revision", sql: include_str!("../migrations/postgres/0008_case_revision.sql") },
    Migration { version: 9, name: "returns", sql: include_str!("../migrations/postgres/0009_returns.sql") },
    Migration { version: 10, name: "cost", sql: include_str!("../migrations/postgres/0010_cost.sql") },
    Migration { version: 11, name: "letter_job", sql: include_str!("../migrations/postgres/0011_letter_job.sql") },
    Migration { version: 12, name: "key_ring", sql: include_str!("../migrations/postgres/0012_key_ring.sql") },
    Migration { version: 13, name: "reminder", sql: include_str!("../migrations/postgres/0013_reminder.sql") },
];

/// Brings the schema up to date; returns how many migrations were applied.
pub(crate) async fn migrate<D: Db>(db: &D, now: &str) -> Result<usize> {
    let migrations = match db.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        // Several app servers may start at once: one migrates, the others wait.
        tx.execute("select pg_advisory_xact_lock(7483921)", &[]).await?;
    }
    tx.run_script(
        "create table if not exists schema_migration (\
         version bigint primary key, name text not null, checksum text not null, applied_at text not null)",
    )
    .await?;
    let applied = tx.fetch_all("select version, checksum from schema_migration order by version", &[]).await?;
    let mut count = 0;
    for m in migrations {
        let checksum = hex::encode(Sha256::digest(m.sql.as_bytes()));
        match applied.iter().find(|r| r.int(0).ok() == Some(m.version)) {
            Some(row) if row.text(1)? != checksum => {
                return Err(StoreError::Corrupt(format!(
                    "migration {} ({}) differs from the one applied to this database",
                    m.version, m.name
                )));
            }
            Some(_) => {}
            None => {
                tx.run_script(m.sql).await?;
                tx.execute(
                    "insert into schema_migration (version, name, checksum, applied_at) values ($1, $2, $3, $4)",
                    &[m.version.into(), m.name.into(), checksum.into(), now.into()],
                )
                .await?;
                count += 1;
            }
        }
    }
    if let Some(newest) = applied.iter().filter_map(|r| r.int(0).ok()).max()
        && migrations.iter().all(|m| m.version < newest)
    {
        return Err(StoreError::Corrupt(format!(
            "this database has schema version {newest}, newer than this todoke knows; upgrade todoke"
        )));
    }
    tx.commit().await?;
    Ok(count)
}
