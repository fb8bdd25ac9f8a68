//! Assesses 100,000 incidents on one core and prints the time (target: under 1 second).
//!
//! ```sh
//! cargo run --release -p todoke-rules --example assess_bench [-- COUNT]
//! ```
//! The incidents are variants of the single-organization example cases (the day known, the count and
//! the cause vary), so that every regime, category and calendar path is exercised.

use std::time::Instant;
use todoke_core::facts::parse_facts;
use todoke_core::{Cause, Incident};
use todoke_rules::{Options, Packs, assess};

fn main() {
    let count: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut bases: Vec<Incident> = std::fs::read_dir(dir)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| parse_facts(&std::fs::read_to_string(&p).expect("read")).expect("parse"))
        .filter(|i| i.parties.len() <= 3)
        .collect();
    bases.sort_by(|a, b| a.title.cmp(&b.title));
    let causes = Cause::ALL;
    let incidents: Vec<Incident> = (0..count)
        .map(|n| {
            let mut i = bases[n % bases.len()].clone();
            for p in &mut i.parties {
                p.known_on =
                    jiff::civil::date(2019, 1, 1).checked_add(jiff::Span::new().days((n % 2900) as i64)).expect("date");
            }
            i.persons = Some((n % 3000) as u64);
            i.cause = causes[n % causes.len()];
            i.malicious = None;
            i
        })
        .collect();
    let packs = Packs::embedded().expect("packs");
    let options = Options::default();

    let start = Instant::now();
    let mut obligations = 0;
    for incident in &incidents {
        let a = assess(incident, &packs, &options).expect("assess");
        obligations += a.parties.iter().map(|p| p.obligations.len()).sum::<usize>();
    }
    let elapsed = start.elapsed();
    println!(
        "assessed {count} incidents ({obligations} obligations) in {:.3} s on one core: {:.0} incidents/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
