//! `todoke campaign email | letters | bounce | posted | returns | status`: a party's notices (本人通知)
//! planned from its stored people, the e-mail ones sent through an SMTP server and the letters printed
//! as PDF; bounces, postings and returned letters recorded; counts shown.

use crate::context::Ctx;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use todoke_app::campaign::{self, PASSWORD_VAR, Security, SendOptions, SendReport, SmtpConfig};
use todoke_people::PlanConfig;
use todoke_store::{Db, IncidentStore, LetterJobState, LetterStore, NotificationStore, Store};

#[derive(Debug, Subcommand)]
pub enum CampaignCmd {
    /// Plans a party's notices from its stored people (the channel rule of `people plan`) and sends
    /// the e-mail ones: throttled, retried, never twice. The password comes from TODOKE_SMTP_PASSWORD.
    Email(EmailArgs),
    /// Prints a party's letters waiting to go (planned from its stored people first, re-mailed ones
    /// at their corrected address) as PDF, 500 a file (--batch), into a folder. The letters are kept sealed
    /// batch by batch as they are printed: a run cut short resumes where it stopped when run again.
    Letters(LettersArgs),
    /// Records that a sent e-mail bounced afterwards, by its Message-ID.
    Bounce {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// The bounced e-mail's Message-ID (as in the bounce's headers).
        #[arg(long)]
        message_id: String,
        /// The status code the bounce gives (5.1.1, 550).
        #[arg(long)]
        code: String,
    },
    /// Records that a party's letters waiting to go (planned, or re-addressed after a return) were
    /// posted: returns can be recorded only after that.
    Posted {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// The party that posted them (its name in the incident's facts).
        #[arg(long)]
        party: String,
        /// The posting day (YYYY-MM-DD; today when not given).
        #[arg(long)]
        date: Option<String>,
    },
    /// Records returned letters (返戻) from a list, all or nothing: CSV in UTF-8 or Shift_JIS with
    /// the notice id (or Message-ID), Japan Post's reason (code or label) and the day it came back.
    Returns {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// The list.
        #[arg(long, value_name = "CSV")]
        file: PathBuf,
    },
    /// Shows each party's notices per channel and status.
    Status {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SecurityArg {
    /// Plain text (a relay on the same host or network only).
    None,
    /// STARTTLS, required (port 587).
    Starttls,
    /// TLS from the start (port 465).
    Tls,
}

/// The SMTP server notices go through (`campaign email`, `serve`).
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// The SMTP server's host name.
    #[arg(long, env = "TODOKE_SMTP_HOST", value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// Its port (default: 587 with starttls, 465 with tls, 25 with none).
    #[arg(long, env = "TODOKE_SMTP_PORT", value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// How the connection is protected.
    #[arg(long, env = "TODOKE_SMTP_SECURITY", value_enum, default_value = "starttls")]
    pub smtp_security: SecurityArg,
    /// The user to sign in as (the password comes from TODOKE_SMTP_PASSWORD).
    #[arg(long, env = "TODOKE_SMTP_USER", value_name = "USER")]
    pub smtp_user: Option<String>,
    /// The sender address: notice@city.example.jp or "春日部市 <notice@city.example.jp>".
    #[arg(long = "from", env = "TODOKE_SMTP_FROM", value_name = "ADDR")]
    pub from: Option<String>,
    /// At most this many messages a second.
    #[arg(long, env = "TODOKE_SMTP_RATE", default_value_t = 1.0, value_name = "N")]
    pub rate: f64,
    /// How many times a temporary refusal (4xx) is retried.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Seconds before the first retry (doubling with each further one).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub retry_delay: u64,
}

impl SmtpArgs {
    /// The configuration, or `None` when no server is named.
    pub fn config(&self, ctx: &Ctx) -> Result<Option<SmtpConfig>> {
        let Some(host) = &self.smtp_host else { return Ok(None) };
        let security = match self.smtp_security {
            SecurityArg::None => Security::None,
            SecurityArg::Starttls => Security::StartTls,
            SecurityArg::Tls => Security::Tls,
        };
        let Some(from) = &self.from else {
            bail!(
                "{}",
                ctx.say("--from で差出人のアドレスを指定してください", "--from: the sender's address is needed")
            );
        };
        let mut config = SmtpConfig::new(host, security, from);
        if let Some(port) = self.smtp_port {
            config.port = port;
        }
        config.username = self.smtp_user.clone();
        config.rate_per_second = self.rate;
        config.retries = self.retries;
        config.retry_delay = Duration::from_secs(self.retry_delay);
        if config.username.is_some() && config.password.is_none() {
            bail!(
                "{} {PASSWORD_VAR}",
                ctx.say("SMTP のパスワードを環境変数に設定してください:", "set the SMTP password in")
            );
        }
        config.check()?;
        Ok(Some(config))
    }
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The incident id (or a unique prefix of it).
    #[arg(long)]
    pub incident: String,
    /// The party sending the notices (its name in the incident's facts).
    #[arg(long)]
    pub party: String,
    #[command(flatten)]
    pub smtp: SmtpArgs,
    /// Channels per party (PLAN.toml of `people plan`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub look: crate::commands::docs::Look,
    /// Sends again the notices an interrupted run left unconfirmed (`sending`): their recipients may
    /// get the notice twice.
    #[arg(long)]
    pub resend_unknown: bool,
}

/// `todoke campaign letters`.
#[derive(Debug, Args)]
pub struct LettersArgs {
    /// The incident id (or a unique prefix of it).
    #[arg(long)]
    pub incident: String,
    /// The party sending the letters (its name in the incident's facts).
    #[arg(long)]
    pub party: String,
    /// The folder the PDFs are written into (made when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Letters a PDF file.
    #[arg(long, default_value_t = campaign::LETTER_BATCH)]
    pub batch: u64,
    /// Channels per party (PLAN.toml of `people plan`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub look: crate::commands::docs::Look,
}

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: CampaignCmd) -> Result<ExitCode> {
    match cmd {
        CampaignCmd::Email(args) => email(ctx, store, args).await,
        CampaignCmd::Letters(args) => letters(ctx, store, args).await,
        CampaignCmd::Bounce { incident, message_id, code } => {
            let id = store.find_incident(&incident).await?;
            let n = campaign::record_bounce(store, &ctx.actor, id, &message_id, &code).await?;
            println!("{} {} ({})", ctx.say("不達を記録しました:", "bounce recorded:"), n.id, n.status.key());
            Ok(ExitCode::SUCCESS)
        }
        CampaignCmd::Posted { incident, party, date } => posted(ctx, store, &incident, &party, date.as_deref()).await,
        CampaignCmd::Returns { incident, file } => {
            let id = store.find_incident(&incident).await?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("{} {}", ctx.say("一覧を読めません:", "cannot read"), file.display()))?;
            let parties: Vec<_> = store.parties(id).await?.into_iter().map(|p| p.id).collect();
            let n = campaign::upload_returns(store, &ctx.actor, id, &parties, &bytes).await?;
            println!("{} {n}", ctx.say("返戻を記録しました:", "returns recorded:"));
            Ok(ExitCode::SUCCESS)
        }
        CampaignCmd::Status { incident, json } => status(ctx, store, &incident, json).await,
    }
}

