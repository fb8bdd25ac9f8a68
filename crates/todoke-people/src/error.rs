//! The one error type of the crate. Messages name the file, line and column, never a person's data.

use std::path::PathBuf;

/// What went wrong while reading lists or writing a plan.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeopleError {
    /// A file could not be read or written (the reason is the error's source).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A list is malformed at a place.
    #[error("{file}: line {line}{}: {message}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Input {
        /// The file.
        file: String,
        /// The line (1 = the header).
        line: u64,
        /// The column (1-based), when known.
        column: Option<u64>,
        /// What was expected.
        message: String,
    },
    /// A configuration or mapping file is wrong.
    #[error("{file}: {message}")]
    Config {
        /// The file.
        file: String,
        /// What is wrong, with line and column when known.
        message: String,
    },
    /// The output folder cannot be used.
    #[error("{}: {message}", path.display())]
    Output {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl PeopleError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

/// The crate's result.
pub type Result<T> = std::result::Result<T, PeopleError>;
