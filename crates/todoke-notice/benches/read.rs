//! Throughput of the reader on one core: `cargo run --release -p todoke-notice --example bench`.
//! Reads the seed notices (and the crate's own test notices) over and over and prints MB/s of
//! notice text, by the wall clock and by the CPU time the thread got (Linux
//! `/proc/thread-self/schedstat`), which stays right on a machine busy with other work.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for dir in [root.join("../../../shared/seeds"), root.join("tests/notices")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries {
            let path = e?.path();
            if path.extension().is_some_and(|x| x == "txt" || x == "html") {
                texts.push(std::fs::read(path)?);
            }
        }
    }
    if texts.is_empty() {
        return Err("no notices found".into());
    }
    let bytes_per_round: usize = texts.iter().map(Vec::len).sum();
    let mut incidents = 0usize;
    let mut bytes = 0usize;
    let cpu_start = cpu_ns();
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 3.0 {
        for t in &texts {
            incidents += todoke_notice::read_notice(t, "bench").len();
        }
        bytes += bytes_per_round;
    }
    let secs = start.elapsed().as_secs_f64();
    if let (Some(a), Some(b)) = (cpu_start, cpu_ns()) {
        let cpu = (b - a) as f64 / 1e9;
        println!("CPU time {cpu:.2} s: {:.2} MB/s per core", bytes as f64 / 1e6 / cpu);
    }
    println!(
        "{} notices, {:.1} KB a round; read {:.1} MB in {:.2} s wall: {:.2} MB/s ({} incidents)",
        texts.len(),
        bytes_per_round as f64 / 1e3,
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        incidents
    );
    Ok(())
}

/// Nanoseconds this thread has run on a CPU.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
