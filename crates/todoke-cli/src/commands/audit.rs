//! `todoke audit verify`.

use crate::cli::AuditCmd;
use crate::context::Ctx;
use anyhow::Result;
use std::process::ExitCode;
use todoke_store::{AuditStore, Db, Store};

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::Verify { json } => {
            let report = store.verify_audit().await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            }
            match &report.first_bad {
                None => {
                    if !json {
                        println!(
                            "{} {} {} {}",
                            ctx.say("監査ログは改ざんされていません:", "audit log intact:"),
                            report.entries,
                            ctx.say("件、先頭ハッシュ", "entries, head hash"),
                            report.head_hash
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Some(bad) => {
                    eprintln!(
                        "todoke: {} {}: {}",
                        ctx.say(
                            "監査ログの検証に失敗しました。最初の不正なエントリ",
                            "audit log does not verify; first bad entry"
                        ),
                        bad.seq,
                        bad.reason
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}
