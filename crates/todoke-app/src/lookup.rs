//! "Am I affected?": a caller gives the reading (kana) of their name and their birth date; the
//! answer is which parties' lists hold them. The lists are searched through the blind index alone
//! (no record is decrypted), and every question is recorded in the audit log — without the name or
//! the date asked about, which would put personal data into the log.

use crate::AppError;
use jiff::civil::Date;
use todoke_core::{IncidentId, PartyId};
use todoke_store::{Actor, AuditStore, PersonStore};

/// The parties whose lists hold a person of this kana name and birth date (each party once, in a
/// stable order); empty when none does.
pub async fn am_i_affected<S: PersonStore + AuditStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    name_kana: &str,
    birth_date: Date,
) -> Result<Vec<PartyId>, AppError> {
    if name_kana.trim().is_empty() {
        return Err(AppError::Invalid("name_kana: expected the reading of the name in kana".into()));
    }
    let mut parties: Vec<PartyId> =
        store.find_people_by_kana(incident, name_kana, birth_date).await?.into_iter().map(|(_, p)| p).collect();
    parties.sort_by_key(|p| p.to_string());
    parties.dedup();
    store.record_event(actor, "people.lookup", &format!("incident:{incident} parties_found:{}", parties.len())).await?;
    Ok(parties)
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_core::AffectedPerson;
    use todoke_store::IncidentStore;

    fn person(name: &str, kana: &str, birth: Date) -> AffectedPerson {
        AffectedPerson {
            name: name.into(),
            name_kana: Some(kana.into()),
            birth_date: Some(birth),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn finds_the_parties_by_kana_in_any_script_and_audits_without_personal_data() {
        let (store, _dir) = todoke_store::testkit::sqlite_store().await;
        let actor = todoke_store::testkit::actor();
        let id = store.create_incident(&actor, &todoke_store::testkit::sample_incident()).await.unwrap();
        let parties = store.parties(id).await.unwrap();
        let born = jiff::civil::date(1970, 3, 1);
        let hanako = person("高橋花子", "タカハシ ハナコ", born);
        store.add_people(&actor, id, parties[1].id, std::slice::from_ref(&hanako)).await.unwrap();
        store
            .add_people(&actor, id, parties[0].id, &[hanako, person("鈴木一郎", "スズキイチロウ", born)])
            .await
            .unwrap();

        let mut both = vec![parties[0].id, parties[1].id];
        both.sort_by_key(|p| p.to_string());
        assert_eq!(am_i_affected(&store, &actor, id, "たかはしはなこ", born).await.unwrap(), both);
        assert_eq!(am_i_affected(&store, &actor, id, "ｽｽﾞｷ ｲﾁﾛｳ", born).await.unwrap(), vec![parties[0].id]);
        assert!(
            am_i_affected(&store, &actor, id, "タカハシハナコ", jiff::civil::date(1970, 3, 2))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(am_i_affected(&store, &actor, id, " ", born).await, Err(AppError::Invalid(_))));

        let log = store.audit_entries(0, 1000).await.unwrap();
        let lookups: Vec<_> = log.iter().filter(|e| e.action == "people.lookup").collect();
        assert_eq!(lookups.len(), 3, "each answered question is audited");
        assert!(lookups.iter().all(|e| !e.object.contains("ハナコ") && !e.object.contains("1970")));
        assert!(lookups[0].object.ends_with("parties_found:2"), "{}", lookups[0].object);
    }
}
