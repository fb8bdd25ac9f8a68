//! Integration tests of todoke-people: plans of generated lists against their ground truth, and
//! the readers on real-world shapes of files.

/// Inputs found by fuzzing (fuzz/), kept as regressions.
mod fuzz;
/// Readers, normalization and the contract's outputs on small hand-made lists.
mod lists;
/// Generated lists: the plan finds exactly the truth.
mod truth;

use std::path::{Path, PathBuf};
use todoke_people::{ColumnMapping, Input, NoProgress, OutputEncoding, PlanConfig, PlanOptions, PlanOutcome};

/// Plans `inputs` minus `excludes` into `out` with the default configuration.
pub fn plan_files(inputs: &[PathBuf], excludes: &[PathBuf], out: &Path) -> PlanOutcome {
    let open = |p: &PathBuf| Input::open(p).unwrap();
    todoke_people::plan(
        PlanOptions {
            inputs: inputs.iter().map(open).collect(),
            excludes: excludes.iter().map(open).collect(),
            mapping: ColumnMapping::default(),
            config: PlanConfig::default(),
            encoding: OutputEncoding::Utf8Bom,
            out: out.to_path_buf(),
        },
        &NoProgress,
    )
    .unwrap()
}

/// The rows of a CSV file written by a plan (BOM removed), header first.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 with BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}
