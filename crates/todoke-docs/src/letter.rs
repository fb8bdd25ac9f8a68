//! The parts of a letter as Japanese letters lay them out: the date and the sender's block flush
//! right above the title, then the body, in which a closing (敬具, 以上 …) stands flush right on a
//! line of its own. PDF and HTML both set a letter from these parts.

/// The closing words a Japanese letter sets flush right on a line of their own.
const CLOSINGS: [&str; 4] = ["敬具", "敬白", "草々", "以上"];

/// A piece of a letter's body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Markdown text.
    Text(String),
    /// A closing word, set flush right.
    Closing(String),
}

/// A letter's Markdown cut into its parts (all Markdown).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LetterParts {
    /// The date: the first paragraph before the title.
    pub date: String,
    /// The sender's block: the rest before the title.
    pub sender: String,
    /// The body, from the title `# …` on.
    pub body: Vec<Piece>,
}

/// Cuts a letter's Markdown into its parts.
pub(crate) fn letter_parts(markdown: &str) -> LetterParts {
    let mut head = String::new();
    let mut body = Vec::new();
    let mut chunk = String::new();
    let mut in_body = false;
    for line in markdown.lines() {
        in_body = in_body || line.starts_with("# ");
        if !in_body {
            head.push_str(line);
            head.push('\n');
        } else if CLOSINGS.contains(&line.trim()) {
            body.push(Piece::Text(std::mem::take(&mut chunk)));
            body.push(Piece::Closing(line.trim().to_string()));
        } else {
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    body.push(Piece::Text(chunk));
    let head = head.trim();
    let (date, sender) = head.split_once("\n\n").unwrap_or((head, ""));
    LetterParts { date: date.to_string(), sender: sender.trim().to_string(), body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_sender_body_and_closing_are_told_apart() {
        let parts = letter_parts("令和6年4月1日\n\n春日部市\n健康課\n\n# お知らせ\n\n本文\n\n敬具\n\n記\n");
        assert_eq!(parts.date, "令和6年4月1日");
        assert_eq!(parts.sender, "春日部市\n健康課");
        assert_eq!(
            parts.body,
            vec![
                Piece::Text("# お知らせ\n\n本文\n\n".into()),
                Piece::Closing("敬具".into()),
                Piece::Text("\n記\n".into())
            ]
        );
    }
}
