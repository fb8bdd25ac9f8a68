//! The incident facts parser (CONTRACTS.md §1) on any text: a facts file is read or refused with
//! a reason, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match todoke_core::facts::parse_facts(text) {
        Ok(incident) => {
            let _ = format!("{incident:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
