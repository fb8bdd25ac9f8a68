//! Every example facts file imports, lists and shows, on SQLite and on PostgreSQL.

use crate::{Env, examples};

fn import_all(env: &Env) {
    env.ok(&["init"]);
    let files = examples();
    assert!(files.len() >= 8, "the seed cases are all there");
    let mut ids = Vec::new();
    for file in &files {
        let id = env.import(file);
        assert_eq!(id.len(), 36, "the last line is the id alone: {id}");
        ids.push(id);
    }
    let list = env.ok(&["incident", "list"]);
    assert_eq!(list.lines().count(), files.len());
    for id in &ids {
        assert!(list.contains(id.as_str()));
    }
    assert!(list.contains("X線画像読影システムへのランサムウェア攻撃"));
    let verify = env.ok(&["audit", "verify"]);
    assert!(verify.contains("改ざんされていません"), "{verify}");
}

#[test]
fn every_example_imports_on_sqlite() {
    import_all(&Env::sqlite());
}

#[tokio::test]
async fn every_example_imports_on_postgres() {
    crate::on_postgres(import_all).await;
}

#[test]
fn the_seed_case_keeps_its_cities_and_timeline() {
    let env = Env::sqlite();
    let file = examples().into_iter().find(|f| f.ends_with("saitama-foundation-ransomware.toml")).unwrap();
    let id = env.import(&file);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["incident", "show", &id, "--json"])).unwrap();
    let parties = json["facts"]["parties"].as_array().unwrap();
    let kasukabe = parties.iter().find(|p| p["name"] == "春日部市").unwrap();
    assert_eq!(kasukabe["persons"], 18950);
    assert_eq!(kasukabe["role"], "consignor");
    assert_eq!(kasukabe["type"], "public_body");
    assert!(parties.len() > 10, "the consignor cities of seed 002");
    let timeline = json["facts"]["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| e["technique"] == "T1486"));
    let show = env.ok(&["incident", "show", &id[..13]]);
    assert!(show.contains("春日部市"), "a unique prefix finds the incident");
}
