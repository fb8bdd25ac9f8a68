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
    /// Assesses an incident's facts: for every party the regime, whether it must report, why, and every
    /// obligation with its deadline and legal basis.
    Assess(AssessArgs),
    /// Incidents: import facts, list, show, erase.
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Reports filed with the PPC: their dates, receipt numbers and whether they were on time.
    #[command(subcommand)]
    Report(ReportCmd),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
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
pub enum AuditCmd {
    /// Checks the audit chain; exits non-zero, naming the first bad entry, if anything was altered.
    Verify {
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
}
