//! An online SQLite backup is a consistent, verifying copy: same counts, same audit head, the people
//! readable with the same master key — and written owner-only, never over an existing file.

use std::sync::Arc;
use todoke_core::SystemClock;
use todoke_store::testkit::{same_key, seeded, sqlite_store};
use todoke_store::{AuditStore, PersonStore, SqliteDb, Store, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_backup_holds_every_record_and_verifies() {
    let (store, dir) = sqlite_store().await;
    let id = seeded(&store).await;
    let path = dir.path().join("backup.db");
    store.db().backup_to(&path).await.unwrap();

    let copy = SqliteDb::open(path.to_str().unwrap()).await.unwrap();
    let copy = Store::open(copy, same_key(&store), Arc::new(SystemClock)).await.unwrap();
    assert_eq!(copy.counts().await.unwrap(), store.counts().await.unwrap());
    assert!(store.counts().await.unwrap().people > 0);
    let (original, restored) = (store.verify_audit().await.unwrap(), copy.verify_audit().await.unwrap());
    assert!(restored.first_bad.is_none());
    assert_eq!((restored.entries, &restored.head_hash), (original.entries, &original.head_hash));
    assert_eq!(
        copy.people(id, None).await.unwrap(),
        store.people(id, None).await.unwrap(),
        "sealed people open with the key"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = store.db().backup_to(&path).await.unwrap_err();
    assert!(matches!(again, StoreError::Io(_)), "an existing file is never overwritten: {again}");
}
