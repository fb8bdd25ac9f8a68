//! One module per command group; [`run`] opens what a command needs and dispatches.

mod assess;
mod audit;
mod incident;
mod init;
mod report;

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
        Command::Assess(assess_args) => assess::run(&ctx, &assess_args),
        command => {
            let key = master_key(&args.global)?;
            match open_database(&args.global.database).await? {
                Database::Sqlite(db) => with_store(&ctx, command, open_store(db, key).await?).await,
                Database::Postgres(db) => with_store(&ctx, command, open_store(db, key).await?).await,
            }
        }
    }
}

async fn with_store<D: Db>(ctx: &Ctx, command: Command, store: Store<D>) -> Result<ExitCode> {
    let result = match command {
        Command::Incident(cmd) => incident::run(ctx, &store, cmd).await,
        Command::Audit(cmd) => audit::run(ctx, &store, cmd).await,
        Command::Report(cmd) => report::run(ctx, &store, cmd).await,
        Command::Init | Command::Assess(_) | Command::Completions { .. } => {
            unreachable!("handled before the store is opened")
        }
    };
    store.close().await;
    result
}
