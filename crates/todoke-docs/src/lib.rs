//! todoke's documents: the PPC report (速報・確報・続報, and the Art. 68 variant for public bodies),
//! the joint-report request (連名報告) and its reply form, the notice to individuals (本人通知), the
//! public notice and press release, the cost invoice and the status report upward — as Markdown, HTML
//! and (feature `pdf`) PDF — and the diff between two editions of a document.
//!
//! Owns: the document models ([`DocKind`], [`Case`]), the wording (minijinja templates compiled in,
//! each replaceable by the organization's own without rebuilding, see [`Templates`]), the organization
//! profile ([`Profile`]), and rendering to strings and bytes.
//!
//! Never: reads or writes files, opens the network or reads a clock. Templates, profile and fonts are
//! passed in by the caller as strings and bytes; the day of the document is an argument. Never logs:
//! documents carry personal data.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod context;
mod diff;
mod error;
mod html;
mod kind;
mod letter;
// PDF is an optional subsystem: the same API with or without the feature (STYLE.md 23).
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(not(feature = "pdf"))]
#[path = "pdf_disabled.rs"]
mod pdf;
mod profile;
mod templates;
mod typst_markup;

pub use context::{Case, ChannelCounts, Recipient};
pub use diff::{Change, diff_lines, diff_markdown};
pub use error::DocError;
pub use html::{html_page, letter_page, markdown_to_html};
pub use kind::{DocKind, Format};
pub use pdf::{Fonts, letters_pdf, markdown_pdf};
pub use profile::{Desk, InvoiceProfile, OtherCost, Profile, Sender};
pub use templates::Templates;
pub use typst_markup::{markdown_to_typst, typst_escape};

/// A rendered document in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// Markdown or HTML text.
    Text(String),
    /// PDF bytes.
    Bytes(Vec<u8>),
}

impl Rendered {
    /// The bytes to write out.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Text(text) => text.into_bytes(),
            Self::Bytes(bytes) => bytes,
        }
    }
}

/// Renders a document of `kind` for `case` as Markdown — the form every other format is made from.
/// A letter's address block is not in it (see [`finish`]).
pub fn render_markdown(kind: DocKind, case: &Case<'_>, templates: &Templates) -> Result<String, DocError> {
    let ctx = context::build(kind, case)?;
    templates.render(kind.template_name(), &ctx)
}

/// Renders a document of `kind` for `case` in `format`. PDF needs the `pdf` feature and `fonts`.
pub fn render(
    kind: DocKind,
    case: &Case<'_>,
    templates: &Templates,
    format: Format,
    fonts: Option<&Fonts>,
) -> Result<Rendered, DocError> {
    finish(kind, case, &render_markdown(kind, case, templates)?, format, fonts)
}

/// Turns a document's Markdown (as [`render_markdown`] made it, perhaps with a [`diff_markdown`]
/// section added) into `format`. A letter to a recipient gets the name and address block: on top in
/// Markdown and HTML, in the envelope window in PDF.
pub fn finish(
    kind: DocKind,
    case: &Case<'_>,
    markdown: &str,
    format: Format,
    fonts: Option<&Fonts>,
) -> Result<Rendered, DocError> {
    let recipient = case.recipient.filter(|_| kind.is_letter());
    let with_address = || match recipient {
        Some(r) => format!("{}\n{markdown}", address_block(r)),
        None => markdown.to_string(),
    };
    match format {
        Format::Markdown => Ok(Rendered::Text(with_address())),
        Format::Html if kind.is_letter() => {
            Ok(Rendered::Text(letter_page(&kind.title(case), recipient.map(address_block).as_deref(), markdown)))
        }
        Format::Html => Ok(Rendered::Text(html_page(&kind.title(case), &with_address()))),
        Format::Pdf => {
            let fonts = fonts.ok_or(DocError::PdfUnavailable)?;
            Ok(Rendered::Bytes(markdown_pdf(markdown, recipient, fonts)?))
        }
    }
}

/// The name and address block of a letter, in Markdown.
pub fn address_block(r: &Recipient) -> String {
    let mut out = String::new();
    if let Some(code) = r.postal_code.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&format!("〒{code}\n"));
    }
    if let Some(address) = r.address.as_deref().filter(|a| !a.is_empty()) {
        out.push_str(address);
        out.push('\n');
    }
    out.push_str(&format!("\n{} 様\n", r.name));
    out
}
