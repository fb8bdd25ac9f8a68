use crate::{plan_files, read_csv};
use todoke_people::generate::{GenEncoding, GenerateOptions, generate};

fn check(opts: GenerateOptions) {
    let dir = tempfile::tempdir().unwrap();
    let dir = if std::env::var("KEEP").is_ok() {
        Box::leak(Box::new(dir)).path().to_path_buf()
    } else {
        dir.path().to_path_buf()
    };
    let dir = &dir;
    let truth = generate(&GenerateOptions { keep_rows: true, ..opts }, &dir.join("lists")).unwrap();
    let out = dir.join("plan");
    let outcome = plan_files(&truth.inputs, &truth.excludes, &out);
    assert_eq!(outcome.summary, truth.summary);
    assert_eq!(outcome.in_several_parties, truth.in_several_parties);
    let written: todoke_people::Summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(written, truth.summary);

    // Every person to notify is one line of one channel file, with exactly its rows.
    let mut found = Vec::new();
    for party in truth.summary.parties.keys() {
        for channel in ["email", "post", "bulletin", "substitute"] {
            let path = out.join(party).join(format!("{channel}.csv"));
            if !path.exists() {
                continue;
            }
            for row in read_csv(&path).into_iter().skip(1) {
                let mut rows: Vec<String> = row.last().unwrap().split(';').map(str::to_string).collect();
                rows.sort();
                found.push(rows);
            }
        }
    }
    found.sort();
    assert_eq!(found.len(), truth.rows_of_people.len());
    let differ = found.iter().zip(&truth.rows_of_people).find(|(a, b)| a != b);
    assert!(differ.is_none(), "the people found are the people made: {differ:?}");
}

#[test]
fn a_small_mixed_list_is_planned_exactly() {
    check(GenerateOptions { rows: 3000, seed: 7, files: 3, ..Default::default() });
}

#[test]
fn many_duplicates_deceased_and_shift_jis() {
    check(GenerateOptions {
        rows: 5000,
        seed: 11,
        duplicates: 0.4,
        deceased: 0.05,
        rejected: 0.02,
        several: 0.05,
        encoding: GenEncoding::Sjis,
        files: 2,
        ..Default::default()
    });
}

#[test]
fn one_party_one_file() {
    check(GenerateOptions {
        rows: 2000,
        seed: 3,
        parties: vec!["春日部市".into()],
        encoding: GenEncoding::Utf8,
        ..Default::default()
    });
}
