//! Measures the store on a list the size of the seed city's (18,950 people): sealing and storing
//! them, reading them back, a blind-index lookup, and verifying the audit chain.
//!
//! ```sh
//! cargo run --release -p todoke-store --features testkit --example store_bench [-- PEOPLE]
//! TODOKE_TEST_PG_URL=postgres://… cargo run --release -p todoke-store --features testkit --example store_bench
//! ```

use std::time::Instant;
use todoke_core::AffectedPerson;
use todoke_store::testkit::{self, actor, sample_incident};
use todoke_store::{AuditStore, Db, IncidentStore, PersonStore, Store};

fn synthetic_people(n: usize) -> Vec<AffectedPerson> {
    (0..n)
        .map(|i| AffectedPerson {
            name: format!("春日部 太郎{i}"),
            name_kana: Some(format!("カスカベ タロウ{i}")),
            birth_date: jiff::civil::Date::new(1940 + (i % 60) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8).ok(),
            postal_code: Some("344-8577".into()),
            address: Some(format!("埼玉県春日部市中央七丁目{i}番地")),
            ..Default::default()
        })
        .collect()
}

async fn bench<D: Db>(label: &str, store: &Store<D>, n: usize) {
    let people = synthetic_people(n);
    let id = store.create_incident(&actor(), &sample_incident()).await.unwrap();
    let party = store.parties(id).await.unwrap()[1].id;

    let t = Instant::now();
    for chunk in people.chunks(1000) {
        store.add_people(&actor(), id, party, chunk).await.unwrap();
    }
    let add = t.elapsed();
    let t = Instant::now();
    let again = store.add_people(&actor(), id, party, &people).await.unwrap();
    let readd = t.elapsed();
    assert_eq!(again.added, 0);
    let t = Instant::now();
    let read = store.people(id, None).await.unwrap();
    let read_time = t.elapsed();
    assert_eq!(read.len(), n);
    let t = Instant::now();
    let found = store.find_people_by_kana(id, "かすかべたろう7", people[7].birth_date.unwrap()).await.unwrap();
    let lookup = t.elapsed();
    assert_eq!(found.len(), 1);
    for i in 0..2000 {
        store.record_event(&actor(), "bench.event", &format!("n:{i}")).await.unwrap();
    }
    let t = Instant::now();
    let report = store.verify_audit().await.unwrap();
    let verify = t.elapsed();
    assert!(report.first_bad.is_none());

    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!("{label}: {n} people");
    println!("  seal+store  {:>8.0} ms  ({:.0} people/s)", add.as_secs_f64() * 1e3, rate(add));
    println!("  re-import   {:>8.0} ms  (nothing added)", readd.as_secs_f64() * 1e3);
    println!("  read+open   {:>8.0} ms  ({:.0} people/s)", read_time.as_secs_f64() * 1e3, rate(read_time));
    println!("  kana lookup {:>8.2} ms", lookup.as_secs_f64() * 1e3);
    println!("  audit verify {} entries {:>6.0} ms", report.entries, verify.as_secs_f64() * 1e3);
}

#[tokio::main]
async fn main() {
    let n = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(18_950);
    let (store, _dir) = testkit::sqlite_store().await;
    bench("SQLite", &store, n).await;
    store.close().await;
    if let Some((store, _db)) = testkit::postgres_store().await {
        bench("PostgreSQL", &store, n).await;
        store.close().await;
    }
}
