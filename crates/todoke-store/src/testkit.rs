//! Fresh stores for tests, and the conformance suite every backend must pass.
//!
//! Each test gets its own database: a new SQLite file in a temporary folder, or a new PostgreSQL
//! database on the server named by `TODOKE_TEST_PG_URL` (dropped again when the test ends), so that
//! test runs never see each other's data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use crate::audit::Actor;
use crate::traits::*;
use crate::{Db, MasterKey, PgDb, SqliteDb, Store, StoreError, Tx};
use jiff::civil::date;
use std::sync::Arc;
use todoke_core::facts::parse_facts;
use todoke_core::*;

/// The environment variable naming a PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "TODOKE_TEST_PG_URL";

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A store on a new SQLite file; the folder goes when the guard drops.
pub async fn sqlite_store() -> (Store<SqliteDb>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteDb::open(dir.path().join("todoke.db").to_str().unwrap()).await.unwrap();
    (Store::open(db, MasterKey::generate(), clock()).await.unwrap(), dir)
}

/// The master key of `store`, to open a copy of its database.
pub fn same_key<D: Db>(store: &Store<D>) -> MasterKey {
    MasterKey::from_text(&store.key_ring().current().to_text()).unwrap()
}

/// A PostgreSQL database made for one test, dropped when this guard drops.
pub struct PgTestDb {
    admin_url: String,
    name: String,
    /// The URL of the test's own database.
    pub url: String,
}

impl PgTestDb {
    /// A new empty database, or `None` when no test server is configured.
    pub async fn create() -> Option<Self> {
        let admin_url = std::env::var(PG_URL_VAR).ok()?;
        let name = format!("todoke_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::postgres::PgPool::connect(&admin_url).await.unwrap();
        // CREATE DATABASE takes no parameters; the name is made here of hex digits only.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("create database {name}"))).execute(&admin).await.unwrap();
        admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(Self { admin_url, name, url })
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a thread of its own may block on a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(admin) = sqlx::postgres::PgPool::connect(&admin_url).await {
                    let sql = format!("drop database if exists {name} with (force)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A store on a new PostgreSQL database, or `None` when no test server is configured.
pub async fn postgres_store() -> Option<(Store<PgDb>, PgTestDb)> {
    let guard = PgTestDb::create().await?;
    let db = PgDb::open(&guard.url).await.unwrap();
    Some((Store::open(db, MasterKey::generate(), clock()).await.unwrap(), guard))
}

pub fn actor() -> Actor {
    Actor::cli("tester")
}

/// A small incident with a handler, a consignor, a timeline and tasks.
pub fn sample_incident() -> Incident {
    parse_facts(
        r#"
title = "X線画像読影システムへのランサムウェア攻撃"
summary = "健診データを扱うシステムが暗号化された。"
event = "leak"
suspected = true
cause = "ransomware"
data_items = ["氏名", "生年月日", { name = "今回の所見と判定", sensitive = true }]
persons = 18950
occurred_from = 2024-01-27
occurred_to = 2024-01-28

[[parties]]
name = "公益財団法人埼玉県健康づくり事業団"
type = "business"
role = "handler"
known_on = 2024-01-29
joint_report_with = ["春日部市"]

[[parties]]
name = "春日部市"
type = "public_body"
role = "consignor"
known_on = 2024-02-01
persons = 18950

[[timeline]]
at = 2024-01-27T18:36:00+09:00
kind = "attack"
text = "RDPで侵入"
technique = "T1021.001"

[[timeline]]
at = 2024-01-29T08:30:00+09:00
kind = "detection"
text = "画像が開けないことに気づく"
source = "事業団の報告"

[[tasks]]
kind = "prevention"
title = "委託先の管理体制報告書を毎年提出させる"
status = "done"

[[tasks]]
kind = "action"
title = "本人通知の発送"
due = 2024-05-24
"#,
    )
    .unwrap()
}

pub fn people() -> Vec<AffectedPerson> {
    vec![
        AffectedPerson {
            name: "髙橋 花子".into(),
            name_kana: Some("タカハシ ハナコ".into()),
            birth_date: Some(date(1970, 3, 1)),
            postal_code: Some("344-8577".into()),
            address: Some("埼玉県春日部市中央七丁目2番地1".into()),
            phone: Some("048-736-1111".into()),
            email: Some("hanako.takahashi@example.jp".into()),
            ..Default::default()
        },
        AffectedPerson {
            name: "山田 太郎".into(),
            name_kana: Some("ヤマダ タロウ".into()),
            birth_date: Some(date(1985, 12, 24)),
            address: Some("埼玉県春日部市粕壁東一丁目".into()),
            ..Default::default()
        },
        AffectedPerson { name: "佐藤 一郎".into(), birth_date: Some(date(1950, 1, 2)), ..Default::default() },
    ]
}

/// Strings of [`people`] that must never appear in a database file or dump.
pub fn personal_strings() -> Vec<&'static str> {
    vec![
        "髙橋",
        "花子",
        "タカハシ",
        "1970-03-01",
        "hanako.takahashi@example.jp",
        "048-736-1111",
        "春日部市中央七丁目",
        "山田 太郎",
        "1985-12-24",
        "佐藤",
    ]
}

async fn party_id<D: Db>(store: &Store<D>, incident: IncidentId, name: &str) -> PartyId {
    store.parties(incident).await.unwrap().into_iter().find(|p| p.party.name == name).unwrap().id
}

/// The sample incident with a letter planned for each of 春日部市's people: the incident, the
/// party and its notices.
pub async fn seeded_with_letters<D: Db>(store: &Store<D>) -> (IncidentId, PartyId, Vec<StoredNotification>) {
    let id = seeded(store).await;
    let city = party_id(store, id, "春日部市").await;
    let people = store.people(id, Some(city)).await.unwrap();
    let planned: Vec<PlannedNotice> =
        people.iter().map(|p| PlannedNotice { party: city, person: p.id, channel: NoticeChannel::Post }).collect();
    store.plan_notifications(&actor(), id, &planned).await.unwrap();
    let notices = store.notifications(id, Some(city), None).await.unwrap();
    (id, city, notices)
}

/// Stores the sample incident and its people; returns the incident.
pub async fn seeded<D: Db>(store: &Store<D>) -> IncidentId {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let party = party_id(store, id, "春日部市").await;
    store.add_people(&actor(), id, party, &people()).await.unwrap();
    id
}

pub async fn incident_round_trip<D: Db>(store: &Store<D>) {
    let facts = sample_incident();
    let id = store.create_incident(&actor(), &facts).await.unwrap();
    let record = store.incident(id).await.unwrap();
    assert_eq!(record.facts, facts);
    assert_eq!(record.erased_at, None);
    let orgs = store.organizations().await.unwrap();
    assert_eq!(orgs.len(), 2);
    let owner = orgs.iter().find(|o| o.id == record.owner).unwrap();
    assert_eq!(owner.name, "公益財団法人埼玉県健康づくり事業団");

    // A second incident with the same parties reuses their organizations.
    let second = store.create_incident(&actor(), &facts).await.unwrap();
    assert_eq!(store.organizations().await.unwrap().len(), 2);
    let list = store.incidents().await.unwrap();
    assert_eq!(list.iter().map(|i| i.id).collect::<Vec<_>>(), vec![id, second]);
    assert_eq!(list[0].parties, 2);
    assert_eq!(list[0].first_known_on, Some(date(2024, 1, 29)));
    assert_eq!(list[0].persons, Some(18950));

    assert!(matches!(store.incident(IncidentId(uuid::Uuid::nil())).await, Err(StoreError::NotFound(_))));
}

pub async fn incidents_are_found_by_id_prefix<D: Db>(store: &Store<D>) {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let text = id.to_string();
    assert_eq!(store.find_incident(&text).await.unwrap(), id);
    assert_eq!(store.find_incident(&text.to_uppercase()).await.unwrap(), id);
    let other = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    // Two ids made in the same millisecond share a prefix; the full id always works.
    assert_eq!(store.find_incident(&other.to_string()).await.unwrap(), other);
    assert!(matches!(store.find_incident("zzzz").await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.find_incident("%").await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.find_incident(&text[..8]).await, Ok(_) | Err(StoreError::Conflict(_))));
}

pub async fn people_are_sealed_found_and_never_added_twice<D: Db>(store: &Store<D>) {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let city = party_id(store, id, "春日部市").await;
    let handler = party_id(store, id, "公益財団法人埼玉県健康づくり事業団").await;

    let added = store.add_people(&actor(), id, city, &people()).await.unwrap();
    assert_eq!(added, PeopleAdded { added: 3, already_present: 0 });
    let again = store.add_people(&actor(), id, city, &people()).await.unwrap();
    assert_eq!(again, PeopleAdded { added: 0, already_present: 3 });
    assert_eq!(store.count_people(id).await.unwrap(), 3);

    let stored = store.people(id, Some(city)).await.unwrap();
    let mut names: Vec<_> = stored.iter().map(|p| p.person.name.clone()).collect();
    names.sort();
    assert_eq!(names, vec!["佐藤 一郎", "山田 太郎", "髙橋 花子"]);
    assert!(store.people(id, Some(handler)).await.unwrap().is_empty());
    // A page of a party's list: its size, and the first people in id order.
    let (count, page) = store.party_people(id, city, 2).await.unwrap();
    assert_eq!(count, 3);
    let mut by_id = stored.clone();
    by_id.sort_by_key(|p| p.id.to_string());
    assert_eq!(page.iter().map(|p| p.id).collect::<Vec<_>>(), by_id.iter().take(2).map(|p| p.id).collect::<Vec<_>>());
    assert_eq!(store.party_people(id, handler, 10).await.unwrap(), (0, Vec::new()));
    // One person by id, and no one under another incident's id.
    assert_eq!(store.person(id, stored[0].id).await.unwrap().as_ref(), Some(&stored[0]));
    let other = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    assert_eq!(store.person(other, stored[0].id).await.unwrap(), None);

    // The kana as a caller gives it: hiragana, half-width, no space — the same person.
    let found = store.find_people_by_kana(id, "たかはし　はなこ", date(1970, 3, 1)).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, city);
    let found = store.find_people_by_kana(id, "ﾀｶﾊｼﾊﾅｺ", date(1970, 3, 1)).await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(store.find_people_by_kana(id, "タカハシハナコ", date(1970, 3, 2)).await.unwrap().is_empty());

    // A party of another incident is refused.
    let other = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    assert!(matches!(store.add_people(&actor(), other, city, &people()).await, Err(StoreError::NotFound(_))));
}

pub async fn erasing_an_incident_makes_its_people_unreadable<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    let kept = seeded(store).await;
    let certificate = store.erase_incident(&actor(), id, "依頼による消去").await.unwrap();
    assert_eq!((certificate.incident, certificate.people, certificate.reason.as_str()), (id, 3, "依頼による消去"));
    // The erasure's audit entry carries the certificate's digest: a kept certificate can be checked.
    let entries = store.audit_entries(0, 1_000_000).await.unwrap();
    let erased = entries.iter().rfind(|e| e.action == "incident.erase").unwrap();
    assert_eq!(erased.object, format!("incident:{id}"));
    assert_eq!(erased.digest, crate::audit::digest_of(&certificate));

    assert!(matches!(store.people(id, None).await, Err(StoreError::Erased(_))));
    assert!(matches!(
        store.find_people_by_kana(id, "タカハシハナコ", date(1970, 3, 1)).await,
        Err(StoreError::Erased(_))
    ));
    let party = party_id(store, id, "春日部市").await;
    assert!(matches!(store.add_people(&actor(), id, party, &people()).await, Err(StoreError::Erased(_))));
    assert!(matches!(store.erase_incident(&actor(), id, "依頼による消去").await, Err(StoreError::Erased(_))));
    assert_eq!(store.count_people(id).await.unwrap(), 3, "the count survives erasure");
    assert!(store.incident(id).await.unwrap().erased_at.is_some());
    assert!(store.incidents().await.unwrap().iter().any(|i| i.id == id && i.erased));

    // The wrapped key is gone from the database, not merely flagged.
    let mut tx = store.db().begin_read().await.unwrap();
    let row = tx
        .fetch_one("select wrapped from incident_key where incident_id = $1", &[id.to_string().into()])
        .await
        .unwrap();
    assert_eq!(row.opt_blob(0).unwrap(), None);
    drop(tx);

    // Other incidents are untouched.
    assert_eq!(store.people(kept, None).await.unwrap().len(), 3);
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
}

pub async fn answer_scripts_are_versioned_per_topic<D: Db>(store: &Store<D>) {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    assert_eq!(
        store.add_answer_script(&actor(), id, "事実確認", "事業団のシステムが攻撃を受けました。").await.unwrap(),
        1
    );
    assert_eq!(store.add_answer_script(&actor(), id, "二次被害", "現時点で確認されていません。").await.unwrap(), 1);
    assert_eq!(store.add_answer_script(&actor(), id, " 事実確認 ", "第2版の回答").await.unwrap(), 2);
    assert!(matches!(store.add_answer_script(&actor(), id, "事実確認", "  ").await, Err(StoreError::Invalid(_))));
    let scripts = store.answer_scripts(id).await.unwrap();
    let got: Vec<(&str, i64, &str)> = scripts.iter().map(|s| (s.topic.as_str(), s.version, s.body.as_str())).collect();
    assert_eq!(
        got,
        [
            ("事実確認", 1, "事業団のシステムが攻撃を受けました。"),
            ("事実確認", 2, "第2版の回答"),
            ("二次被害", 1, "現時点で確認されていません。")
        ]
    );
    let log = store.audit_entries(0, 1000).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "answer_script.add").count(), 3);
}

