//! `todoke backup` and `todoke restore`: an online copy of an SQLite database, checked by opening
//! it with the master key, verifying its audit chain and counting its records; a restore checks the
//! copy the same way before it replaces anything.

use crate::cli::Global;
use crate::context::{Ctx, Database, master_key, open_database, open_store};
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use todoke_store::{AuditStore, Counts, SqliteDb};

const POSTGRES_HINT: &str = "PostgreSQL is backed up with its own tools: `pg_dump --format=custom --file=todoke.dump URL` \
     and restored with `pg_restore --clean --dbname=URL todoke.dump` (see README); `todoke backup` copies an SQLite database";

/// The file an SQLite URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    if url.contains("://") && !url.starts_with("sqlite://") {
        return None;
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    Some(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

/// Opens the database at `path` with the master key, verifies its audit chain and counts it.
async fn check(global: &Global, path: &Path) -> Result<(Counts, String)> {
    let db = SqliteDb::open(path.to_str().context("the path is not UTF-8")?).await?;
    let store = open_store(db, master_key(global)?).await.with_context(|| path.display().to_string())?;
    let report = store.verify_audit().await?;
    if let Some(bad) = &report.first_bad {
        bail!("{}: the audit chain does not verify at entry {}: {}", path.display(), bad.seq, bad.reason);
    }
    let counts = store.counts().await?;
    store.close().await;
    Ok((counts, report.head_hash))
}

fn say_counts(ctx: &Ctx, counts: &Counts, head: &str) {
    println!(
        "{} {}, {} {}, {} {}, {} {}, {} {}; {} {head}",
        ctx.say("事案", "incidents"),
        counts.incidents,
        ctx.say("当事者", "parties"),
        counts.parties,
        ctx.say("本人", "people"),
        counts.people,
        ctx.say("公表事例", "notices"),
        counts.notices,
        ctx.say("監査ログ", "audit entries"),
        counts.audit_entries,
        ctx.say("監査ログ先頭", "audit head"),
    );
}

pub async fn backup(ctx: &Ctx, global: &Global, out: &Path) -> Result<ExitCode> {
    if sqlite_path(&global.database).is_none() {
        bail!(POSTGRES_HINT);
    }
    let Database::Sqlite(db) = open_database(&global.database).await? else { bail!(POSTGRES_HINT) };
    let store = open_store(db.clone(), master_key(global)?).await?;
    let before = store.counts().await?;
    db.backup_to(out).await?;
    store.close().await;
    let (counts, head) = check(global, out).await?;
    // Writes may land between the two counts; a copy never holds less than the source had before.
    if counts.audit_entries < before.audit_entries || counts.people < before.people {
        bail!("{}: the copy holds fewer records than the database had", out.display());
    }
    println!("{} {}", ctx.say("バックアップを作成しました:", "backup written:"), out.display());
    say_counts(ctx, &counts, &head);
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(ctx: &Ctx, global: &Global, from: &Path, force: bool) -> Result<ExitCode> {
    let Some(target) = sqlite_path(&global.database) else { bail!(POSTGRES_HINT) };
    if !from.is_file() {
        bail!("{}: no such backup file", from.display());
    }
    if target.exists() && !force {
        bail!(
            "{} exists: stop the server and add --force to replace it (it is kept as {}.before-restore-…)",
            target.display(),
            target.display()
        );
    }
    // Check a copy, so that nothing is replaced by a backup that does not open with this key or verify.
    let staged = target.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(from, &staged).with_context(|| format!("{} → {}", from.display(), staged.display()))?;
    let (counts, head) = match check(global, &staged).await {
        Ok(checked) => checked,
        Err(e) => {
            remove_with_sidecars(&staged);
            return Err(e.context(format!("{} is not a usable backup", from.display())));
        }
    };
    if target.exists() {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let aside = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        std::fs::rename(&target, &aside).with_context(|| target.display().to_string())?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::rename(&side, format!("{}{suffix}", aside.display()))?;
            }
        }
        println!("{} {}", ctx.say("元のデータベースを退避しました:", "previous database kept as"), aside.display());
    }
    // The check left the copy checkpointed and closed: its WAL, if any, is empty.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    std::fs::rename(&staged, &target).with_context(|| target.display().to_string())?;
    println!("{} {}", ctx.say("復元しました:", "restored:"), target.display());
    say_counts(ctx, &counts, &head);
    Ok(ExitCode::SUCCESS)
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://data/todoke.db"), Some(PathBuf::from("data/todoke.db")));
        assert_eq!(sqlite_path("sqlite:todoke.db?mode=rwc"), Some(PathBuf::from("todoke.db")));
        assert_eq!(sqlite_path("todoke.db"), Some(PathBuf::from("todoke.db")));
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
