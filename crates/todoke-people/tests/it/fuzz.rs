//! Inputs found by fuzzing (`scripts/fuzz.sh`, targets `people_csv` and `people_xlsx`), each of
//! which once broke the readers. See: issue 9.

use std::io::Write as _;
use todoke_people::{ColumnMapping, Input, NoProgress, read_records};

/// A one-sheet workbook of the given `(cell, text)` pairs (inline strings).
fn workbook(cells: &[(&str, &str)]) -> Vec<u8> {
    workbook_with(cells, None)
}

/// The same, with a shared-strings part when given.
fn workbook_with(cells: &[(&str, &str)], shared_strings: Option<&str>) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (at, text) in cells {
        let row: String = at.chars().filter(char::is_ascii_digit).collect();
        sheet.push_str(&format!(r#"<row r="{row}"><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#));
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名簿" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let extra = shared_strings.map(|sst| ("xl/sharedStrings.xml", sst.to_string()));
    for (name, text) in parts.into_iter().chain(extra) {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A workbook of a few hundred bytes with a cell at XFD1048576 was read as one dense range from A1
/// to there: `memory allocation of 549755813888 bytes failed`, and the process aborted (a browser
/// upload took the server down). Found from the `people_xlsx` target's calamine overflow.
#[test]
fn a_workbook_with_a_far_cell_is_read_without_its_whole_box() {
    let book =
        workbook(&[("A1", "氏名"), ("B1", "生年月日"), ("A2", "髙橋 花子"), ("B2", "1970-03-01"), ("XFD1048576", "x")]);
    assert!(book.len() < 2_000);
    let input = Input::xlsx("far.xlsx", std::io::Cursor::new(book)).with_party(Some("春日部市"));
    let (records, rejected) = read_records(vec![input], &ColumnMapping::default(), &NoProgress).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].line, records[0].name.as_str()), (2, "髙橋 花子"));
    // The far row has text only outside the header's columns: a row without a name, as before.
    assert_eq!(rejected.iter().map(|r| r.line).collect::<Vec<_>>(), [1_048_576]);
}

/// A workbook whose shared-strings table declared a hundred billion strings made calamine reserve
/// room for all of them: `memory allocation of 2400000000000 bytes failed`, the process aborted.
/// Found by the `people_xlsx` target; now refused with a reason before calamine opens it.
#[test]
fn a_workbook_declaring_more_strings_than_it_holds_is_refused() {
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>氏名</t></si></sst>"#;
    let book = workbook_with(&[("A1", "氏名")], Some(sst));
    let input = Input::xlsx("lie.xlsx", std::io::Cursor::new(book)).with_party(Some("春日部市"));
    let err = read_records(vec![input], &ColumnMapping::default(), &NoProgress).unwrap_err().to_string();
    assert!(err.contains("lie.xlsx") && err.contains("100000000000"), "{err}");
}
