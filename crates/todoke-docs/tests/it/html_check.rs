//! A strict HTML check of our own: a doctype, balanced and properly nested elements from a known
//! set, quoted attributes, no raw `<` or `&` in text. Stricter than HTML5 needs, which is the point.

const VOID: &[&str] = &["br", "meta", "hr", "img", "input", "link"];
const KNOWN: &[&str] = &[
    "html",
    "head",
    "body",
    "main",
    "div",
    "title",
    "style",
    "meta",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "code",
    "pre",
    "hr",
    "a",
    "blockquote",
];

/// Returns the first problem found, if any.
pub fn check(html: &str) -> Result<(), String> {
    let rest = html.strip_prefix("<!DOCTYPE html>\n").ok_or("no doctype")?;
    let mut stack: Vec<String> = Vec::new();
    let mut chars = rest.char_indices().peekable();
    let mut raw_text_until: Option<String> = None;
    while let Some((i, c)) = chars.next() {
        if let Some(end) = &raw_text_until {
            if rest[i..].starts_with(end.as_str()) {
                raw_text_until = None;
            } else {
                continue;
            }
        }
        match c {
            '<' => {
                let close = rest[i..].find('>').ok_or_else(|| format!("unclosed tag at {i}"))? + i;
                let tag = &rest[i + 1..close];
                for _ in i + 1..=close {
                    chars.next();
                }
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or_else(|| format!("</{name}> with nothing open"))?;
                    if open != name {
                        return Err(format!("</{name}> closes <{open}>"));
                    }
                    continue;
                }
                let tag = tag.trim_end_matches('/').trim_end();
                let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
                if !KNOWN.contains(&name) {
                    return Err(format!("unknown element <{name}>"));
                }
                check_attrs(name, attrs)?;
                if name == "style" || name == "title" {
                    raw_text_until = Some(format!("</{name}>"));
                }
                if !VOID.contains(&name) {
                    stack.push(name.to_string());
                }
            }
            '>' => return Err(format!("raw > at {i}")),
            '&' => {
                let semi = rest[i..].find(';').ok_or("bare &")? + i;
                let entity = &rest[i + 1..semi];
                if !matches!(entity, "amp" | "lt" | "gt" | "quot" | "#39") {
                    return Err(format!("unexpected entity &{entity};"));
                }
            }
            _ => {}
        }
    }
    if stack.is_empty() { Ok(()) } else { Err(format!("unclosed: {stack:?}")) }
}

fn check_attrs(name: &str, attrs: &str) -> Result<(), String> {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| format!("<{name}>: attribute without value in `{attrs}`"))?;
        let key = &rest[..eq];
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("<{name}>: bad attribute name `{key}`"));
        }
        let value = rest[eq + 1..].strip_prefix('"').ok_or_else(|| format!("<{name}>: unquoted attribute {key}"))?;
        let end = value.find('"').ok_or_else(|| format!("<{name}>: unterminated attribute {key}"))?;
        if value[..end].contains('<') {
            return Err(format!("<{name}>: < in attribute {key}"));
        }
        rest = value[end + 1..].trim_start();
    }
    Ok(())
}

#[test]
fn the_checker_catches_what_it_should() {
    assert!(check("<!DOCTYPE html>\n<html lang=\"ja\"><body><p>a<br />b &amp; c</p></body></html>").is_ok());
    assert!(check("<!DOCTYPE html>\n<html><p>a</html>").is_err());
    assert!(check("<!DOCTYPE html>\n<html><script>x</script></html>").is_err());
    assert!(check("<!DOCTYPE html>\n<html><p>a & b</p></html>").is_err());
    assert!(check("<!DOCTYPE html>\n<html><p class=x>a</p></html>").is_err());
    assert!(check("<html></html>").is_err());
}
