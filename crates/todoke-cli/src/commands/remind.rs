//! `todoke remind`: the deadline reminders due today, sent (or, with `--dry-run`, listed).

use super::campaign::SmtpArgs;
use crate::context::Ctx;
use anyhow::{Result, bail};
use std::process::ExitCode;
use todoke_app::reminders::{due_reminders, recipients, send_reminders};
use todoke_store::{Db, Store};

pub async fn run<D: Db>(
    ctx: &Ctx,
    store: &Store<D>,
    as_of: Option<todoke_core::Date>,
    dry_run: bool,
    site_url: Option<&str>,
    smtp: &SmtpArgs,
) -> Result<ExitCode> {
    let site = site_url.map(todoke_app::reminders::site_url).transpose()?;
    let today = as_of.unwrap_or_else(|| todoke_core::japan_date(jiff::Timestamp::now()));
    if dry_run {
        let due = due_reminders(store, today).await?;
        for reminder in &due {
            let to: Vec<String> = recipients(store, reminder)
                .await?
                .into_iter()
                .map(
                    |(c, copy)| {
                        if copy { format!("{}{}", c.user.login, ctx.say("(写し)", "(copy)")) } else { c.user.login }
                    },
                )
                .collect();
            let to = if to.is_empty() { ctx.say("(宛先なし)", "(nobody)").to_string() } else { to.join(",") };
            println!("{}\t{}\t{}", reminder.key.incident, reminder.subject(), to);
        }
        eprintln!("{} {}", due.len(), ctx.say("件の期限のお知らせが対象です (--dry-run)", "reminders due (--dry-run)"));
        return Ok(ExitCode::SUCCESS);
    }
    let Some(config) = smtp.config(ctx)? else {
        bail!(
            "{}",
            ctx.say("--smtp-host で SMTP サーバーを指定してください", "--smtp-host: the SMTP server is needed")
        );
    };
    let report = send_reminders(store, &ctx.actor, &config, today, site.as_deref()).await?;
    println!("{}", serde_json::to_string(&report)?);
    eprintln!(
        "{}: {} / {} ({} {}, {} {}, {} {})",
        ctx.say("期限のお知らせ", "reminders"),
        report.sent,
        report.due,
        report.already_sent,
        ctx.say("件は送付済み", "sent before"),
        report.no_recipient,
        ctx.say("件は宛先なし", "with nobody to send to"),
        report.failed,
        ctx.say("件は次回に再送", "to try again next time"),
    );
    Ok(if report.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
