//! Markdown → HTML. Raw HTML in the Markdown (from a fact such as a title containing `<b>`) is shown
//! as text, never passed through: a document must not carry markup a case file smuggled in.

use crate::letter::{Piece, letter_parts};
use pulldown_cmark::{Event, Options, Parser, html};

/// The Markdown parser every format uses: tables on; a line break in the source is a line break in
/// the document (letters and letterheads are written line by line).
pub(crate) fn parser(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    })
}

/// The HTML fragment of a Markdown text, everything escaped that must be.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser(markdown));
    out
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete HTML5 page around a Markdown document.
pub fn html_page(title: &str, markdown: &str) -> String {
    page(title, &markdown_to_html(markdown))
}

/// A complete HTML5 page of a letter, laid out as the PDF sets it: the address block (when there is
/// a recipient) on top, the date and the sender's block flush right, the body with its closings
/// (敬具, 以上 …) flush right.
pub fn letter_page(title: &str, address: Option<&str>, markdown: &str) -> String {
    let parts = letter_parts(markdown);
    let mut body = String::new();
    if let Some(address) = address {
        body.push_str(&format!("<div class=\"address\">\n{}</div>\n", markdown_to_html(address)));
    }
    body.push_str(&format!("<div class=\"date\">\n{}</div>\n", markdown_to_html(&parts.date)));
    body.push_str(&format!("<div class=\"sender\">\n{}</div>\n", markdown_to_html(&parts.sender)));
    for piece in &parts.body {
        match piece {
            Piece::Text(text) => body.push_str(&markdown_to_html(text)),
            Piece::Closing(word) => body.push_str(&format!("<p class=\"closing\">{}</p>\n", escape(word))),
        }
    }
    page(title, &body)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>\nbody{{font-family:\"IPAexMincho\",\"IPAex明朝\",serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.7}}\n\
         table{{border-collapse:collapse}}th,td{{border:1px solid #888;padding:.2em .5em;vertical-align:top}}\n\
         .date,.sender,.closing{{text-align:right}}\n\
         </style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let out = markdown_to_html("事案 <script>alert(1)</script> & \"x\"\n\n<div onclick=x>y</div>\n");
        assert!(!out.contains("<script>"), "{out}");
        assert!(!out.contains("<div"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains("&amp;"), "{out}");
    }

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(markdown_to_html("春日部市\n健康課\n"), "<p>春日部市<br />\n健康課</p>\n");
    }

    #[test]
    fn a_letter_sets_date_sender_and_closing_flush_right() {
        let page = letter_page(
            "お知らせ",
            Some("〒344-0001\n春日部市1-1\n\n山田 太郎 様\n"),
            "令和6年4月1日\n\n春日部市\n\n# お知らせ\n\n本文\n\n敬具\n",
        );
        let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing in {page}"));
        assert!(at("<div class=\"address\">") < at("山田 太郎 様"));
        assert!(at("<div class=\"date\">\n<p>令和6年4月1日</p>") < at("<div class=\"sender\">\n<p>春日部市</p>"));
        assert!(at("<div class=\"sender\">") < at("<h1>お知らせ</h1>"));
        assert!(at("<p class=\"closing\">敬具</p>") > at("<p>本文</p>"));
        assert!(page.contains(".date,.sender,.closing{text-align:right}"));
    }

    #[test]
    fn the_title_is_escaped() {
        assert!(html_page("<b>", "x").contains("<title>&lt;b&gt;</title>"));
    }
}
