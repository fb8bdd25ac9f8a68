//! The command line: every subcommand and flag. Doc comments are the help text.

use crate::lang::Lang;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// todoke — 個人情報漏えい等事案の対応ワークベンチ (breach response for Japanese organizations).
#[derive(Debug, Parser)]
#[command(name = "todoke", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The database: sqlite://PATH (default ./todoke.db) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, global = true, env = "TODOKE_DATABASE_URL", default_value = "sqlite://todoke.db")]
    pub database: String,

    /// The master key file (made by `todoke init`); TODOKE_MASTER_KEY, if set, is used instead.
    #[arg(long, global = true, env = "TODOKE_KEY_FILE", default_value = "todoke.key")]
    pub key_file: PathBuf,

    /// The language of messages.
    #[arg(long, global = true, env = "TODOKE_LANG", value_enum, default_value = "ja")]
    pub lang: Lang,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates the master key file (mode 0600) and the database schema.
    Init,
    /// Runs the web application (the first start creates the schema, the key and an administrator).
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Loads the seed case (the foundation's ransomware and its consignor cities) with a user for
        /// the foundation and two cities.
        #[arg(long)]
        demo: bool,
        /// The SMTP server the campaign page sends e-mail notices through (none: the page only counts).
        #[command(flatten)]
        smtp: crate::commands::campaign::SmtpArgs,
        /// Sends the deadline reminders through the SMTP server, every hour (see `todoke remind`).
        #[arg(long, requires = "smtp_host")]
        reminders: bool,
        /// The address users reach this server at (`https://todoke.example.jp`), for the links in reminders.
        #[arg(long, env = "TODOKE_SITE_URL", value_name = "URL")]
        site_url: Option<String>,
        /// HTTPS with the organization's certificate (none: plain HTTP, for a TLS proxy in front).
        #[command(flatten)]
        tls: crate::commands::serve::TlsArgs,
        /// The organization's profile, templates and PLAN.toml (none: the built-in defaults).
        #[command(flatten)]
        org: crate::commands::serve::OrgArgs,
    },
    /// User accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Sends the deadline reminders due today, each once however often it runs (from cron, say
    /// hourly): 7, 3 and 1 days before each dated obligation, on the day and once after, until its
    /// report is filed; to the party's staff and officers who have an address (`todoke user email`).
    Remind {
        /// The day to remind for (default: today in Japan).
        #[arg(long, value_name = "DATE")]
        as_of: Option<todoke_core::Date>,
        /// Lists the reminders due and who would get them; sends nothing.
        #[arg(long)]
        dry_run: bool,
        /// The address users reach todoke at (`https://todoke.example.jp`): each reminder links to its case.
        #[arg(long, env = "TODOKE_SITE_URL", value_name = "URL")]
        site_url: Option<String>,
        /// The SMTP server the reminders go through.
        #[command(flatten)]
        smtp: crate::commands::campaign::SmtpArgs,
    },
    /// Assesses an incident's facts: for every party the regime, whether it must report, why, and every
    /// obligation with its deadline and legal basis.
    Assess(AssessArgs),
    /// Incidents: import facts, list, show, assess, update, erase; draft facts from a notice.
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Reports filed with the PPC: their dates, receipt numbers and whether they were on time.
    #[command(subcommand)]
    Report(ReportCmd),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Published breach notices: read them into facts, score the reader (no database needed).
    #[command(subcommand)]
    Notice(NoticeCmd),
    /// The casebook of published breach notices: add, search, correct, statistics, VERIS export.
    #[command(subcommand)]
    Casebook(crate::commands::casebook::CasebookCmd),
    /// Affected-person lists: plan notices and costs, import into a case, generate test lists.
    #[command(subcommand)]
    People(crate::commands::people::PeopleCmd),
    /// Notice campaigns: plan a party's notices from its stored people, send the e-mail ones.
    #[command(subcommand)]
    Campaign(crate::commands::campaign::CampaignCmd),
    /// Retention of people data: erase the cases whose campaign ended long enough ago.
    #[command(subcommand)]
    Retention(crate::commands::retention::RetentionCmd),
    /// Documents of a case: PPC reports, letters, notices, invoices, status reports (md, html, pdf).
    #[command(subcommand)]
    Docs(crate::commands::docs::DocsCmd),
    /// Prints one notice letter page per person of a people plan's post channel, for window envelopes.
    Letters(crate::commands::docs::LettersArgs),
    /// Writes a consistent copy of an SQLite database while it is in use, and checks it (opens with
    /// the master key, verifies the audit chain, counts the records). PostgreSQL: use pg_dump.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Replaces the SQLite database with a backup, after checking the backup the same way; the
    /// database replaced is kept beside it.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replaces an existing database (stop the server first).
        #[arg(long)]
        force: bool,
    },
    /// The master key: status, rotation to a new key while servers keep running, retirement of the
    /// previous keys.
    #[command(subcommand)]
    Key(crate::commands::key::KeyCmd),
    /// Prints shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The facts file (see docs/facts.md).
    pub file: PathBuf,
    #[command(flatten)]
    pub flags: AssessFlags,
}

