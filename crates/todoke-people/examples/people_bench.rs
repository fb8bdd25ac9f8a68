//! The people benchmark: `generate DIR ROWS` writes synthetic lists, `plan DIR OUT` plans them
//! and prints the time, the rate and the peak memory (VmHWM) of this process. Run each in its own
//! process (scripts/people-bench.sh does) so that the plan's peak is its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;
use todoke_people::generate::{GenEncoding, GenerateOptions, generate};
use todoke_people::{ColumnMapping, Input, OutputEncoding, PlanConfig, PlanOptions, Progress, plan};

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time of this process so far (user and system, all threads), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

/// Prints how long each phase took (to stderr), wall and CPU, to see where the time goes.
struct PhaseTimes {
    current: std::sync::Mutex<Option<(String, Instant, f64)>>,
}

impl PhaseTimes {
    fn end(&self) {
        if let Some((name, start, cpu)) = self.current.lock().unwrap().take() {
            eprintln!("  {name}: {:.2} s ({:.2} s CPU)", start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        }
    }
}

impl Progress for PhaseTimes {
    fn phase(&self, name: &str, _: Option<u64>) {
        self.end();
        *self.current.lock().unwrap() = Some((name.to_string(), Instant::now(), cpu_seconds()));
    }
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {
        self.end();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", dir, rows, rest @ ..] => {
            let files = rest.first().map_or(1, |f| f.parse().unwrap());
            // Other encodings than UTF-8, to compare plans of the same lists across changes.
            let encoding = match rest.get(1).copied() {
                None | Some("utf8") => GenEncoding::Utf8,
                Some("sjis") => GenEncoding::Sjis,
                Some("mixed") => GenEncoding::Mixed,
                Some(other) => panic!("unknown encoding {other}"),
            };
            let start = Instant::now();
            let opts = GenerateOptions { rows: rows.parse().unwrap(), files, encoding, seed: 42, ..Default::default() };
            let truth = generate(&opts, &PathBuf::from(dir)).unwrap();
            eprintln!("generated {} rows in {:.1} s", truth.summary.rows_read, start.elapsed().as_secs_f64());
        }
        ["plan", dir, out] => {
            let dir = PathBuf::from(dir);
            let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("people-"))
                .collect();
            inputs.sort();
            let start = Instant::now();
            let outcome = plan(
                PlanOptions {
                    inputs: inputs.iter().map(|p| Input::open(p).unwrap()).collect(),
                    excludes: vec![
                        Input::open(&dir.join("deceased.csv")).unwrap(),
                        Input::open(&dir.join("notified.csv")).unwrap(),
                    ],
                    mapping: ColumnMapping::default(),
                    config: PlanConfig::default(),
                    encoding: OutputEncoding::Utf8Bom,
                    out: PathBuf::from(out),
                },
                &PhaseTimes { current: std::sync::Mutex::new(None) },
            )
            .unwrap();
            let secs = start.elapsed().as_secs_f64();
            let s = &outcome.summary;
            println!(
                "rows {} persons {} to_notify {}: {secs:.2} s, {:.0} rows/s, peak memory {:.0} MiB",
                s.rows_read,
                s.persons,
                s.to_notify,
                s.rows_read as f64 / secs,
                peak_memory_mib().unwrap_or(f64::NAN)
            );
            let truth: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
            let same = truth["summary"] == serde_json::to_value(s).unwrap();
            println!("summary equals the generator's truth: {same}");
        }
        ["micro"] => {
            let names = ["髙橋　花子", "ヤマダ タロウ", "やまだたろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "佐々木一郎"];
            let dates = ["1970-03-01", "S45.3.1", "昭和45年3月1日", "19700301", "1970/3/1"];
            let n = 1_000_000;
            let t = Instant::now();
            let mut sum = 0usize;
            for i in 0..n {
                sum += todoke_ja::normalize_name(names[i % 5]).len();
            }
            println!("normalize_name: {:.0} ns", t.elapsed().as_nanos() as f64 / n as f64);
            let t = Instant::now();
            for i in 0..n {
                sum += todoke_ja::parse_date(dates[i % 5]).map_or(0, |d| d.day() as usize);
            }
            println!("parse_date: {:.0} ns ({sum})", t.elapsed().as_nanos() as f64 / n as f64);
        }
        _ => eprintln!("usage: people_bench generate DIR ROWS [FILES [utf8|sjis|mixed]] | plan DIR OUT"),
    }
}
