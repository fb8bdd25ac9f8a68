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

/// A whole letterhead, as a city writes it.
fn city_profile() -> Profile {
    Profile::from_toml(
        "[sender]\nname = \"春日部市\"\ndepartment = \"健康保険部健康課\"\npostal_code = \"344-8577\"\n\
         address = \"埼玉県春日部市中央七丁目2番地1\"\nsignature = \"春日部市長　岩谷　一弘\"\n\
         [sender.desk]\nphone = \"048-736-1111\"\n",
    )
    .unwrap()
}

fn letter_case<'a>(
    incident: &'a todoke_core::Incident,
    a: &'a todoke_rules::Assessment,
    profile: &'a Profile,
) -> Case<'a> {
    Case {
        incident,
        assessment: Some(a),
        party: "春日部市",
        profile,
        today: day("2024-05-24"),
        edition: 1,
        counts: None,
        recipient: None,
    }
}

fn person(i: usize, name: &str) -> Recipient {
    Recipient {
        name: name.to_string(),
        postal_code: Some(format!("344-857{}", i % 10)),
        address: Some(format!("埼玉県春日部市中央{}丁目", i + 1)),
        reference: Some(format!("N-{i:04}")),
    }
}

#[test]
fn letters_one_page_each_with_names_and_facts() {
    let mut incident = example("saitama-foundation-ransomware.toml");
    let damage = "検診結果を装った不審な電話が3件確認されています";
    incident.secondary_damage = Some(damage.into());
    let a = assessment(&incident);
    let profile = city_profile();
    let case = letter_case(&incident, &a, &profile);
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap();
    let people: Vec<Recipient> = ["山田　花子", "髙橋　一郎", "渡邊　さくら", "#let x = 1 // 齋藤"]
        .iter()
        .enumerate()
        .map(|(i, n)| person(i, n))
        .collect();
    let pdf = todoke_docs::letters_pdf(people.iter().map(|p| (p, body.as_str())), &fonts()).unwrap();
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, people.len(), "{text}");
    let flat = squeeze(&text);
    for p in &people {
        assert!(flat.contains(&squeeze(&p.name)), "{} missing in\n{text}", p.name);
        let reference = p.reference.as_deref().unwrap();
        assert_eq!(flat.matches(reference).count(), 1, "{reference} once, for matching a returned letter");
    }
    for fact in [
        "令和6年5月24日",
        "ランサムウェア",
        "X線画像",
        "個人情報の漏えい等に関するお知らせとお詫び",
        "344-8572",
        "春日部市長岩谷一弘",
        damage,
    ] {
        assert!(flat.contains(fact), "{fact} missing in\n{text}");
    }
}

/// The words of a PDF with their boxes in points from the top left, by `pdftotext -bbox`:
/// (page from 1, x min, y min, x max, word).
fn words(pdf: &[u8]) -> Vec<(usize, f64, f64, f64, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext").arg("-bbox").arg(&path).arg("-").output().unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        let from = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[from..].split('"').next().unwrap().parse().unwrap()
    };
    let mut page = 0;
    let mut out = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(tag) = line.strip_prefix("<word ") {
            let (attrs, rest) = tag.split_once('>').unwrap();
            let word = rest.trim_end_matches("</word>").to_string();
            out.push((page, attr(attrs, "xMin"), attr(attrs, "yMin"), attr(attrs, "xMax"), word));
        }
    }
    out
}

const MM: f64 = 72.0 / 25.4;

