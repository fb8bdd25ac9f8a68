//! `todoke campaign email | status | bounce` against a local SMTP receiver.

use crate::Env;
use std::path::Path;
use todoke_app::testkit::SmtpReceiver;
use todoke_core::{AffectedPerson, IncidentId};
use todoke_store::{IncidentStore, NotificationStore, PersonStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_a_partys_notices_once_and_records_a_bounce() {
    let smtp = SmtpReceiver::start().await;
    smtp.reject("gone@example.jp");
    let env = Env::sqlite();
    let facts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml");
    let id = env.import(&facts);
    let store = env.store_sqlite().await;
    let incident: IncidentId = id.parse().unwrap();
    let party = store.parties(incident).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let person = |name: &str, kana: &str, email: &str| AffectedPerson {
        name: name.into(),
        name_kana: Some(kana.into()),
        birth_date: Some(jiff::civil::date(1970, 3, 1)),
        email: Some(email.into()),
        ..Default::default()
    };
    let people = [
        person("春日 一郎", "カスカベ イチロウ", "ichiro@example.jp"),
        person("春日 二郎", "カスカベ ジロウ", "gone@example.jp"),
    ];
    store.add_people(&todoke_store::testkit::actor(), incident, party.id, &people).await.unwrap();

    let port = smtp.port.to_string();
    let args = [
        "campaign",
        "email",
        "--incident",
        &id,
        "--party",
        "春日部市",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-security",
        "none",
        "--from",
        "notice@city.kasukabe.example.jp",
        "--rate",
        "50",
        "--retry-delay",
        "0",
        "--date",
        "2024-03-01",
    ];
    let out = tokio::task::spawn_blocking({
        let args = args.map(str::to_string);
        let env_db = (env.database.clone(), env.master_key.clone(), env.dir.path().to_path_buf());
        move || run(&env_db, &args)
    })
    .await
    .unwrap();
    // A bounce is recorded per recipient; the run itself succeeded.
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("送信 1") && stdout.contains("不達 1"), "{stdout}");
    assert_eq!(smtp.received().len(), 1);
    assert!(smtp.received()[0].subject().contains("春日部市"));

    // Again: nothing sent twice.
    let env_db = (env.database.clone(), env.master_key.clone(), env.dir.path().to_path_buf());
    let args = args.map(str::to_string);
    let again = tokio::task::spawn_blocking(move || run(&env_db, &args)).await.unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("送信済み 2"));
    assert_eq!(smtp.received().len(), 1);

    let status = env.ok(&["campaign", "status", "--incident", &id]);
    assert!(status.contains("春日部市\temail\tsent\t1") && status.contains("春日部市\temail\tbounced\t1"), "{status}");

    // A bounce that came back later, by Message-ID.
    let message_id = smtp.received()[0].header("message-id").unwrap();
    env.ok(&["campaign", "bounce", "--incident", &id, "--message-id", &message_id, "--code", "5.1.1"]);
    let notices = store.notifications(incident, Some(party.id), None).await.unwrap();
    assert!(notices.iter().all(|n| n.status == todoke_core::NotificationStatus::Bounced));
    assert!(
        env.fails(&["campaign", "bounce", "--incident", &id, "--message-id", "<x@y>", "--code", "5.1.1"])
            .contains("message id")
    );
}

pub(crate) fn run(
    (database, key, dir): &(String, String, std::path::PathBuf),
    args: &[String],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(database)
        .args(args)
        .current_dir(dir)
        .env_remove("TODOKE_DATABASE_URL")
        .env("TODOKE_MASTER_KEY", key)
        .env_remove("TODOKE_LANG")
        .env_remove("TODOKE_SMTP_PASSWORD")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_are_posted_then_returns_recorded_from_a_list() {
    let env = Env::sqlite();
    let facts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml");
    let id = env.import(&facts);
    let store = env.store_sqlite().await;
    let incident: IncidentId = id.parse().unwrap();
    let party = store.parties(incident).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let person = AffectedPerson {
        name: "春日 三郎".into(),
        postal_code: Some("344-0000".into()),
        address: Some("埼玉県春日部市旧住所1-1".into()),
        ..Default::default()
    };
    store.add_people(&todoke_store::testkit::actor(), incident, party.id, &[person]).await.unwrap();
    let people = store.people(incident, Some(party.id)).await.unwrap();
    let planned = todoke_store::PlannedNotice {
        party: party.id,
        person: people[0].id,
        channel: todoke_core::NoticeChannel::Post,
    };
    store.plan_notifications(&todoke_store::testkit::actor(), incident, &[planned]).await.unwrap();
    let notice = store.notifications(incident, None, None).await.unwrap()[0].id;

    // A list before posting is refused: nothing was sent to come back.
    let list = env.dir.path().join("returns.csv");
    std::fs::write(&list, encoding_rs::SHIFT_JIS.encode(&format!("{notice},転居先不明,2024-05-24\n")).0).unwrap();
    let list_arg = list.to_str().unwrap();
    assert!(env.fails(&["campaign", "returns", "--incident", &id, "--file", list_arg]).contains("not sent"));
    assert!(
        env.fails(&["campaign", "posted", "--incident", &id, "--party", "春日部市", "--date", "5月"])
            .contains("--date")
    );
    let out = env.ok(&["campaign", "posted", "--incident", &id, "--party", "春日部市", "--date", "2024-05-20"]);
    assert!(out.contains("投函 1"), "{out}");
    let out = env.ok(&["campaign", "returns", "--incident", &id, "--file", list_arg]);
    assert!(out.contains("1"), "{out}");
    let n = &store.notifications(incident, None, None).await.unwrap()[0];
    assert_eq!((n.status, n.last_error.as_deref()), (todoke_core::NotificationStatus::Returned, Some("moved-unknown")));
    let status = env.ok(&["campaign", "status", "--incident", &id]);
    assert!(status.contains("春日部市\tpost\treturned\t1"), "{status}");
}