pub async fn reports_tasks_and_inquiries<D: Db>(store: &Store<D>) {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let city = party_id(store, id, "春日部市").await;

    let draft = Report {
        party: city,
        kind: ReportKind::Preliminary,
        content: "速報の内容".into(),
        submitted_on: None,
        receipt_number: None,
        due: None,
        on_time: None,
    };
    let report = store.add_report(&actor(), id, &draft).await.unwrap();
    assert_eq!(store.reports(id).await.unwrap()[0].1.on_time, None, "a draft is neither on time nor late");
    store.submit_report(&actor(), report, date(2024, 2, 21), Some("R6-0001"), Some(date(2024, 2, 5))).await.unwrap();
    let err = store.submit_report(&actor(), report, date(2024, 2, 4), None, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let reports = store.reports(id).await.unwrap();
    assert_eq!(reports[0].1.submitted_on, Some(date(2024, 2, 21)));
    assert_eq!(reports[0].1.receipt_number.as_deref(), Some("R6-0001"));
    assert_eq!((reports[0].1.due, reports[0].1.on_time), (Some(date(2024, 2, 5)), Some(false)), "lateness is frozen");

    let filed = Report {
        kind: ReportKind::Final,
        submitted_on: Some(date(2024, 4, 3)),
        due: Some(date(2024, 4, 1)),
        ..draft.clone()
    };
    let filed_id = store.add_report(&actor(), id, &filed).await.unwrap();
    let final_report = store.reports(id).await.unwrap().into_iter().find(|(r, _)| *r == filed_id).unwrap().1;
    assert_eq!(final_report.on_time, Some(false));
    // Filed again (a retry after a crash): the same report, not a second one (issue 9).
    let entries = store.audit_entries(0, 1_000_000).await.unwrap().len();
    assert_eq!(store.add_report(&actor(), id, &filed).await.unwrap(), filed_id);
    assert_eq!(store.reports(id).await.unwrap().len(), 2);
    assert_eq!(store.audit_entries(0, 1_000_000).await.unwrap().len(), entries, "nothing new to audit");
    let other = Report { receipt_number: Some("R6-0002".into()), ..filed.clone() };
    assert_ne!(store.add_report(&actor(), id, &other).await.unwrap(), filed_id, "another filing is another report");
    store.add_report(&actor(), id, &draft).await.unwrap();
    assert_eq!(store.reports(id).await.unwrap().len(), 4, "drafts are never merged");
    // The same filing sent several times at once (a form submitted twice, two servers) is one report.
    let at_once = Report { receipt_number: Some("R6-0003".into()), ..filed.clone() };
    let filings: Vec<_> = (0..4)
        .map(|_| {
            let (store, report) = (store.clone(), at_once.clone());
            tokio::spawn(async move { store.add_report(&actor(), id, &report).await.unwrap() })
        })
        .collect();
    let mut ids = Vec::new();
    for filing in filings {
        ids.push(filing.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one report for one filing");
    assert_eq!(store.reports(id).await.unwrap().len(), 5);

    let tasks = store.tasks(id).await.unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1].1.status, TaskStatus::Open);
    store.set_task_status(&actor(), tasks[1].0, TaskStatus::Done, Some("発送記録")).await.unwrap();
    let tasks = store.tasks(id).await.unwrap();
    assert_eq!(tasks[1].1.status, TaskStatus::Done);
    assert_eq!(tasks[1].1.evidence.as_deref(), Some("発送記録"));

    let event = TimelineEvent {
        at: "2024-01-28T01:00:00+09:00".parse().unwrap(),
        kind: TimelineKind::Attack,
        text: "暗号化".into(),
        source: None,
        technique: Some(AttackTechnique::try_from("T1486".to_string()).unwrap()),
    };
    store.add_timeline_event(&actor(), id, &event).await.unwrap();
    let timeline = store.timeline(id).await.unwrap();
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline[1].1, event, "the timeline is in time order");

    let inquiry = Inquiry {
        party: city,
        received_at: "2024-05-27T10:15:00+09:00".parse().unwrap(),
        channel: InquiryChannel::Phone,
        caller_category: "本人".into(),
        topic: "事実確認".into(),
        secondary_damage_claimed: false,
        answer: "通知の内容を説明".into(),
        escalated: false,
    };
    store.add_inquiry(&actor(), id, &inquiry).await.unwrap();
    assert_eq!(store.inquiries(id).await.unwrap()[0].1, inquiry);
}

