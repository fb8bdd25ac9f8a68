//! The e-mail of a notice: the subject and the text of the notice letter (本人通知,
//! `DocKind::NoticeLetter` of `todoke-docs`, the same wording as the posted letter), as plain text.

use crate::AppError;
use jiff::civil::Date;
use todoke_core::Incident;
use todoke_docs::{Case, DocKind, Profile, Templates};

/// A party's notice, the same for every recipient but for the salutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    /// The subject: 【party】 and the letter's title.
    pub subject: String,
    /// The letter as plain text, without the recipient's name.
    pub body: String,
}

impl NoticeText {
    /// The text for one recipient: their name, then the letter.
    pub fn for_recipient(&self, name: &str) -> String {
        let name = name.trim();
        if name.is_empty() { self.body.clone() } else { format!("{name} 様\n\n{}", self.body) }
    }
}

/// The notice `party` sends, as of `today`, with the organization's profile and templates.
pub fn notice_text(
    incident: &Incident,
    party: &str,
    profile: &Profile,
    templates: &Templates,
    today: Date,
) -> Result<NoticeText, AppError> {
    let case = Case { incident, assessment: None, party, profile, today, edition: 1, counts: None, recipient: None };
    let markdown = todoke_docs::render_markdown(DocKind::NoticeLetter, &case, templates)
        .map_err(|e| AppError::Campaign(format!("cannot write the notice letter: {e}")))?;
    let sender = profile.sender_for(party).name.unwrap_or_else(|| party.to_string());
    Ok(NoticeText {
        subject: format!("【{sender}】{}", DocKind::NoticeLetter.title(&case)),
        body: plain_text(&markdown),
    })
}

/// The letter's Markdown as a mail reader shows plain text: headings without their `#`, the
/// title set apart, no runs of blank lines.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = true;
    for line in markdown.lines() {
        let line = line.trim_end();
        let line = match line.strip_prefix("# ") {
            Some(title) => format!("　　{title}"),
            None => match line.strip_prefix("## ") {
                Some(heading) => format!("■ {heading}"),
                None => line.to_string(),
            },
        };
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        blank = false;
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lose_their_marks_and_blank_runs_shrink() {
        assert_eq!(
            plain_text("令和6年\n\n\n# お知らせ\n\n## 1. 概要\n本文  \n"),
            "令和6年\n\n　　お知らせ\n\n■ 1. 概要\n本文\n"
        );
    }
}
