//! `todoke docs render` and `todoke letters` (CONTRACTS.md §4): every kind in every format from a
//! stored case, PDFs read back with pdftotext (names, facts, one page per person), valid HTML, the
//! organization's templates and profile, a clear error when the fonts are missing.

use crate::{Env, examples};
use std::path::{Path, PathBuf};
use std::process::Command;

// The strict HTML check of todoke-docs' tests, shared rather than copied.
#[path = "../../../todoke-docs/tests/it/html_check.rs"]
mod html_check;

fn seed(env: &Env) -> String {
    let file = examples().into_iter().find(|f| f.ends_with("saitama-foundation-ransomware.toml")).unwrap();
    env.import(&file)
}

fn out(env: &Env, name: &str) -> PathBuf {
    env.dir.path().join(name)
}

/// The text of a PDF (white space removed: pdftotext breaks lines anywhere) and its page count.
fn pdf_text(path: &Path) -> (String, usize) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "{} is not a PDF", path.display());
    let o = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (Debian poppler-utils)");
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let pages = text.matches('\u{c}').count();
    (text.chars().filter(|c| !c.is_whitespace()).collect(), pages)
}

fn render(env: &Env, id: &str, party: &str, kind: &str, format: &str, extra: &[&str]) -> PathBuf {
    let path = out(env, &format!("{kind}.{format}"));
    let mut args = vec![
        "docs",
        "render",
        "--incident",
        id,
        "--party",
        party,
        "--kind",
        kind,
        "--format",
        format,
        "--out",
        path.to_str().unwrap(),
        "--date",
        "2024-02-21",
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
    path
}

const KINDS: [&str; 10] = [
    "preliminary_report",
    "final_report",
    "follow_up_report",
    "joint_request",
    "joint_reply",
    "notice_letter",
    "public_notice",
    "press_release",
    "invoice",
    "status_report",
];

fn every_kind_as_markdown_and_html(env: &Env) {
    let id = seed(env);
    for kind in KINDS {
        let md = std::fs::read_to_string(render(env, &id, "春日部市", kind, "md", &[])).unwrap();
        assert!(md.contains("公益財団法人埼玉県健康づくり事業団") || md.contains("春日部市"), "{kind}:\n{md}");
        let html = std::fs::read_to_string(render(env, &id, "春日部市", kind, "html", &[])).unwrap();
        html_check::check(&html).unwrap_or_else(|e| panic!("{kind}: {e}\n{html}"));
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn every_kind_renders_on_sqlite() {
    every_kind_as_markdown_and_html(&Env::sqlite());
}

#[tokio::test]
async fn every_kind_renders_on_postgres() {
    crate::on_postgres(every_kind_as_markdown_and_html).await;
}

#[test]
fn reports_and_invoices_as_pdf_carry_the_facts() {
    let env = Env::sqlite();
    let id = seed(&env);
    let (text, pages) = pdf_text(&render(&env, &id, "春日部市", "preliminary_report", "pdf", &[]));
    assert!(pages >= 2, "{pages}");
    for fact in [
        "漏えい等報告（速報）",
        "施行規則第44条",
        "18,950人",
        "ランサムウェア",
        "X線画像",
        "令和6年2月21日",
        "9.その他参考となる事項",
    ] {
        assert!(text.contains(fact), "{fact} missing in\n{text}");
    }
    let (text, _) = pdf_text(&render(&env, &id, "春日部市", "invoice", "pdf", &[]));
    // 18,950 letters × 150 yen = 2,842,500; 10% tax 284,250; total 3,126,750.
    for fact in ["請求書", "2,842,500", "284,250", "3,126,750"] {
        assert!(text.contains(fact), "{fact} missing in\n{text}");
    }
    let (text, _) = pdf_text(&render(&env, &id, "春日部市", "status_report", "pdf", &["--edition", "2"]));
    assert!(text.contains("重大事象発生報告書（第2報）") && text.contains("令和6年4月1日"), "{text}");
}

/// A people plan folder with a post list for 春日部市 (UTF-8 with BOM, Japanese headers as
/// `todoke people plan` writes them).
fn plan(env: &Env, people: &[(&str, &str, &str)], english: bool) -> PathBuf {
    let dir = env.dir.path().join("plan");
    std::fs::create_dir_all(dir.join("春日部市")).unwrap();
    let mut csv = String::from("\u{feff}");
    csv.push_str(if english {
        "name,name_kana,postal_code,address\n"
    } else {
        "氏名,フリガナ,郵便番号,住所\n"
    });
    for (name, postal, address) in people {
        csv.push_str(&format!("{name},カナ,{postal},\"{address}\"\n"));
    }
    std::fs::write(dir.join("春日部市/post.csv"), csv).unwrap();
    dir
}

#[test]
fn letters_one_page_per_person_with_names_and_facts() {
    let env = Env::sqlite();
    let id = seed(&env);
    let people = [
        ("山田　花子", "344-8577", "埼玉県春日部市中央七丁目2番地1"),
        ("髙橋　一郎", "344-0061", "埼玉県春日部市粕壁1丁目"),
        ("渡邊　さくら", "344-0062", "埼玉県春日部市粕壁東2丁目, 3号室"),
        ("齋藤　健", "", "埼玉県春日部市大沼"),
        ("佐藤　美咲", "344-0011", "埼玉県春日部市藤塚"),
    ];
    let dir = plan(&env, &people, false);
    let pdf = out(&env, "letters.pdf");
    let args = ["letters", "--plan", dir.to_str().unwrap(), "--party", "春日部市", "--out", pdf.to_str().unwrap()];
    let stdout = env.ok(&[&args[..], &["--incident", &id, "--date", "2024-05-24"]].concat());
    assert!(!stdout.contains("山田"), "names must not be printed");
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, people.len(), "{text}");
    for (name, postal, _) in people {
        assert!(text.contains(&name.replace('　', "")), "{name} missing in\n{text}");
        assert!(text.contains(postal), "{postal} missing");
    }
    for fact in [
        "令和6年5月24日",
        "個人情報の漏えい等に関するお知らせとお詫び",
        "ランサムウェア",
        "X線画像",
        "公益財団法人埼玉県健康づくり事業団",
    ] {
        assert!(text.contains(fact), "{fact} missing in\n{text}");
    }

    // English headers, and the only incident found without --incident.
    let dir = plan(&env, &people[..2], true);
    env.ok(&[&args[..], &["--date", "2024-05-24"]].concat());
    let (_, pages) = pdf_text(&pdf);
    assert_eq!(pages, 2);
    let _ = dir;
}

#[test]
fn the_organizations_templates_and_profile_are_used() {
    let env = Env::sqlite();
    let id = seed(&env);
    let templates = env.dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("notice_letter.md"),
        "# {{ sender.name }}からのお知らせ\n\n{{ recipient.name }}様、{{ incident.cause_label }}の件でご連絡します。\n\n窓口 {{ sender.desk.phone }}\n",
    )
    .unwrap();
    let profile = env.dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        "[sender.desk]\nphone = \"048-736-1111\"\n[parties.\"春日部市\"]\nname = \"春日部市健康課\"\n",
    )
    .unwrap();
    let dir = plan(&env, &[("山田　花子", "344-8577", "埼玉県春日部市中央")], false);
    let pdf = out(&env, "own.pdf");
    env.ok(&[
        "letters",
        "--plan",
        dir.to_str().unwrap(),
        "--party",
        "春日部市",
        "--out",
        pdf.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--incident",
        &id,
    ]);
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, 1);
    for fact in ["春日部市健康課からのお知らせ", "山田花子様、ランサムウェアの件", "048-736-1111"]
    {
        assert!(text.contains(fact), "{fact} missing in\n{text}");
    }
    // A misspelt template name is refused with the list of names.
    std::fs::write(templates.join("notice-letter.md"), "x").unwrap();
    let err = env.fails(&[
        "docs",
        "render",
        "--incident",
        &id,
        "--party",
        "春日部市",
        "--kind",
        "invoice",
        "--out",
        "x.md",
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert!(err.contains("notice_letter.md"), "{err}");
}

#[test]
fn the_final_report_shows_what_changed_since_the_stored_preliminary() {
    let env = Env::sqlite();
    let id = seed(&env);
    let prelim = render(&env, &id, "春日部市", "preliminary_report", "md", &[]);
    env.ok(&[
        "report",
        "file",
        "--incident",
        &id,
        "--party",
        "春日部市",
        "--kind",
        "preliminary",
        "--on",
        "2024-02-21",
        "--content-file",
        prelim.to_str().unwrap(),
    ]);
    let path = out(&env, "final.md");
    env.ok(&[
        "docs",
        "render",
        "--incident",
        &id,
        "--party",
        "春日部市",
        "--kind",
        "final_report",
        "--out",
        path.to_str().unwrap(),
        "--date",
        "2024-04-03",
    ]);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("## 速報からの変更点"), "{md}");
    assert!(md.contains("【削除】報告の種別：速報"), "{md}");
    assert!(md.contains("【追加】報告の種別：確報"), "{md}");
    assert!(md.contains("【追加】報告年月日：令和6年4月3日"), "{md}");
}

#[test]
fn missing_fonts_name_the_debian_package() {
    let env = Env::sqlite();
    let id = seed(&env);
    let o = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .args(["--database", &env.database, "docs", "render", "--incident", &id, "--party", "春日部市", "--kind"])
        .args(["invoice", "--format", "pdf", "--out", "x.pdf"])
        .current_dir(env.dir.path())
        .env("TODOKE_MASTER_KEY", &env.master_key)
        .env("TODOKE_FONT_DIR", env.dir.path().join("no-fonts"))
        .env_remove("TODOKE_LANG")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("fonts-ipaexfont-mincho") && err.contains("apt-get install"), "{err}");
    assert!(!env.dir.path().join("x.pdf").exists());
}

#[test]
fn an_unknown_party_or_kind_is_refused() {
    let env = Env::sqlite();
    let id = seed(&env);
    let err =
        env.fails(&["docs", "render", "--incident", &id, "--party", "大宮市", "--kind", "invoice", "--out", "x.md"]);
    assert!(err.contains("春日部市"), "{err}");
    let err =
        env.fails(&["docs", "render", "--incident", &id, "--party", "春日部市", "--kind", "memo", "--out", "x.md"]);
    assert!(err.contains("preliminary_report"), "{err}");
}
