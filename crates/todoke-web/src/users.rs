//! An organization's users, managed by its administrators: its members with their roles, and new
//! accounts whose password is shown once. The deployment's administrators manage every organization.

use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde::Deserialize;
use todoke_core::{Organization, Role};
use todoke_store::{Db, OrgStore, UserStore};

/// Of `orgs`, those the viewer administers: all of them for the deployment's administrators.
pub fn administered_among(orgs: Vec<Organization>, viewer: &Viewer) -> Vec<Organization> {
    let admin_of = |org: &Organization| viewer.memberships.iter().any(|m| m.org == org.id && m.role == Role::Admin);
    if orgs.iter().any(|o| o.name == todoke_app::SYSTEM_ORG && admin_of(o)) {
        return orgs;
    }
    orgs.into_iter().filter(admin_of).collect()
}

/// The organizations the viewer administers; refused to whoever administers none.
async fn administered<D: Db>(state: &AppState<D>, viewer: &Viewer) -> Result<Vec<Organization>, WebError> {
    let mine = administered_among(state.store.organizations().await?, viewer);
    if mine.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(mine)
}

struct OrgView {
    id: String,
    name: String,
    members: Vec<(String, String, String)>,
}

/// The page.
#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    m: Prefs,
    user: String,
    csrf: String,
    orgs: Vec<OrgView>,
    roles: Vec<(&'static str, String)>,
    /// The account just made: its login and its password, shown this once.
    created: Option<(String, String)>,
}

async fn render_page<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    created: Option<(String, String)>,
) -> Result<Html<String>, WebError> {
    let m = Prefs::current();
    let mut orgs = Vec::new();
    for org in administered(state, viewer).await? {
        let members = state
            .store
            .members(org.id)
            .await?
            .into_iter()
            .map(|(u, role)| (u.login, u.display_name, m.label(role.key(), role.label_ja())))
            .collect();
        orgs.push(OrgView { id: org.id.to_string(), name: org.name, members });
    }
    let page = UsersPage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        orgs,
        roles: Role::ALL.iter().map(|r| (r.key(), m.label(r.key(), r.label_ja()))).collect(),
        created,
    };
    Ok(Html(page.render()?))
}

/// The members of the organizations the viewer administers, and the form for a new account.
pub async fn page<D: Db>(State(state): State<AppState<D>>, viewer: Viewer) -> Result<Html<String>, WebError> {
    render_page(&state, &viewer, None).await
}

/// A member to take out, as the form sends it.
#[derive(Deserialize)]
pub struct RemoveForm {
    csrf: String,
    org: String,
    login: String,
}

/// Takes a member out of one of the viewer's organizations; their sessions end at once.
pub async fn remove<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<RemoveForm>,
) -> Result<Html<String>, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let org = crate::access::org_by_id(administered(&state, &viewer).await?, &form.org)?;
    todoke_app::remove_member(&state.store, &viewer.actor(), form.login.trim(), &org.name).await?;
    render_page(&state, &viewer, None).await
}

/// A new account as the form sends it.
#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: String,
    org: String,
    login: String,
    name: String,
    role: String,
}

/// Makes the account in one of the viewer's organizations; the page shows its password once.
pub async fn add<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<NewUserForm>,
) -> Result<Html<String>, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let org = crate::access::org_by_id(administered(&state, &viewer).await?, &form.org)?;
    let role = crate::new_case::keyed("role", &form.role, Role::from_key)?;
    let made =
        todoke_app::add_user(&state.store, &viewer.actor(), &form.login, &form.name, (&org.name, org.org_type), role)
            .await?;
    render_page(&state, &viewer, Some((made.login, made.password))).await
}