pub async fn assessments_are_kept_and_facts_updated<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    store.record_assessment(&actor(), id, "{\"persons\":900}", "{\"reportable\":false}").await.unwrap();
    store.record_assessment(&actor(), id, "{\"persons\":1200}", "{\"reportable\":true}").await.unwrap();
    let kept = store.assessments(id).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].result, "{\"reportable\":false}", "a not-reportable verdict is kept as evidence");
    assert!(matches!(
        store.record_assessment(&actor(), IncidentId(uuid::Uuid::nil()), "{}", "{}").await,
        Err(StoreError::NotFound(_))
    ));

    // Update: the count changes, a consignor joins, the handler stays with its people.
    let mut facts = sample_incident();
    facts.persons = Some(20000);
    facts.parties.push(Party { name: "越谷市".into(), ..facts.parties[1].clone() });
    store.update_incident(&actor(), id, &facts).await.unwrap();
    let record = store.incident(id).await.unwrap();
    assert_eq!(record.facts.persons, Some(20000));
    assert_eq!(record.facts.parties.len(), 3);
    assert_eq!(record.facts.timeline.len(), 2, "the timeline is kept");
    assert_eq!(store.people(id, None).await.unwrap().len(), 3, "people keep their party");

    // The city with people cannot be dropped; the new city can.
    let mut without_city = facts.clone();
    without_city.parties.retain(|p| p.name != "春日部市");
    assert!(matches!(store.update_incident(&actor(), id, &without_city).await, Err(StoreError::Conflict(_))));
    facts.parties.pop();
    store.update_incident(&actor(), id, &facts).await.unwrap();
    assert_eq!(store.parties(id).await.unwrap().len(), 2);
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
}

pub async fn sign_in_records_and_sessions<D: Db>(store: &Store<D>) {
    let user = store.create_user(&actor(), "officer", "担当者").await.unwrap();
    assert_eq!(store.credentials("officer").await.unwrap().unwrap().password_hash, None);
    store.set_password_hash(&actor(), user.id, "$argon2id$v=19$fake").await.unwrap();
    store.record_sign_in_failure(user.id, None).await.unwrap();
    store.record_sign_in_failure(user.id, Some("2999-01-01T00:00:00Z")).await.unwrap();
    let c = store.credentials("officer").await.unwrap().unwrap();
    assert_eq!((c.failed_sign_ins, c.locked_until.as_deref()), (2, Some("2999-01-01T00:00:00Z")));
    assert!(!format!("{c:?}").contains("argon2"), "no hash in Debug output");

    store.create_session(user.id, "hash-a", "csrf-a", "2999-01-01T00:00:00Z").await.unwrap();
    store.create_session(user.id, "hash-b", "csrf-b", "2999-01-01T00:00:00Z").await.unwrap();
    store.create_session(user.id, "hash-old", "csrf-c", "2000-01-01T00:00:00Z").await.unwrap();
    let c = store.credentials("officer").await.unwrap().unwrap();
    assert_eq!((c.failed_sign_ins, c.locked_until), (0, None), "a session clears the lockout");
    assert_eq!(store.session("hash-a").await.unwrap().unwrap().csrf_token, "csrf-a");
    assert_eq!(store.session("hash-old").await.unwrap(), None, "expired sessions do not open");
    store.delete_session("hash-a").await.unwrap();
    assert_eq!(store.session("hash-a").await.unwrap(), None);
    assert_eq!(store.delete_user_sessions(user.id).await.unwrap(), 2);
    assert_eq!(store.session("hash-b").await.unwrap(), None);
    let actions: Vec<String> = store.audit_entries(0, 100).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"sign_in.locked".to_string()) && actions.contains(&"sign_out.everywhere".to_string()));

    // TOTP: sealed at rest, each step used once, enrollment kept with the session.
    store.set_totp_secret(&actor(), user.id, Some(b"12345678901234567890")).await.unwrap();
    assert_eq!(
        store.credentials("officer").await.unwrap().unwrap().totp_secret.as_deref(),
        Some(&b"12345678901234567890"[..])
    );
    assert!(store.use_totp_step(user.id, 100).await.unwrap());
    assert!(!store.use_totp_step(user.id, 100).await.unwrap(), "a code works once");
    assert!(!store.use_totp_step(user.id, 99).await.unwrap());
    assert!(store.use_totp_step(user.id, 101).await.unwrap());
    store.create_session(user.id, "hash-t", "csrf-t", "2999-01-01T00:00:00Z").await.unwrap();
    store.set_pending_totp("hash-t", Some(b"pending")).await.unwrap();
    let s = store.session("hash-t").await.unwrap().unwrap();
    assert_eq!((s.pending_totp.as_deref(), s.has_totp), (Some(&b"pending"[..]), true));
    let mut tx = store.db().begin_read().await.unwrap();
    let raw = tx
        .fetch_one("select totp_secret from app_user where user_id = $1", &[user.id.to_string().into()])
        .await
        .unwrap();
    assert!(!raw.blob(0).unwrap().windows(20).any(|w| w == b"12345678901234567890"), "sealed at rest");
}

pub async fn users_and_memberships<D: Db>(store: &Store<D>) {
    let org = store.ensure_organization(&actor(), "春日部市", OrgType::PublicBody).await.unwrap();
    let user = store.create_user(&actor(), "kasukabe-officer", "春日部市 担当").await.unwrap();
    assert!(matches!(store.create_user(&actor(), "kasukabe-officer", "x").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.user_by_login("kasukabe-officer").await.unwrap(), Some(user.clone()));
    assert_eq!(store.user_by_login("nobody").await.unwrap(), None);
    store.add_membership(&actor(), user.id, org.id, Role::ConsignorOfficer).await.unwrap();
    store.add_membership(&actor(), user.id, org.id, Role::ConsignorOfficer).await.unwrap();
    let m = store.memberships(user.id).await.unwrap();
    assert_eq!(m, vec![Membership { user: user.id, org: org.id, role: Role::ConsignorOfficer }]);
    let auditor = store.create_user(&actor(), "kasukabe-auditor", "春日部市 監査").await.unwrap();
    store.add_membership(&actor(), auditor.id, org.id, Role::Auditor).await.unwrap();
    let members = store.members(org.id).await.unwrap();
    assert_eq!(members, vec![(auditor.clone(), Role::Auditor), (user.clone(), Role::ConsignorOfficer)]);
    assert!(store.remove_membership(&actor(), auditor.id, org.id).await.unwrap());
    assert!(!store.remove_membership(&actor(), auditor.id, org.id).await.unwrap(), "gone already");
    assert_eq!(store.members(org.id).await.unwrap(), vec![(user, Role::ConsignorOfficer)]);
}

pub async fn every_change_is_audited_and_the_chain_verifies<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    let entries = store.audit_entries(0, 100).await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["organization.create", "organization.create", "incident.create", "people.add"]);
    assert_eq!(entries[2].object, format!("incident:{id}"));
    assert!(entries.iter().all(|e| e.actor == "cli:tester"));
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.entries, 4);
    assert_eq!(report.first_bad, None);
    assert_eq!(report.head_hash, entries[3].hash);
}

