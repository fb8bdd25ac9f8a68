//! Retention: a case's affected people are kept while they are needed to notify them and answer
//! their questions, and no longer. A case is due for erasure once a set number of days has passed
//! since its campaign's last recorded step (a notice sent, returned, re-mailed …); erasing destroys
//! its data key (crypto-erase) and yields a certificate of destruction whose digest the audit log
//! keeps. A case with no notices is never due: its campaign has not begun.

use crate::AppError;
use jiff::{Timestamp, ToSpan as _};
use todoke_core::IncidentId;
use todoke_store::{Actor, DestructionCertificate, IncidentStore, NotificationStore};

/// A case the policy calls to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The case.
    pub incident: IncidentId,
    /// Its title.
    pub title: String,
    /// Its campaign's last recorded step.
    pub last_step: Timestamp,
}

/// The cases, not erased yet, whose campaign's last step is more than `days` days before `now`.
pub async fn due<S>(store: &S, now: Timestamp, days: u32) -> Result<Vec<Due>, AppError>
where
    S: IncidentStore + NotificationStore + Sync,
{
    let cutoff = now
        .checked_sub(i64::from(days).saturating_mul(24).hours())
        .map_err(|e| AppError::Invalid(format!("--after-days {days}: {e}")))?;
    let mut out = Vec::new();
    for case in store.incidents().await?.into_iter().filter(|c| !c.erased) {
        let last: Option<Timestamp> = store.last_notification_step(case.id).await?.and_then(|at| at.parse().ok());
        if let Some(last_step) = last.filter(|t| *t < cutoff) {
            out.push(Due { incident: case.id, title: case.title, last_step });
        }
    }
    Ok(out)
}

/// Erases every case [`due`] finds, each with its certificate.
pub async fn purge<S>(
    store: &S,
    actor: &Actor,
    now: Timestamp,
    days: u32,
) -> Result<Vec<DestructionCertificate>, AppError>
where
    S: IncidentStore + NotificationStore + Sync,
{
    let mut certificates = Vec::new();
    for case in due(store, now, days).await? {
        let reason = format!("保存期間経過: 本人通知の最後の記録 ({}) から {days} 日", case.last_step);
        certificates.push(store.erase_incident(actor, case.incident, &reason).await?);
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use todoke_core::NoticeChannel;
    use todoke_store::testkit::{actor, sample_incident, sqlite_store};
    use todoke_store::{PersonStore, PlannedNotice};

    #[tokio::test]
    async fn a_case_is_erased_only_once_its_campaign_is_old_enough() {
        let (store, _dir) = sqlite_store().await;
        let planned = store.create_incident(&actor(), &sample_incident()).await.unwrap();
        let quiet = store.create_incident(&actor(), &sample_incident()).await.unwrap();
        let party = store.parties(planned).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
        let person = todoke_core::AffectedPerson {
            name: "山田 太郎".into(),
            name_kana: Some("ヤマダ タロウ".into()),
            birth_date: Some(jiff::civil::date(1970, 3, 1)),
            ..Default::default()
        };
        store.add_people(&actor(), planned, party.id, &[person]).await.unwrap();
        let who = store.people(planned, Some(party.id)).await.unwrap()[0].id;
        let notice = PlannedNotice { party: party.id, person: who, channel: NoticeChannel::Post };
        store.plan_notifications(&actor(), planned, &[notice]).await.unwrap();

        let now = Timestamp::now();
        assert!(due(&store, now, 90).await.unwrap().is_empty(), "the campaign is fresh");
        let later = now.checked_add((91 * 24).hours()).unwrap();
        let found = due(&store, later, 90).await.unwrap();
        assert_eq!(
            found.iter().map(|d| d.incident).collect::<Vec<_>>(),
            [planned],
            "a case without notices is not due"
        );

        let certificates = purge(&store, &actor(), later, 90).await.unwrap();
        assert_eq!(certificates.len(), 1);
        assert_eq!((certificates[0].incident, certificates[0].people), (planned, 1));
        assert!(certificates[0].reason.contains("90 日"), "{}", certificates[0].reason);
        assert!(store.incident(planned).await.unwrap().erased_at.is_some());
        assert!(store.incident(quiet).await.unwrap().erased_at.is_none());
        assert!(purge(&store, &actor(), later, 90).await.unwrap().is_empty(), "erased once");
    }
}
