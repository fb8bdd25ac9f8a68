//! `todoke people plan | import | generate` end to end: generated lists planned exactly (no
//! database needed), errors in one line, import into a case on SQLite and PostgreSQL (encrypted,
//! idempotent) and planning from the stored people.

use crate::Env;
use std::path::Path;

fn saitama() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An environment whose database cannot be opened: commands that need none still work.
fn without_database() -> Env {
    Env { database: "postgres://nobody@127.0.0.1:1/none".into(), ..Env::sqlite() }
}

#[test]
fn generated_lists_are_planned_exactly_without_a_database() {
    let env = without_database();
    let lists = env.dir.path().join("lists");
    let lists_arg = lists.to_str().unwrap();
    let said = env.ok(&["people", "generate", "--rows", "3000", "--files", "3", "--seed", "9", "--out", lists_arg]);
    assert!(said.contains("truth.json"), "{said}");
    let out = env.dir.path().join("plan");
    let f = |name: &str| lists.join(name).to_str().unwrap().to_string();
    let said = env.ok(&[
        "people",
        "plan",
        "--input",
        &f("people-1.csv"),
        "--input",
        &f("people-2.csv"),
        &f("people-3.csv"),
        "--exclude",
        &f("deceased.csv"),
        &f("notified.csv"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(said.contains("春日部市"), "{said}");
    assert_eq!(json(&out.join("summary.json")), json(&lists.join("truth.json"))["summary"]);
    for party in ["春日部市", "越谷市", "草加市"] {
        let post = std::fs::read(out.join(party).join("post.csv")).unwrap();
        assert!(post.starts_with("\u{feff}委託元,氏名".as_bytes()), "UTF-8 with BOM");
    }
    assert!(out.join("rejected.csv").is_file());
}

#[test]
fn shift_jis_output_and_a_plan_toml() {
    let env = without_database();
    let dir = env.dir.path();
    std::fs::write(
        dir.join("list.csv"),
        "氏名,フリガナ,生年月日,郵便番号,住所,区分\n髙橋 花子,タカハシ ハナコ,S45.3.1,344-0067,埼玉県春日部市中央1-2-3,職員\n",
    )
    .unwrap();
    std::fs::write(dir.join("PLAN.toml"), "channels = [\"bulletin\", \"post\"]\n[costs]\nbulletin = 10\n").unwrap();
    env.ok(&[
        "people",
        "plan",
        "--input",
        "list.csv",
        "--party",
        "春日部市",
        "--config",
        "PLAN.toml",
        "--encoding",
        "sjis",
        "--out",
        "plan",
    ]);
    let s = json(&dir.join("plan/summary.json"));
    assert_eq!(s["parties"]["春日部市"]["channels"]["bulletin"], 1);
    assert_eq!(s["parties"]["春日部市"]["cost_yen"], 10);
    let bytes = std::fs::read(dir.join("plan/春日部市/bulletin.csv")).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad && text.contains("髙橋 花子"), "{text}");
}

#[test]
fn bad_input_gets_one_line_naming_file_and_line_and_writes_nothing() {
    let env = without_database();
    let dir = env.dir.path();
    std::fs::write(dir.join("list.csv"), "氏名,生年月日\n山田太郎,1970-01-01\n").unwrap();
    let err = env.fails(&["people", "plan", "--input", "list.csv", "--out", "plan"]);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("list.csv") && err.contains("line 1") && err.contains("--party"), "{err}");
    assert!(!dir.join("plan").exists());
    std::fs::write(dir.join("PLAN.toml"), "channels = [\"fax\"]\n").unwrap();
    let err = env.fails(&[
        "people",
        "plan",
        "--input",
        "list.csv",
        "--party",
        "市",
        "--config",
        "PLAN.toml",
        "--out",
        "plan",
    ]);
    assert!(err.contains("PLAN.toml") && err.contains("line 1"), "{err}");
    assert!(!dir.join("plan").exists());
}

fn import_and_plan(env: &Env) {
    let id = env.import(&saitama());
    let dir = env.dir.path();
    std::fs::write(
        dir.join("kasukabe.csv"),
        "受診者番号,氏名,カナ,生年月日,郵便番号,住所,メールアドレス\n\
         1,髙橋 花子,タカハシ ハナコ,昭和45年3月1日,344-0067,埼玉県春日部市中央1-2-3,\n\
         2,高橋花子,,1970/3/1,,,hanako@example.jp\n\
         3,山田太郎,ヤマダタロウ,不明,,,\n\
         4,佐藤一郎,サトウイチロウ,S25.1.2,,,\n",
    )
    .unwrap();
    let said = env.ok(&["people", "import", "--incident", &id, "--party", "春日部市", "kasukabe.csv"]);
    assert!(said.contains("登録しました: 3"), "{said}");
    let said = env.ok(&["people", "import", "--incident", &id, "--party", "春日部市", "kasukabe.csv"]);
    assert!(said.contains("登録しました: 0") && said.contains("登録済み: 3"), "re-running adds nothing: {said}");
    let err = env.fails(&["people", "import", "--incident", &id, "--party", "どこか", "kasukabe.csv"]);
    assert!(err.contains("春日部市"), "names the parties: {err}");

    std::fs::write(dir.join("deceased.csv"), "氏名,生年月日\n佐藤 一郎,1950-01-02\n").unwrap();
    env.ok(&["people", "plan", "--incident", &id, "--exclude", "deceased.csv", "--out", "plan"]);
    let s = json(&dir.join("plan/summary.json"));
    assert_eq!(s["rows_read"], 3);
    assert_eq!(s["persons"], 2);
    assert_eq!(s["duplicates_merged"], 1);
    assert_eq!(s["excluded"], 1);
    assert_eq!(s["parties"]["春日部市"]["channels"]["email"], 1);
    assert_eq!(s["parties"]["春日部市"]["cost_yen"], 50);
    assert!(env.ok(&["audit", "verify"]).contains("改ざんされていません"));
}

#[test]
fn import_into_a_case_and_plan_from_it_on_sqlite() {
    let env = Env::sqlite();
    import_and_plan(&env);
    // The names are sealed: the database file does not hold them.
    let db = std::fs::read(env.dir.path().join("todoke.db")).unwrap();
    for secret in ["髙橋", "hanako@example.jp", "タカハシ"] {
        assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in plain text");
    }
}

#[tokio::test]
async fn import_into_a_case_and_plan_from_it_on_postgres() {
    crate::on_postgres(import_and_plan).await;
}
