//! Scores the reader on a labels file: `cargo run -p todoke-notice --example eval -- LABELS FILE...`
//! (`-v` first prints every result that disagrees with its label). The CLI's `todoke notice eval`
//! does the same; this needs no database crates to build.

use todoke_notice::eval::{LISTS, SCALARS, evaluate, parse_labels};
use todoke_notice::read_notice;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.first().is_some_and(|a| a == "-v");
    if verbose {
        args.remove(0);
    }
    let (labels, files) = args.split_first().ok_or("usage: eval [-v] LABELS FILE...")?;
    let labels = parse_labels(&std::fs::read_to_string(labels)?)?;
    let mut results = Vec::new();
    for f in files {
        let name = std::path::Path::new(f).file_name().and_then(|n| n.to_str()).unwrap_or(f);
        results.extend(read_notice(&std::fs::read(f)?, name));
    }
    if verbose {
        for l in &labels {
            let got = results.iter().filter(|r| r.source == l.seed).collect::<Vec<_>>();
            let want = serde_json::to_value(&l.facts)?;
            let index = labels.iter().filter(|x| x.seed == l.seed).position(|x| std::ptr::eq(x, l)).unwrap_or(0);
            let Some(r) = got.get(index) else {
                println!("{} — no result", l.id);
                continue;
            };
            let have = serde_json::to_value(r)?;
            for key in SCALARS.iter().chain(LISTS) {
                let pick = |v: &serde_json::Value| {
                    v.get(key).or_else(|| v.get("incident_dates").and_then(|d| d.get(key))).cloned()
                };
                let (w, h) = (pick(&want), pick(&have));
                if w != h {
                    println!("{} {key}: want {} got {}", l.id, w.unwrap_or_default(), h.unwrap_or_default());
                }
            }
        }
    }
    let report = evaluate(&labels, &results);
    println!("{report}");
    Ok(())
}
