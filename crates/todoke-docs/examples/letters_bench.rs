//! Letters per second: N notice letters (default 20,000) of the example ransomware case into one
//! PDF, fonts from Debian's fonts-ipaexfont-*. Run in release (scripts/letters-bench.sh does, and
//! times LibreOffice on the same letters):
//!
//! ```sh
//! cargo run --release -p todoke-docs --features pdf --example letters_bench -- 20000 /tmp/letters.pdf
//! ```
//!
//! With `--fodt`, writes the same letters as Flat ODT documents instead (one page each, the
//! address block in a frame at the envelope window), for LibreOffice's `--convert-to pdf`: PER
//! letters a file (default 50; LibreOffice's time per letter grows with the size of a document —
//! 2,000 letters in one file took 10 minutes here — so a mail merge is converted in small files):
//!
//! ```sh
//! cargo run --release -p todoke-docs --features pdf --example letters_bench -- --fodt 20000 /tmp/fodt [PER]
//! ```

use std::fmt::Write as _;
use std::time::Instant;
use todoke_docs::{Case, DocKind, Fonts, Profile, Recipient, Templates};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let fodt = args.first().is_some_and(|a| a == "--fodt");
    if fodt {
        args.remove(0);
    }
    let mut args = args.into_iter();
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20_000);
    let out = args.next();

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let incident = todoke_core::facts::parse_facts(&std::fs::read_to_string(
        root.join("examples/saitama-foundation-ransomware.toml"),
    )?)?;
    let assessment =
        todoke_rules::assess(&incident, &todoke_rules::Packs::embedded()?, &todoke_rules::Options::default())?;
    // A whole letterhead, as a city would write it.
    let profile = Profile::from_toml(
        "[sender]\nname = \"春日部市\"\ndepartment = \"健康保険部健康課\"\npostal_code = \"344-8577\"\n\
         address = \"埼玉県春日部市中央七丁目2番地1\"\nsignature = \"春日部市長　岩谷　一弘\"\n\
         [sender.desk]\nname = \"個人情報に関するお問い合わせ窓口\"\nphone = \"048-736-1111\"\nhours = \"平日 9:00〜17:00\"\n",
    )?;
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
            // As long as a notice's id.
            reference: Some(format!("019ab3c2-7e41-7d2a-9f3e-{i:012}")),
        })
        .collect();

    if fodt {
        let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default())?;
        let dir = std::path::PathBuf::from(out.ok_or("--fodt needs an output folder")?);
        let per: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50).max(1);
        std::fs::create_dir_all(&dir)?;
        for (i, chunk) in people.chunks(per).enumerate() {
            std::fs::write(dir.join(format!("letters-{:05}.fodt", i + 1)), flat_odt(chunk, &body))?;
        }
        println!("{n} letters written to {} in files of {per}", dir.display());
        return Ok(());
    }

    let fonts = Fonts::new(
        [
            "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
            "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        ]
        .iter()
        .map(|f| Ok((f.to_string(), std::fs::read(f)?)))
        .collect::<Result<_, std::io::Error>>()?,
    )?;
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

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The letters as one Flat ODT document laid out as todoke lays them out: A4, the address block
/// in a frame at the 長3 window, the date and sender flush right, the body in 明朝 at 9 pt (small
/// enough that every letter stays on one page), a page break before each letter.
fn flat_odt(people: &[Recipient], markdown: &str) -> String {
    // The letter's paragraphs: (style, lines), from the Markdown the PDF is made of.
    let mut head: Vec<Vec<String>> = Vec::new();
    let mut body: Vec<(&str, Vec<String>)> = Vec::new();
    let mut in_body = false;
    for block in markdown.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        in_body = in_body || block.starts_with("# ");
        let lines: Vec<String> = block.lines().map(|l| xml(l.trim())).collect();
        if !in_body {
            head.push(lines);
        } else if let Some(t) = block.strip_prefix("# ") {
            body.push(("Title", vec![xml(t)]));
        } else if let Some(t) = block.strip_prefix("## ") {
            body.push(("H2", vec![xml(t)]));
        } else if block.starts_with("- ") {
            for l in block.lines() {
                body.push(("Body", vec![format!("・{}", xml(l.trim_start_matches("- ")))]));
            }
        } else if block == "敬具" {
            body.push(("Right", lines));
        } else {
            body.push(("Body", lines));
        }
    }
    let para = |out: &mut String, style: &str, lines: &[String], extra: &str| {
        let _ =
            writeln!(out, "<text:p text:style-name=\"{style}\">{extra}{}</text:p>", lines.join("<text:line-break/>"));
    };
    let mut out = String::with_capacity(people.len() * 6000);
    out.push_str(FODT_HEAD);
    for (i, p) in people.iter().enumerate() {
        let window = format!(
            "<draw:frame draw:style-name=\"Window\" draw:name=\"w{i}\" text:anchor-type=\"paragraph\" svg:x=\"25mm\" \
             svg:y=\"18mm\" svg:width=\"85mm\" svg:height=\"37mm\" draw:z-index=\"0\"><draw:text-box>\
             <text:p text:style-name=\"Address\">〒{}<text:line-break/>{}</text:p>\
             <text:p text:style-name=\"Name\">{} 様</text:p></draw:text-box></draw:frame>",
            xml(p.postal_code.as_deref().unwrap_or("")),
            xml(p.address.as_deref().unwrap_or("")),
            xml(&p.name),
        );
        let date = head.first().cloned().unwrap_or_default();
        para(&mut out, if i == 0 { "Date" } else { "DateBreak" }, &date, &window);
        for (n, lines) in head.iter().skip(1).enumerate() {
            para(&mut out, if n == 0 { "Sender" } else { "Right" }, lines, "");
        }
        for (style, lines) in &body {
            para(&mut out, style, lines, "");
        }
    }
    out.push_str("</office:text></office:body></office:document>\n");
    out
}

