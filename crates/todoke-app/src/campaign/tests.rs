//! Campaigns against a local SMTP receiver, on SQLite and (when `TODOKE_TEST_PG_URL` is set) on
//! PostgreSQL.

use super::*;
use crate::testkit::SmtpReceiver;
use std::time::Duration;
use todoke_core::{AffectedPerson, IncidentId, NoticeChannel, NotificationStatus};
use todoke_store::testkit::{actor, sample_incident};
use todoke_store::{AuditStore, Db, IncidentStore, NotificationStore, PersonStore, StatusChange, Store, StoredParty};

fn person(name: &str, kana: &str, birth: (i16, i8, i8), email: Option<&str>, address: bool) -> AffectedPerson {
    AffectedPerson {
        name: name.into(),
        name_kana: Some(kana.into()),
        birth_date: Some(jiff::civil::date(birth.0, birth.1, birth.2)),
        email: email.map(str::to_string),
        postal_code: address.then(|| "344-8577".to_string()),
        address: address.then(|| "埼玉県春日部市中央七丁目2番地1".to_string()),
        ..Default::default()
    }
}

fn config(port: u16) -> SmtpConfig {
    SmtpConfig {
        port,
        rate_per_second: 200.0,
        retries: 2,
        retry_delay: Duration::from_millis(10),
        timeout: Duration::from_secs(10),
        ..SmtpConfig::new("127.0.0.1", Security::None, "春日部市 <notice@city.kasukabe.example.jp>")
    }
}

async fn city<D: Db>(store: &Store<D>, id: IncidentId) -> StoredParty {
    store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap()
}

fn text(id: IncidentId) -> NoticeText {
    let _ = id;
    notice_text(
        &sample_incident(),
        "春日部市",
        &todoke_docs::Profile::default(),
        &todoke_docs::Templates::default(),
        jiff::civil::date(2024, 3, 1),
    )
    .unwrap()
}

async fn status_of<D: Db>(store: &Store<D>, id: IncidentId, email_person: &str) -> todoke_store::StoredNotification {
    for n in store.notifications(id, None, Some(NoticeChannel::Email)).await.unwrap() {
        if store.notification_recipient(id, n.id).await.unwrap().email.as_deref() == Some(email_person) {
            return n;
        }
    }
    panic!("no e-mail notice to {email_person}");
}