pub async fn concurrent_changes_keep_one_chain<D: Db>(store: &Store<D>) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.record_event(&actor(), "test.event", &format!("n:{i}")).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.entries, 16);
    assert_eq!(report.first_bad, None);
}

/// Makes a store with six audit entries to tamper with.
async fn six_entries<D: Db>(store: &Store<D>) {
    for i in 1..=6 {
        store.record_event(&actor(), "test.event", &format!("n:{i}")).await.unwrap();
    }
    assert_eq!(store.verify_audit().await.unwrap().first_bad, None);
}

async fn tamper<D: Db>(store: &Store<D>, statements: &[&'static str]) {
    let mut tx = store.db().begin_write().await.unwrap();
    for sql in statements {
        tx.execute(sql, &[]).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn first_bad<D: Db>(store: &Store<D>) -> i64 {
    let report = store.verify_audit().await.unwrap();
    report.first_bad.clone().unwrap_or_else(|| panic!("tampering went unnoticed: {report:?}")).seq
}

pub async fn audit_catches_a_changed_entry<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    tamper(store, &["update audit_entry set object = 'n:x' where seq = 3"]).await;
    assert_eq!(first_bad(store).await, 3);
}

pub async fn audit_catches_a_deleted_entry<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    tamper(store, &["delete from audit_entry where seq = 4"]).await;
    assert_eq!(first_bad(store).await, 4);
}

pub async fn audit_catches_entries_deleted_at_the_end<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    tamper(store, &["delete from audit_entry where seq >= 5"]).await;
    assert_eq!(first_bad(store).await, 5);
}

pub async fn audit_catches_an_inserted_entry<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    // Renumber the tail and slip an entry in as number 3, with the next entry's hashes.
    tamper(
        store,
        &[
            "update audit_entry set seq = seq + 100 where seq >= 3",
            "update audit_entry set seq = seq - 99 where seq >= 100",
            "insert into audit_entry (seq, at, actor, action, object, digest, prev_hash, hash, mac) \
         select 3, at, 'cli:intruder', action, 'n:forged', digest, prev_hash, hash, mac from audit_entry where seq = 4",
        ],
    )
    .await;
    assert_eq!(first_bad(store).await, 3);
}

pub async fn audit_catches_an_appended_forgery<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    // A well-formed chain link computed without the master key, head moved along.
    let mut tx = store.db().begin_write().await.unwrap();
    let last = tx.fetch_one("select at, hash from audit_entry where seq = 6", &[]).await.unwrap();
    let (at, prev) = (last.text(0).unwrap(), last.text(1).unwrap());
    let digest = crate::audit::digest_of(&"x");
    let hash = crate::audit::entry_hash(7, &at, "cli:intruder", "test.event", "n:7", &digest, &prev);
    tx.execute(
        "insert into audit_entry (seq, at, actor, action, object, digest, prev_hash, hash, mac) \
         values (7, $1, 'cli:intruder', 'test.event', 'n:7', $2, $3, $4, 'forged')",
        &[at.into(), digest.into(), prev.into(), hash.clone().into()],
    )
    .await
    .unwrap();
    tx.execute("update audit_head set seq = 7, hash = $1", &[hash.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first_bad(store).await, 7);
}

pub async fn audit_catches_reordered_entries<D: Db>(store: &Store<D>) {
    six_entries(store).await;
    tamper(
        store,
        &[
            "update audit_entry set seq = -1 where seq = 2",
            "update audit_entry set seq = 2 where seq = 3",
            "update audit_entry set seq = 3 where seq = -1",
        ],
    )
    .await;
    assert_eq!(first_bad(store).await, 2);
}

pub async fn a_wrong_master_key_is_refused<D: Db>(store: &Store<D>) {
    let err = Store::open(store.db().clone(), MasterKey::generate(), clock()).await.unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
}

pub async fn case_snapshots_follow_every_change<D: Db>(store: &Store<D>) {
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let first = store.case(id).await.unwrap();
    assert_eq!(first.record, store.incident(id).await.unwrap());
    assert_eq!(first.parties, store.parties(id).await.unwrap());
    assert!(Arc::ptr_eq(&first, &store.case(id).await.unwrap()), "an unchanged case is read once");

    // Another server on the same database keeps its own snapshot, and sees changes made here.
    let other = Store::open(store.db().clone(), same_key(store), clock()).await.unwrap();
    let seen_there = other.case(id).await.unwrap();
    assert_eq!(seen_there.as_ref(), first.as_ref());

    let mut revision = first.revision;
    let mut moved = |snapshot: &CaseSnapshot, what: &str| {
        assert!(snapshot.revision > revision, "{what} changes the revision");
        revision = snapshot.revision;
    };
    let task = Task {
        kind: TaskKind::Prevention,
        title: "VPN機器の更新".into(),
        owner: None,
        due: None,
        status: TaskStatus::Open,
        evidence: None,
    };
    let task_id = store.add_task(&actor(), id, &task).await.unwrap();
    let now = other.case(id).await.unwrap();
    assert!(now.tasks.iter().any(|(t, _)| *t == task_id), "a task added on one server is seen on the other");
    moved(&now, "a task");
    store.set_task_status(&actor(), task_id, TaskStatus::Done, Some("更新記録")).await.unwrap();
    let now = store.case(id).await.unwrap();
    assert_eq!(now.tasks.iter().find(|(t, _)| *t == task_id).unwrap().1.status, TaskStatus::Done);
    moved(&now, "a task's status");

    let event = TimelineEvent {
        at: "2024-01-28T01:00:00+09:00".parse().unwrap(),
        kind: TimelineKind::Attack,
        text: "暗号化".into(),
        source: None,
        technique: None,
    };
    store.add_timeline_event(&actor(), id, &event).await.unwrap();
    let now = store.case(id).await.unwrap();
    assert!(now.record.facts.timeline.contains(&event));
    moved(&now, "a timeline event");

    let city = party_id(store, id, "春日部市").await;
    let draft = Report {
        party: city,
        kind: ReportKind::Preliminary,
        content: "速報".into(),
        submitted_on: None,
        receipt_number: None,
        due: None,
        on_time: None,
    };
    let report = store.add_report(&actor(), id, &draft).await.unwrap();
    moved(&store.case(id).await.unwrap(), "a report");
    store.submit_report(&actor(), report, date(2024, 2, 1), Some("R6-1"), None).await.unwrap();
    let now = store.case(id).await.unwrap();
    assert_eq!(now.reports[0].1.receipt_number.as_deref(), Some("R6-1"));
    moved(&now, "a submission");

    let mut facts = now.record.facts.clone();
    facts.persons = Some(20_000);
    store.update_incident(&actor(), id, &facts).await.unwrap();
    let now = other.case(id).await.unwrap();
    assert_eq!(now.record.facts.persons, Some(20_000));
    moved(&now, "new facts");

    store.erase_incident(&actor(), id, "依頼による消去").await.unwrap();
    let now = store.case(id).await.unwrap();
    assert!(now.record.erased_at.is_some());
    moved(&now, "an erasure");
    assert!(matches!(store.case(IncidentId(uuid::Uuid::nil())).await, Err(StoreError::NotFound(_))));
}

pub async fn reopening_migrates_nothing_twice<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    let again = Store::open(store.db().clone(), same_key(store), clock()).await.unwrap();
    assert_eq!(again.incident(id).await.unwrap().facts, sample_incident());
}

