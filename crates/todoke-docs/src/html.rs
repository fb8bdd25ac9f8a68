//! Markdown → HTML. Raw HTML in the Markdown (from a fact such as a title containing `<b>`) is shown
//! as text, never passed through: a document must not carry markup a case file smuggled in.

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
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>\nbody{{font-family:\"IPAexMincho\",\"IPAex明朝\",serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.7}}\n\
         table{{border-collapse:collapse}}th,td{{border:1px solid #888;padding:.2em .5em;vertical-align:top}}\n\
         </style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
        escape(title),
        markdown_to_html(markdown)
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
    fn the_title_is_escaped() {
        assert!(html_page("<b>", "x").contains("<title>&lt;b&gt;</title>"));
    }
}
