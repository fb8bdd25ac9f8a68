//! The one error type of the store.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A uniqueness or other constraint refused the change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The incident's data key was destroyed: its personal data can no longer be read.
    #[error("the personal data of incident {0} was erased (its data key was destroyed)")]
    Erased(String),
    /// The master key is missing, malformed or not the one this database was made with.
    #[error("master key: {0}")]
    Key(String),
    /// Encrypted data failed to decrypt: it was altered, or belongs elsewhere.
    #[error("encrypted data does not verify: {0}")]
    Crypto(String),
    /// The database URL cannot be used.
    #[error("database URL: {0}")]
    Url(String),
    /// Stored data is not in the expected form.
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    /// The input cannot be stored as given (the message says what is missing).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be written or read (a backup).
    #[error("file: {0}")]
    Io(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
