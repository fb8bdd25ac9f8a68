//! Sign-in, sign-out and the session of each request.
//!
//! The session cookie holds 32 random bytes; the store keeps only their SHA-256, so a copy of the
//! database opens no session. Five failed sign-ins lock an account for 15 minutes. Every form
//! echoes the session's CSRF token, and requests a browser marks as cross-site are refused.

use crate::error::WebError;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use rand::RngCore as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use todoke_core::{Membership, User};
use todoke_store::{Actor, AuditStore, AuthStore, Db, UserStore};

/// The session cookie; `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
pub const COOKIE: &str = "__Host-todoke";
const SESSION_HOURS: i64 = 8;
const MAX_FAILURES: i64 = 5;
const LOCK_MINUTES: i64 = 15;

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// A signed-in user, with the organizations they belong to.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The user.
    pub user: User,
    /// Their roles, per organization.
    pub memberships: Vec<Membership>,
    /// The token forms must echo.
    pub csrf_token: String,
    /// Whether the user has two-factor sign-in.
    pub has_totp: bool,
    /// A TOTP secret being enrolled in this session.
    pub pending_totp: Option<Vec<u8>>,
    pub(crate) token_hash: String,
}

/// Paths an administrator without two-factor sign-in may still reach: to set it up, or to leave.
const ENROLLMENT_PATHS: &[&str] = &["/two-factor", "/sign-out", "/sign-out-everywhere"];

impl Viewer {
    /// The actor the audit log records.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id)
    }
}

impl<D: Db> FromRequestParts<AppState<D>> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<D>) -> Result<Self, Self::Rejection> {
        let token = cookie_token(&parts.headers).ok_or(WebError::SignIn)?;
        let hash = token_hash(&token);
        let session = state.store.session(&hash).await?.ok_or(WebError::SignIn)?;
        let memberships = state.store.memberships(session.user.id).await?;
        // Administrators must use two factors: until they enrol, they reach nothing else.
        let admin = memberships.iter().any(|m| m.role == todoke_core::Role::Admin);
        if admin && !session.has_totp && !ENROLLMENT_PATHS.contains(&parts.uri.path()) {
            return Err(WebError::EnrollTwoFactor);
        }
        Ok(Self {
            user: session.user,
            memberships,
            csrf_token: session.csrf_token,
            has_totp: session.has_totp,
            pending_totp: session.pending_totp,
            token_hash: hash,
        })
    }
}

/// Refuses what a browser says comes from another site, and (when given) a form whose token is not
/// the session's.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return Err(WebError::Forbidden);
    }
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or_default();
        let host = host.to_str().unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return Err(WebError::Forbidden);
        }
    }
    Ok(())
}

/// Checks a form's CSRF token against the session's, in constant time.
pub fn check_csrf(viewer: &Viewer, headers: &HeaderMap, form_token: &str) -> Result<(), WebError> {
    check_same_origin(headers)?;
    let (a, b) = (viewer.csrf_token.as_bytes(), form_token.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same { Ok(()) } else { Err(WebError::Forbidden) }
}

fn session_cookie(token: &str, max_age: i64) -> HeaderValue {
    let value = format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    /// The authenticator code, for users with two-factor sign-in.
    #[serde(default)]
    code: String,
}

/// Checks the password and starts a session; the same answer for an unknown login, a wrong password
/// or a locked account, so that none can be told from another.
pub async fn sign_in<D: Db>(
    State(state): State<AppState<D>>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    // Every attempt counts, refused ones too, per address (port left out); served in-process
    // (tests) there is no address.
    if let Some(Extension(ConnectInfo(address))) = client
        && !state.sign_ins.allow(&address.ip().to_string())
    {
        return WebError::TooMany.into_response();
    }
    if let Err(e) = check_same_origin(&headers) {
        return e.into_response();
    }
    match try_sign_in(&state, &form).await {
        Ok(Some(token)) => {
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&token, SESSION_HOURS * 3600));
            response
        }
        Ok(None) => crate::views::sign_in_failed(),
        Err(e) => e.into_response(),
    }
}

async fn try_sign_in<D: Db>(state: &AppState<D>, form: &SignInForm) -> Result<Option<String>, WebError> {
    let store = &state.store;
    let Some(credentials) = store.credentials(&form.login).await? else {
        // Spend the time a real check takes, so an unknown login is not told by speed.
        let _ = tokio::task::spawn_blocking(|| todoke_app::verify_password(dummy_hash(), "x")).await;
        return Ok(None);
    };
    let now = state.clock.now();
    let locked =
        credentials.locked_until.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok()).is_some_and(|t| t > now);
    let Some(hash) = credentials.password_hash.clone() else { return Ok(None) };
    let password = form.password.clone();
    let ok = tokio::task::spawn_blocking(move || todoke_app::verify_password(&hash, &password))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let second_factor = match &credentials.totp_secret {
        None => true,
        Some(secret) => match todoke_app::totp::verify(secret, &form.code, now.as_second()) {
            Some(step) => ok && store.use_totp_step(credentials.user.id, step).await?,
            None => false,
        },
    };
    if locked || !ok || !second_factor {
        let lock = (credentials.failed_sign_ins + 1 >= MAX_FAILURES)
            .then(|| now.checked_add(jiff::Span::new().minutes(LOCK_MINUTES)).ok())
            .flatten()
            .map(|t| t.to_string());
        store.record_sign_in_failure(credentials.user.id, lock.as_deref()).await?;
        return Ok(None);
    }
    let token = random_token();
    let expires = now.checked_add(jiff::Span::new().hours(SESSION_HOURS)).unwrap_or(now).to_string();
    store.create_session(credentials.user.id, &token_hash(&token), &random_token(), &expires).await?;
    Ok(Some(token))
}

/// An Argon2id hash of a random password nobody knows, to time the check of an unknown login.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| todoke_app::hash_password(&todoke_app::random_password()).unwrap_or_default())
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

fn signed_out() -> Response {
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0));
    response
}

/// Ends this session.
pub async fn sign_out<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    state.store.delete_session(&viewer.token_hash).await?;
    state.store.record_event(&viewer.actor(), "sign_out", &format!("user:{}", viewer.user.id)).await?;
    Ok(signed_out())
}

/// Ends every session of the user, on every device.
pub async fn sign_out_everywhere<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    state.store.delete_user_sessions(viewer.user.id).await?;
    Ok(signed_out())
}

/// The two-factor enrollment form.
#[derive(Deserialize)]
pub struct EnrollForm {
    csrf: String,
    code: String,
}

/// Confirms the secret being enrolled with a code from the authenticator, then requires it from the
/// next sign-in on.
pub async fn enroll_two_factor<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<EnrollForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let secret = viewer.pending_totp.clone().ok_or(WebError::Forbidden)?;
    let now = state.clock.now().as_second();
    let Some(step) = todoke_app::totp::verify(&secret, &form.code, now) else {
        return Ok(axum::response::Redirect::to("/two-factor?retry=1").into_response());
    };
    state.store.set_totp_secret(&viewer.actor(), viewer.user.id, Some(&secret)).await?;
    state.store.use_totp_step(viewer.user.id, step).await?;
    state.store.set_pending_totp(&viewer.token_hash, None).await?;
    Ok(Redirect::to("/").into_response())
}
