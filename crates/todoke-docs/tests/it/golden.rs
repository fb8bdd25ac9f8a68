//! Golden documents: the whole Markdown of a few documents, kept in `tests/it/golden/` where a
//! reviewer reads them as documents. `UPDATE_GOLDEN=1 cargo test` rewrites them after a deliberate
//! change; otherwise any difference fails with the changed lines.

use crate::{assessment, day, example};
use std::path::Path;
use todoke_docs::{Case, DocKind, Profile, Templates, diff_lines};

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    if expected != actual {
        let changes: Vec<String> = diff_lines(&expected, actual)
            .into_iter()
            .filter_map(|c| match c {
                todoke_docs::Change::Same(_) => None,
                todoke_docs::Change::Removed(l) => Some(format!("- {l}")),
                todoke_docs::Change::Added(l) => Some(format!("+ {l}")),
            })
            .collect();
        panic!("{name} differs from the golden file (UPDATE_GOLDEN=1 to accept):\n{}", changes.join("\n"));
    }
}

#[test]
fn kasukabe_preliminary_report() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile =
        Profile::from_toml("[sender]\ndepartment = \"総合政策部\"\n[sender.desk]\nphone = \"048-736-1111\"\n").unwrap();
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
    golden(
        "kasukabe_preliminary_report.md",
        &todoke_docs::render_markdown(DocKind::PreliminaryReport, &case, &Templates::default()).unwrap(),
    );
    golden(
        "kasukabe_notice_letter.md",
        &todoke_docs::render_markdown(DocKind::NoticeLetter, &case, &Templates::default()).unwrap(),
    );
}
