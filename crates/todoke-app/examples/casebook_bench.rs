//! The casebook search benchmark (issue 4): stores N notices (default 100,000) made from the labelled
//! test notices with other organizations, builds the search index from the store, then times
//! searches through the use case the CLI and web call (index query + reading the 10 best notices).
//!
//!   cargo run --release -p todoke-app --example casebook_bench [N] [WORKDIR]
//!
//! Target: every search under 50 ms with 100,000 notices stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "support/bench_store.rs"]
mod bench_store;

use bench_store::open_bench_store;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use todoke_store::{Actor, CasebookStore, NewNotice};

const QUERIES: &[&str] = &[
    "不正アクセス",
    "ランサムウェア",
    "誤送信 メール",
    "USBメモリ 紛失",
    "個人情報",
    "病院 電子カルテ",
    "委託先",
    "クレジットカード 情報",
    "住民票",
    "フィッシング",
];
const PREFIXES: &[&str] = &["株式会社", "", "医療法人", "学校法人", "一般社団法人"];
const NAMES: &[&str] =
    &["あおば", "さくら", "ひかり", "みなと", "やまと", "つばさ", "こだま", "はるか", "いずみ", "かなで"];
const SUFFIXES: &[&str] =
    &["商事", "市", "病院", "大学", "協会", "町", "クリニック", "ホールディングス", "センター", "学園"];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(100_000, |a| a.parse().expect("N is a number"));
    let work = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "/tmp/todoke-casebook-bench".into()));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../todoke-notice/tests/notices");
    let mut templates = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt" || e == "html") {
            let bytes = std::fs::read(&path).unwrap();
            let text = todoke_notice::decode(&bytes);
            let text = if todoke_notice::looks_like_html(&text) { todoke_notice::html_to_text(&text) } else { text };
            for facts in todoke_notice::read_text(&text, &path.display().to_string()) {
                if let Some(org) = facts.organization.clone() {
                    templates.push((text.clone(), org, facts));
                }
            }
        }
    }
    println!("{} templates from {}", templates.len(), root.display());

    // A casebook of N notices from an earlier run is reused (searches can be timed again quickly).
    let (store, stored) = open_bench_store(&work).await;
    let actor = Actor::cli("bench");
    let have = store.notice_count().await.unwrap() as usize;
    if stored && have != n {
        panic!("{} holds {have} notices, not {n}: remove it to start again", work.display());
    }

    let start = Instant::now();
    for i in (if stored { n } else { 0 })..n {
        let (text, org, facts) = &templates[i % templates.len()];
        let name = format!(
            "{}{}{}{}",
            PREFIXES[i % PREFIXES.len()],
            NAMES[(i / 7) % NAMES.len()],
            i,
            SUFFIXES[(i / 3) % SUFFIXES.len()]
        );
        let body = text.replace(org.as_str(), &name);
        let mut facts = facts.clone();
        facts.organization = Some(name);
        let profile = todoke_casebook::profile(&facts, "");
        let notice = NewNotice {
            source: format!("bench-{i}.txt"),
            facts: serde_json::to_string(&facts).unwrap(),
            body,
            profile,
        };
        store.add_notice(&actor, &notice, &[]).await.unwrap();
        if (i + 1) % 10_000 == 0 {
            eprintln!("stored {} ({:.0}/s)", i + 1, (i + 1) as f64 / start.elapsed().as_secs_f64());
        }
    }
    if !stored {
        println!("stored {n} notices in {:.1} s", start.elapsed().as_secs_f64());
    }

    let start = Instant::now();
    let index = todoke_app::casebook::open_index(&store, &work.join("index"), |_, _| {}).await.unwrap();
    println!("indexed {} notices in {:.1} s", index.len(), start.elapsed().as_secs_f64());

    let mut times: Vec<Duration> = Vec::new();
    for round in 0..20 {
        for q in QUERIES {
            let start = Instant::now();
            let found = todoke_app::casebook::search(&store, &index, q, 10).await.unwrap();
            let took = start.elapsed();
            if round == 0 {
                // The index alone, to tell its share from reading the notices out of the store.
                let start = Instant::now();
                index.search(q, 10).unwrap();
                let alone = start.elapsed().as_secs_f64() * 1e3;
                println!("  {q}: {} results, {:.1} ms (index {alone:.1} ms)", found.len(), took.as_secs_f64() * 1e3);
            }
            times.push(took);
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64() * 1e3;
    println!(
        "search over {n} notices ({} searches, 10 results each): median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
