//! Import errors, languages, crypto-erase and the other incident commands.

use crate::{Env, examples};
use todoke_store::{IncidentStore, PersonStore, StoreError};

#[test]
fn a_bad_facts_file_is_refused_with_file_line_and_key() {
    let env = Env::sqlite();
    let file = env.dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "title = \"t\"\nevent = \"leak\"\ncause = \"ransomware\"\ndata_items = []\n\n[[parties]]\nname = \"市\"\ntype = \"city\"\nrole = \"handler\"\nknown_on = 2024-01-29\n",
    )
    .unwrap();
    let err = env.fails(&["incident", "import", file.to_str().unwrap()]);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("line 8"), "{err}");
    assert!(err.contains("parties[0].type"), "{err}");
    assert!(err.contains("public_body"), "what was expected: {err}");
    // Nothing was stored.
    assert_eq!(env.ok(&["incident", "list"]), "");

    let err = env.fails(&["incident", "import", "missing.toml"]);
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn messages_are_japanese_by_default_and_english_on_request() {
    let env = Env::sqlite();
    let file = &examples()[0];
    let ja = env.ok(&["incident", "import", file.to_str().unwrap()]);
    assert!(ja.starts_with("登録しました"), "{ja}");
    let en = env.ok(&["--lang", "en", "incident", "import", file.to_str().unwrap()]);
    assert!(en.starts_with("imported:"), "{en}");
    let err = env.fails(&["--lang", "en", "incident", "show", "ffffffff"]);
    assert!(err.starts_with("todoke: error: "), "{err}");
}

#[test]
fn the_master_key_must_match_and_must_exist() {
    let env = Env::sqlite();
    env.import(&examples()[0]);
    let other = Env { master_key: todoke_store::MasterKey::generate().to_text().to_string(), ..Env::sqlite() };
    let other = Env { database: env.database.clone(), ..other };
    let err = other.fails(&["incident", "list"]);
    assert!(err.contains("different master key"), "{err}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_todoke"))
        .args(["incident", "list"])
        .current_dir(env.dir.path())
        .env("TODOKE_DATABASE_URL", &env.database)
        .env_remove("TODOKE_MASTER_KEY")
        .env_remove("TODOKE_KEY_FILE")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    assert!(err.contains("todoke init"), "says how to make a key: {err}");
}

#[test]
fn init_makes_a_private_key_file_and_keeps_it() {
    let env = Env::sqlite();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_todoke"))
            .args(args)
            .current_dir(env.dir.path())
            .env("TODOKE_DATABASE_URL", &env.database)
            .env_remove("TODOKE_MASTER_KEY")
            .env_remove("TODOKE_KEY_FILE")
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    let key_file = env.dir.path().join("todoke.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(run(&["init"]).status.success(), "init twice is harmless");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key, "the key is never replaced");
    let file = examples()[0].to_str().unwrap().to_string();
    assert!(run(&["incident", "import", &file]).status.success());
}

#[tokio::test]
async fn erase_makes_the_people_of_an_incident_unreadable() {
    let env = Env::sqlite();
    let id = env.import(&examples()[0]);
    let store = env.store_sqlite().await;
    let incident = store.find_incident(&id).await.unwrap();
    let party = store.parties(incident).await.unwrap()[0].id;
    store.add_people(&todoke_store::Actor::cli("t"), incident, party, &todoke_store::testkit::people()).await.unwrap();
    assert_eq!(store.people(incident, None).await.unwrap().len(), 3);
    store.close().await;

    let out = tokio::task::spawn_blocking(move || {
        let out = env.ok(&["incident", "erase", &id, "--yes"]);
        (env, out)
    })
    .await
    .unwrap();
    let (env, said) = out;
    assert!(said.contains("crypto-erase"), "{said}");

    let store = env.store_sqlite().await;
    assert!(matches!(store.people(incident, None).await, Err(StoreError::Erased(_))));
    let show = env.ok(&["incident", "show", &incident.to_string()]);
    assert!(show.contains("個人データ消去済み"), "{show}");
    assert!(env.ok(&["audit", "verify"]).contains("改ざんされていません"));
}

#[test]
fn completions_are_printed() {
    let env = Env::sqlite();
    let bash = env.ok(&["completions", "bash"]);
    assert!(bash.contains("incident") && bash.contains("todoke"));
}
