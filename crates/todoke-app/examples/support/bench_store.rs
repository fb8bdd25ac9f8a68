//! The SQLite store a benchmark keeps in its work folder between runs, so that timing again does
//! not mean storing everything again.

use std::path::Path;
use std::sync::Arc;
use todoke_core::SystemClock;
use todoke_store::{MasterKey, SqliteDb, Store};

/// Opens the store in `work` made by an earlier run (its key kept in `bench.key`), or a new empty
/// one in a cleared folder; says which.
pub async fn open_bench_store(work: &Path) -> (Store<SqliteDb>, bool) {
    let key_file = work.join("bench.key");
    let reuse = std::fs::read_to_string(&key_file).ok().and_then(|k| MasterKey::from_text(k.trim()).ok());
    let (key, reused) = match reuse {
        Some(key) => (key, true),
        None => {
            let _ = std::fs::remove_dir_all(work);
            std::fs::create_dir_all(work).unwrap();
            let key = MasterKey::generate();
            std::fs::write(&key_file, key.to_text().as_bytes()).unwrap();
            (key, false)
        }
    };
    let db = SqliteDb::open(work.join("bench.db").to_str().unwrap()).await.unwrap();
    (Store::open(db, key, Arc::new(SystemClock)).await.unwrap(), reused)
}
