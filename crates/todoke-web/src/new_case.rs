//! Opening a case in the browser: a guided form (判断フロー) whose every question says why it
//! matters for the report, for whoever works the cases of an organization.

use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use todoke_app::new_case::{Consignor, NewCase, open_case};
use todoke_core::{Cause, Date, EventKind, OrgType, Organization, Role};
use todoke_store::{Db, OrgStore};

/// Of `orgs`, those the viewer may open a case for: where they work cases (staff, an officer, an
/// administrator), not the deployment's own.
pub fn openable_among(orgs: Vec<Organization>, viewer: &Viewer) -> Vec<Organization> {
    let mine = |org: &Organization| {
        org.name != todoke_app::SYSTEM_ORG
            && viewer
                .memberships
                .iter()
                .any(|m| m.org == org.id && matches!(m.role, Role::HandlerStaff | Role::ConsignorOfficer | Role::Admin))
    };
    orgs.into_iter().filter(mine).collect()
}

/// The organizations the viewer may open a case for; refused to whoever may open none.
async fn own_organizations<D: Db>(state: &AppState<D>, viewer: &Viewer) -> Result<Vec<Organization>, WebError> {
    let orgs = openable_among(state.store.organizations().await?, viewer);
    if orgs.is_empty() {
        return Err(WebError::Forbidden);
    }
    Ok(orgs)
}

/// The organization a case is opened for: the one asked for (by id), or the viewer's only one.
pub async fn chosen_organization<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    asked: &str,
) -> Result<Organization, WebError> {
    let mut orgs = own_organizations(state, viewer).await?;
    match asked.trim() {
        "" if orgs.len() == 1 => Ok(orgs.remove(0)),
        "" => Err(WebError::Invalid("org: choose the organization where it happened".into())),
        id => crate::access::org_by_id(orgs, id),
    }
}

/// A value (an event, a cause, a role) from its key, or what is wrong with it.
pub fn keyed<T>(field: &str, key: &str, from_key: fn(&str) -> Option<T>) -> Result<T, WebError> {
    from_key(key.trim()).ok_or_else(|| WebError::Invalid(format!("{field}: unknown `{}`", key.trim())))
}

/// The guided form.
#[derive(Template)]
#[template(path = "new_case.html")]
struct NewCasePage {
    m: Prefs,
    user: String,
    csrf: String,
    orgs: Vec<(String, String)>,
    events: Vec<(&'static str, String)>,
    causes: Vec<(&'static str, String)>,
}

/// The form, with the viewer's organizations to open it for.
pub async fn page<D: Db>(State(state): State<AppState<D>>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let orgs = own_organizations(&state, &viewer).await?;
    let m = Prefs::current();
    let page = NewCasePage {
        m,
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        orgs: orgs.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
        events: EventKind::ALL.iter().map(|e| (e.key(), m.label(e.key(), e.label_ja()))).collect(),
        causes: Cause::ALL.iter().map(|c| (c.key(), m.label(c.key(), c.label_ja()))).collect(),
    };
    Ok(Html(page.render()?))
}

/// The answers as the form sends them.
#[derive(Deserialize)]
pub struct NewCaseForm {
    csrf: String,
    /// The organization's id; may be left out by whoever works for one only.
    #[serde(default)]
    org: String,
    title: String,
    #[serde(default)]
    summary: String,
    event: String,
    #[serde(default)]
    suspected: Option<String>,
    cause: String,
    data_items: String,
    #[serde(default)]
    sensitive: String,
    #[serde(default)]
    financial_risk: String,
    #[serde(default)]
    persons: String,
    #[serde(default)]
    encrypted: Option<String>,
    #[serde(default)]
    my_number: Option<String>,
    known_on: String,
    #[serde(default)]
    consignors: String,
    /// `on` to start with the usual response checklist.
    #[serde(default)]
    checklist: Option<String>,
}

fn tri(field: &str, value: &str) -> Result<Option<bool>, WebError> {
    match value {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        other => Err(WebError::Invalid(format!("{field}: expected yes, no or empty, found `{other}`"))),
    }
}

/// A date as users write it, 西暦 or 和暦.
pub fn date(field: &str, text: &str) -> Result<Date, WebError> {
    todoke_ja::parse_date(text.trim()).ok_or_else(|| {
        WebError::Invalid(format!(
            "{field}: expected a date such as 2024-01-29 or 令和6年1月29日, found `{}`",
            text.trim()
        ))
    })
}

/// An organization's kind in the words users write: 事業者, 行政機関等 (地方公共団体), 公的病院.
pub fn org_type(text: &str) -> Option<OrgType> {
    match text.trim() {
        "" | "事業者" | "民間事業者" | "business" => Some(OrgType::Business),
        "行政機関等" | "地方公共団体" | "自治体" | "public_body" => Some(OrgType::PublicBody),
        "公的病院" | "公立病院" | "public_hospital" => Some(OrgType::PublicHospital),
        _ => None,
    }
}

/// One consignor a line: `名前, 種別, 知った日`, the last two optional.
fn consignors(text: &str) -> Result<Vec<Consignor>, WebError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let field = format!("consignors line {}", n + 1);
        let parts: Vec<&str> = line.split([',', '、', '\t']).map(str::trim).collect();
        let (name, kind, known) = match parts.as_slice() {
            [name] => (*name, "", ""),
            [name, kind] => (*name, *kind, ""),
            [name, kind, known] => (*name, *kind, *known),
            _ => return Err(WebError::Invalid(format!("{field}: expected 名前, 種別, 知った日"))),
        };
        let org_type = org_type(kind).ok_or_else(|| {
            WebError::Invalid(format!("{field}: unknown kind `{kind}` (事業者, 行政機関等 or 公的病院)"))
        })?;
        let known_on = if known.is_empty() { None } else { Some(date(&field, known)?) };
        out.push(Consignor { name: name.to_string(), org_type, known_on });
    }
    Ok(out)
}

/// Opens the case for one of the viewer's organizations and shows it, assessed.
pub async fn create<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<NewCaseForm>,
) -> Result<Response, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let org = chosen_organization(&state, &viewer, &form.org).await?;
    let persons = match form.persons.replace([',', '，'], "").trim() {
        "" => None,
        n => Some(n.parse().map_err(|_| WebError::Invalid(format!("persons: expected a whole number, found `{n}`")))?),
    };
    let answers = NewCase {
        title: form.title,
        summary: Some(form.summary),
        event: keyed("event", &form.event, EventKind::from_key)?,
        suspected: form.suspected.is_some(),
        cause: keyed("cause", &form.cause, Cause::from_key)?,
        data_items: form
            .data_items
            .split(['\n', ',', '、'])
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(String::from)
            .collect(),
        sensitive: tri("sensitive", &form.sensitive)?,
        financial_risk: tri("financial_risk", &form.financial_risk)?,
        persons,
        encrypted: form.encrypted.is_some(),
        my_number: form.my_number.is_some(),
        handler: (org.name, org.org_type),
        known_on: date("known_on", &form.known_on)?,
        consignors: consignors(&form.consignors)?,
        checklist: form.checklist.is_some(),
    };
    let id = open_case(&state.store, &viewer.actor(), &answers).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}
