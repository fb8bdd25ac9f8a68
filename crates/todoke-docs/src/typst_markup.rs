//! Markdown → Typst markup, so that one template gives Markdown, HTML and PDF alike. Every piece of
//! text is escaped: a fact containing `#` or `//` must print as written, never run as Typst code.

use crate::html::parser;
use pulldown_cmark::{Alignment, Event, HeadingLevel, Tag, TagEnd};

/// Escapes text for Typst markup: every ASCII punctuation character gets a backslash (Typst reads
/// `\` + any character as that character; letters are left alone because of `\u{…}`).
pub fn typst_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Typst string literal.
#[cfg_attr(not(feature = "pdf"), allow(dead_code))]
pub(crate) fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Typst markup of a Markdown document (headings, paragraphs, lists, tables, emphasis, breaks).
pub fn markdown_to_typst(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 2);
    // Ordered-list flags of the open lists, innermost last.
    let mut lists: Vec<bool> = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    let n = match level {
                        HeadingLevel::H1 => 1,
                        HeadingLevel::H2 => 2,
                        HeadingLevel::H3 => 3,
                        _ => 4,
                    };
                    out.push('\n');
                    out.push_str(&"=".repeat(n));
                    out.push(' ');
                }
                Tag::Paragraph => {}
                Tag::List(start) => {
                    lists.push(start.is_some());
                    out.push('\n');
                }
                Tag::Item => {
                    out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                    out.push_str(if lists.last().copied().unwrap_or(false) { "+ " } else { "- " });
                }
                Tag::Table(aligns) => {
                    let n = aligns.len().max(1);
                    // Wide tables (invoices) let the first column take the room; narrow ones the last.
                    let columns = if n >= 4 {
                        format!("(1fr,{})", " auto,".repeat(n - 1))
                    } else {
                        format!("({} 1fr)", "auto, ".repeat(n - 1))
                    };
                    // Column alignment as the Markdown says (`--:` for amounts); a shaded header row.
                    let align: Vec<&str> = aligns
                        .iter()
                        .map(|a| match a {
                            Alignment::Right => "right",
                            Alignment::Center => "center",
                            Alignment::Left | Alignment::None => "left",
                        })
                        .collect();
                    let align = if align.is_empty() { "left".to_string() } else { format!("({},)", align.join(", ")) };
                    out.push_str(&format!(
                        "\n#table(columns: {columns}, align: {align}, inset: 4pt, stroke: 0.5pt, \
                         fill: (_, y) => if y == 0 {{ luma(235) }},\n"
                    ));
                }
                Tag::TableHead | Tag::TableRow => {}
                Tag::TableCell => out.push('['),
                Tag::Strong => out.push_str("#strong["),
                Tag::Emphasis => out.push_str("#emph["),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => out.push('\n'),
                TagEnd::Paragraph => out.push_str("\n\n"),
                TagEnd::List(_) => {
                    lists.pop();
                    out.push('\n');
                }
                TagEnd::Item => out.push('\n'),
                TagEnd::Table => out.push_str(")\n\n"),
                TagEnd::TableHead | TagEnd::TableRow => out.push('\n'),
                TagEnd::TableCell => out.push_str("], "),
                TagEnd::Strong | TagEnd::Emphasis => out.push(']'),
                _ => {}
            },
            Event::Text(text) | Event::Code(text) => out.push_str(&typst_escape(&text)),
            Event::HardBreak => out.push_str(" \\\n"),
            Event::SoftBreak => out.push(' '),
            Event::Rule => out.push_str("\n#line(length: 100%)\n"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_comments_are_escaped() {
        assert_eq!(typst_escape("#let x = 1 // y"), "\\#let x \\= 1 \\/\\/ y");
        assert_eq!(typst_escape("令和6年"), "令和6年");
        assert_eq!(typst_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    #[test]
    fn structure() {
        let t = markdown_to_typst("# 題\n\n本文\n二行目\n\n- a\n- b\n\n| k | v |\n|---|---|\n| 1 | 2 |\n");
        assert!(t.contains("\n= 題\n"), "{t}");
        assert!(t.contains("本文 \\\n二行目"), "{t}");
        assert!(t.contains("- a\n- b\n"), "{t}");
        assert!(t.contains("#table(columns: (auto,  1fr)"), "{t}");
        assert!(t.contains("[1], [2], "), "{t}");
    }
}
