//! Tests of the documents on the project's example cases: every kind in every format, the PPC
//! report's nine items, the diff between editions, HTML validity and (feature `pdf`) PDFs read back
//! with pdftotext.

mod documents;
mod golden;
mod html_check;
#[cfg(feature = "pdf")]
mod pdf;

use std::path::Path;
use todoke_core::Incident;
use todoke_core::facts::parse_facts;
use todoke_rules::{Assessment, Options, Packs, assess};

/// An example case of the project, parsed.
pub fn example(name: &str) -> Incident {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    parse_facts(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The assessment of a case.
pub fn assessment(incident: &Incident) -> Assessment {
    assess(incident, &Packs::embedded().unwrap(), &Options::default()).unwrap()
}

/// The document day used by the tests.
pub fn day(s: &str) -> todoke_core::Date {
    s.parse().unwrap()
}
