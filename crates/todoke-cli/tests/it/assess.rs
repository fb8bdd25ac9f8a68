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

#[test]
fn stored_incidents_keep_their_decisions_and_filed_reports_their_timeliness() {
    let env = Env::sqlite();
    let id = env.import(std::path::Path::new(&example("kasukabe-voucher-cache.toml")));
    let first = env.ok(&["incident", "assess", &id]);
    assert!(first.contains("初回の評価を記録しました"), "{first}");

    // Fewer people: no longer reportable, and the change is said.
    let fewer = env.dir.path().join("fewer.toml");
    let text = std::fs::read_to_string(example("kasukabe-voucher-cache.toml")).unwrap();
    std::fs::write(&fewer, text.replace("\npersons = 121", "\npersons = 90")).unwrap();
    let updated = env.ok(&["incident", "update", &id, fewer.to_str().unwrap()]);
    assert!(updated.contains("報告対象 → 報告対象外"), "{updated}");
    let again = env.ok(&["incident", "assess", &id]);
    assert!(again.contains("前回の評価から変わったことはありません"), "{again}");

    // Back to 121, then a final report filed two days after its due date: late, frozen.
    env.ok(&["incident", "update", &id, &example("kasukabe-voucher-cache.toml")]);
    let filed = env.ok(&[
        "report",
        "file",
        "--incident",
        &id,
        "--party",
        "春日部市",
        "--kind",
        "final",
        "--on",
        "2024-05-31",
        "--receipt",
        "R6-77",
    ]);
    assert!(filed.contains("2024-05-29") && filed.contains("期限超過"), "{filed}");
    let list: Value =
        serde_json::from_str(env.ok(&["report", "list", "--incident", &id, "--json"]).lines().next().unwrap()).unwrap();
    assert_eq!(list["on_time"], false);
    assert_eq!(list["due"], "2024-05-29");
    assert_eq!(list["receipt_number"], "R6-77");
    let err =
        env.fails(&["report", "file", "--incident", &id, "--party", "越谷市", "--kind", "final", "--on", "2024-05-31"]);
    assert!(err.contains("越谷市"), "{err}");
}
