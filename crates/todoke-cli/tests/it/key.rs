//! `todoke key rotate | status | retire` end to end (issue 9, item 4): a case with people made under
//! one master key, rotated to a new key in the key file, read back and audit-verified, then the old
//! key retired and everything still read and verified; with TODOKE_MASTER_KEY, rotate refuses and
//! says what to set, and finishes once it is set.

use crate::Env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn saitama() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml")
}

/// Runs `todoke ARGS` with the key file `todoke.key` of the folder (no TODOKE_MASTER_KEY).
fn with_key_file(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(&env.database)
        .arg("--key-file")
        .arg(env.dir.path().join("todoke.key"))
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("TODOKE_DATABASE_URL")
        .env_remove("TODOKE_MASTER_KEY")
        .env_remove("TODOKE_LANG")
        .env_remove("TODOKE_KEY_FILE")
        .output()
        .unwrap()
}

fn ok(env: &Env, args: &[&str]) -> String {
    let out = with_key_file(env, args);
    assert!(out.status.success(), "todoke {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn key_lines(env: &Env) -> Vec<String> {
    std::fs::read_to_string(env.dir.path().join("todoke.key")).unwrap().lines().map(str::to_string).collect()
}

fn status(env: &Env) -> Vec<serde_json::Value> {
    ok(env, &["key", "status", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Reads the case's people back (decrypting every one) through a plan; returns the rows read.
fn people_read(env: &Env, id: &str, out: &str) -> i64 {
    ok(env, &["people", "plan", "--incident", id, "--out", out]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.dir.path().join(out).join("summary.json")).unwrap()).unwrap();
    summary["rows_read"].as_i64().unwrap()
}

fn verifies(said: &str) -> bool {
    said.contains("改ざんされていません")
}

#[test]
fn rotating_and_retiring_the_master_key_keeps_people_readable_and_the_audit_verifying() {
    let env = Env::sqlite();
    ok(&env, &["init"]);
    let first = key_lines(&env);
    assert_eq!(first.len(), 1);
    let id = ok(&env, &["incident", "import", saitama().to_str().unwrap()]).lines().last().unwrap().to_string();
    std::fs::write(
        env.dir.path().join("kasukabe.csv"),
        "受診者番号,氏名,カナ,生年月日,郵便番号,住所,メールアドレス\n\
         1,髙橋 花子,タカハシ ハナコ,昭和45年3月1日,344-0067,埼玉県春日部市中央1-2-3,\n\
         2,山田太郎,ヤマダタロウ,不明,,,\n\
         3,佐藤一郎,サトウイチロウ,S25.1.2,,,\n",
    )
    .unwrap();
    ok(&env, &["people", "import", "--incident", &id, "--party", "春日部市", "kasukabe.csv"]);
    let people = people_read(&env, &id, "before");
    assert!(people > 0);
    let old_id = status(&env)[0]["id"].as_str().unwrap().to_string();

    let out = with_key_file(&env, &["--lang", "en", "key", "rotate"]);
    let (said, progress) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{progress}");
    assert!(
        said.contains("current master key:") && progress.contains("re-wrapped incident keys: 1"),
        "{said}{progress}"
    );
    let lines = key_lines(&env);
    assert_eq!(lines.len(), 2, "the new key first, the old one after");
    assert_eq!(lines[1], first[0]);
    for line in &lines {
        assert!(!said.contains(line.as_str()) && !progress.contains(line.as_str()), "no key material is printed");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.dir.path().join("todoke.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let keys = status(&env);
    assert_eq!(keys.len(), 2);
    let (old, new) = if keys[0]["id"] == old_id.as_str() { (&keys[0], &keys[1]) } else { (&keys[1], &keys[0]) };
    assert_eq!((old["current"].as_bool(), new["current"].as_bool()), (Some(false), Some(true)));
    assert_eq!((old["incident_keys"].as_i64(), new["incident_keys"].as_i64()), (Some(0), Some(1)));
    assert!(old["audit_entries"].as_i64().unwrap() > 0 && new["audit_entries"].as_i64().unwrap() > 0);
    assert!(verifies(&ok(&env, &["audit", "verify"])));
    assert_eq!(people_read(&env, &id, "after-rotate"), people);

    // A second run with nothing left to finish rotates again; retire then drops both old keys.
    ok(&env, &["key", "rotate"]);
    assert_eq!(key_lines(&env).len(), 3);
    let said = ok(&env, &["--lang", "en", "key", "retire"]);
    assert!(said.contains("retired:"), "{said}");
    assert_eq!(key_lines(&env).len(), 1, "only the current key is left in the key file");
    let keys = status(&env);
    assert_eq!(keys.iter().filter(|k| !k["retired_at"].is_null()).count(), 2);
    assert!(verifies(&ok(&env, &["audit", "verify"])), "old entries verify with the sealed audit keys");
    assert_eq!(people_read(&env, &id, "after-retire"), people);
    assert!(ok(&env, &["--lang", "en", "key", "retire"]).contains("no previous key"));
}

#[test]
fn with_the_key_in_the_environment_rotate_says_what_to_set_and_finishes_once_it_is_set() {
    let env = Env::sqlite();
    let id = env.import(&saitama());
    let err = env.fails(&["--lang", "en", "key", "rotate"]);
    assert!(err.contains("TODOKE_MASTER_KEY") && err.contains("--print-new-key"), "{err}");
    assert!(!err.contains(&env.master_key), "no key material is printed");

    let out = env.todoke(&["key", "rotate", "--print-new-key"]);
    assert!(!out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let new_key =
        printed.trim().strip_prefix("TODOKE_MASTER_KEY=").unwrap().strip_suffix(",$TODOKE_MASTER_KEY").unwrap();
    assert!(!printed.contains(&env.master_key), "only the new key is printed");

    let master_key = format!("{new_key},{}", env.master_key);
    let rotated = Env { master_key, ..env };
    rotated.ok(&["key", "rotate"]);
    assert!(verifies(&rotated.ok(&["audit", "verify"])));
    rotated.ok(&["incident", "show", &id]);
    rotated.ok(&["key", "retire"]);
    let only_new = Env { master_key: new_key.to_string(), ..rotated };
    assert!(verifies(&only_new.ok(&["audit", "verify"])));
}

/// A database with `cases` cases, each with a person on 春日部市's list, under the key file's one
/// key; their ids.
fn cases_under_a_key_file(env: &Env, cases: usize) -> Vec<String> {
    ok(env, &["init"]);
    let list = env.dir.path().join("list.csv");
    std::fs::write(&list, "氏名,カナ,生年月日\n髙橋 花子,タカハシ ハナコ,昭和45年3月1日\n").unwrap();
    let list = list.to_str().unwrap();
    let ids: Vec<String> = (0..cases)
        .map(|_| ok(env, &["incident", "import", saitama().to_str().unwrap()]).lines().last().unwrap().into())
        .collect();
    for id in &ids {
        ok(env, &["people", "import", "--incident", id, "--party", "春日部市", list]);
    }
    ids
}

/// `todoke key rotate --batch 1`, killed with SIGKILL after `delay` unless it finished first;
/// whether it was killed.
fn rotate_killed_after(env: &Env, delay: std::time::Duration) -> bool {
    let start = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(&env.database)
        .arg("--key-file")
        .arg(env.dir.path().join("todoke.key"))
        .args(["key", "rotate", "--batch", "1"])
        .current_dir(env.dir.path())
        .env_remove("TODOKE_DATABASE_URL")
        .env_remove("TODOKE_MASTER_KEY")
        .env_remove("TODOKE_KEY_FILE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "rotate failed on its own");
            return false;
        }
        if start.elapsed() >= delay {
            child.kill().unwrap();
            return !child.wait().unwrap().success();
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// A rotation killed at any point is finished by running it again: every case opens, the old key
/// protects nothing more, and the audit chain verifies.
#[test]
fn a_killed_rotation_is_finished_by_running_it_again() {
    const CASES: usize = 12;
    let timing = Env::sqlite();
    cases_under_a_key_file(&timing, CASES);
    let start = std::time::Instant::now();
    assert!(!rotate_killed_after(&timing, std::time::Duration::from_secs(600)));
    let whole = start.elapsed();
    let mut killed = 0;
    for eighths in [1u32, 3, 5, 7] {
        let env = Env::sqlite();
        let ids = cases_under_a_key_file(&env, CASES);
        let old_id = status(&env)[0]["id"].as_str().unwrap().to_string();
        killed += usize::from(rotate_killed_after(&env, whole * eighths / 8));
        ok(&env, &["key", "rotate", "--batch", "1"]);
        let keys = status(&env);
        let old = keys.iter().find(|k| k["id"] == old_id.as_str()).unwrap();
        assert_eq!(old["incident_keys"].as_i64(), Some(0), "killed at {eighths}/8: {keys:?}");
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(people_read(&env, id, &format!("plan-{eighths}-{n}")), 1, "killed at {eighths}/8");
        }
        assert!(verifies(&ok(&env, &["audit", "verify"])), "killed at {eighths}/8");
    }
    assert!(killed > 0, "at least one rotation was cut short ({whole:?} in all)");
}
