//! From the bytes of a file to the text the reader reads: the encoding detected (a UTF-8 BOM or
//! valid UTF-8, else Shift_JIS as browsers decode it, which is CP932), HTML turned into plain text
//! with one line per block, and width folded.

use encoding_rs::{SHIFT_JIS, UTF_8};

/// Decodes a notice's bytes: UTF-8 (with or without BOM) when they are valid UTF-8, Shift_JIS
/// (CP932) otherwise. UTF-16 with a BOM is honoured too.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let declared = declared_charset(bytes);
            let encoding = declared.unwrap_or(SHIFT_JIS);
            let encoding = if encoding == UTF_8 { SHIFT_JIS } else { encoding };
            let (text, _, _) = encoding.decode(bytes);
            text.into_owned()
        }
    }
}

/// `<meta charset=...>` or `charset=` in the first kilobytes of an HTML file.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes.get(..bytes.len().min(4096))?;
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let name: String = head
        .get(at..)?
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    encoding_rs::Encoding::for_label(name.as_bytes())
}

/// Whether the text looks like HTML rather than plain text.
pub fn looks_like_html(text: &str) -> bool {
    let head = text.get(..text.len().min(2048)).unwrap_or(text);
    let head = head.trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<p>")
        || head.contains("<div")
        || head.contains("<br")
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "title",
    "main",
    "nav",
];

/// Plain text of an HTML document: tags dropped (block tags end a line, cells are separated by a
/// space), `script` and `style` dropped whole, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, rest.get(..lt).unwrap_or_default());
        let after = rest.get(lt + 1..).unwrap_or_default();
        if after.starts_with("!--") {
            rest = after.find("-->").and_then(|i| after.get(i + 3..)).unwrap_or_default();
            continue;
        }
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after.get(..gt).unwrap_or_default();
        rest = after.get(gt + 1..).unwrap_or_default();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = lower.find(&close).and_then(|i| rest.get(i..)).unwrap_or_default();
            continue;
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            if !out.ends_with('\n') {
                out.push('\n');
            }
        } else if (name == "td" || name == "th") && !out.ends_with(['\n', ' ']) {
            out.push(' ');
        }
    }
    push_text(&mut out, rest);
    out
}

fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_collapsed(out, rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let end = after.find(';').filter(|i| *i <= 10);
        let decoded = end.and_then(|i| entity(after.get(..i).unwrap_or_default()));
        match (end, decoded) {
            (Some(i), Some(c)) => {
                out.push(c);
                rest = after.get(i + 1..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    push_collapsed(out, rest);
}

/// Source line breaks inside HTML text are not lines of the document.
fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c == '\n' || c == '\r' || c == '\t' {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#39" => '\'',
        "nbsp" => ' ',
        "yen" => '¥',
        "copy" => '©',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse().ok()?
            };
            char::from_u32(code)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_and_utf8_decode_to_the_same_text() {
        let text = "個人情報の漏えいについて（お詫び）";
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis), text);
        assert_eq!(decode(text.as_bytes()), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), text);
    }

    #[test]
    fn html_becomes_lines_of_text() {
        let html = "<html><head><style>p{}</style><script>x()</script></head><body><h1>お詫び</h1>\n<p>令和6年&amp;\n1月</p><table><tr><td>氏名</td><td>住所</td></tr></table></body></html>";
        let text = html_to_text(html);
        assert!(looks_like_html(html));
        assert_eq!(
            text.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
            ["お詫び", "令和6年& 1月", "氏名 住所"]
        );
    }
}
