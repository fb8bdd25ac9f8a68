//! `todoke retention purge`: erases the cases the retention policy calls to erase, each with its
//! certificate of destruction.

use crate::context::Ctx;
use anyhow::Result;
use clap::Subcommand;
use std::process::ExitCode;
use todoke_store::{Db, Store};

#[derive(Debug, Subcommand)]
pub enum RetentionCmd {
    /// Crypto-erases every case whose campaign's last recorded step (a notice sent, returned,
    /// re-mailed …) is more than N days old, and prints one certificate of destruction (JSON) a case;
    /// each certificate's digest is in the audit log (action incident.erase).
    Purge {
        /// The days people data is kept after the campaign's last step.
        #[arg(long, value_name = "N")]
        after_days: u32,
        /// Only lists the cases that would be erased.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: RetentionCmd) -> Result<ExitCode> {
    let RetentionCmd::Purge { after_days, dry_run } = cmd;
    let now = jiff::Timestamp::now();
    if dry_run {
        let due = todoke_app::retention::due(store, now, after_days).await?;
        for case in &due {
            println!("{}\t{}\t{}", case.incident, case.last_step, case.title);
        }
        eprintln!("{} {}", due.len(), ctx.say("件が消去の対象です (--dry-run)", "cases would be erased (--dry-run)"));
        return Ok(ExitCode::SUCCESS);
    }
    let certificates = todoke_app::retention::purge(store, &ctx.actor, now, after_days).await?;
    for certificate in &certificates {
        println!("{}", serde_json::to_string(certificate)?);
    }
    eprintln!("{} {}", certificates.len(), ctx.say("件を消去しました", "cases erased"));
    Ok(ExitCode::SUCCESS)
}
