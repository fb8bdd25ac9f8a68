//! `todoke casebook`: the seed notices added on SQLite and PostgreSQL fold into incidents, are
//! found by search in the index beside the database, can be corrected, counted and exported to VERIS.

use crate::Env;
use std::path::{Path, PathBuf};

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files.iter().map(|p| p.to_str().unwrap().to_string()).collect()
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn casebook_round_trip(env: &Env) {
    let index = env.dir.path().join("index");
    let index = index.to_str().unwrap();
    let mut add = vec!["casebook", "add", "--json", "--index", index];
    let files = seeds();
    add.extend(files.iter().map(String::as_str));
    let added = json_lines(&env.ok(&add));
    assert!(added.len() >= 10, "every incident of every seed: {}", added.len());
    assert!(added.iter().all(|a| a["new"] == true));
    let group_of = |source: &str| {
        added.iter().find(|a| a["source"].as_str().unwrap().starts_with(source)).unwrap()["group"].clone()
    };
    assert_eq!(group_of("000"), group_of("002"), "the blog summary is the same attack");
    let again = json_lines(&env.ok(&add));
    assert!(again.iter().all(|a| a["new"] == false), "adding again keeps nothing twice");

    let found = json_lines(&env.ok(&["casebook", "search", "--json", "--index", index, "ランサムウエア", "読影"]));
    assert!(!found.is_empty());
    assert_eq!(found[0]["group"], group_of("000"));
    assert!(
        found[0]["snippet"].as_str().unwrap().contains("読影")
            || found[0]["snippet"].as_str().unwrap().contains("ランサム")
    );

    // A corrected notice is shown with its correction and counted by it.
    let emotet = added.iter().find(|a| a["source"].as_str().unwrap().starts_with("004")).unwrap();
    let id = emotet["id"].as_str().unwrap();
    env.ok(&["casebook", "correct", id, "cause=other"]);
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["casebook", "show", "--json", id])).unwrap();
    assert_eq!(shown["facts"]["cause"], "other");
    assert_eq!(shown["read"]["cause"], emotet["facts"]["cause"], "what was read is kept");
    let err = env.fails(&["casebook", "correct", id, "affected_count=many"]);
    assert!(err.contains("affected_count"), "{err}");

    let stats: serde_json::Value = serde_json::from_str(&env.ok(&["casebook", "stats", "--json"])).unwrap();
    assert_eq!(stats["notices"], added.len());
    assert!(stats["incidents"].as_u64().unwrap() < added.len() as u64);
    assert!(stats["by_cause"]["other"].as_u64().unwrap() >= 1);

    let veris = json_lines(&env.ok(&["casebook", "export", "--veris"]));
    assert_eq!(veris.len() as u64, stats["incidents"].as_u64().unwrap());
    assert!(veris.iter().all(|v| v["schema_version"] == "1.3.7" && v["victim"]["country"][0] == "JP"));

    // A stored case exports too, its consignors as secondary victims.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml");
    let id = env.import(&example);
    let case: serde_json::Value =
        serde_json::from_str(&env.ok(&["casebook", "export", "--veris", "--incident", &id])).unwrap();
    assert_eq!(case["incident_id"], id.as_str());
    assert!(case["victim"]["secondary"]["amount"].as_u64().unwrap() >= 20);

    // A lost index is rebuilt from the database on next use.
    std::fs::remove_dir_all(index).unwrap();
    assert!(!json_lines(&env.ok(&["casebook", "search", "--json", "--index", index, "Emotet"])).is_empty());
}

#[test]
fn casebook_on_sqlite_keeps_the_index_beside_the_database() {
    let env = Env::sqlite();
    casebook_round_trip(&env);
    env.ok(&["casebook", "add", &seeds()[0]]);
    assert!(env.dir.path().join("todoke.db.casebook").is_dir(), "default index folder beside the database");
}

#[tokio::test]
async fn casebook_on_postgres() {
    crate::on_postgres(casebook_round_trip).await;
}
