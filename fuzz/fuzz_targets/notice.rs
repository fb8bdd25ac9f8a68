//! The notice reader on any bytes (UTF-8, Shift_JIS, HTML or none of these): one result per
//! incident with its span inside the text read, a facts draft for each result, and organization
//! mentions inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = todoke_notice::decode(data);
    let text = if todoke_notice::looks_like_html(&decoded) { todoke_notice::html_to_text(&decoded) } else { decoded };
    for facts in todoke_notice::read_notice(data, "fuzz.txt") {
        let [start, end] = facts.span;
        assert!(start <= end && end <= text.len(), "span {start}..{end} of {}", text.len());
        let _ = todoke_notice::draft_facts(&facts);
    }
    for m in todoke_notice::find_orgs(&text) {
        assert!(text.get(m.start..m.end).is_some(), "org {}..{} of {}", m.start, m.end, text.len());
    }
});
