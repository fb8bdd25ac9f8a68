//! `todoke serve` and `todoke user`.

use crate::cli::UserCmd;
use crate::context::Ctx;
use anyhow::{Context as _, Result};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use todoke_store::{Db, Store};

pub async fn run<D: Db>(ctx: &Ctx, store: Store<D>, listen: SocketAddr, demo: bool) -> Result<ExitCode> {
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).try_init();
    let mut accounts = Vec::new();
    accounts.extend(todoke_app::ensure_admin(&store, &ctx.actor).await?);
    if demo {
        accounts.extend(todoke_app::load_demo(&store, &ctx.actor).await?);
    }
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    // Browsers keep the Secure session cookie on http://localhost, not on a bare loopback IP.
    if address.ip().is_loopback() {
        println!("todoke: http://localhost:{}/", address.port());
    } else {
        println!(
            "todoke: http://{address}/ ({})",
            ctx.say("TLS 終端の背後で https を使ってください", "serve it behind TLS")
        );
    }
    if !accounts.is_empty() {
        println!(
            "{}",
            ctx.say(
                "サインインに使うアカウント（パスワードはこの一度だけ表示します）:",
                "accounts to sign in with (passwords are shown this once):"
            )
        );
        for a in &accounts {
            println!("  {:<12} {}  {}", a.login, a.password, a.about);
        }
    } else {
        println!(
            "{}",
            ctx.say(
                "パスワードを忘れたときは: todoke user password LOGIN",
                "forgot a password? todoke user password LOGIN"
            )
        );
    }
    let state = todoke_web::AppState::new(store, Arc::new(todoke_core::SystemClock))?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    todoke_web::serve(listener, state, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn user<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Password { login } => {
            let password = todoke_app::reset_password(store, &ctx.actor, &login).await?;
            println!("{} {login}: {password}", ctx.say("新しいパスワード", "new password for"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
