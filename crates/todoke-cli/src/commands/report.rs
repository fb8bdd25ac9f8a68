//! `todoke report file | list`: reports filed with the PPC.

use crate::cli::ReportCmd;
use crate::context::Ctx;
use anyhow::{Context as _, Result};
use std::io::Write as _;
use std::process::ExitCode;
use todoke_core::ReportKind;
use todoke_store::{CaseRecordStore, Db, IncidentStore, Store};

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: ReportCmd) -> Result<ExitCode> {
    match cmd {
        ReportCmd::File { incident, party, kind, submitted_on, receipt, content_file } => {
            let id = store.find_incident(&incident).await?;
            let kind = ReportKind::from_key(&kind).context("kind")?;
            let content = match &content_file {
                Some(path) => std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?,
                None => String::new(),
            };
            let filing = todoke_app::Filing {
                party: &party,
                kind,
                submitted_on,
                receipt_number: receipt.as_deref(),
                content: &content,
            };
            let (report_id, report) = todoke_app::file_report(store, &ctx.actor, id, &filing).await?;
            let timeliness = match report.on_time {
                Some(true) => ctx.say("期限内", "on time"),
                Some(false) => ctx.say("期限超過", "late"),
                None => ctx.say("期限なし", "no deadline"),
            };
            let due = report.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            println!(
                "{} {} {submitted_on} ({} {due}: {timeliness})",
                ctx.say("提出を記録しました:", "filed:"),
                kind.label_ja(),
                ctx.say("期限", "due")
            );
            println!("{report_id}");
        }
        ReportCmd::List { incident, json } => {
            let id = store.find_incident(&incident).await?;
            let parties = store.parties(id).await?;
            let mut out = std::io::stdout().lock();
            for (report_id, r) in store.reports(id).await? {
                let party = parties.iter().find(|p| p.id == r.party).map_or("?", |p| p.party.name.as_str());
                if json {
                    let mut v = serde_json::to_value(&r)?;
                    v["id"] = report_id.to_string().into();
                    v["party_name"] = party.into();
                    writeln!(out, "{}", serde_json::to_string(&v)?)?;
                    continue;
                }
                let on = r.submitted_on.map_or_else(|| ctx.say("下書き", "draft").to_string(), |d| d.to_string());
                let timeliness = match r.on_time {
                    Some(true) => ctx.say("期限内", "on time"),
                    Some(false) => ctx.say("期限超過", "late"),
                    None => "",
                };
                let receipt = r.receipt_number.as_deref().unwrap_or("");
                writeln!(out, "{report_id}\t{party}\t{}\t{on}\t{receipt}\t{timeliness}", r.kind.label_ja())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