#[test]
fn the_address_sits_in_the_window_of_a_naga3_envelope_and_date_and_sender_flush_right() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = city_profile();
    let case = letter_case(&incident, &a, &profile);
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap();
    let p = person(0, "山田　花子");
    let pdf = todoke_docs::letters_pdf([(&p, body.as_str())], &fonts()).unwrap();
    let words = words(&pdf);
    let at =
        |w: &str| words.iter().find(|(_, _, _, _, t)| t.contains(w)).unwrap_or_else(|| panic!("{w} not in {words:?}"));
    // The window of a 長3 envelope: about 23–113 mm from the left, 13–58 mm from the top.
    for w in ["〒344-8570", "埼玉県春日部市中央", "山田", "様"] {
        let (page, x, y, x_max, _) = at(w);
        assert_eq!(*page, 1);
        assert!(*x >= 23.0 * MM && *x_max <= 113.0 * MM && *y >= 13.0 * MM && *y <= 55.0 * MM, "{w} at {x} {y}");
    }
    // The date on the right at the top, the sender on the right under the window, the closing
    // on the right: right edges at the right margin (190 mm).
    for (w, top, bottom) in [("令和", 0.0, 18.0), ("岩谷", 55.0, 100.0), ("敬具", 100.0, 280.0)] {
        let (_, _, y, _, _) = at(w);
        let right = words.iter().filter(|(_, _, wy, _, _)| (wy - y).abs() < 2.0).map(|w| w.3).fold(0.0, f64::max);
        assert!(*y >= top * MM && *y <= bottom * MM, "{w} at y {y}");
        assert!((right - 190.0 * MM).abs() < 2.0 * MM, "{w}'s line ends at {right}, not at the right margin");
    }
    // The body starts under the window.
    let (_, _, y, _, _) = at("拝啓");
    assert!(*y > 58.0 * MM, "拝啓 at {y}");
}

#[test]
fn many_letters_keep_their_order_across_batches() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let case = letter_case(&incident, &a, &profile);
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap();
    let people: Vec<Recipient> = (0..120).map(|i| person(i, &format!("試験　{}郎", kanji(i)))).collect();
    let pdf = todoke_docs::letters_pdf(people.iter().map(|p| (p, body.as_str())), &fonts()).unwrap();
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, people.len());
    for (i, (page, p)) in text.split('\u{c}').zip(&people).enumerate() {
        let page = squeeze(page);
        assert!(page.contains(&squeeze(&p.name)), "page {} lacks {}:\n{page}", i + 1, p.name);
        assert!(page.contains("個人情報の漏えい等に関するお知らせとお詫び"), "page {}", i + 1);
    }
}

/// A distinct name for each number, in kanji (pdftotext keeps them together).
fn kanji(i: usize) -> String {
    let digits = ["零", "壱", "弐", "参", "肆", "伍", "陸", "漆", "捌", "玖"];
    i.to_string().chars().map(|c| digits[c.to_digit(10).unwrap() as usize]).collect()
}

#[test]
fn letters_with_their_own_bodies() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let case = letter_case(&incident, &a, &profile);
    let body = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap();
    let people: Vec<Recipient> =
        ["山田　花子", "髙橋　一郎", "渡邊　さくら"].iter().enumerate().map(|(i, n)| person(i, n)).collect();
    let bodies: Vec<String> =
        people.iter().map(|p| body.replace("あなた様の個人情報", &format!("{}様の個人情報", p.name))).collect();
    // Two letters share a body, one has its own: both ways of setting a body in one run.
    let letters =
        [(&people[0], bodies[0].as_str()), (&people[1], bodies[1].as_str()), (&people[2], bodies[1].as_str())];
    let pdf = todoke_docs::letters_pdf(letters, &fonts()).unwrap();
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, 3);
    let pages: Vec<String> = text.split('\u{c}').map(squeeze).collect();
    assert!(pages[0].contains("山田花子様の個人情報"), "{}", pages[0]);
    assert!(pages[1].contains("髙橋一郎様の個人情報") && pages[1].contains("髙橋一郎様"), "{}", pages[1]);
    assert!(pages[2].contains("髙橋一郎様の個人情報") && pages[2].contains("渡邊さくら様"), "{}", pages[2]);
}

#[test]
fn a_letter_longer_than_a_page_is_refused() {
    // Many short paragraphs (one long paragraph would be slow to break into lines in a debug build).
    let paragraph = format!("{}\n\n", "長い本文が続きます。".repeat(8));
    let long = format!("令和6年5月24日\n\n春日部市\n\n# お知らせ\n\n{}", paragraph.repeat(100));
    let p = person(0, "山田　花子");
    let e = todoke_docs::letters_pdf([(&p, long.as_str())], &fonts()).unwrap_err();
    assert!(e.to_string().contains("one page"), "{e}");
}

#[test]
fn reports_and_invoices_as_pdf() {
    let mut incident = example("kasukabe-voucher-cache.toml");
    incident.secondary_damage = Some("現時点で二次被害は確認されていません".into());
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
            &[
                "漏えい等報告（速報）",
                "121人",
                "氏名、住所、電話番号、年齢",
                "ウェブサイトの設定不備",
                "現時点で二次被害は確認されていません",
            ][..],
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
