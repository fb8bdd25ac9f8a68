//! `todoke assess` as CONTRACTS.md §1 fixes it.

use crate::{Env, examples};
use serde_json::Value;

fn example(name: &str) -> String {
    examples().into_iter().find(|p| p.ends_with(name)).unwrap().to_str().unwrap().to_string()
}

fn json(env: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&env.ok(args)).unwrap()
}

#[test]
fn json_has_the_contract_keys() {
    let env = Env::sqlite();
    let v = json(&env, &["assess", &example("kasukabe-voucher-cache.toml"), "--json"]);
    assert!(v["title"].is_string());
    let city = &v["parties"][0];
    assert_eq!(city["party"], "春日部市");
    assert_eq!(city["regime"], "jp-appi-public");
    assert_eq!(city["reportable"], true);
    assert_eq!(city["voluntary"], false);
    assert_eq!(city["categories"], serde_json::json!(["count_over_threshold"]));
    assert!(city["explanation"].as_array().unwrap().len() >= 2);
    let obligations = city["obligations"].as_array().unwrap();
    let by_kind = |k: &str| obligations.iter().find(|o| o["kind"] == k).unwrap();
    assert_eq!(by_kind("preliminary_report")["window"], serde_json::json!({"from": "2024-05-02", "to": "2024-05-04"}));
    assert_eq!(by_kind("final_report")["due"], "2024-05-29");
    assert_eq!(by_kind("final_report")["recipient"], "PPC");
    assert_eq!(by_kind("final_report")["basis"], "規則第44条");
    assert!(by_kind("final_report")["assumptions"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(by_kind("notify_individuals")["due"], Value::Null);
    // No as-of, no status.
    assert!(by_kind("final_report").get("status").is_none());
}

#[test]
fn as_of_and_assumption_flags() {
    let env = Env::sqlite();
    let file = example("saitama-foundation-ransomware.toml");
    let v = json(&env, &["assess", &file, "--json", "--as-of", "2024-04-02"]);
    let city = v["parties"].as_array().unwrap().iter().find(|p| p["party"] == "春日部市").unwrap();
    let fin = city["obligations"].as_array().unwrap().iter().find(|o| o["kind"] == "final_report").unwrap();
    assert_eq!(fin["due"], "2024-04-01");
    assert_eq!(fin["status"], "overdue");
    assert_eq!(fin["days_left"], -1);

    let v = json(&env, &["assess", &file, "--json", "--assume", "public-consignee-attack=no"]);
    let city = v["parties"].as_array().unwrap().iter().find(|p| p["party"] == "春日部市").unwrap();
    let fin = city["obligations"].as_array().unwrap().iter().find(|o| o["kind"] == "final_report").unwrap();
    assert_eq!(fin["due"], "2024-03-01");

    let err = env.fails(&["assess", &file, "--assume", "gut-feeling=yes"]);
    assert!(err.contains("public-consignee-attack=yes|no"), "{err}");
}

#[test]
fn the_table_speaks_japanese_or_english() {
    let env = Env::sqlite();
    let file = example("shimonita-hospital-usb.toml");
    let ja = env.ok(&["assess", &file]);
    assert!(ja.contains("確報") && ja.contains("2023-09-04") && ja.contains("報告対象"), "{ja}");
    let en = env.ok(&["--lang", "en", "assess", &file]);
    assert!(en.contains("final report") && en.contains("reportable"), "{en}");
}

#[test]
fn a_bad_facts_file_names_its_line() {
    let env = Env::sqlite();
    let bad = env.dir.path().join("bad.toml");
    std::fs::write(&bad, "title = \"t\"\nevent = \"lost\"\n").unwrap();
    let err = env.fails(&["assess", bad.to_str().unwrap()]);
    assert!(err.contains("bad.toml") && err.contains("line 2") && err.contains("event"), "{err}");
}
