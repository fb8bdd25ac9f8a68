//! Integration tests of todoke-ja through its public API.

/// Inputs found by fuzzing (`scripts/fuzz.sh`): each once broke a promise of the crate.
mod fuzz;