pub async fn notifications_are_planned_once_moved_by_compare_and_set_and_counted<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    let city = party_id(store, id, "春日部市").await;
    let mut people = store.people(id, Some(city)).await.unwrap();
    people.sort_by_key(|p| p.id);
    let planned: Vec<PlannedNotice> = people
        .iter()
        .zip([NoticeChannel::Email, NoticeChannel::Post, NoticeChannel::Substitute])
        .map(|(p, channel)| PlannedNotice { party: city, person: p.id, channel })
        .collect();
    assert_eq!(
        store.plan_notifications(&actor(), id, &planned).await.unwrap(),
        NoticesPlanned { added: 3, already_present: 0 }
    );
    assert_eq!(
        store.plan_notifications(&actor(), id, &planned).await.unwrap(),
        NoticesPlanned { added: 0, already_present: 3 },
        "planning twice adds nothing"
    );
    // A person of another party, or of no list at all, is refused.
    let handler = party_id(store, id, "公益財団法人埼玉県健康づくり事業団").await;
    let wrong = PlannedNotice { party: handler, ..planned[0] };
    assert!(matches!(store.plan_notifications(&actor(), id, &[wrong]).await, Err(StoreError::NotFound(_))));

    let emails = store.notifications(id, Some(city), Some(NoticeChannel::Email)).await.unwrap();
    assert_eq!(emails.len(), 1);
    let mail = &emails[0];
    assert_eq!((mail.status, mail.attempts, mail.person), (NotificationStatus::Pending, 0, people[0].id));
    assert_eq!(store.notifications(id, None, None).await.unwrap().len(), 3);
    assert!(store.notifications(id, Some(handler), None).await.unwrap().is_empty());

    // Claiming is compare-and-set: a second claim of the same notice fails.
    let claim = StatusChange {
        from: NotificationStatus::Pending,
        to: NotificationStatus::Sending,
        attempt: true,
        detail: None,
        error: None,
        message_id: Some("<n1@example.jp>"),
    };
    assert!(store.change_notification(&actor(), mail.id, &claim).await.unwrap());
    assert!(!store.change_notification(&actor(), mail.id, &claim).await.unwrap());
    let retry = StatusChange {
        from: NotificationStatus::Sending,
        to: NotificationStatus::Sending,
        attempt: true,
        detail: Some("smtp 451"),
        error: Some("smtp 451"),
        message_id: None,
    };
    assert!(store.change_notification(&actor(), mail.id, &retry).await.unwrap());
    let sending = &store.notifications(id, None, Some(NoticeChannel::Email)).await.unwrap()[0];
    assert_eq!(
        (sending.status, sending.attempts, sending.last_error.as_deref(), sending.message_id.as_deref()),
        (NotificationStatus::Sending, 2, Some("smtp 451"), Some("<n1@example.jp>"))
    );
    let sent = StatusChange {
        from: NotificationStatus::Sending,
        to: NotificationStatus::Sent,
        attempt: false,
        detail: Some("smtp 250"),
        error: None,
        message_id: None,
    };
    assert!(store.change_notification(&actor(), mail.id, &sent).await.unwrap());
    let found = store.notification_by_message_id(id, "<n1@example.jp>").await.unwrap().unwrap();
    assert_eq!((found.id, found.status, found.last_error), (mail.id, NotificationStatus::Sent, None));
    assert_eq!(store.notification_by_message_id(id, "<other@example.jp>").await.unwrap(), None);
    assert_eq!(store.notification(id, mail.id).await.unwrap().map(|n| n.status), Some(NotificationStatus::Sent));
    let other = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    assert_eq!(store.notification(other, mail.id).await.unwrap(), None, "only within its incident");

    // The recipient's address comes from the sealed record, never from the notice.
    // (The people's ids share a millisecond, so which of them is first is chance: compare with it.)
    assert_eq!(store.notification_recipient(id, mail.id).await.unwrap(), people[0].person);

    let counts = store.notification_counts(id).await.unwrap();
    let count = |channel, status| {
        counts.iter().find(|c| c.party == city && c.channel == channel && c.status == status).map(|c| c.count)
    };
    assert_eq!(count(NoticeChannel::Email, NotificationStatus::Sent), Some(1));
    assert_eq!(count(NoticeChannel::Post, NotificationStatus::Pending), Some(1));
    assert_eq!(count(NoticeChannel::Substitute, NotificationStatus::Pending), Some(1));
    assert_eq!(counts.len(), 3);

    // The history keeps every step, in order, with its codes.
    let history: Vec<_> = store
        .notification_events(id, Some(city))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.notification == mail.id)
        .map(|e| (e.status, e.detail))
        .collect();
    assert_eq!(
        history,
        vec![
            (NotificationStatus::Pending, None),
            (NotificationStatus::Sending, None),
            (NotificationStatus::Sending, Some("smtp 451".to_string())),
            (NotificationStatus::Sent, Some("smtp 250".to_string())),
        ]
    );
    assert_eq!(store.notification_events(id, None).await.unwrap().len(), 6);
    let last = store.notification_events(id, None).await.unwrap().pop().map(|e| e.at);
    assert_eq!(store.last_notification_step(id).await.unwrap(), last);
    assert_eq!(store.last_notification_step(other).await.unwrap(), None, "an incident without notices");

    // Status changes are audited, without personal data.
    let log = store.audit_entries(0, 1000).await.unwrap();
    let changes: Vec<_> = log.iter().filter(|e| e.action == "notification.status").collect();
    assert_eq!(changes.len(), 3);
    assert!(changes.iter().all(|e| e.object == format!("notification:{}", mail.id)));
    assert_eq!(log.iter().filter(|e| e.action == "notification.plan").count(), 1);
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());

    // After erasure the notices and their counts remain, the address does not.
    store.erase_incident(&actor(), id, "依頼による消去").await.unwrap();
    assert!(matches!(store.notification_recipient(id, mail.id).await, Err(StoreError::Erased(_))));
    assert_eq!(store.notification_counts(id).await.unwrap().len(), 3);
}

fn new_notice(source: &str, body: &str, org: &str, mentions: &[&str]) -> NewNotice {
    NewNotice {
        source: source.into(),
        body: body.into(),
        facts: format!(r#"{{"organization":"{org}"}}"#),
        profile: NoticeProfile {
            org_key: Some(org.into()),
            org_type: Some("business".into()),
            cause: Some("ransomware".into()),
            anchor: Some(date(2024, 1, 29)),
            month: Some("2024-01".into()),
            follow_up: false,
            vendor: !mentions.is_empty(),
            mentions: mentions.iter().map(|m| m.to_string()).collect(),
        },
    }
}

pub async fn casebook_groups_related_notices_and_keeps_corrections<D: Db>(store: &Store<D>) {
    let handler = new_notice("000.txt", "事業団のお知らせ", "埼玉県健康づくり事業団", &[]);
    let (first, added) = store.add_notice(&actor(), &handler, &[]).await.unwrap();
    assert!(added);
    assert_eq!(store.add_notice(&actor(), &handler, &[]).await.unwrap(), (first, false), "same text adds nothing");

    // A city's notice names the handler; a third notice first stands alone, then a fourth joins both.
    let city = new_notice("001.txt", "市のお知らせ", "春日部市", &["埼玉県健康づくり事業団"]);
    let (second, _) = store.add_notice(&actor(), &city, &[first]).await.unwrap();
    let other = new_notice("x.txt", "別のお知らせ", "越谷市", &[]);
    let (third, _) = store.add_notice(&actor(), &other, &[]).await.unwrap();
    assert_eq!(store.notice(third).await.unwrap().unwrap().group, third);
    let bridge = new_notice("y.txt", "まとめ", "越谷市", &["春日部市"]);
    let (fourth, _) = store.add_notice(&actor(), &bridge, &[second, third]).await.unwrap();
    for id in [first, second, third, fourth] {
        assert_eq!(store.notice(id).await.unwrap().unwrap().group, first, "groups merge into the oldest");
    }

    let of_handler = store.notices_of_org("埼玉県健康づくり事業団").await.unwrap();
    let ids: Vec<_> = of_handler.iter().map(|n| n.id).collect();
    assert_eq!(ids, vec![first, second], "its own notice and the one that names it");
    assert_eq!(of_handler[1].profile.mentions, vec!["埼玉県健康づくり事業団".to_string()]);
    assert!(of_handler[0].body.is_empty(), "lists leave the text out");

    let mut profile = store.notice(third).await.unwrap().unwrap().profile;
    profile.cause = Some("misdelivery".into());
    store.correct_notice(&actor(), third, r#"{"cause":"misdelivery"}"#, &profile).await.unwrap();
    let corrected = store.notice(third).await.unwrap().unwrap();
    assert_eq!(corrected.corrections.as_deref(), Some(r#"{"cause":"misdelivery"}"#));
    assert_eq!(corrected.profile.cause.as_deref(), Some("misdelivery"));
    assert_eq!(corrected.body, "別のお知らせ");

    assert_eq!(store.notice_count().await.unwrap(), 4);
    let page = store.notices(None, 3, false).await.unwrap();
    let rest = store.notices(Some(page[2].id), 3, true).await.unwrap();
    assert_eq!((page.len(), rest.len(), rest[0].id), (3, 1, fourth));
    assert_eq!(rest[0].body, "まとめ");
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
}

/// Runs a conformance test on SQLite, and on PostgreSQL when [`PG_URL_VAR`] is set.
#[macro_export]
macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = $crate::testkit::sqlite_store().await;
                    $crate::testkit::$name(&store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some((store, _db)) = $crate::testkit::postgres_store().await else {
                        eprintln!("skipped: {} is not set", $crate::testkit::PG_URL_VAR);
                        return;
                    };
                    $crate::testkit::$name(&store).await;
                    store.close().await;
                }
            )*
        }
    };
}

