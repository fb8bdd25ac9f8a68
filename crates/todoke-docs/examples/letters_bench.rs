//! Letters per second: N notice letters (default 10,000) of the example ransomware case into one
//! PDF, fonts from Debian's fonts-ipaexfont-*. Run in release:
//!
//! ```sh
//! cargo run --release -p todoke-docs --features pdf --example letters_bench -- 10000 /tmp/letters.pdf
//! ```

use std::time::Instant;
use todoke_docs::{Case, DocKind, Fonts, Profile, Recipient, Templates};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000);
    let out = args.next();

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let incident = todoke_core::facts::parse_facts(&std::fs::read_to_string(
        root.join("examples/saitama-foundation-ransomware.toml"),
    )?)?;
    let assessment =
        todoke_rules::assess(&incident, &todoke_rules::Packs::embedded()?, &todoke_rules::Options::default())?;
    let fonts = Fonts::new(
        [
            "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
            "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        ]
        .iter()
        .map(|f| Ok((f.to_string(), std::fs::read(f)?)))
        .collect::<Result<_, std::io::Error>>()?,
    )?;
    let profile = Profile::default();
    let case = Case {
        incident: &incident,
        assessment: Some(&assessment),
        party: "春日部市",
        profile: &profile,
        today: "2024-05-24".parse()?,
        edition: 1,
        counts: None,
        recipient: None,
    };
    // Synthetic people: names and addresses made up from counters.
    let family = ["山田", "佐藤", "髙橋", "渡邊", "齋藤", "鈴木", "田中", "伊藤"];
    let given = ["花子", "一郎", "さくら", "翔太", "美咲", "健"];
    let people: Vec<Recipient> = (0..n)
        .map(|i| Recipient {
            name: format!("{}　{}", family[i % family.len()], given[i / family.len() % given.len()]),
            postal_code: Some(format!("344-{:04}", i % 10_000)),
            address: Some(format!("埼玉県春日部市中央{}丁目{}番{}号", i % 9 + 1, i % 30 + 1, i % 20 + 1)),
        })
        .collect();

    let start = Instant::now();
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default())?;
    let pdf = todoke_docs::letters_pdf(people.iter().map(|p| (p, body.as_str())), &fonts)?;
    let secs = start.elapsed().as_secs_f64();
    println!("{n} letters, {} bytes, {secs:.2} s, {:.0} letters/s", pdf.len(), n as f64 / secs);
    if let Some(path) = out {
        std::fs::write(path, pdf)?;
    }
    Ok(())
}
