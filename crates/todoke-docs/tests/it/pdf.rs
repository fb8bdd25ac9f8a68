//! PDFs read back with pdftotext (Debian poppler-utils): the names and the facts are in the text,
//! one page per letter. Fonts are Debian's fonts-ipaexfont-*, which scripts/test.sh installs.

use crate::{assessment, day, example};
use std::process::Command;
use todoke_docs::{Case, DocKind, Fonts, Format, Profile, Recipient, Rendered, Templates};

pub fn fonts() -> Fonts {
    let files = [
        "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    ];
    let loaded = files
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(f).unwrap_or_else(|_| {
                    panic!("{f} missing: apt-get install fonts-ipaexfont-mincho fonts-ipaexfont-gothic")
                }),
            )
        })
        .collect();
    Fonts::new(loaded).unwrap()
}

/// The text of a PDF and its page count, by pdftotext.
pub fn pdf_text(pdf: &[u8]) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (Debian poppler-utils)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // pdftotext ends every page with a form feed.
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

/// pdftotext may break lines anywhere: compare without white space.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_fonts_are_the_ipaex_families() {
    let families = fonts().families();
    assert!(families.iter().any(|f| f == "IPAexMincho"), "{families:?}");
    assert!(families.iter().any(|f| f == "IPAexGothic"), "{families:?}");
}

#[test]
fn letters_one_page_each_with_names_and_facts() {
    let incident = example("saitama-foundation-ransomware.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let case = Case {
        incident: &incident,
        assessment: Some(&a),
        party: "春日部市",
        profile: &profile,
        today: day("2024-05-24"),
        edition: 1,
        counts: None,
        recipient: None,
    };
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap();
    let people: Vec<Recipient> = ["山田　花子", "髙橋　一郎", "渡邊　さくら", "#let x = 1 // 齋藤"]
        .iter()
        .enumerate()
        .map(|(i, n)| Recipient {
            name: n.to_string(),
            postal_code: Some(format!("344-857{i}")),
            address: Some(format!("埼玉県春日部市中央{}丁目", i + 1)),
        })
        .collect();
    let pdf = todoke_docs::letters_pdf(people.iter().map(|p| (p, body.as_str())), &fonts()).unwrap();
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, people.len(), "{text}");
    let flat = squeeze(&text);
    for p in &people {
        assert!(flat.contains(&squeeze(&p.name)), "{} missing in\n{text}", p.name);
    }
    for fact in
        ["令和6年5月24日", "ランサムウェア", "X線画像", "個人情報の漏えい等に関するお知らせとお詫び", "344-8572"]
    {
        assert!(flat.contains(fact), "{fact} missing in\n{text}");
    }
}

#[test]
fn reports_and_invoices_as_pdf() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let case = Case {
        incident: &incident,
        assessment: Some(&a),
        party: "春日部市",
        profile: &profile,
        today: day("2024-05-02"),
        edition: 1,
        counts: None,
        recipient: None,
    };
    let fonts = fonts();
    for (kind, facts) in [
        (
            DocKind::PreliminaryReport,
            &["漏えい等報告（速報）", "121人", "氏名、住所、電話番号、年齢", "ウェブサイトの設定不備"][..],
        ),
        (DocKind::Invoice, &["請求書", "18,150"][..]),
        (DocKind::StatusReport, &["重大事象発生報告書（第1報）", "確報", "令和6年5月29日"][..]),
    ] {
        let Rendered::Bytes(pdf) =
            todoke_docs::render(kind, &case, &Templates::default(), Format::Pdf, Some(&fonts)).unwrap()
        else {
            panic!("PDF is bytes")
        };
        assert!(pdf.starts_with(b"%PDF-"));
        let (text, pages) = pdf_text(&pdf);
        assert!(pages >= 1);
        let flat = squeeze(&text);
        for fact in facts {
            assert!(flat.contains(fact), "{} {fact} missing in\n{text}", kind.key());
        }
    }
}
