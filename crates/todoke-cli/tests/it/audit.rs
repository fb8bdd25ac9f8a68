//! `todoke audit verify` on an intact and a tampered database, on both backends.

use crate::{Env, examples};
use todoke_store::testkit::PgTestDb;
use todoke_store::{Db, Tx};

async fn tamper<D: Db>(db: D, sql: &'static str) {
    let mut tx = db.begin_write().await.unwrap();
    tx.execute(sql, &[]).await.unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}

fn verify_fails_at(env: &Env, seq: i64) {
    let out = env.todoke(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("エントリ {seq}:")), "names entry {seq}: {err}");
}

async fn imported(env: Env) -> Env {
    tokio::task::spawn_blocking(move || {
        for file in examples().iter().take(3) {
            env.import(file);
        }
        assert!(env.ok(&["audit", "verify"]).contains("改ざんされていません"));
        env
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn sqlite_tampering_is_caught() {
    let env = imported(Env::sqlite()).await;
    tamper(
        todoke_store::SqliteDb::open(&env.database).await.unwrap(),
        "update audit_entry set actor = 'cli:someone' where seq = 2",
    )
    .await;
    verify_fails_at(&env, 2);

    let env = imported(Env::sqlite()).await;
    tamper(todoke_store::SqliteDb::open(&env.database).await.unwrap(), "delete from audit_entry where seq = 1").await;
    verify_fails_at(&env, 1);
}

#[tokio::test]
async fn postgres_tampering_is_caught() {
    let Some(db) = PgTestDb::create().await else {
        eprintln!("skipped: {} is not set", todoke_store::testkit::PG_URL_VAR);
        return;
    };
    let env = imported(Env::postgres(&db.url)).await;
    tamper(
        todoke_store::PgDb::open(&db.url).await.unwrap(),
        "update audit_entry set object = 'incident:x' where seq = 3",
    )
    .await;
    verify_fails_at(&env, 3);
}
