//! One module per command group; [`run`] opens what a command needs and dispatches.

mod assess;
mod audit;
mod backup;
pub(crate) mod campaign;
pub(crate) mod casebook;
pub(crate) mod docs;
mod incident;
mod init;
pub(crate) mod key;
mod notice;
pub(crate) mod people;
mod remind;
mod report;
pub(crate) mod retention;
pub(crate) mod serve;

use crate::cli::{Cli, Command};
use crate::context::{Ctx, Database, master_key, open_database, open_store};
use anyhow::Result;
use clap::CommandFactory as _;
use std::process::ExitCode;
use todoke_store::{Db, Store};

pub async fn run(args: Cli) -> Result<ExitCode> {
    let ctx = Ctx::new(&args.global);
    match args.command {
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "todoke", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Init => init::run(&ctx, &args.global).await,
        Command::Key(cmd) => key::run(&ctx, &args.global, cmd).await,
        Command::Backup { out } => backup::backup(&ctx, &args.global, &out).await,
        Command::Restore { from, force } => backup::restore(&ctx, &args.global, &from, force).await,
        Command::Notice(cmd) => notice::run(&ctx, cmd),
        Command::Incident(crate::cli::IncidentCmd::FromNotice(from)) => notice::from_notice(&ctx, &from),
        Command::Assess(assess_args) => assess::run(&ctx, &assess_args),
        Command::People(cmd) if !cmd.needs_store() => people::run_offline(&ctx, cmd),
        command => {
            if matches!(command, Command::Serve { .. }) {
                init::ensure_key(&ctx, &args.global)?;
            }
            let key = master_key(&args.global)?;
            match open_database(&args.global.database).await? {
                Database::Sqlite(db) => {
                    with_store(&ctx, &args.global.database, command, open_store(db, key).await?).await
                }
                Database::Postgres(db) => {
                    with_store(&ctx, &args.global.database, command, open_store(db, key).await?).await
                }
            }
        }
    }
}

async fn with_store<D: Db>(ctx: &Ctx, database: &str, command: Command, store: Store<D>) -> Result<ExitCode> {
    let result = match command {
        Command::Incident(cmd) => incident::run(ctx, &store, cmd).await,
        Command::Audit(cmd) => audit::run(ctx, &store, cmd).await,
        Command::Casebook(cmd) => casebook::run(ctx, &store, database, cmd).await,
        Command::Report(cmd) => report::run(ctx, &store, cmd).await,
        Command::Serve { listen, demo, smtp, reminders, site_url, tls, org } => {
            let mail = serve::Mail { smtp: &smtp, reminders, site_url: site_url.as_deref() };
            serve::run(ctx, store.clone(), listen, demo, mail, &tls, &org).await
        }
        Command::Campaign(cmd) => campaign::run(ctx, &store, cmd).await,
        Command::Retention(cmd) => retention::run(ctx, &store, cmd).await,
        Command::User(cmd) => serve::user(ctx, &store, cmd).await,
        Command::Remind { as_of, dry_run, site_url, smtp } => {
            remind::run(ctx, &store, as_of, dry_run, site_url.as_deref(), &smtp).await
        }
        Command::People(cmd) => people::run(ctx, &store, cmd).await,
        Command::Docs(cmd) => docs::run(ctx, &store, cmd).await,
        Command::Letters(args) => docs::letters(ctx, &store, args).await,
        Command::Init
        | Command::Key(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Assess(_)
        | Command::Notice(_)
        | Command::Completions { .. } => {
            unreachable!("handled before the store is opened")
        }
    };
    store.close().await;
    result
}