pub async fn returns_are_recorded_together_readdressed_sealed_and_published<D: Db>(store: &Store<D>) {
    use crate::{PostalAddress, ReturnStore, SubstitutePublication};
    let (id, city, letters) = seeded_with_letters(store).await;
    assert_eq!(letters.len(), 3);
    let posted = |n: &StoredNotification| {
        (
            n.id,
            StatusChange {
                from: NotificationStatus::Pending,
                to: NotificationStatus::Sent,
                attempt: true,
                detail: Some("posted 2024-05-20"),
                error: None,
                message_id: None,
            },
        )
    };
    let all: Vec<_> = letters.iter().map(posted).collect();
    assert!(store.change_notifications(&actor(), id, &all).await.unwrap());
    // All or nothing: the second batch fails on its first notice (sent already), and its second
    // change is not made either.
    let returned = |n: &StoredNotification, from| {
        (
            n.id,
            StatusChange {
                from,
                to: NotificationStatus::Returned,
                attempt: false,
                detail: Some("returned moved-unknown 2024-05-24"),
                error: Some("returned moved-unknown"),
                message_id: None,
            },
        )
    };
    let batch = [returned(&letters[0], NotificationStatus::Pending), returned(&letters[1], NotificationStatus::Sent)];
    assert!(!store.change_notifications(&actor(), id, &batch).await.unwrap());
    assert!(store.notifications(id, None, None).await.unwrap().iter().all(|n| n.status == NotificationStatus::Sent));
    // Another incident's notices are not changed through this one.
    let other = seeded(store).await;
    assert!(
        !store.change_notifications(&actor(), other, &[returned(&letters[0], NotificationStatus::Sent)]).await.unwrap()
    );
    let batch = [returned(&letters[0], NotificationStatus::Sent), returned(&letters[1], NotificationStatus::Sent)];
    assert!(store.change_notifications(&actor(), id, &batch).await.unwrap());

    // A corrected address is sealed: readable through the store, absent from every clear column.
    let address = PostalAddress {
        postal_code: "344-8577".into(), address: "埼玉県春日部市中央七丁目2番地1".into()
    };
    let remail = StatusChange {
        from: NotificationStatus::Returned,
        to: NotificationStatus::Remailed,
        attempt: false,
        detail: None,
        error: None,
        message_id: None,
    };
    assert_eq!(store.notification_address(id, letters[0].id).await.unwrap(), None);
    assert!(store.readdress_notification(&actor(), id, letters[0].id, &address, &remail).await.unwrap());
    assert!(!store.readdress_notification(&actor(), id, letters[0].id, &address, &remail).await.unwrap());
    assert_eq!(store.notification_address(id, letters[0].id).await.unwrap(), Some(address));
    assert!(format!("{:?}", store.notification_address(id, letters[0].id).await.unwrap()).contains(".."));
    let mut tx = store.db().begin_read().await.unwrap();
    let rows = tx.fetch_all("select sealed from notification_address", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!String::from_utf8_lossy(&rows[0].blob(0).unwrap()).contains("春日部市中央"));
    let audit =
        tx.fetch_all("select object from audit_entry where action = 'notification.readdress'", &[]).await.unwrap();
    drop(tx);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].text(0).unwrap(), format!("notification:{}", letters[0].id));

    // The substitute notice's publications, per party; a party of another incident is refused.
    let publication = SubstitutePublication {
        place: "https://www.city.kasukabe.lg.jp/notice".into(),
        from: date(2024, 6, 1),
        to: Some(date(2024, 8, 31)),
    };
    store.add_substitute_publication(&actor(), id, city, &publication).await.unwrap();
    let other_city = party_id(store, other, "春日部市").await;
    assert!(matches!(
        store.add_substitute_publication(&actor(), id, other_city, &publication).await,
        Err(StoreError::NotFound(_))
    ));
    let published = store.substitute_publications(id, Some(city)).await.unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!((published[0].party, &published[0].publication), (city, &publication));
    assert!(store.substitute_publications(other, None).await.unwrap().is_empty());

    // Erasing the incident makes the corrected address unreadable with the people.
    store.erase_incident(&actor(), id, "依頼による消去").await.unwrap();
    assert!(store.notification_address(id, letters[0].id).await.is_err());
}

pub async fn cost_claims_are_per_party_and_move_by_compare_and_set<D: Db>(store: &Store<D>) {
    use crate::costs::*;
    let id = seeded(store).await;
    let city = party_id(store, id, "春日部市").await;
    assert_eq!(store.cost_claim(id, city).await.unwrap(), None);
    let postage =
        NewCostLine { category: CostCategory::Postage, description: "郵送".into(), quantity: 3, unit_yen: 150 };
    store.set_campaign_lines(&actor(), id, city, std::slice::from_ref(&postage)).await.unwrap();
    // Recomputing replaces the campaign lines rather than adding to them.
    store.set_campaign_lines(&actor(), id, city, &[postage]).await.unwrap();
    let print =
        NewCostLine { category: CostCategory::Printing, description: "封筒".into(), quantity: 3, unit_yen: 20 };
    let line = store.add_cost_line(&actor(), id, city, &print).await.unwrap();
    let claim = store.cost_claim(id, city).await.unwrap().unwrap();
    assert_eq!((claim.state, claim.lines.len(), claim.total_yen()), (CostState::Draft, 2, 510));
    assert_eq!(claim.lines[0].source, LineSource::Campaign);
    assert_eq!(claim.lines[1].id, line);

    let bad = NewCostLine { quantity: -1, ..print.clone() };
    assert!(matches!(store.add_cost_line(&actor(), id, city, &bad).await, Err(StoreError::Invalid(_))));
    let huge = NewCostLine { quantity: i64::MAX, ..print.clone() };
    assert!(matches!(store.add_cost_line(&actor(), id, city, &huge).await, Err(StoreError::Invalid(_))));

    let step = |from, to| CostMove { from, to, paid_on: None, note: None };
    assert!(matches!(
        store.move_cost_claim(&actor(), id, city, &step(CostState::Draft, CostState::Paid)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.move_cost_claim(&actor(), id, city, &step(CostState::Draft, CostState::Submitted)).await.unwrap());
    // The second of two movers that saw the same state changes nothing.
    assert!(!store.move_cost_claim(&actor(), id, city, &step(CostState::Draft, CostState::Submitted)).await.unwrap());
    assert!(matches!(store.add_cost_line(&actor(), id, city, &print).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.remove_cost_line(&actor(), id, city, line).await, Err(StoreError::Conflict(_))));
    let back =
        CostMove { note: Some("単価を確認してください"), ..step(CostState::Submitted, CostState::Returned) };
    assert!(store.move_cost_claim(&actor(), id, city, &back).await.unwrap());
    store.remove_cost_line(&actor(), id, city, line).await.unwrap();
    assert!(store.move_cost_claim(&actor(), id, city, &step(CostState::Returned, CostState::Submitted)).await.unwrap());
    assert!(store.move_cost_claim(&actor(), id, city, &step(CostState::Submitted, CostState::Approved)).await.unwrap());
    assert!(matches!(
        store.move_cost_claim(&actor(), id, city, &step(CostState::Approved, CostState::Paid)).await,
        Err(StoreError::Invalid(_))
    ));
    let paid = CostMove { paid_on: Some(date(2024, 9, 30)), ..step(CostState::Approved, CostState::Paid) };
    assert!(store.move_cost_claim(&actor(), id, city, &paid).await.unwrap());
    let claim = store.cost_claim(id, city).await.unwrap().unwrap();
    assert_eq!((claim.state, claim.paid_on, claim.total_yen()), (CostState::Paid, Some(date(2024, 9, 30)), 450));

    // Claims are per party; another incident's party is not found.
    let other = party_id(store, id, "公益財団法人埼玉県健康づくり事業団").await;
    assert_eq!(store.cost_claim(id, other).await.unwrap(), None);
    assert_eq!(store.cost_claims(id).await.unwrap().len(), 1);
    let second = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    assert!(matches!(store.add_cost_line(&actor(), second, city, &print).await, Err(StoreError::NotFound(_))));
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());
}

/// What a store made under key A must show under any ring that opens it: the people of `incident`,
/// the TOTP seed and pending seed of `officer`, and an audit chain that verifies.
async fn everything_reads<D: Db>(store: &Store<D>, incident: IncidentId, names: &[String]) {
    let mut got: Vec<String> = store.people(incident, None).await.unwrap().into_iter().map(|p| p.person.name).collect();
    got.sort();
    assert_eq!(got, names);
    let c = store.credentials("officer").await.unwrap().unwrap();
    assert_eq!(c.totp_secret.as_deref(), Some(&b"12345678901234567890"[..]));
    let s = store.session("hash-t").await.unwrap().unwrap();
    assert_eq!(s.pending_totp.as_deref(), Some(&b"pending"[..]));
    let report = store.verify_audit().await.unwrap();
    assert!(report.first_bad.is_none(), "{:?}", report.first_bad);
}

/// People, a TOTP user and a pending enrollment under the store's key; returns the incident and
/// the sorted names of its people.
async fn rotation_fixture<D: Db>(store: &Store<D>) -> (IncidentId, Vec<String>) {
    let id = seeded(store).await;
    let user = store.create_user(&actor(), "officer", "担当者").await.unwrap();
    store.set_totp_secret(&actor(), user.id, Some(b"12345678901234567890")).await.unwrap();
    store.create_session(user.id, "hash-t", "csrf-t", "2999-01-01T00:00:00Z").await.unwrap();
    store.set_pending_totp("hash-t", Some(b"pending")).await.unwrap();
    let mut names: Vec<String> = store.people(id, None).await.unwrap().into_iter().map(|p| p.person.name).collect();
    names.sort();
    (id, names)
}

fn ring_of(keys: &[&MasterKey]) -> crate::KeyRing {
    let text: Vec<String> = keys.iter().map(|k| k.to_text().to_string()).collect();
    crate::KeyRing::from_text(&text.join("\n")).unwrap()
}

fn state<'a>(status: &'a [crate::KeyState], key: &MasterKey) -> &'a crate::KeyState {
    status.iter().find(|k| k.id == key.id()).unwrap()
}