async fn campaign_round_trip<D: Db>(store: &Store<D>) {
    let actor = actor();
    let id = store.create_incident(&actor, &sample_incident()).await.unwrap();
    let party = city(store, id).await;
    let people = vec![
        person("髙橋 花子", "タカハシ ハナコ", (1970, 3, 1), Some("hanako@example.jp"), true),
        // The same person listed twice, with another spelling: one notice.
        person("高橋 花子", "タカハシ ハナコ", (1970, 3, 1), None, true),
        person("山田 太郎", "ヤマダ タロウ", (1985, 12, 24), Some("nobody@example.jp"), false),
        person("佐藤 一郎", "サトウ イチロウ", (1950, 1, 2), Some("ichiro@example.jp"), false),
        person("鈴木 次郎", "スズキ ジロウ", (1960, 5, 5), None, true),
        person("田中 三郎", "タナカ サブロウ", (1990, 7, 7), None, false),
    ];
    store.add_people(&actor, id, party.id, &people).await.unwrap();

    // Planned with the channel rule of the people plan: e-mail first, then post, else substitute.
    let planned = plan_party(store, &actor, id, &party, &todoke_people::PlanConfig::default()).await.unwrap();
    assert_eq!((planned.records, planned.persons, planned.already_planned), (6, 5, 0));
    assert_eq!(
        planned.added,
        [("email".to_string(), 3), ("post".to_string(), 1), ("substitute".to_string(), 1)].into_iter().collect()
    );
    let again = plan_party(store, &actor, id, &party, &todoke_people::PlanConfig::default()).await.unwrap();
    assert_eq!((again.added_total(), again.already_planned), (0, 5), "planning twice adds nothing");

    let smtp = SmtpReceiver::start().await;
    smtp.reject("nobody@example.jp");
    smtp.defer_once("ichiro@example.jp");
    let notice = text(id);
    let report = send_email(store, &actor, id, &party, &config(smtp.port), &notice, SendOptions::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (report.notices, report.sent, report.bounced, report.failed, report.retried, report.unknown),
        (3, 2, 1, 0, 1, 0),
        "{report:?}"
    );
    assert_eq!(report.stopped, None);

    // What arrived: one message each to the two accepted addresses, in Japanese.
    let received = smtp.received();
    let mut recipients: Vec<_> = received.iter().flat_map(|m| m.recipients.clone()).collect();
    recipients.sort();
    assert_eq!(recipients, vec!["hanako@example.jp", "ichiro@example.jp"]);
    for m in &received {
        assert_eq!(m.from, "notice@city.kasukabe.example.jp");
        assert_eq!(m.subject(), "【春日部市】個人情報の漏えい等に関するお知らせとお詫び");
        let body = m.body();
        assert!(
            body.contains("春日部市") && body.contains("拝啓") && body.contains("公益財団法人埼玉県健康づくり事業団")
        );
        assert!(m.header("content-type").unwrap().to_ascii_lowercase().contains("charset=utf-8"));
    }
    let hanako = received.iter().find(|m| m.recipients == ["hanako@example.jp"]).unwrap();
    assert!(hanako.body().starts_with("髙橋 花子 様"), "{}", hanako.body());

    // Per-recipient status, with codes and no addresses.
    let sent = status_of(store, id, "hanako@example.jp").await;
    assert_eq!((sent.status, sent.attempts, sent.last_error.as_deref()), (NotificationStatus::Sent, 1, None));
    assert_eq!(hanako.header("message-id"), sent.message_id.clone());
    assert_eq!(sent.message_id.clone().unwrap(), format!("<{}@city.kasukabe.example.jp>", sent.id));
    let bounced = status_of(store, id, "nobody@example.jp").await;
    assert_eq!((bounced.status, bounced.last_error.as_deref()), (NotificationStatus::Bounced, Some("smtp 550")));
    let retried = status_of(store, id, "ichiro@example.jp").await;
    assert_eq!((retried.status, retried.attempts), (NotificationStatus::Sent, 2));
    let history: Vec<_> = store
        .notification_events(id, Some(party.id))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.notification == retried.id)
        .map(|e| (e.status, e.detail))
        .collect();
    assert_eq!(
        history,
        vec![
            (NotificationStatus::Pending, None),
            (NotificationStatus::Sending, None),
            (NotificationStatus::Sending, Some("smtp 451".into())),
            (NotificationStatus::Sent, Some("smtp 250".into())),
        ]
    );

    // A re-run sends nothing twice.
    let rerun = send_email(store, &actor, id, &party, &config(smtp.port), &notice, SendOptions::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!((rerun.attempted, rerun.sent, rerun.already_done), (0, 0, 3), "{rerun:?}");
    assert_eq!(smtp.received().len(), 2);

    // A notice left `sending` by a run that died is reported, not resent — unless asked for.
    store
        .add_people(
            &actor,
            id,
            party.id,
            &[person("伊藤 四郎", "イトウ シロウ", (1975, 4, 4), Some("shiro@example.jp"), false)],
        )
        .await
        .unwrap();
    plan_party(store, &actor, id, &party, &todoke_people::PlanConfig::default()).await.unwrap();
    let shiro = status_of(store, id, "shiro@example.jp").await;
    let claim = StatusChange {
        from: NotificationStatus::Pending,
        to: NotificationStatus::Sending,
        attempt: true,
        detail: None,
        error: None,
        message_id: None,
    };
    assert!(store.change_notification(&actor, shiro.id, &claim).await.unwrap());
    let unsure = send_email(store, &actor, id, &party, &config(smtp.port), &notice, SendOptions::default(), &|_| {})
        .await
        .unwrap();
    assert_eq!((unsure.unknown, unsure.sent), (1, 0), "{unsure:?}");
    assert_eq!(smtp.received().len(), 2);
    let resend = SendOptions { resend_unknown: true };
    let resent = send_email(store, &actor, id, &party, &config(smtp.port), &notice, resend, &|_| {}).await.unwrap();
    assert_eq!((resent.unknown, resent.sent), (0, 1), "{resent:?}");
    assert_eq!(smtp.received().len(), 3);
    assert_eq!(status_of(store, id, "shiro@example.jp").await.attempts, 2);

    // A bounce that comes back later is recorded by Message-ID.
    let later = record_bounce(store, &actor, id, sent.message_id.as_deref().unwrap(), "5.1.1").await.unwrap();
    assert_eq!((later.id, later.status), (sent.id, NotificationStatus::Bounced));
    assert!(record_bounce(store, &actor, id, "<nothing@example.jp>", "5.1.1").await.is_err());
    assert!(
        record_bounce(store, &actor, id, sent.message_id.as_deref().unwrap(), "user hanako@example.jp").await.is_err()
    );

    // A server that cannot be reached stops the run before any notice is touched.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    store
        .add_people(
            &actor,
            id,
            party.id,
            &[person("渡辺 五郎", "ワタナベ ゴロウ", (1980, 8, 8), Some("goro@example.jp"), false)],
        )
        .await
        .unwrap();
    plan_party(store, &actor, id, &party, &todoke_people::PlanConfig::default()).await.unwrap();
    let down =
        send_email(store, &actor, id, &party, &config(port), &notice, SendOptions::default(), &|_| {}).await.unwrap();
    assert!(down.stopped.is_some() && down.attempted == 0, "{down:?}");
    assert_eq!(status_of(store, id, "goro@example.jp").await.status, NotificationStatus::Pending);

    // Nothing personal in the audit log or in the stored notices.
    let log = store.audit_entries(0, 10_000).await.unwrap();
    assert!(log.iter().any(|e| e.action == "notification.status"));
    assert!(log.iter().all(|e| !e.object.contains("@example.jp") && !e.object.contains("花子")));
    for n in store.notifications(id, None, None).await.unwrap() {
        assert!(!format!("{n:?}").contains("example.jp\""), "{n:?}");
        assert!(n.last_error.as_deref().is_none_or(|e| !e.contains('@')));
    }
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
}

#[tokio::test]
async fn campaign_on_sqlite() {
    let (store, _dir) = todoke_store::testkit::sqlite_store().await;
    campaign_round_trip(&store).await;
}

#[tokio::test]
async fn campaign_on_postgres() {
    let Some((store, _db)) = todoke_store::testkit::postgres_store().await else { return };
    campaign_round_trip(&store).await;
}
