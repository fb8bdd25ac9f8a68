//! `todoke serve` and `todoke user`.

use crate::cli::UserCmd;
use crate::context::Ctx;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use todoke_store::{Db, Store};

/// The organization's own documents and plan for the pages (`serve`), as the other commands take them.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    /// A folder of templates replacing the built-in ones by name (e.g. notice_letter.md).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The organization's profile (TOML): the letters' sender and desk, the invoice settings.
    #[arg(long, env = "TODOKE_PROFILE", value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The people plan's channels and unit costs per party (PLAN.toml).
    #[arg(long = "plan-config", env = "TODOKE_PLAN_CONFIG", value_name = "FILE")]
    pub plan_config: Option<PathBuf>,
}

impl OrgArgs {
    /// The organization's settings, read and checked before the server starts.
    fn organization(&self, ctx: &Ctx) -> Result<todoke_web::Organization> {
        let look = super::docs::Look { templates: self.templates.clone(), profile: self.profile.clone(), date: None };
        let (profile, templates, _) = super::docs::look(ctx, &look)?;
        let plan = super::campaign::read_plan_config(ctx, self.plan_config.as_deref())?;
        Ok(todoke_web::Organization { profile, templates, plan })
    }
}

/// HTTPS served by todoke itself, without a TLS proxy in front (`serve`).
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// The certificate chain (PEM), the server's own certificate first: turns on HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, RSA or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl TlsArgs {
    /// The TLS configuration, or `None` for plain HTTP.
    fn config(&self, ctx: &Ctx) -> Result<Option<rustls::ServerConfig>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => server_config(ctx, cert, key).map(Some),
            (None, None) => Ok(None),
            // clap already refuses one flag without the other; this keeps the message if that changes.
            (Some(_), None) => bail!("--tls-cert {}", ctx.say("には --tls-key も必要です", "needs --tls-key too")),
            (None, Some(_)) => bail!("--tls-key {}", ctx.say("には --tls-cert も必要です", "needs --tls-cert too")),
        }
    }
}