pub async fn rotating_the_master_key_rewraps_everything_and_retiring_keeps_the_audit<D: Db>(store: &Store<D>) {
    use crate::KeySource;
    let (id, names) = rotation_fixture(store).await;
    let a = same_key(store);
    let b = MasterKey::generate();
    let both = ring_of(&[&b, &a]);

    // A ring whose first key is new to the database opens only for a rotation (a crash between
    // writing the key file and registering the key is finished by `todoke key rotate`).
    let err = Store::open_ring(store.db().clone(), both.clone(), KeySource::Given, clock()).await.unwrap_err();
    assert!(err.to_string().contains("todoke key rotate"), "{err}");
    let rotating = Store::open_for_rotation(store.db().clone(), both.clone(), KeySource::Given, clock()).await.unwrap();
    assert!(rotating.rotation_pending().await.unwrap());

    // Registered, not yet moved: rows still need A, so it cannot be retired.
    let err = rotating.retire_keys(&actor()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("1 incident keys, 2 TOTP seeds"), "{err}");
    // What B writes and what A wrote both read meanwhile.
    everything_reads(&rotating, id, &names).await;

    // "Crash" after one batch: the next run finishes.
    let mut seen = Vec::new();
    let moved = rotating.rewrap(1, &mut |what, n| seen.push((what.to_string(), n))).await.unwrap();
    assert_eq!((moved.incident_keys, moved.totp_seeds, moved.sealed_audit_keys), (1, 2, 0));
    assert!(seen.contains(&("incident keys".to_string(), 1)), "{seen:?}");
    assert_eq!(rotating.rewrap(10, &mut |_, _| {}).await.unwrap(), crate::Rewrapped::default(), "idempotent");
    assert!(rotating.finish_rotation(&actor()).await.unwrap());
    assert!(!rotating.finish_rotation(&actor()).await.unwrap(), "recorded once");
    assert!(!rotating.rotation_pending().await.unwrap());
    let entries = rotating.audit_entries(0, 1000).await.unwrap();
    let rotate = entries.iter().find(|e| e.action == "key.rotate").unwrap();
    assert_eq!(rotate.object, format!("master-key:{}->{}", a.id(), b.id()));

    let status = rotating.key_status().await.unwrap();
    let (sa, sb) = (state(&status, &a), state(&status, &b));
    assert!(sb.current && !sa.current);
    assert_eq!((sa.incident_keys, sa.totp_seeds), (0, 0));
    assert_eq!((sb.incident_keys, sb.totp_seeds), (1, 2));
    assert!(sa.audit_entries > 0 && sb.audit_entries > 0, "the chain spans both keys");

    // The ring [B, A] opens and reads everything; A alone no longer does.
    let reopened = Store::open_ring(store.db().clone(), both.clone(), KeySource::Given, clock()).await.unwrap();
    everything_reads(&reopened, id, &names).await;
    let err = Store::open(store.db().clone(), same_key(store), clock()).await.unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");

    // Retire A: its audit MAC key is kept sealed under B, so B alone reads and verifies everything.
    assert_eq!(reopened.retire_keys(&actor()).await.unwrap(), vec![a.id()]);
    assert!(reopened.retire_keys(&actor()).await.unwrap().is_empty(), "nothing left to retire");
    let only_b = Store::open_ring(store.db().clone(), ring_of(&[&b]), KeySource::Given, clock()).await.unwrap();
    everything_reads(&only_b, id, &names).await;
    let status = only_b.key_status().await.unwrap();
    assert!(state(&status, &a).retired_at.is_some() && !state(&status, &a).held);
    assert_eq!(state(&status, &b).sealed_audit_keys, 1);

    // A second rotation re-seals the retired key's audit MAC key too, and the chain still verifies
    // with C alone once B is retired.
    let c = MasterKey::generate();
    let rot2 =
        Store::open_for_rotation(store.db().clone(), ring_of(&[&c, &b]), KeySource::Given, clock()).await.unwrap();
    let moved = rot2.rewrap(100, &mut |_, _| {}).await.unwrap();
    assert_eq!((moved.incident_keys, moved.totp_seeds, moved.sealed_audit_keys), (1, 2, 1));
    assert!(rot2.finish_rotation(&actor()).await.unwrap());
    assert_eq!(rot2.retire_keys(&actor()).await.unwrap(), vec![b.id()]);
    let only_c = Store::open_ring(store.db().clone(), ring_of(&[&c]), KeySource::Given, clock()).await.unwrap();
    everything_reads(&only_c, id, &names).await;
    // Tampering is still caught after all that.
    let mut tx = store.db().begin_write().await.unwrap();
    tx.execute("update audit_entry set mac = 'forged' where seq = 2", &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(only_c.verify_audit().await.unwrap().first_bad.unwrap().seq, 2);
}

pub async fn a_running_server_reloads_its_key_file_after_a_rotation_elsewhere<D: Db>(store: &Store<D>) {
    use crate::{KeyRing, KeySource};
    let (id, names) = rotation_fixture(store).await;
    let a = same_key(store);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todoke.key");
    KeyRing::new(same_key(store)).write_file(&path).unwrap();
    let server = Store::open_ring(
        store.db().clone(),
        KeyRing::from_file(&path).unwrap(),
        KeySource::File(path.clone()),
        clock(),
    )
    .await
    .unwrap();
    let env_server = Store::open_ring(
        store.db().clone(),
        KeyRing::new(same_key(store)),
        KeySource::Env("TODOKE_MASTER_KEY".into()),
        clock(),
    )
    .await
    .unwrap();
    everything_reads(&server, id, &names).await;

    // Another process: `todoke key rotate` writes [B, A] and moves every row to B.
    let b = MasterKey::generate();
    let ring = KeyRing::from_file(&path).unwrap().with_current(MasterKey::from_text(&b.to_text()).unwrap());
    ring.write_file(&path).unwrap();
    let rotator =
        Store::open_for_rotation(store.db().clone(), ring, KeySource::File(path.clone()), clock()).await.unwrap();
    rotator.rewrap(100, &mut |_, _| {}).await.unwrap();
    rotator.finish_rotation(&actor()).await.unwrap();

    // The server that holds only A meets B-wrapped rows, reads the key file again and goes on.
    assert_eq!(server.key_ring().ids(), vec![a.id()]);
    everything_reads(&server, id, &names).await;
    assert_eq!(server.key_ring().ids(), vec![b.id(), a.id()]);
    // What it writes now is under B.
    let second = seeded(&server).await;
    assert_eq!(server.people(second, None).await.unwrap().len(), 3);
    let status = server.key_status().await.unwrap();
    assert_eq!((state(&status, &a).incident_keys, state(&status, &b).incident_keys), (0, 2));

    // A server whose key came from the environment cannot reload it: a clear error.
    let err = env_server.people(id, None).await.unwrap_err().to_string();
    assert!(err.contains("restart with TODOKE_MASTER_KEY"), "{err}");
}

pub async fn letter_jobs_print_each_batch_once_sealed_and_resume<D: Db>(store: &Store<D>) {
    use crate::{LetterJobState, LetterStore};
    let (id, city, letters) = seeded_with_letters(store).await;
    let notices: Vec<_> = letters.iter().map(|n| n.id).collect();
    assert_eq!(notices.len(), 3);

    // Notices of another incident, or a party of another, make no job.
    let other = seeded(store).await;
    let other_city = party_id(store, other, "春日部市").await;
    assert!(matches!(
        store.create_letter_job(&actor(), id, other_city, &notices, 2, "本文").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.create_letter_job(&actor(), other, other_city, &notices, 2, "本文").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.letter_jobs(id, None).await.unwrap().is_empty());

    let job = store.create_letter_job(&actor(), id, city, &notices, 2, "# お知らせ").await.unwrap();
    let created = store.letter_job(id, job).await.unwrap();
    assert_eq!(
        (created.state, created.total, created.batches, created.batch_count()),
        (LetterJobState::Running, 3, 0, 2)
    );
    assert_eq!(created.body, "# お知らせ");
    assert_eq!(store.letter_batch_notices(id, job, 0).await.unwrap(), notices[..2]);
    assert_eq!(store.letter_batch_notices(id, job, 1).await.unwrap(), notices[2..]);
    assert_eq!(store.running_letter_jobs().await.unwrap(), [(id, job)]);

    // Only the next batch is kept, once: a second worker's copy is refused.
    let pdf = b"%PDF-1.7 \xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e".to_vec();
    assert!(!store.add_letter_batch(&actor(), id, job, 1, 1, &pdf).await.unwrap());
    assert!(store.add_letter_batch(&actor(), id, job, 0, 2, &pdf).await.unwrap());
    assert!(!store.add_letter_batch(&actor(), id, job, 0, 2, &pdf).await.unwrap());
    assert_eq!(store.letter_job(id, job).await.unwrap().printed, 2);

    // A failed job takes no batch until it is resumed, then goes on where it stopped.
    store.fail_letter_job(&actor(), id, job, "cannot print the letters: typesetting").await.unwrap();
    let failed = store.letter_job(id, job).await.unwrap();
    assert_eq!(
        (failed.state, failed.error.as_deref()),
        (LetterJobState::Failed, Some("cannot print the letters: typesetting"))
    );
    assert!(store.running_letter_jobs().await.unwrap().is_empty());
    assert!(!store.add_letter_batch(&actor(), id, job, 1, 1, &pdf).await.unwrap());
    assert!(store.resume_letter_job(&actor(), id, job).await.unwrap());
    assert!(!store.resume_letter_job(&actor(), id, job).await.unwrap());
    assert!(store.add_letter_batch(&actor(), id, job, 1, 1, &pdf).await.unwrap());
    let done = store.letter_job(id, job).await.unwrap();
    assert_eq!((done.state, done.printed, done.batches, done.error), (LetterJobState::Done, 3, 2, None));

    // The PDFs are sealed: readable through the store (audited), not in any clear column, not
    // through another incident.
    assert_eq!(store.letter_batch_pdf(&actor(), id, job, 1).await.unwrap(), pdf);
    assert!(store.letter_batch_pdf(&actor(), other, job, 1).await.is_err());
    assert!(matches!(store.letter_batch_pdf(&actor(), id, job, 2).await, Err(StoreError::NotFound(_))));
    let mut tx = store.db().begin_read().await.unwrap();
    let rows = tx.fetch_all("select sealed from letter_batch", &[]).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| !String::from_utf8_lossy(&r.blob(0).unwrap()).contains("山田太郎")));
    let downloads =
        tx.fetch_all("select object from audit_entry where action = 'letters.download'", &[]).await.unwrap();
    drop(tx);
    assert_eq!(downloads.len(), 1);
    assert!(store.letter_jobs(id, Some(city)).await.unwrap().iter().map(|j| j.id).eq([job]));
    assert!(store.letter_jobs(other, None).await.unwrap().is_empty());
    assert!(store.verify_audit().await.unwrap().first_bad.is_none());

    // Erasing the incident makes the letters unreadable with the people.
    store.erase_incident(&actor(), id, "依頼による消去").await.unwrap();
    assert!(store.letter_batch_pdf(&actor(), id, job, 0).await.is_err());
}

