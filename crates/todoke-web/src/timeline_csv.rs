//! Timeline events from CSV (header `at,kind,text,source,technique`; UTF-8 with or without BOM, or
//! Shift_JIS/CP932) and from a form: parsed and checked here, at the edge, into `TimelineEvent`s.
//! An import is all or nothing: every bad row is named with its line and reason, and none is kept.
//! The export (時系列表) writes the same columns, so an exported file imports again as it was.

use todoke_core::{AttackTechnique, OffsetTime, TimelineEvent, TimelineKind};

/// The most rows one import takes.
pub const MAX_ROWS: usize = 5_000;
/// The longest text of an event.
const MAX_TEXT: usize = 2_000;
/// The most problems reported at once.
const MAX_PROBLEMS: usize = 20;

/// A row that cannot be used: its line in the file and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line (1 is the header).
    pub line: u64,
    /// What was expected.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The text of the file: UTF-8 (a BOM is dropped), else Shift_JIS; anything else is refused.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err("the file is neither UTF-8 nor Shift_JIS".into());
    }
    Ok(text.into_owned())
}

/// The kind from its key (`attack`) or its Japanese name (攻撃).
pub fn kind(text: &str) -> Result<TimelineKind, String> {
    let text = text.trim();
    TimelineKind::from_key(text)
        .or_else(|| TimelineKind::ALL.iter().copied().find(|k| k.label_ja() == text))
        .ok_or_else(|| {
            let keys: Vec<&str> = TimelineKind::ALL.iter().map(|k| k.key()).collect();
            format!("kind: expected one of {}, found `{text}`", keys.join(", "))
        })
}

/// Checks the fields of one event.
pub fn event(at: &str, kind_text: &str, text: &str, source: &str, technique: &str) -> Result<TimelineEvent, String> {
    let at: OffsetTime = at.trim().parse().map_err(|e| format!("at: {e}"))?;
    let kind = kind(kind_text)?;
    let text = text.trim();
    if text.is_empty() {
        return Err("text: expected what happened, found nothing".into());
    }
    if text.chars().count() > MAX_TEXT {
        return Err(format!("text: expected at most {MAX_TEXT} characters"));
    }
    let source = Some(source.trim()).filter(|s| !s.is_empty()).map(str::to_string);
    if source.as_ref().is_some_and(|s| s.chars().count() > 500) {
        return Err("source: expected at most 500 characters".into());
    }
    let technique = match technique.trim() {
        "" => None,
        t => Some(AttackTechnique::try_from(t.to_string()).map_err(|e| format!("technique: {e}"))?),
    };
    Ok(TimelineEvent { at, kind, text: text.to_string(), source, technique })
}

const COLUMNS: [&str; 5] = ["at", "kind", "text", "source", "technique"];

