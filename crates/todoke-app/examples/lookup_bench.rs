//! The "am I affected?" benchmark (issue 8): stores N people (default 1,000,000) sealed with their
//! blind indexes under two parties of one incident, then times questions through the use case the
//! web calls (blind index lookup + audit entry), half of them for people on a list, half not.
//!
//!   cargo run --release -p todoke-app --example lookup_bench [N] [WORKDIR]
//!
//! Target: p99 ≤ 10 ms with 1,000,000 people stored. A store from an earlier run is reused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "support/bench_store.rs"]
mod bench_store;

use bench_store::open_bench_store;
use jiff::civil::Date;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use todoke_core::AffectedPerson;
use todoke_store::{Actor, IncidentStore, PersonStore};

const BATCH: usize = 10_000;
const QUESTIONS: usize = 2_000;
const FAMILY: &[&str] =
    &["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ"];
const GIVEN: &[&str] =
    &["ハナコ", "タロウ", "イチロウ", "ユミ", "ケンタ", "サクラ", "ヒロシ", "マサコ", "ダイスケ", "アヤ"];

/// The i-th synthetic person: a kana name made unique by a number, and a birth date.
fn person(i: usize) -> AffectedPerson {
    let kana = format!("{}{}{}", FAMILY[i % FAMILY.len()], GIVEN[(i / FAMILY.len()) % GIVEN.len()], i);
    AffectedPerson {
        name: format!("受診者{i}"),
        name_kana: Some(kana),
        birth_date: Some(birth(i)),
        address: Some(format!("埼玉県春日部市中央{}-{}", i % 9 + 1, i % 30 + 1)),
        ..Default::default()
    }
}

fn birth(i: usize) -> Date {
    jiff::civil::date(1930 + (i % 80) as i16, (i % 12 + 1) as i8, (i % 28 + 1) as i8)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(1_000_000, |a| a.parse().expect("N is a number"));
    let work = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "/tmp/todoke-lookup-bench".into()));
    let (store, stored) = open_bench_store(&work).await;
    let actor = Actor::cli("bench");
    let id = match store.incidents().await.unwrap().first() {
        Some(summary) if stored => summary.id,
        _ => store.create_incident(&actor, &todoke_store::testkit::sample_incident()).await.unwrap(),
    };
    let parties = store.parties(id).await.unwrap();
    let have = store.count_people(id).await.unwrap() as usize;
    if have != n {
        assert_eq!(have, 0, "{} holds {have} people, not {n}: remove it to start again", work.display());
        let start = Instant::now();
        for from in (0..n).step_by(BATCH) {
            let batch: Vec<AffectedPerson> = (from..(from + BATCH).min(n)).map(person).collect();
            let party = parties[(from / BATCH) % parties.len()].id;
            store.add_people(&actor, id, party, &batch).await.unwrap();
            let done = (from + BATCH).min(n);
            if done.is_multiple_of(100_000) || done == n {
                eprintln!("stored {done} ({:.0}/s)", done as f64 / start.elapsed().as_secs_f64());
            }
        }
        println!("stored {n} people in {:.1} s", start.elapsed().as_secs_f64());
    }

    let mut times: Vec<Duration> = Vec::with_capacity(QUESTIONS);
    let mut found = 0;
    for q in 0..QUESTIONS {
        // Even questions ask about a stored person (spread over the whole list), odd ones about nobody.
        let i = (q * 7_919) % n;
        let (kana, born) = if q.is_multiple_of(2) {
            (person(i).name_kana.unwrap(), birth(i))
        } else {
            (format!("ダレデモナイ{q}"), birth(i))
        };
        let start = Instant::now();
        let parties = todoke_app::lookup::am_i_affected(&store, &actor, id, &kana, born).await.unwrap();
        times.push(start.elapsed());
        found += usize::from(!parties.is_empty());
    }
    assert_eq!(found, QUESTIONS / 2, "every stored person is found, nobody else");
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64() * 1e3;
    println!(
        "am I affected? over {n} people ({QUESTIONS} questions, each audited): median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