const FODT_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
<style:font-face style:name="IPAexMincho" svg:font-family="IPAexMincho"/>
<style:font-face style:name="IPAexGothic" svg:font-family="IPAexGothic"/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:text-align="start"/>
<style:text-properties style:font-name="IPAexMincho" fo:font-size="9pt" style:font-name-asian="IPAexMincho" style:font-size-asian="9pt" fo:language="ja" fo:country="JP" style:language-asian="ja" style:country-asian="JP"/>
</style:default-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="20mm" fo:margin-bottom="18mm" fo:margin-left="20mm" fo:margin-right="20mm"/></style:page-layout>
<style:style style:name="Date" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/></style:style>
<style:style style:name="DateBreak" style:family="paragraph"><style:paragraph-properties fo:text-align="end" fo:break-before="page"/></style:style>
<style:style style:name="Sender" style:family="paragraph"><style:paragraph-properties fo:text-align="end" fo:margin-top="34mm"/></style:style>
<style:style style:name="Right" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/></style:style>
<style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="1mm"/></style:style>
<style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-top="3mm" fo:margin-bottom="2mm"/><style:text-properties style:font-name="IPAexGothic" fo:font-size="13pt" style:font-name-asian="IPAexGothic" style:font-size-asian="13pt"/></style:style>
<style:style style:name="H2" style:family="paragraph"><style:paragraph-properties fo:margin-top="1.5mm"/><style:text-properties style:font-name="IPAexGothic" style:font-name-asian="IPAexGothic"/></style:style>
<style:style style:name="Address" style:family="paragraph"><style:paragraph-properties fo:text-align="start" fo:margin-bottom="3mm"/><style:text-properties style:font-name="IPAexGothic" fo:font-size="10pt" style:font-name-asian="IPAexGothic" style:font-size-asian="10pt"/></style:style>
<style:style style:name="Name" style:family="paragraph"><style:paragraph-properties fo:text-align="start"/><style:text-properties style:font-name="IPAexGothic" fo:font-size="13pt" style:font-name-asian="IPAexGothic" style:font-size-asian="13pt"/></style:style>
<style:style style:name="Window" style:family="graphic"><style:graphic-properties style:vertical-pos="from-top" style:vertical-rel="page" style:horizontal-pos="from-left" style:horizontal-rel="page" style:wrap="run-through" style:run-through="foreground" fo:border="none" fo:padding="0mm" fo:background-color="transparent" draw:fill="none"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
"#;
