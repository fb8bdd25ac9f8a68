//! The small parsers of untrusted fields: date-times with an offset and ATT&CK ids (timeline CSV
//! and forms), contact fields of people lists (postal code, phone, e-mail, address), and the
//! TOML of column mappings and plan files. Each normalizer is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use todoke_core::{AttackTechnique, OffsetTime};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(t) = text.parse::<OffsetTime>() {
        let written = t.to_string();
        assert_eq!(written.parse::<OffsetTime>().ok(), Some(t), "{written}");
    }
    if let Ok(id) = AttackTechnique::try_from(text.to_string()) {
        assert_eq!(id.as_str(), text);
    }
    if let Some(p) = todoke_people::normalize_postal_code(text) {
        assert_eq!(todoke_people::normalize_postal_code(&p).as_deref(), Some(p.as_str()));
    }
    if let Some(p) = todoke_people::normalize_phone(text) {
        assert_eq!(todoke_people::normalize_phone(&p).as_deref(), Some(p.as_str()));
    }
    if let Some(e) = todoke_people::normalize_email(text) {
        assert_eq!(todoke_people::normalize_email(&e).as_deref(), Some(e.as_str()));
    }
    let _ = todoke_people::usable_address(text);
    let _ = todoke_people::ColumnMapping::parse("columns.toml", text);
    let _ = todoke_people::PlanConfig::parse("PLAN.toml", text);
});
