//! The one error type of this crate.

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// A template does not parse or does not render.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What went wrong, with the line.
        message: String,
    },
    /// An unknown template name in an override set.
    #[error("unknown template {0} (expected one of: {1})")]
    UnknownTemplate(String, String),
    /// The organization profile does not parse.
    #[error("profile: {0}")]
    Profile(String),
    /// The case lacks what the document needs.
    #[error("{0}")]
    Case(String),
    /// PDF was asked for without the `pdf` feature or without fonts.
    #[error("PDF output is not available (no fonts were given, or todoke-docs was built without the `pdf` feature)")]
    PdfUnavailable,
    /// Typst refused the generated document (a bug of ours, or a template that breaks it).
    #[error("PDF typesetting failed: {0}")]
    Typeset(String),
    /// Font data could not be read.
    #[error("font {0} is not a usable TrueType/OpenType font")]
    Font(String),
}