/// How to assess and what to print.
#[derive(Debug, Args)]
pub struct AssessFlags {
    /// Prints the JSON of CONTRACTS.md §1.
    #[arg(long)]
    pub json: bool,
    /// Marks each obligation overdue or due in N days as of this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<todoke_core::Date>,
    /// Reads an unconfirmed point the other way: `public-consignee-attack=no` (an attack on a public
    /// body's consignee is not category 3), `public-holiday-roll=no` (a public body's deadline is not
    /// moved past closed days) or `next-day=literal` (a deadline on a closed day moves to the next
    /// calendar day only).
    #[arg(long, value_name = "POINT=VALUE")]
    pub assume: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCmd {
    /// Writes a draft facts file from a published notice; what the notice leaves unknown is marked
    /// "UNKNOWN" for you to fill in before `todoke incident import`.
    FromNotice(FromNoticeArgs),
    /// Stores an incident from a facts file (TOML); prints its id alone on the last line.
    Import {
        /// The facts file (see docs/facts.md).
        file: PathBuf,
    },
    /// Lists the incidents, one a line.
    List {
        /// Prints JSON, one object a line.
        #[arg(long)]
        json: bool,
    },
    /// Shows an incident's facts.
    Show {
        /// The incident id (or a unique prefix of it).
        id: String,
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
    /// Assesses a stored incident, keeps the assessment as a record and shows what changed since
    /// the previous one.
    Assess {
        /// The incident id (or a unique prefix of it).
        id: String,
        #[command(flatten)]
        flags: AssessFlags,
    },
    /// Replaces a stored incident's facts and parties from a facts file, re-assesses it and shows
    /// what changed (its timeline and tasks are kept).
    Update {
        /// The incident id (or a unique prefix of it).
        id: String,
        /// The facts file.
        file: PathBuf,
    },
    /// Destroys the incident's data key: its affected people become unreadable for good.
    Erase {
        /// The incident id (or a unique prefix of it).
        id: String,
        /// Does not ask for confirmation on a terminal.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Records a report as filed: its deadline comes from the current assessment and whether it was
    /// on time is frozen with it.
    File {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// The reporting party, by name.
        #[arg(long)]
        party: String,
        /// preliminary (速報), final (確報) or follow_up (続報).
        #[arg(long, value_parser = ["preliminary", "final", "follow_up"])]
        kind: String,
        /// The day it was submitted.
        #[arg(long = "on", value_name = "DATE")]
        submitted_on: todoke_core::Date,
        /// The PPC's receipt number (受付番号).
        #[arg(long)]
        receipt: Option<String>,
        /// A file with what was reported.
        #[arg(long)]
        content_file: Option<PathBuf>,
    },
    /// Lists an incident's reports.
    List {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// Prints JSON, one object a line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Adds a user with a role in an organization (made when new) and prints its password once.
    Add {
        /// The sign-in name: a-z, 0-9, '.', '-', '_'.
        login: String,
        /// The name others see: 春日部市 健康課 山田.
        #[arg(long)]
        name: String,
        /// The organization's name, as the cases name it: 春日部市.
        #[arg(long)]
        org: String,
        /// The organization's kind, when it is new.
        #[arg(long, default_value = "business", value_parser = ["business", "public_body", "public_hospital"])]
        org_type: String,
        /// What the user does there.
        #[arg(long, value_parser = ["handler_staff", "consignor_officer", "call_center", "auditor", "admin"])]
        role: String,
    },
    /// Takes a user out of an organization (every role there) and ends their sessions.
    Remove {
        /// The login.
        login: String,
        /// The organization's name.
        #[arg(long)]
        org: String,
    },
    /// Sets a new random password for a user and prints it once.
    Password {
        /// The login.
        login: String,
    },
    /// Sets the address a user gets deadline reminders at (`todoke remind`).
    Email {
        /// The login.
        login: String,
        /// The address: kenko@city.example.jp.
        #[arg(required_unless_present = "remove")]
        address: Option<String>,
        /// Removes the address: no more reminders.
        #[arg(long, conflicts_with = "address")]
        remove: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Checks the audit chain; exits non-zero, naming the first bad entry, if anything was altered.
    Verify {
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `todoke incident from-notice FILE`.
#[derive(Debug, Args)]
pub struct FromNoticeArgs {
    /// The notice (text or HTML, UTF-8 or Shift_JIS).
    pub file: PathBuf,
    /// Where to write the draft (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Which incident of a notice that holds several (1 = the first).
    #[arg(long)]
    pub incident: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum NoticeCmd {
    /// Reads notices and prints what each incident says (one JSON object a line with --json).
    Read {
        /// The notices (text or HTML, UTF-8 or Shift_JIS).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Prints one JSON object per incident per line (CONTRACTS.md §2).
        #[arg(long)]
        json: bool,
    },
    /// Scores the reader against labelled notices: per-field accuracy, precision and recall, overall.
    Eval {
        /// The labels: one JSON object a line, with `seed` naming the notice's file.
        #[arg(long)]
        labels: PathBuf,
        /// The notices.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Fails when the overall score is below this floor.
        #[arg(long)]
        min: Option<f64>,
    },
}
