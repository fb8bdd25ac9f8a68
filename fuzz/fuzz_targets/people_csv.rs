//! The people CSV reader on any bytes: encoding detection (UTF-8 with or without BOM, Shift_JIS),
//! quoting, headers, and every row either read or rejected with its line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use todoke_people::{ColumnMapping, Input, NoProgress, read_records};

fuzz_target!(|data: &[u8]| {
    // The first byte chooses whether the rows have a party from outside (an import) or must name one.
    let (party, data) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Some("春日部市"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let input = Input::csv("fuzz.csv", std::io::Cursor::new(data.to_vec())).with_party(party);
    if let Ok((records, rejected)) = read_records(vec![input], &ColumnMapping::default(), &NoProgress) {
        // Lines end in LF, CRLF or CR: a row's line is never past their count.
        let lines = data.iter().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64 + 1;
        for r in &records {
            assert!(r.line >= 1 && r.line <= lines, "record line {} of {lines}", r.line);
        }
        for r in &rejected {
            assert!(r.line <= lines, "rejected line {} of {lines}", r.line);
            let _ = r.reason.text();
        }
    }
});
