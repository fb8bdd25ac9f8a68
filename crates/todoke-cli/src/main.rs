//! The `todoke` command. It reads arguments and configuration, opens the store on the backend the
//! database URL names, runs one command and turns failures into a one-line reason and an exit code.
//! It is the only crate that names a concrete backend.
// Doc comments here are the help text users read on the terminal (`DIR/<party>/post.csv`,
// `[sender]`), not rustdoc markup.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod cli;
mod commands;
mod context;
mod lang;

use clap::Parser as _;
use std::io::Write as _;
use std::process::ExitCode;

/// A web request or a people row makes many small short-lived allocations, across threads;
/// mimalloc serves them with far less locking and consolidation than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let lang = args.global.lang;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("todoke: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`todoke incident list | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "todoke: {}: {e:#}", lang.pick("エラー", "error"));
            ExitCode::FAILURE
        }
    }
}
