//! No personal data in plain text, anywhere in the database: the SQLite files (with WAL) are read
//! byte by byte, and a PostgreSQL database is searched through `pg_dump`.

use todoke_store::testkit::{self, personal_strings, seeded};
use todoke_store::{IncidentStore, PersonStore};

fn assert_none_in(haystack: &[u8], place: &str) {
    for needle in personal_strings() {
        let found = haystack.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!found, "`{needle}` is stored in plain text in {place}");
    }
}

#[tokio::test]
async fn sqlite_files_hold_no_personal_data() {
    let (store, dir) = testkit::sqlite_store().await;
    seeded(&store).await;
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_none_in(&std::fs::read(&path).unwrap(), &path.display().to_string());
        files += 1;
    }
    assert!(files >= 2, "the database and its WAL were read");
    // The test itself can see the data, so the search would find it were it there.
    let people = store.people(store.incidents().await.unwrap()[0].id, None).await.unwrap();
    assert!(people.iter().any(|p| p.person.name == "髙橋 花子"));
}

#[tokio::test]
async fn postgres_dump_holds_no_personal_data() {
    let Some((store, db)) = testkit::postgres_store().await else {
        eprintln!("skipped: {} is not set", testkit::PG_URL_VAR);
        return;
    };
    seeded(&store).await;
    let out = std::process::Command::new("pg_dump")
        .arg("--dbname")
        .arg(&db.url)
        .output()
        .expect("pg_dump (Debian postgresql-client) must be installed where PostgreSQL is tested");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    let dump = out.stdout;
    assert!(dump.windows(15).any(|w| w == b"affected_person"), "the dump holds the people table");
    assert_none_in(&dump, "the pg_dump output");
    store.close().await;
}
