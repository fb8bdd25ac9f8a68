//! The signed-in user's own settings: the address deadline reminders reach them at.

use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use todoke_store::{Db, ReminderStore};

/// The account page.
#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    m: Prefs,
    user: String,
    csrf: String,
    login: String,
    email: String,
    saved: bool,
}

/// The user's login and reminder address.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let email = state.store.user_email(viewer.user.id).await?.unwrap_or_default();
    let page = AccountPage {
        m: Prefs::current(),
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        login: viewer.user.login.clone(),
        email,
        saved: query.is_some_and(|q| q.contains("saved")),
    };
    Ok(Html(page.render()?))
}

/// The reminder address as the form sends it: empty for none.
#[derive(Deserialize)]
pub struct EmailForm {
    csrf: String,
    #[serde(default)]
    email: String,
}

/// Sets (or removes) the user's own reminder address.
pub async fn set_email<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let email = Some(form.email.trim()).filter(|e| !e.is_empty());
    todoke_app::reminders::set_email(&state.store, &viewer.actor(), &viewer.user.login, email).await?;
    Ok(Redirect::to("/account?saved=1").into_response())
}