/// TLS 1.2 and 1.3 (rustls's defaults) on ring, offering HTTP/2 and HTTP/1.1.
fn server_config(ctx: &Ctx, cert: &Path, key: &Path) -> Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::{self, PemObject as _};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let text = std::fs::read(cert).with_context(|| {
        format!("{} {}", ctx.say("TLS 証明書を読めません:", "cannot read the TLS certificate"), cert.display())
    })?;
    // Parse errors name the file only: their details could quote the file's bytes.
    let chain = CertificateDer::pem_slice_iter(&text).collect::<Result<Vec<_>, _>>().map_err(|_| {
        anyhow!(
            "{} {}",
            cert.display(),
            ctx.say("は PEM として壊れています（証明書を期待しました）", "is broken PEM (expected a certificate)")
        )
    })?;
    if chain.is_empty() {
        bail!("{} {}", ctx.say("PEM の証明書がありません:", "no PEM certificate found in"), cert.display());
    }
    let text = zeroize::Zeroizing::new(std::fs::read(key).with_context(|| {
        format!("{} {}", ctx.say("TLS の秘密鍵を読めません:", "cannot read the TLS private key"), key.display())
    })?);
    let private = PrivateKeyDer::from_pem_slice(&text).map_err(|e| match e {
        pem::Error::NoItemsFound => anyhow!(
            "{} {}",
            ctx.say(
                "PEM の秘密鍵（PKCS#8、RSA、SEC1）がありません:",
                "no PEM private key (PKCS#8, RSA or SEC1) found in"
            ),
            key.display()
        ),
        _ => anyhow!(
            "{} {}",
            key.display(),
            ctx.say("は PEM として壊れています（秘密鍵を期待しました）", "is broken PEM (expected a private key)")
        ),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            let (cert, key) = (cert.display(), key.display());
            let ja = format!("TLS 証明書 {cert} と秘密鍵 {key} を組み合わせて使えません");
            let en = format!("cannot use the TLS certificate {cert} with the key {key}");
            anyhow!("{}: {e}", ctx.say(&ja, &en))
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The SMTP server the server sends through, and whether it sends deadline reminders too.
pub struct Mail<'a> {
    /// The SMTP server (none: no e-mail at all).
    pub smtp: &'a super::campaign::SmtpArgs,
    /// Whether deadline reminders are sent every hour.
    pub reminders: bool,
    /// The address users reach the server at, for the links in reminders.
    pub site_url: Option<&'a str>,
}

pub async fn run<D: Db>(
    ctx: &Ctx,
    store: Store<D>,
    listen: SocketAddr,
    demo: bool,
    mail: Mail<'_>,
    tls: &TlsArgs,
    org: &OrgArgs,
) -> Result<ExitCode> {
    let smtp = mail.smtp.config(ctx)?;
    let site = mail.site_url.map(todoke_app::reminders::site_url).transpose()?;
    let org = org.organization(ctx)?;
    // Before any account is made: a new administrator's password is shown only once.
    let tls = tls.config(ctx)?;
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
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Browsers keep the Secure session cookie on http://localhost, not on a bare loopback IP.
    if address.ip().is_loopback() {
        println!("todoke: {scheme}://localhost:{}/", address.port());
    } else if tls.is_some() {
        println!("todoke: https://{address}/");
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
    let mut state = todoke_web::AppState::new(store, Arc::new(todoke_core::SystemClock))?.with_organization(org);
    if let Some(smtp) = smtp {
        state = state.with_smtp(smtp);
    }
    // Letters are printed on the campaign page only with the fonts; the rest works without them.
    match todoke_app::fonts::system_fonts() {
        Ok(fonts) => state = state.with_fonts(fonts),
        Err(e) => eprintln!("{} {e}", ctx.say("手紙のPDFは作れません:", "letters cannot be printed:")),
    }
    if mail.reminders && todoke_web::start_reminders(&state, todoke_web::REMINDER_INTERVAL, site) {
        println!("{}", ctx.say("期限のお知らせを1時間ごとに送ります", "deadline reminders are sent every hour"));
    }
    let resumed = todoke_web::resume_letter_jobs(&state).await?;
    if resumed > 0 {
        println!("{} {resumed}", ctx.say("印刷を再開した手紙のジョブ:", "letter jobs resumed:"));
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match tls {
        Some(config) => serve_tls(listener, todoke_web::router(state.with_tls()), config, shutdown).await,
        None => todoke_web::serve(listener, state, shutdown).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// How long a client may take over its TLS handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` over TLS until `shutdown`, then lets open connections finish their requests.
/// Each connection shakes hands in its own task, so a slow or failing client holds up no other.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    config: rustls::ServerConfig,
    shutdown: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let mut http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // The timer enables hyper's 30 s limit on reading a request's headers.
    http.http1().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::error!("accept: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let http = http.clone();
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => return tracing::debug!("TLS handshake with {peer} failed: {e}"),
                Err(_) => return tracing::debug!("TLS handshake with {peer} timed out"),
            };
            // The sign-in rate limit counts attempts per client address, as over plain HTTP.
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), request)
            });
            let connection = http.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection.into_owned()).await {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

pub async fn user<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add { login, name, org, org_type, role } => {
            let Some(org_type) = todoke_core::OrgType::from_key(&org_type) else { bail!("--org-type: `{org_type}`") };
            let Some(role) = todoke_core::Role::from_key(&role) else { bail!("--role: `{role}`") };
            let user = todoke_app::add_user(store, &ctx.actor, &login, &name, (&org, org_type), role).await?;
            println!("{} {}: {}  {}", ctx.say("新しいユーザー", "new user"), user.login, user.password, user.about);
        }
        UserCmd::Remove { login, org } => {
            todoke_app::remove_member(store, &ctx.actor, &login, &org).await?;
            println!("{login}: {} {org}", ctx.say("組織から外しました:", "removed from"));
        }
        UserCmd::Password { login } => {
            let password = todoke_app::reset_password(store, &ctx.actor, &login).await?;
            println!("{} {login}: {password}", ctx.say("新しいパスワード", "new password for"));
        }
        UserCmd::Email { login, address, .. } => {
            todoke_app::reminders::set_email(store, &ctx.actor, &login, address.as_deref()).await?;
            match address {
                Some(a) => println!("{login}: {} {a}", ctx.say("期限のお知らせの宛先は", "reminders go to")),
                None => println!("{login}: {}", ctx.say("期限のお知らせは送りません", "no more reminders")),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
