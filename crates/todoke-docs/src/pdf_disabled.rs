//! Without the `pdf` feature: the same API, every call saying that PDF is not available.

use crate::DocError;
use crate::context::Recipient;

/// Fonts cannot be loaded without the `pdf` feature.
#[derive(Debug)]
pub struct Fonts(());

impl Fonts {
    /// Always [`DocError::PdfUnavailable`].
    pub fn new(_files: Vec<(String, Vec<u8>)>) -> Result<Self, DocError> {
        Err(DocError::PdfUnavailable)
    }

    /// None.
    pub fn families(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Always [`DocError::PdfUnavailable`].
pub fn markdown_pdf(_markdown: &str, _recipient: Option<&Recipient>, _fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    Err(DocError::PdfUnavailable)
}

/// Always [`DocError::PdfUnavailable`].
pub fn letters_pdf<'a>(
    _letters: impl IntoIterator<Item = (&'a Recipient, &'a str)>,
    _fonts: &Fonts,
) -> Result<Vec<u8>, DocError> {
    Err(DocError::PdfUnavailable)
}