pub async fn reminders_go_to_members_with_an_address_and_are_claimed_once<D: Db>(store: &Store<D>) {
    use crate::{ReminderKey, ReminderStore};
    let mut facts = sample_incident();
    let id = store.create_incident(&actor(), &facts).await.unwrap();
    let city = store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let officer = store.create_user(&actor(), "kasukabe-officer", "春日部市 担当").await.unwrap();
    let auditor = store.create_user(&actor(), "kasukabe-auditor", "春日部市 監査").await.unwrap();
    store.add_membership(&actor(), officer.id, city.org, Role::ConsignorOfficer).await.unwrap();
    store.add_membership(&actor(), auditor.id, city.org, Role::Auditor).await.unwrap();
    assert!(store.contacts(city.org).await.unwrap().is_empty(), "nobody has an address yet");

    store.set_user_email(&actor(), officer.id, Some(" kenko@city.kasukabe.example.jp ")).await.unwrap();
    store.set_user_email(&actor(), auditor.id, Some("audit@city.kasukabe.example.jp")).await.unwrap();
    assert_eq!(store.user_email(officer.id).await.unwrap().as_deref(), Some("kenko@city.kasukabe.example.jp"));
    let contacts = store.contacts(city.org).await.unwrap();
    let found: Vec<_> = contacts.iter().map(|c| (c.user.login.as_str(), c.role, c.email.as_str())).collect();
    assert_eq!(
        found,
        [
            ("kasukabe-auditor", Role::Auditor, "audit@city.kasukabe.example.jp"),
            ("kasukabe-officer", Role::ConsignorOfficer, "kenko@city.kasukabe.example.jp"),
        ]
    );
    store.set_user_email(&actor(), auditor.id, None).await.unwrap();
    assert_eq!(store.contacts(city.org).await.unwrap().len(), 1, "an address removed");
    let nobody = UserId(uuid::Uuid::nil());
    assert!(matches!(store.set_user_email(&actor(), nobody, Some("x@example.jp")).await, Err(StoreError::NotFound(_))));

    // A reminder is taken once; given back, it can be taken again.
    let key = ReminderKey {
        incident: id,
        party: city.id,
        obligation: "final_report:ppc".into(),
        due: "2024-03-29".into(),
        stage: 3,
    };
    assert!(store.claim_reminder(&actor(), &key, 1).await.unwrap());
    assert!(!store.claim_reminder(&actor(), &key, 1).await.unwrap(), "never twice");
    let next = ReminderKey { stage: 1, ..key.clone() };
    assert!(store.claim_reminder(&actor(), &next, 1).await.unwrap(), "the next stage is another reminder");
    store.release_reminder(&actor(), &key).await.unwrap();
    assert!(store.claim_reminder(&actor(), &key, 1).await.unwrap(), "a reminder given back is taken again");
    let actions: Vec<String> = store
        .audit_entries(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("re"))
        .collect();
    assert_eq!(actions, ["reminder.send", "reminder.send", "reminder.release", "reminder.send"]);
    assert_eq!(store.verify_audit().await.unwrap().first_bad, None);

    // A party taken out of the facts takes its reminders with it.
    facts.parties.retain(|p| p.name != "春日部市");
    store.update_incident(&actor(), id, &facts).await.unwrap();
    assert!(store.parties(id).await.unwrap().iter().all(|p| p.party.name != "春日部市"));
}
