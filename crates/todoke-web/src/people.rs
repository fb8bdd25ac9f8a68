//! The affected people of a case in the browser: each party's list uploaded (CSV in UTF-8 or
//! Shift_JIS, or Excel), its rejected rows named with file, line and reason to fix and re-upload,
//! and the people shown masked (山田 ●●, 1970-●●-●●). Showing one person in full is an audited
//! reveal. The owner's editors work on every party's list; a party's officers on their own.

use crate::access::files_for;
use crate::error::WebError;
use crate::i18n::Prefs;
use crate::session::{Viewer, check_csrf};
use crate::state::AppState;
use crate::views::load_desk_case;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde::Deserialize;
use todoke_core::{AffectedPerson, IncidentRecord, PersonId};
use todoke_people::{ColumnMapping, Input, NoProgress};
use todoke_store::{AuditStore, Db, PersonStore, StoredParty};

/// How many people of a party the page lists.
const SHOWN: usize = 100;

struct PartyPeople {
    name: String,
    count: u64,
    manages: bool,
    people: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    m: Prefs,
    user: String,
    csrf: String,
    id: String,
    title: String,
    parties: Vec<PartyPeople>,
    uploads_for: Vec<String>,
    imported: Option<(String, u64, u64, Vec<String>)>,
    revealed: Option<AffectedPerson>,
}

/// `山田 ●●`: the first word of a name (the family name) or its first character.
fn mask_name(name: &str) -> String {
    let name = name.trim();
    let family = match name.split_once([' ', '　']) {
        Some((family, _)) => family.to_string(),
        None => name.chars().next().map(String::from).unwrap_or_default(),
    };
    format!("{family} ●●")
}

/// The parties of a case the viewer sees, with whether they may manage each one's list; refused to
/// whoever manages none.
async fn scope_parties<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
) -> Result<(IncidentRecord, Vec<(StoredParty, bool)>), WebError> {
    let (record, parties) = load_desk_case(state, viewer, id).await?;
    let parties: Vec<_> = parties
        .into_iter()
        .map(|p| {
            let manages = files_for(viewer, &record, &p);
            (p, manages)
        })
        .collect();
    // The lists are for those who keep them: a call center asks "am I affected?" instead.
    if !parties.iter().any(|(_, manages)| *manages) {
        return Err(WebError::Forbidden);
    }
    Ok((record, parties))
}

async fn render_page<D: Db>(
    state: &AppState<D>,
    viewer: &Viewer,
    id: &str,
    imported: Option<(String, u64, u64, Vec<String>)>,
    revealed: Option<AffectedPerson>,
) -> Result<Html<String>, WebError> {
    let (record, parties) = scope_parties(state, viewer, id).await?;
    let mut shown = Vec::new();
    for (party, manages) in &parties {
        let (count, people) = state.store.party_people(record.id, party.id, SHOWN as u64).await?;
        shown.push(PartyPeople {
            name: party.party.name.clone(),
            count,
            manages: *manages,
            people: people
                .iter()
                .map(|p| {
                    let birth = p.person.birth_date.map(|d| format!("{}-●●-●●", d.year())).unwrap_or_default();
                    (p.id.to_string(), mask_name(&p.person.name), birth)
                })
                .collect(),
        });
    }
    let page = PeoplePage {
        m: Prefs::current(),
        user: viewer.user.display_name.clone(),
        csrf: viewer.csrf_token.clone(),
        id: record.id.to_string(),
        title: record.facts.title.clone(),
        uploads_for: parties.iter().filter(|(_, m)| *m).map(|(p, _)| p.party.name.clone()).collect(),
        parties: shown,
        imported,
        revealed,
    };
    Ok(Html(page.render()?))
}

/// The lists, masked.
pub async fn page<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    render_page(&state, &viewer, &id, None, None).await
}

/// A party's list uploaded: read, its people stored in one transaction, its rejected rows named.
pub async fn upload<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Html<String>, WebError> {
    let fields = crate::upload::fields(&headers, &body)?;
    let field = |name: &str| fields.iter().find(|f| f.name == name).map(|f| f.data.clone());
    check_csrf(&viewer, &headers, &String::from_utf8_lossy(&field("csrf").unwrap_or_default()))?;
    let (record, parties) = scope_parties(&state, &viewer, &id).await?;
    let wanted = String::from_utf8_lossy(&field("party").unwrap_or_default()).trim().to_string();
    let party = parties
        .iter()
        .find(|(p, manages)| *manages && p.party.name == wanted)
        .map(|(p, _)| p)
        .ok_or(WebError::NotFound)?;
    let file = field("file")
        .filter(|f| !f.is_empty())
        .ok_or_else(|| WebError::Invalid("file: expected a list (CSV in UTF-8 or Shift_JIS, or .xlsx)".into()))?;
    // An .xlsx file is a ZIP archive; anything else is read as CSV.
    let input = if file.starts_with(b"PK\x03\x04") {
        Input::xlsx("upload.xlsx", std::io::Cursor::new(file))
    } else {
        Input::csv("upload.csv", std::io::Cursor::new(file))
    };
    let name = party.party.name.clone();
    // Reading and normalizing is CPU work: off the async workers.
    let (people, rejected) = tokio::task::spawn_blocking(move || {
        todoke_app::people::read_list(&name, vec![input], &ColumnMapping::default(), &NoProgress)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))??;
    let added = state.store.add_people(&viewer.actor(), record.id, party.id, &people).await?;
    let reasons = rejected.iter().map(|r| format!("{}:{}: {}", r.file, r.line, r.reason.text())).collect();
    let imported = Some((party.party.name.clone(), added.added, added.already_present, reasons));
    render_page(&state, &viewer, &id, imported, None).await
}

/// A reveal as the form sends it.
#[derive(Deserialize)]
pub struct RevealForm {
    csrf: String,
}

/// One person in full, for someone who manages their party's list; recorded in the audit log.
pub async fn reveal<D: Db>(
    State(state): State<AppState<D>>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, person)): Path<(String, String)>,
    Form(form): Form<RevealForm>,
) -> Result<Html<String>, WebError> {
    check_csrf(&viewer, &headers, &form.csrf)?;
    let person: PersonId = person.parse().map_err(|_| WebError::NotFound)?;
    let (record, parties) = scope_parties(&state, &viewer, &id).await?;
    // Only a person on a list the viewer manages: anyone else's is "not found".
    let found = state
        .store
        .person(record.id, person)
        .await?
        .filter(|p| parties.iter().any(|(party, manages)| *manages && party.id == p.party))
        .ok_or(WebError::NotFound)?
        .person;
    state.store.record_event(&viewer.actor(), "people.reveal", &format!("person:{person}")).await?;
    render_page(&state, &viewer, &id, None, Some(found)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_show_only_the_family_name() {
        assert_eq!(mask_name("山田 太郎"), "山田 ●●");
        assert_eq!(mask_name("髙橋　花子"), "髙橋 ●●");
        assert_eq!(mask_name("佐藤一郎"), "佐 ●●");
    }
}
