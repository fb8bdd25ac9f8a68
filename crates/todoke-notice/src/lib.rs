//! Reads published breach notices — plain text or HTML, UTF-8 or Shift_JIS — into the facts of
//! CONTRACTS.md §2, one result per incident (a compilation or a council report with several items
//! gives several), and scores a reader's results against labelled ones. It also drafts an incident
//! facts file (CONTRACTS.md §1) from a notice, leaving what the notice does not say to the user.
//!
//! Pure: it takes bytes and returns values. It must never read files, the clock or the network,
//! and never guess: what a notice does not settle stays null (or an empty list).
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod decode;
mod draft;
pub mod eval;
mod extract;
mod facts;
mod org;
mod split;
mod text;

pub use decode::{decode, html_to_text, looks_like_html};
pub use draft::draft_facts;
pub use facts::{IncidentDates, NoticeFacts};
pub use org::{OrgMention, find_orgs};

/// Why a notice or a label file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// A line of a labels file is not the JSON of a labelled incident.
    #[error("line {line}: {message}")]
    Label {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads a notice's bytes: one result per incident, in the order of the text. `source` is the
/// file name recorded in each result. Spans are byte offsets into the decoded text (for HTML, into
/// the text left when the markup is removed).
pub fn read_notice(bytes: &[u8], source: &str) -> Vec<NoticeFacts> {
    let decoded = decode(bytes);
    let decoded = if looks_like_html(&decoded) { html_to_text(&decoded) } else { decoded };
    read_text(&decoded, source)
}

/// Reads a notice that is already text.
pub fn read_text(decoded: &str, source: &str) -> Vec<NoticeFacts> {
    let folded = text::Folded::new(decoded);
    let doc = folded.text.as_str();
    let parts = split::split(doc);
    // A compilation's preface (a council's report heading) names whose items they are.
    let preface_org = match parts.first() {
        Some(first) if parts.len() > 1 && first.start > 0 => {
            let preface = doc.get(..first.start).unwrap_or_default();
            org::find_orgs(preface).into_iter().next().map(|m| m.name)
        }
        _ => None,
    };
    let doc_dates = todoke_ja::find_dates(doc, None);
    let years = split::complete_years(&doc_dates);
    let mut out = Vec::with_capacity(parts.len());
    for part in &parts {
        let seg_text = doc.get(part.start..part.end).unwrap_or_default();
        let default_year = split::year_before(&years, part.start);
        // A notice of one incident (the usual case) is its own segment, and its dates are the
        // ones just found: reading them again with `default_year` gives the same list, because
        // find_dates falls back to the default year only for a month and day with no complete date
        // before or after it in the text, and `default_year` is set only when the text has one.
        let whole = part.start == 0 && part.end == doc.len();
        let seg_dates = if whole { None } else { Some(todoke_ja::find_dates(seg_text, default_year)) };
        let header_org = part.header_org.as_deref().or(preface_org.as_deref());
        let dates = seg_dates.as_deref().unwrap_or(&doc_dates);
        let segment = extract::Segment { text: seg_text, doc, header_org, dates };
        let mut facts = extract::read(&segment);
        facts.source = source.to_string();
        facts.span = [folded.origin(part.start), folded.origin(part.end)];
        out.push(facts);
    }
    out
}
