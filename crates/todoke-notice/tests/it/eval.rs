//! Score floors: the reader must not regress on the seeds or on its own notices. The floors sit a
//! little under what the reader reaches; raise them when it improves.

use crate::{notice_files, notices_dir, read, seeds_dir};
use todoke_notice::eval::{Report, evaluate, parse_labels};

fn score(dir: &std::path::Path) -> Report {
    let labels = parse_labels(&std::fs::read_to_string(dir.join("labels.jsonl")).unwrap()).unwrap();
    let results: Vec<_> = notice_files(dir).iter().flat_map(|f| read(f)).collect();
    evaluate(&labels, &results)
}

#[test]
fn the_seeds_do_not_regress() {
    let report = score(&seeds_dir());
    println!("{report}");
    assert_eq!(report.matched, report.labelled, "every labelled incident is found\n{report}");
    assert!(report.overall() >= 0.95, "overall below the floor\n{report}");
    for (field, floor) in
        [("organization", 0.85), ("cause", 0.8), ("published", 0.9), ("data_items", 0.9), ("vendor_involved", 0.9)]
    {
        assert!(report.field(field).unwrap() >= floor, "{field} below {floor}\n{report}");
    }
}

#[test]
fn our_own_notices_do_not_regress() {
    let report = score(&notices_dir());
    println!("{report}");
    assert!(report.labelled >= 34, "at least 34 labelled notices");
    assert_eq!(report.matched, report.labelled, "{report}");
    assert!(report.overall() >= 0.97, "overall below the floor\n{report}");
    for (field, floor) in [
        ("organization", 0.95),
        ("cause", 0.95),
        ("discovered", 0.9),
        ("occurred_from", 0.9),
        ("occurred_to", 0.9),
        ("published", 0.95),
        ("affected_count", 0.9),
        ("data_items", 0.95),
        ("individual_notice", 0.95),
        ("prevention_measures", 0.9),
    ] {
        assert!(report.field(field).unwrap() >= floor, "{field} below {floor}\n{report}");
    }
}
