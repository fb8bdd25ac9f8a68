//! `todoke serve` and `todoke user`.

use crate::cli::UserCmd;
use crate::context::Ctx;
use anyhow::{Context as _, Result};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use todoke_store::{Db, Store};

pub async fn run<D: Db>(
    ctx: &Ctx,
    store: Store<D>,
    listen: SocketAddr,
    demo: bool,
    smtp: &super::campaign::SmtpArgs,
) -> Result<ExitCode> {
    let smtp = smtp.config(ctx)?;
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).try_init();
    let mut accounts = Vec::new();
    accounts.extend(todoke_app::ensure_admin(&store, &ctx.actor).await?);
    let mut try_lookup = None;
    if demo {
        let users = todoke_app::load_demo(&store, &ctx.actor).await?;
        if !users.is_empty() {
            // The demo's two cities with accounts get their synthetic lists of affected people.
            try_lookup = super::people::load_demo_people(ctx, &store, &["春日部市", "越谷市"]).await?;
        }
        accounts.extend(users);
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
        if let Some(person) = &try_lookup {
            println!("{} {person}", ctx.say("対象者照会を試すには:", "to try \"am I affected?\":"));
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
    let mut state = todoke_web::AppState::new(store, Arc::new(todoke_core::SystemClock))?;
    if let Some(smtp) = smtp {
        state = state.with_smtp(smtp);
    }
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
