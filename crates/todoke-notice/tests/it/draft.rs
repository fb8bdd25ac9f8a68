//! A draft facts file is refused while it holds "UNKNOWN", and parses once a person fills it in.

use crate::{notice_files, notices_dir, read, seeds_dir};
use todoke_core::facts::parse_facts;
use todoke_notice::draft_facts;

/// What a person would write for each key the draft leaves unknown.
fn fill_in(draft: &str) -> String {
    draft
        .lines()
        .map(|line| {
            if !line.contains("\"UNKNOWN\"") {
                return line.to_string();
            }
            let key = line.split('=').next().unwrap().trim();
            let value = match key {
                "cause" => "\"other\"",
                "name" => "\"記入した組織名\"",
                "type" => "\"business\"",
                "known_on" => "2024-01-01",
                other => panic!("an unknown key the test cannot fill: {other}"),
            };
            format!("{key} = {value}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_draft_parses_once_its_unknowns_are_filled() {
    let mut checked = 0;
    for dir in [seeds_dir(), notices_dir()] {
        for file in notice_files(&dir) {
            for facts in read(&file) {
                let draft = draft_facts(&facts);
                let has_unknown = draft.contains("\"UNKNOWN\"");
                if has_unknown {
                    assert!(parse_facts(&draft).is_err(), "a draft with UNKNOWN must be refused:\n{draft}");
                }
                let filled = fill_in(&draft);
                let incident = parse_facts(&filled).unwrap_or_else(|e| panic!("{}: {e}\n{filled}", file.display()));
                assert_eq!(incident.data_items.len(), facts.data_items.len());
                assert_eq!(incident.persons, facts.affected_count);
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "{checked}");
}

#[test]
fn a_draft_keeps_what_the_notice_says() {
    let facts = &read(&seeds_dir().join("003_2a5b10656e0c6fb2.txt"))[0];
    let draft = draft_facts(facts);
    assert!(draft.contains("name = \"下仁田厚生病院\""), "{draft}");
    assert!(draft.contains("type = \"public_hospital\""), "{draft}");
    assert!(draft.contains("cause = \"loss\""), "{draft}");
    assert!(draft.contains("known_on = \"UNKNOWN\""), "the notice gives no day it was known:\n{draft}");
    assert!(draft.contains("kind = \"report\""), "{draft}");
}
