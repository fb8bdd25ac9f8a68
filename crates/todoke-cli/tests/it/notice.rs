//! `todoke notice read | eval` and `todoke incident from-notice`: no database is opened, the JSON
//! has one object per incident, the eval prints scores, the draft imports once filled in.

use crate::Env;
use std::path::{Path, PathBuf};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
}

fn seed(name: &str) -> String {
    seeds().join(name).to_str().unwrap().to_string()
}

#[test]
fn notice_read_prints_one_json_object_per_incident() {
    let env = Env::sqlite();
    let out =
        env.ok(&["notice", "read", "--json", &seed("001_6d293d262affd9a2.txt"), &seed("000_8519adf0452adda5.txt")]);
    let objects: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 4, "{out}");
    for o in &objects {
        for key in
            ["organization", "org_type", "incident_dates", "cause", "data_items", "ppc_report_dates", "source", "span"]
        {
            assert!(o.get(key).is_some(), "{key} in {o}");
        }
    }
    assert_eq!(objects[0]["source"], "001_6d293d262affd9a2.txt");
    assert_eq!(objects[3]["organization"], "公益財団法人埼玉県健康づくり事業団");
    // Nothing was opened or created: no database file beside the command.
    assert!(!env.dir.path().join("todoke.db").exists());
    let text = env.ok(&["notice", "read", &seed("000_8519adf0452adda5.txt")]);
    assert!(text.contains("ransomware"), "{text}");
}

#[test]
fn notice_eval_scores_the_seeds() {
    let env = Env::sqlite();
    let mut args = vec![
        "notice".to_string(),
        "eval".into(),
        "--labels".into(),
        seed("labels.jsonl"),
        "--min".into(),
        "0.9".into(),
    ];
    let mut files: Vec<String> = std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    files.sort();
    args.extend(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.ok(&args);
    assert!(out.contains("organization"), "{out}");
    assert!(out.contains("data_items") && out.contains("precision"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("overall"), "{out}");

    let err = env.fails(&["notice", "eval", "--labels", "missing.jsonl", &seed("000_8519adf0452adda5.txt")]);
    assert!(err.contains("missing.jsonl"), "{err}");
}

#[test]
fn a_draft_from_a_notice_imports_once_filled_in() {
    let env = Env::sqlite();
    let draft = env.dir.path().join("draft.toml");
    env.ok(&[
        "incident",
        "from-notice",
        &seed("003_2a5b10656e0c6fb2.txt"),
        "--incident",
        "1",
        "--out",
        draft.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(text.contains("下仁田厚生病院"), "{text}");
    // The notice gives no day the hospital learned of it: import refuses until it is filled in.
    let err = env.fails(&["incident", "import", draft.to_str().unwrap()]);
    assert!(err.contains("known_on"), "{err}");
    std::fs::write(&draft, text.replace("known_on = \"UNKNOWN\"", "known_on = 2023-08-04")).unwrap();
    let id = env.import(&draft);
    assert!(!id.is_empty());
    let err = env.fails(&["incident", "from-notice", &seed("003_2a5b10656e0c6fb2.txt"), "--incident", "99"]);
    assert!(err.contains("99"), "{err}");
}