/// Every event of a CSV file, or every problem found (up to a limit): never a part of the file.
pub fn parse(bytes: &[u8]) -> Result<Vec<TimelineEvent>, Vec<Problem>> {
    let one = |line, reason: String| vec![Problem { line, reason }];
    let text = decode(bytes).map_err(|reason| one(1, reason))?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| one(1, format!("header: {e}")))?.clone();
    let mut index = [None; 5];
    for (i, name) in header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) if index.get(c).is_some_and(Option::is_none) => {
                if let Some(slot) = index.get_mut(c) {
                    *slot = Some(i);
                }
            }
            Some(_) => return Err(one(1, format!("header: column `{name}` appears twice"))),
            None => {
                return Err(one(1, format!("header: unknown column `{name}`, expected {}", COLUMNS.join(","))));
            }
        }
    }
    if index.iter().take(3).any(Option::is_none) {
        return Err(one(
            1,
            format!("header: expected the columns {} (source and technique may be left out)", COLUMNS.join(",")),
        ));
    }
    let (mut events, mut problems) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let line = match &record {
            Ok(r) => r.position().map_or(0, |p| p.line()),
            Err(e) => e.position().map_or(0, |p| p.line()),
        };
        let outcome = record.map_err(|e| e.to_string()).and_then(|r| {
            if r.iter().all(str::is_empty) {
                return Ok(None);
            }
            if r.len() > header.len() {
                return Err(format!("expected {} fields, found {}", header.len(), r.len()));
            }
            let get = |c: usize| index.get(c).copied().flatten().and_then(|i| r.get(i)).unwrap_or("");
            event(get(0), get(1), get(2), get(3), get(4)).map(Some)
        });
        match outcome {
            Ok(Some(e)) => events.push(e),
            Ok(None) => {}
            Err(reason) => problems.push(Problem { line, reason }),
        }
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        if events.len() > MAX_ROWS {
            return Err(one(line, format!("expected at most {MAX_ROWS} rows in one import")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if events.is_empty() {
        return Err(one(2, "expected at least one event after the header".into()));
    }
    Ok(events)
}

/// The timeline as a CSV file (時系列表) in the columns the import reads, kinds in Japanese:
/// Shift_JIS for Excel, or UTF-8 with a BOM. A character Shift_JIS cannot hold is named, with the
/// UTF-8 file as the way out.
pub fn export(events: &[TimelineEvent], sjis: bool) -> Result<Vec<u8>, String> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| format!("timeline file: {e}");
    writer.write_record(["at", "kind", "text", "source", "technique"]).map_err(fail)?;
    for e in events {
        let at = e.at.to_string();
        let technique = e.technique.as_ref().map(|t| t.as_str()).unwrap_or_default();
        let row = [at.as_str(), e.kind.label_ja(), &e.text, e.source.as_deref().unwrap_or_default(), technique];
        writer.write_record(row).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| format!("timeline file: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("timeline file: {e}"))?;
    if !sjis {
        return Ok([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
    }
    let (encoded, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    if unmappable {
        let line = text.lines().position(|l| encoding_rs::SHIFT_JIS.encode(l).2).map_or(0, |n| n + 1);
        return Err(format!("encoding: Shift_JIS cannot hold a character on line {line}; take the UTF-8 file"));
    }
    Ok(encoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "at,kind,text,source,technique\n\
        2024-01-27T18:36:00+09:00,attack,RDPで侵入,ログ,T1021.001\n\
        2024-01-29 08:30:00+09:00,検知,\"画像が開けない, と連絡\",,\n";

    #[test]
    fn utf8_with_and_without_bom_and_shift_jis() {
        let plain = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(plain.len(), 2);
        assert_eq!(plain[0].technique.as_ref().unwrap().as_str(), "T1021.001");
        assert_eq!(plain[1].kind, TimelineKind::Detection);
        assert_eq!(plain[1].text, "画像が開けない, と連絡");
        assert_eq!(plain[1].source, None);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(GOOD.as_bytes());
        assert_eq!(parse(&bom).unwrap(), plain);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(GOOD);
        assert_eq!(parse(&sjis).unwrap(), plain);
    }

    #[test]
    fn bad_rows_are_named_and_nothing_is_kept() {
        let text = "at,kind,text\n2024-01-27T18:36:00+09:00,attack,ok\n2024-01-28 10:00,attack,no zone\n\
                    2024-01-28T10:00:00Z,party,bad kind\n2024-01-28T10:00:00Z,other,\n";
        let problems = parse(text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{problems:?}");
        assert!(problems[0].reason.starts_with("at: expected a date-time with a UTC offset"), "{}", problems[0]);
        assert!(problems[1].reason.contains("kind: expected one of attack"), "{}", problems[1]);
        assert!(problems[2].reason.contains("text"), "{}", problems[2]);
        let bad_technique = "at,kind,text,technique\n2024-01-27T18:36:00+09:00,attack,x,T99\n";
        assert!(parse(bad_technique.as_bytes()).unwrap_err()[0].reason.starts_with("technique:"));
    }

    #[test]
    fn the_header_is_checked() {
        assert_eq!(parse(b"when,kind,text\n").unwrap_err()[0].line, 1);
        assert!(parse(b"at,kind\n").unwrap_err()[0].reason.contains("expected the columns"));
        assert!(parse(b"at,kind,text\n").unwrap_err()[0].reason.contains("at least one event"));
        assert!(parse(&[0xFF, 0xFE, 0x00, 0x41]).unwrap_err()[0].reason.contains("neither UTF-8 nor Shift_JIS"));
        let extra = "at,kind,text\n2024-01-27T18:36:00+09:00,attack,x,y\n";
        assert_eq!(parse(extra.as_bytes()).unwrap_err()[0].line, 2);
    }

    #[test]
    fn an_exported_timeline_imports_again_as_it_was() {
        let events = parse(GOOD.as_bytes()).unwrap();
        for sjis in [true, false] {
            let file = export(&events, sjis).unwrap();
            assert_eq!(file.starts_with(b"\xEF\xBB\xBF"), !sjis);
            assert_eq!(parse(&file).unwrap(), events, "sjis: {sjis}");
        }
        let text = String::from_utf8(export(&events, false).unwrap()).unwrap();
        assert!(text.contains(",攻撃,RDPで侵入,ログ,T1021.001\r\n"), "{text}");
        assert!(text.contains(",\"画像が開けない, と連絡\",,\r\n"), "quoted: {text}");
        let mut odd = events.clone();
        odd[1].text = "𠮷野家の店舗で".into();
        let error = export(&odd, true).unwrap_err();
        assert!(error.contains("line 3") && error.contains("UTF-8"), "{error}");
        assert!(export(&odd, false).is_ok());
    }
}
