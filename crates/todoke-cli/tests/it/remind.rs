//! `todoke user email` and `todoke remind`: a city's officer hears of its deadline once.

use crate::Env;
use crate::campaign::run;
use std::path::Path;
use todoke_app::testkit::SmtpReceiver;
use todoke_core::{IncidentId, Role};
use todoke_rules::{ObligationKind, Options, Packs, assess};
use todoke_store::testkit::actor;
use todoke_store::{IncidentStore, UserStore};

/// The seed case, and a user `kasukabe` who is 春日部市's officer; returns the case.
async fn seed_case_with_a_city_officer(env: &Env) -> IncidentId {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml");
    let incident: IncidentId = env.import(&file).parse().unwrap();
    let store = env.store_sqlite().await;
    let city = store.parties(incident).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let officer = store.create_user(&actor(), "kasukabe", "春日部市 健康課").await.unwrap();
    store.add_membership(&actor(), officer.id, city.org, Role::ConsignorOfficer).await.unwrap();
    incident
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citys_officer_is_reminded_of_its_final_report_once() {
    let smtp = SmtpReceiver::start().await;
    let env = Env::sqlite();
    let incident = seed_case_with_a_city_officer(&env).await;
    let id = incident.to_string();
    let store = env.store_sqlite().await;
    let facts = store.incident(incident).await.unwrap().facts;
    let due: todoke_core::Date = assess(&facts, &Packs::embedded().unwrap(), &Options::default())
        .unwrap()
        .parties
        .iter()
        .filter(|p| p.party == "春日部市")
        .flat_map(|p| &p.obligations)
        .find(|o| o.kind == ObligationKind::FinalReport)
        .and_then(|o| o.due.clone())
        .unwrap()
        .parse()
        .unwrap();
    let as_of = due.checked_sub(jiff::Span::new().days(3)).unwrap().to_string();

    let error = env.fails(&["user", "email", "kasukabe", "not-an-address"]);
    assert!(error.contains("email: `not-an-address`"), "{error}");
    let error = env.fails(&["user", "email", "nobody", "x@example.jp"]);
    assert!(error.contains("nobody"), "{error}");
    env.ok(&["user", "email", "kasukabe", "kenko@city.kasukabe.example.jp"]);
    let error =
        env.fails(&["remind", "--site-url", "todoke.example.jp", "--smtp-host", "127.0.0.1", "--from", "a@b.jp"]);
    assert!(error.contains("site url: expected https://"), "{error}");

    // Listed, not sent.
    let listed = env.ok(&["remind", "--dry-run", "--as-of", &as_of]);
    let line = listed.lines().find(|l| l.contains("春日部市 確報")).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.starts_with(&id) && line.contains("あと3日") && line.ends_with("kasukabe"), "{line}");
    assert!(listed.lines().filter(|l| !l.contains("春日部市")).all(|l| l.ends_with("(宛先なし)")), "{listed}");

    // Sent once; again, nothing.
    let port = smtp.port.to_string();
    let args = [
        "remind",
        "--as-of",
        &as_of,
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-security",
        "none",
        "--from",
        "todoke <reminders@foundation.example.jp>",
        "--rate",
        "100",
    ]
    .map(str::to_string);
    let env_db = (env.database.clone(), env.master_key.clone(), env.dir.path().to_path_buf());
    let first = tokio::task::spawn_blocking({
        let (env_db, args) = (env_db.clone(), args.clone());
        move || run(&env_db, &args)
    })
    .await
    .unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(report["sent"].as_u64().unwrap() >= 1 && report["failed"] == 0, "{report}");
    let received = smtp.received();
    assert!(received.iter().all(|m| m.recipients == ["kenko@city.kasukabe.example.jp"]));
    assert!(received.iter().any(|m| m.subject().contains("春日部市 確報")), "{:?}", received[0].subject());
    let again = tokio::task::spawn_blocking(move || run(&env_db, &args)).await.unwrap();
    let report_again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report_again["sent"], 0);
    assert_eq!(report_again["already_sent"], report["sent"]);
    assert_eq!(smtp.received().len(), received.len());
}

/// Stops the server when the test ends, whatever happens.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve --reminders` runs the reminders itself when it starts: the seed case's dates have passed,
/// so the city's officer hears that its final report is overdue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_sends_the_reminders_due_when_it_starts() {
    let smtp = SmtpReceiver::start().await;
    let env = Env::sqlite();
    let incident = seed_case_with_a_city_officer(&env).await;
    env.ok(&["user", "email", "kasukabe", "kenko@city.kasukabe.example.jp"]);
    let port = smtp.port.to_string();
    let _server = Running(
        std::process::Command::new(env!("CARGO_BIN_EXE_todoke"))
            .args(["--database", &env.database, "serve", "--listen", "127.0.0.1:0", "--reminders"])
            .args(["--smtp-host", "127.0.0.1", "--smtp-port", &port, "--smtp-security", "none"])
            .args(["--from", "reminders@foundation.example.jp", "--site-url", "https://todoke.example.jp/"])
            .current_dir(env.dir.path())
            .env("TODOKE_MASTER_KEY", &env.master_key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut received = Vec::new();
    for _ in 0..300 {
        received = smtp.received();
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let overdue = received.iter().find(|m| m.subject().contains("春日部市 確報")).expect("a reminder within 30 s");
    assert_eq!(overdue.recipients, ["kenko@city.kasukabe.example.jp"]);
    assert!(overdue.subject().contains("日超過") && overdue.body().contains("過ぎています"), "{}", overdue.subject());
    let link = format!("https://todoke.example.jp/cases/{incident}");
    assert!(overdue.body().lines().any(|l| l.trim_end() == link), "{}", overdue.body());
}
