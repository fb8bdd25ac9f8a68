//! `todoke backup` / `todoke restore` on SQLite: the copy is checked, a restore keeps the replaced
//! database, refuses a backup made under another key and never replaces without --force.

use crate::{Env, examples};

#[test]
fn a_backup_restores_with_every_record_and_a_verifying_chain() {
    let env = Env::sqlite();
    let first = env.import(&examples()[0]);
    let backup = env.dir.path().join("backup.db");
    let out = env.ok(&["backup", "--out", backup.to_str().unwrap()]);
    assert!(out.contains("事案 1"), "{out}");
    let err = env.fails(&["backup", "--out", backup.to_str().unwrap()]);
    assert!(err.contains("backup.db"), "an existing file is not overwritten: {err}");

    // Changes after the backup are undone by restoring it.
    let second = env.import(&examples()[1]);
    assert!(env.ok(&["incident", "list"]).contains(&second));
    let err = env.fails(&["restore", "--from", backup.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    let out = env.ok(&["restore", "--from", backup.to_str().unwrap(), "--force"]);
    assert!(out.contains("before-restore"), "{out}");
    let list = env.ok(&["incident", "list"]);
    assert!(list.contains(&first) && !list.contains(&second), "{list}");
    env.ok(&["audit", "verify"]);
    let kept_aside = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("before-restore"))
        .count();
    assert!(kept_aside >= 1);

    // A backup made under another master key is refused and replaces nothing.
    let other = Env::sqlite();
    other.import(&examples()[2]);
    let foreign = other.dir.path().join("foreign.db");
    other.ok(&["backup", "--out", foreign.to_str().unwrap()]);
    let err = env.fails(&["restore", "--from", foreign.to_str().unwrap(), "--force"]);
    assert!(err.contains("not a usable backup"), "{err}");
    assert!(env.ok(&["incident", "list"]).contains(&first), "the database is untouched");
}

#[test]
fn postgres_backups_are_pg_dumps() {
    let env = Env::postgres("postgres://todoke:todoke@127.0.0.1:5432/nothing");
    let err = env.fails(&["backup", "--out", "x.db"]);
    assert!(err.contains("pg_dump"), "{err}");
}
