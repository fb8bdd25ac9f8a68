//! A workbook is checked before calamine opens it: calamine reserves room for as many shared
//! strings as `xl/sharedStrings.xml` declares (`uniqueCount`), so a few bytes declaring a hundred
//! billion strings aborted the process on a failed allocation (found by fuzzing) — one upload could
//! take the server down. Every string takes at least `<si/>` (5 bytes) of the part, so a count the
//! part's size cannot hold is a lie, refused here with a reason.

use std::io::{Read, Seek, SeekFrom};

/// The shortest a shared string can be written: `<si/>`.
const MIN_STRING_BYTES: u64 = 5;

/// How much of the part is read to find its header (the attributes come first).
const HEADER_BYTES: u64 = 4096;

/// Checks the declared shared-string counts against the part's size; leaves `reader` at its start.
/// A workbook that is no zip, or has no shared strings, passes: calamine says what is wrong with it.
pub(crate) fn check_shared_strings<R: Read + Seek>(reader: &mut R) -> Result<(), String> {
    let outcome = declared_counts(reader);
    reader.seek(SeekFrom::Start(0)).map_err(|e| format!("cannot read the workbook: {e}"))?;
    let Some((size, counts)) = outcome else { return Ok(()) };
    match counts.into_iter().find(|&n| n > size / MIN_STRING_BYTES) {
        Some(n) => Err(format!("xl/sharedStrings.xml declares {n} strings in {size} bytes; the workbook is damaged")),
        None => Ok(()),
    }
}

/// The part's uncompressed size and the `count` / `uniqueCount` its header declares.
fn declared_counts<R: Read + Seek>(reader: &mut R) -> Option<(u64, Vec<u64>)> {
    let mut archive = zip::ZipArchive::new(&mut *reader).ok()?;
    let part = archive.by_name("xl/sharedStrings.xml").ok()?;
    let size = part.size();
    let mut head = Vec::new();
    part.take(HEADER_BYTES).read_to_end(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head);
    let sst = head.find("<sst").and_then(|at| head.get(at..))?;
    let tag = sst.get(..sst.find('>')?)?;
    let counts = ["count", "uniqueCount"].iter().filter_map(|name| attribute(tag, name)).collect();
    Some((size, counts))
}

/// The numeric value of ` name="…"` in a start tag.
fn attribute(tag: &str, name: &str) -> Option<u64> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let value = tag.get(at..)?;
    value.get(..value.find('"')?)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::{Cursor, Write};

    fn workbook(sst: &str) -> Cursor<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(sst.as_bytes()).unwrap();
        let mut out = zip.finish().unwrap();
        out.set_position(7);
        out
    }

    #[test]
    fn honest_counts_pass_and_the_reader_is_rewound() {
        let mut book =
            workbook(r#"<sst xmlns="x" count="2" uniqueCount="2"><si><t>氏名</t></si><si><t>山田</t></si></sst>"#);
        assert_eq!(check_shared_strings(&mut book), Ok(()));
        assert_eq!(book.position(), 0);
    }

    #[test]
    fn a_count_the_part_cannot_hold_is_refused() {
        let mut book = workbook(r#"<sst xmlns="x" count="1" uniqueCount="100000000000"><si><t>a</t></si></sst>"#);
        let err = check_shared_strings(&mut book).unwrap_err();
        assert!(err.contains("100000000000") && err.contains("sharedStrings"), "{err}");
    }

    #[test]
    fn not_a_zip_is_left_to_the_reader() {
        assert_eq!(check_shared_strings(&mut Cursor::new(b"not a zip".to_vec())), Ok(()));
    }
}
