//! File uploads from HTML forms (`multipart/form-data`, RFC 7578): a small reader for the few
//! fields a form sends, over a body already limited in size. The file's bytes are kept as sent, so
//! that a Shift_JIS file reaches the decoder untouched.

use crate::error::WebError;
use axum::http::{HeaderMap, header};

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

fn boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim_matches('"').to_string())
}

fn field_name(head: &str) -> Option<String> {
    let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    disposition
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == "name")
        .map(|(_, v)| v.trim_matches('"').to_string())
}

/// The fields of a `multipart/form-data` body.
pub fn fields(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Field>, WebError> {
    let bad = || WebError::Invalid("expected a form with a file (multipart/form-data)".into());
    let delimiter = format!("--{}", boundary(headers).ok_or_else(bad)?).into_bytes();
    let mut out = Vec::new();
    let mut at = find(body, &delimiter, 0).ok_or_else(bad)? + delimiter.len();
    loop {
        // After a delimiter: `--` ends the body, CRLF starts a part.
        let rest = body.get(at..).ok_or_else(bad)?;
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(bad());
        }
        let start = at + 2;
        let head_end = find(body, b"\r\n\r\n", start).ok_or_else(bad)?;
        let head = String::from_utf8_lossy(body.get(start..head_end).ok_or_else(bad)?).into_owned();
        let data_start = head_end + 4;
        let mut close = b"\r\n".to_vec();
        close.extend_from_slice(&delimiter);
        let data_end = find(body, &close, data_start).ok_or_else(bad)?;
        if let Some(name) = field_name(&head) {
            out.push(Field { name, data: body.get(data_start..data_end).ok_or_else(bad)?.to_vec() });
        }
        at = data_end + close.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_keeps_bytes() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "multipart/form-data; boundary=----x1".parse().unwrap());
        let mut body = b"------x1\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n".to_vec();
        body.extend_from_slice(
            b"------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\nContent-Type: text/csv\r\n\r\n",
        );
        body.extend_from_slice(&[0x83, 0x65, b'\r', b'\n', b'a']);
        body.extend_from_slice(b"\r\n------x1--\r\n");
        let got = fields(&headers, &body).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].name.as_str(), got[0].data.as_slice()), ("csrf", b"tok".as_slice()));
        assert_eq!(got[1].data, vec![0x83, 0x65, b'\r', b'\n', b'a']);
        assert!(fields(&headers, b"garbage").is_err());
        assert!(fields(&HeaderMap::new(), &body).is_err());
    }
}