async fn posted<D: Db>(
    ctx: &Ctx,
    store: &Store<D>,
    incident: &str,
    party: &str,
    date: Option<&str>,
) -> Result<ExitCode> {
    let id = store.find_incident(incident).await?;
    let parties = store.parties(id).await?;
    let party = parties
        .iter()
        .find(|p| p.party.name == party)
        .ok_or_else(|| todoke_app::AppError::NoSuchParty(party.to_string()))?;
    let on = match date {
        Some(text) => campaign::parse_day(text).with_context(|| {
            format!("--date: {} `{text}`", ctx.say("日付として読めません", "not a date (YYYY-MM-DD)"))
        })?,
        // Japan keeps +09:00 all year.
        None => jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9))).date(),
    };
    let done = campaign::record_posted(store, &ctx.actor, id, party.id, on).await?;
    println!("{} {}  {} {}", ctx.say("投函", "posted"), done.posted, ctx.say("再送", "re-posted"), done.reposted);
    Ok(ExitCode::SUCCESS)
}

async fn letters<D: Db>(ctx: &Ctx, store: &Store<D>, args: LettersArgs) -> Result<ExitCode> {
    let id = store.find_incident(&args.incident).await?;
    let record = store.incident(id).await?;
    let party = store
        .parties(id)
        .await?
        .into_iter()
        .find(|p| p.party.name == args.party)
        .ok_or_else(|| todoke_app::AppError::NoSuchParty(args.party.clone()))?;
    let fonts = std::sync::Arc::new(crate::commands::docs::load_fonts(ctx)?);
    // A job this party left unfinished is resumed, not started again.
    let unfinished = store.letter_jobs(id, Some(party.id)).await?.into_iter().find(|j| j.state != LetterJobState::Done);
    let job = match unfinished {
        Some(job) => {
            store.resume_letter_job(&ctx.actor, id, job.id).await?;
            eprintln!(
                "{} {}/{}",
                ctx.say("中断した印刷を再開します:", "resuming an unfinished job:"),
                job.printed,
                job.total
            );
            job.id
        }
        None => {
            let plan_config = read_plan_config(ctx, args.config.as_deref())?;
            campaign::plan_party(store, &ctx.actor, id, &party, &plan_config).await?;
            let (profile, templates, today) = crate::commands::docs::look(ctx, &args.look)?;
            let body = campaign::letter_body(&record.facts, &party.party.name, &profile, &templates, today)?;
            campaign::start_letters(store, &ctx.actor, id, &party, &body, args.batch).await?
        }
    };
    let progress = |j: &todoke_store::LetterJob| eprintln!("{} {}/{}", ctx.say("印刷", "printed"), j.printed, j.total);
    let done = campaign::print_letters(store, &ctx.actor, id, job, fonts, &progress).await?;
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    for batch in 0..done.batches {
        let pdf = store.letter_batch_pdf(&ctx.actor, id, job, batch).await?;
        let path = args.out.join(format!("letters-{:03}.pdf", batch + 1));
        crate::commands::docs::write_atomically(&path, &pdf)?;
    }
    println!(
        "{} {} ({} {}, {} PDF)",
        ctx.say("書き出しました:", "written:"),
        args.out.display(),
        done.total,
        ctx.say("通", "letters"),
        done.batches
    );
    Ok(ExitCode::SUCCESS)
}

