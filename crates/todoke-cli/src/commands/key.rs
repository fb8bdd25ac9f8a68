//! `todoke key`: the master keys — which exist and what each protects, rotation to a new key while
//! servers keep running on the same database, and retirement of the previous keys.

use crate::cli::Global;
use crate::context::{Ctx, Database, MasterKeys, master_key, open_database, open_store};
use anyhow::{Result, bail};
use clap::Subcommand;
use std::process::ExitCode;
use std::sync::Arc;
use todoke_core::SystemClock;
use todoke_store::{Db, KeySource, MasterKey, Store};

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Lists the master keys the database knows: which is current, which this process holds, and
    /// how many incident keys, TOTP seeds and audit entries each still protects.
    Status {
        /// Prints JSON, one object a line.
        #[arg(long)]
        json: bool,
    },
    /// Makes a new master key current: writes the key file with the new key first and the old ones
    /// after, then re-wraps every incident key and re-seals every TOTP seed under it, in small
    /// transactions (servers keep running and pick the new key up from the key file). Run again
    /// after a crash to finish an interrupted rotation.
    Rotate {
        /// With TODOKE_MASTER_KEY (which todoke cannot rewrite): prints the new key to set.
        #[arg(long)]
        print_new_key: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = 200)]
        batch: i64,
    },
    /// Removes the previous keys from the key file once no row needs them anymore (their audit MAC
    /// keys are kept, sealed under the current key, so the audit log still verifies).
    Retire,
}

pub async fn run(ctx: &Ctx, global: &Global, cmd: KeyCmd) -> Result<ExitCode> {
    let keys = master_key(global)?;
    match open_database(&global.database).await? {
        Database::Sqlite(db) => run_on(ctx, keys, db, cmd).await,
        Database::Postgres(db) => run_on(ctx, keys, db, cmd).await,
    }
}

async fn run_on<D: Db>(ctx: &Ctx, keys: MasterKeys, db: D, cmd: KeyCmd) -> Result<ExitCode> {
    match cmd {
        KeyCmd::Status { json } => {
            let store = open_store(db, keys).await?;
            status(ctx, &store, json).await?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        KeyCmd::Rotate { print_new_key, batch } => rotate(ctx, keys, db, print_new_key, batch).await,
        KeyCmd::Retire => retire(ctx, keys, db).await,
    }
}

async fn status<D: Db>(ctx: &Ctx, store: &Store<D>, json: bool) -> Result<()> {
    for key in store.key_status().await? {
        if json {
            println!("{}", serde_json::to_string(&key)?);
            continue;
        }
        let role = if key.current {
            ctx.say("現在", "current")
        } else if key.retired_at.is_some() {
            ctx.say("廃止済", "retired")
        } else {
            ctx.say("旧", "previous")
        };
        let held = if key.held { ctx.say("保持", "held") } else { ctx.say("未保持", "not held") };
        println!(
            "{}  {role}  {held}  {} {}  {} {}  {} {}",
            key.id,
            ctx.say("事案鍵", "incident keys"),
            key.incident_keys,
            ctx.say("TOTP", "TOTP seeds"),
            key.totp_seeds,
            ctx.say("監査ログ", "audit entries"),
            key.audit_entries,
        );
    }
    Ok(())
}

fn open_for_rotation<D: Db>(db: D, keys: &MasterKeys) -> impl Future<Output = todoke_store::Result<Store<D>>> + use<D> {
    Store::open_for_rotation(db, keys.ring.clone(), keys.source.clone(), Arc::new(SystemClock))
}

async fn rotate<D: Db>(ctx: &Ctx, keys: MasterKeys, db: D, print_new_key: bool, batch: i64) -> Result<ExitCode> {
    // Opening for a rotation registers a first key new to the database: the key file was written
    // by a rotation that stopped before it registered the key.
    let mut store = open_for_rotation(db.clone(), &keys).await?;
    if store.rotation_pending().await? {
        eprintln!("{}", ctx.say("中断した鍵の切り替えを再開します", "resuming an unfinished rotation"));
    } else {
        let new = MasterKey::generate();
        match &keys.source {
            KeySource::File(path) => {
                let ring = keys.ring.with_current(new);
                ring.write_file(path)?;
                eprintln!(
                    "{} {}: {}",
                    ctx.say("鍵ファイルを書き換えました (新しい鍵が先頭)", "wrote the key file (new key first)"),
                    path.display(),
                    ring.ids().join(", ")
                );
                // The same connections (closing the store would close them): registers the new key.
                store = open_for_rotation(db, &MasterKeys { ring, source: keys.source.clone() }).await?;
            }
            KeySource::Env(_) | KeySource::Given => {
                let var = if let KeySource::Env(var) = &keys.source { var.as_str() } else { "TODOKE_MASTER_KEY" };
                store.close().await;
                if print_new_key {
                    println!("{var}={},${var}", new.to_text().as_str());
                }
                bail!(
                    "the master key comes from {var}, which todoke cannot rewrite: set {var} to a new key \
                     followed by the current ones (NEW,{}) and run `todoke key rotate` again with it, then restart \
                     the servers with it{}",
                    keys.ring.ids().join(","),
                    if print_new_key { "; the new key is printed above" } else { "; --print-new-key prints a new key" }
                );
            }
        }
    }
    let moved = store
        .rewrap(batch, &mut |what, n| {
            eprintln!("{} {what}: {n}", ctx.say("鍵を移しました", "re-wrapped"));
        })
        .await?;
    store.finish_rotation(&ctx.actor).await?;
    let ring = store.key_ring();
    println!(
        "{} {}; {} {}, {} {}, {} {}",
        ctx.say("現在のマスター鍵:", "current master key:"),
        ring.current().id(),
        ctx.say("事案鍵", "incident keys"),
        moved.incident_keys,
        ctx.say("TOTP", "TOTP seeds"),
        moved.totp_seeds,
        ctx.say("廃止鍵の監査鍵", "audit keys of retired keys"),
        moved.sealed_audit_keys,
    );
    println!(
        "{}",
        ctx.say(
            "全サーバーが新しい鍵ファイルで動いたら todoke key retire で旧鍵を外せます",
            "once every server runs with the new key file, `todoke key retire` removes the previous keys"
        )
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn retire<D: Db>(ctx: &Ctx, keys: MasterKeys, db: D) -> Result<ExitCode> {
    let source = keys.source.clone();
    let store = open_store(db, keys).await?;
    let newly = store.retire_keys(&ctx.actor).await?;
    // Drop every retired key from the key file (also those a crash left there after the database
    // marked them retired).
    let retired: Vec<String> =
        store.key_status().await?.into_iter().filter(|k| k.retired_at.is_some()).map(|k| k.id).collect();
    let ring = store.key_ring();
    store.close().await;
    let kept = ring.without(&retired);
    match &source {
        KeySource::File(path) if kept.len() < ring.len() => {
            kept.write_file(path)?;
            println!(
                "{} {}: {}",
                ctx.say("鍵ファイルから旧鍵を外しました", "removed the previous keys from the key file"),
                path.display(),
                kept.ids().join(", ")
            );
        }
        KeySource::Env(var) if kept.len() < ring.len() => {
            println!(
                "{} {var}: {}",
                ctx.say("次の鍵だけを残してください", "keep only these keys in"),
                kept.ids().join(", ")
            );
        }
        _ => {}
    }
    if newly.is_empty() {
        println!("{}", ctx.say("廃止する旧鍵はありません", "no previous key to retire"));
    } else {
        println!("{} {}", ctx.say("廃止しました:", "retired:"), newly.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
