//! Integration tests of the notice reader: `eval` holds the score floors on the shared seeds and on
//! the crate's own labelled notices (tests/notices); `read` covers encodings, HTML, splitting and
//! the output shape; `draft` checks that a draft facts file becomes a valid one once its unknowns
//! are filled in.

mod draft;
mod eval;
mod read;

use std::path::{Path, PathBuf};
use todoke_notice::NoticeFacts;

/// The shared seed notices beside the project.
pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds")
}

/// The crate's own labelled notices.
pub fn notices_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notices")
}

/// The notice files of a folder (not the labels), sorted.
pub fn notice_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "html"))
        .collect();
    files.sort();
    files
}

/// Reads one file as the CLI does.
pub fn read(path: &Path) -> Vec<NoticeFacts> {
    let name = path.file_name().unwrap().to_str().unwrap();
    todoke_notice::read_notice(&std::fs::read(path).unwrap(), name)
}