async fn email<D: Db>(ctx: &Ctx, store: &Store<D>, args: EmailArgs) -> Result<ExitCode> {
    let Some(smtp) = args.smtp.config(ctx)? else {
        bail!(
            "{}",
            ctx.say("--smtp-host で SMTP サーバーを指定してください", "--smtp-host: the SMTP server is needed")
        );
    };
    let id = store.find_incident(&args.incident).await?;
    let record = store.incident(id).await?;
    let parties = store.parties(id).await?;
    let party = parties
        .iter()
        .find(|p| p.party.name == args.party)
        .ok_or_else(|| todoke_app::AppError::NoSuchParty(args.party.clone()))?;
    let plan_config = read_plan_config(ctx, args.config.as_deref())?;
    let planned = campaign::plan_party(store, &ctx.actor, id, party, &plan_config).await?;
    eprintln!(
        "{} {} {} / {} {}",
        ctx.say("計画:", "planned:"),
        planned.added_total(),
        ctx.say("件を追加", "added"),
        planned.already_planned,
        ctx.say("件は計画済み", "already planned")
    );
    let (profile, templates, today) = crate::commands::docs::look(ctx, &args.look)?;
    let notice = campaign::notice_text(&record.facts, &party.party.name, &profile, &templates, today)?;
    let bar = progress_bar();
    let progress = |r: &SendReport| {
        bar.set_length(r.notices.saturating_sub(r.already_done));
        bar.set_position(r.attempted);
        bar.set_message(format!("sent {} bounced {} failed {}", r.sent, r.bounced, r.failed));
    };
    let options = SendOptions { resend_unknown: args.resend_unknown };
    let report = campaign::send_email(store, &ctx.actor, id, party, &smtp, &notice, options, &progress).await?;
    bar.finish_and_clear();
    println!(
        "{} {}  {} {}  {} {}  {} {}  {} {}  {} {}",
        ctx.say("送信", "sent"),
        report.sent,
        ctx.say("不達", "bounced"),
        report.bounced,
        ctx.say("失敗", "failed"),
        report.failed,
        ctx.say("再試行", "retried"),
        report.retried,
        ctx.say("送信済み", "already done"),
        report.already_done,
        ctx.say("送信不明", "unknown"),
        report.unknown,
    );
    if report.unknown > 0 && !args.resend_unknown {
        eprintln!(
            "{}",
            ctx.say(
                "送信中に中断された通知は届いたか分かりません。再送するには --resend-unknown を付けてください（二重に届くことがあります）",
                "notices an interrupted run left unconfirmed may have arrived; --resend-unknown sends them again (perhaps twice)"
            )
        );
    }
    if let Some(why) = &report.stopped {
        eprintln!("{} {why}", ctx.say("中断しました:", "stopped:"));
        return Ok(ExitCode::from(2));
    }
    Ok(if report.failed > 0 || report.unknown > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn progress_bar() -> ProgressBar {
    let target =
        if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{prefix:>6} [{bar:30}] {pos}/{len} {msg} ETA {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix("email");
    bar
}

async fn status<D: Db>(ctx: &Ctx, store: &Store<D>, incident: &str, json: bool) -> Result<ExitCode> {
    let id = store.find_incident(incident).await?;
    let parties = store.parties(id).await?;
    let counts = store.notification_counts(id).await?;
    for c in &counts {
        let party = parties.iter().find(|p| p.id == c.party).map_or("?", |p| p.party.name.as_str());
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "party": party, "channel": c.channel.key(), "status": c.status.key(), "count": c.count
                })
            );
        } else {
            println!("{party}\t{}\t{}\t{}", c.channel.key(), c.status.key(), c.count);
        }
    }
    if counts.is_empty() && !json {
        eprintln!("{}", ctx.say("通知はまだ計画されていません", "no notices planned yet"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The PLAN.toml at `path` (channels and unit costs per party), or the defaults.
pub(crate) fn read_plan_config(ctx: &Ctx, path: Option<&std::path::Path>) -> Result<PlanConfig> {
    let Some(path) = path else { return Ok(PlanConfig::default()) };
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("{} {}", ctx.say("計画ファイルを読めません:", "cannot read plan file"), path.display())
    })?;
    Ok(PlanConfig::parse(&path.display().to_string(), &text)?)
}
