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
    MasterKey::from_text(&store.key.to_text()).unwrap()
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
    store.erase_incident(&actor(), id).await.unwrap();

    assert!(matches!(store.people(id, None).await, Err(StoreError::Erased(_))));
    assert!(matches!(
        store.find_people_by_kana(id, "タカハシハナコ", date(1970, 3, 1)).await,
        Err(StoreError::Erased(_))
    ));
    let party = party_id(store, id, "春日部市").await;
    assert!(matches!(store.add_people(&actor(), id, party, &people()).await, Err(StoreError::Erased(_))));
    assert!(matches!(store.erase_incident(&actor(), id).await, Err(StoreError::Erased(_))));
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
    let filed = store.add_report(&actor(), id, &filed).await.unwrap();
    let final_report = store.reports(id).await.unwrap().into_iter().find(|(r, _)| *r == filed).unwrap().1;
    assert_eq!(final_report.on_time, Some(false));

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

pub async fn reopening_migrates_nothing_twice<D: Db>(store: &Store<D>) {
    let id = seeded(store).await;
    let again =
        Store::open(store.db().clone(), MasterKey::from_text(&store.key.to_text()).unwrap(), clock()).await.unwrap();
    assert_eq!(again.incident(id).await.unwrap().facts, sample_incident());
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
