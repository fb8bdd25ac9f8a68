use crate::read_csv;
use std::path::{Path, PathBuf};
use todoke_people::{ColumnMapping, Input, NoProgress, OutputEncoding, PlanConfig, PlanOptions, Summary};

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

fn opts(inputs: Vec<Input>, excludes: Vec<Input>, out: &Path) -> PlanOptions {
    PlanOptions {
        inputs,
        excludes,
        mapping: ColumnMapping::default(),
        config: PlanConfig::default(),
        encoding: OutputEncoding::Utf8Bom,
        out: out.to_path_buf(),
    }
}

fn open(p: &Path) -> Input {
    Input::open(p).unwrap()
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// The contract's identities hold for a summary.
fn identities(s: &Summary) {
    assert_eq!(s.duplicates_merged, s.rows_read - s.rows_rejected - s.persons);
    assert_eq!(s.to_notify, s.persons - s.excluded);
    for p in s.parties.values() {
        let c = p.channels;
        assert_eq!(c.post + c.email + c.bulletin + c.substitute, p.to_notify);
        assert_eq!(p.to_notify, p.persons - p.excluded);
    }
}

#[test]
fn the_identity_rule_is_transitive_and_keeps_the_most_complete_contact_data() {
    let dir = tempfile::tempdir().unwrap();
    // A~B by kana, B~C by kanji: one person. D is the same name under another party.
    let a = write(
        dir.path(),
        "kasukabe.csv",
        "\u{feff}委託元,氏名,フリガナ,生年月日,郵便番号,住所,メールアドレス\r\n\
         春日部市,髙橋 花子,タカハシ ハナコ,昭和45年3月1日,,,\r\n\
         春日部市,高橋華子,ﾀｶﾊｼ ﾊﾅｺ,S45.3.1,〒344-0067,埼玉県春日部市中央1-2-3,\r\n\
         春日部市,高橋　華子,,1970/3/1,,,hanako@example.jp\r\n\
         越谷市,高橋花子,たかはし はなこ,19700301,3430001,埼玉県越谷市越ヶ谷1-1-1,\r\n\
         春日部市,山田太郎,ヤマダタロウ,１９８５－１２－２４,,,\r\n",
    );
    let out = dir.path().join("plan");
    let outcome = todoke_people::plan(opts(vec![open(&a)], vec![], &out), &NoProgress).unwrap();
    let s = &outcome.summary;
    identities(s);
    assert_eq!((s.rows_read, s.rows_rejected, s.persons, s.duplicates_merged), (5, 0, 3, 2));
    assert_eq!(outcome.in_several_parties, 2);
    let kasukabe = &s.parties["春日部市"];
    assert_eq!((kasukabe.channels.email, kasukabe.channels.substitute), (1, 1));
    assert_eq!(kasukabe.cost_yen, 50);
    assert_eq!(s.parties["越谷市"].channels.post, 1);
    assert_eq!(s.parties["越谷市"].cost_yen, 150);

    let email = read_csv(&out.join("春日部市/email.csv"));
    assert_eq!(email[0][..4], ["委託元", "氏名", "フリガナ", "生年月日"]);
    let row = &email[1];
    assert_eq!(row[1], "髙橋 花子", "the first row's name, as written");
    assert_eq!(row[3], "1970-03-01");
    assert_eq!(row[5], "344-0067", "the postal code from the second row");
    assert_eq!(row[8], "hanako@example.jp", "the e-mail from the third row");
    assert_eq!(row[11], "越谷市", "listed by another party too");
    let lines: Vec<&str> = row[12].split(';').map(|s| s.rsplit(':').next().unwrap()).collect();
    assert_eq!(lines, ["2", "3", "4"]);
    assert_eq!(summary(&out)["parties"]["春日部市"]["channels"]["email"], 1);
}

#[test]
fn summary_json_has_exactly_the_contract_keys() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", "party,name,birth_date\n春日部市,山田太郎,1970-01-01\n");
    let out = dir.path().join("plan");
    todoke_people::plan(opts(vec![open(&a)], vec![], &out), &NoProgress).unwrap();
    let v = summary(&out);
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>().join(",");
    assert_eq!(keys(&v), "duplicates_merged,excluded,parties,persons,rows_read,rows_rejected,to_notify");
    assert_eq!(keys(&v["parties"]["春日部市"]), "channels,cost_yen,excluded,persons,to_notify");
    assert_eq!(keys(&v["parties"]["春日部市"]["channels"]), "bulletin,email,post,substitute");
}

#[test]
fn shift_jis_english_headers_quotes_and_stray_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "sjis.csv",
        sjis(
            "party , Name,name_kana,birth_date,postal_code,address,email\r\n\"草加市\",\"佐藤, 一郎\",サトウ イチロウ, S25.1.2 ,340-0001,\"埼玉県草加市高砂1-2-3\",\r\n",
        ),
    );
    let out = dir.path().join("plan");
    let outcome = todoke_people::plan(opts(vec![open(&a)], vec![], &out), &NoProgress).unwrap();
    assert_eq!(outcome.summary.persons, 1);
    let post = read_csv(&out.join("草加市/post.csv"));
    assert_eq!(post[1][1], "佐藤, 一郎");
    assert_eq!(post[1][3], "1950-01-02");
}

#[test]
fn unusable_rows_go_to_rejected_csv_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        "氏名,生年月日\n山田太郎,1970-01-01\n,1970-01-02\n佐藤花子,不明\n鈴木一郎,\n\n田中次郎,H2.2.30\n",
    );
    let out = dir.path().join("plan");
    let mut o = opts(vec![open(&a).with_party(Some("春日部市"))], vec![], &out);
    o.encoding = OutputEncoding::ShiftJis;
    let outcome = todoke_people::plan(o, &NoProgress).unwrap();
    assert_eq!((outcome.summary.rows_read, outcome.summary.rows_rejected), (5, 4));
    let bytes = std::fs::read(out.join("rejected.csv")).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "file,line,reason");
    assert!(lines[1].ends_with(",3,氏名がありません (no name)"), "{}", lines[1]);
    assert!(lines[2].contains(",4,生年月日を読めません"), "{}", lines[2]);
    assert!(lines[3].contains(",5,生年月日がありません"), "{}", lines[3]);
    assert!(lines[4].contains(",7,生年月日を読めません"), "the blank line counts: {}", lines[4]);
    assert!(lines[1].starts_with(&a.display().to_string()));
}

#[test]
fn exclusions_without_a_party_match_every_party_and_with_one_only_that_party() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        "委託元,氏名,フリガナ,生年月日,区分\n春日部市,山田太郎,ヤマダタロウ,1970-01-01,\n越谷市,山田 太郎,,1970-01-01,\n\
         春日部市,佐藤花子,サトウハナコ,1980-05-05,職員\n越谷市,佐藤花子,サトウハナコ,1980-05-05,\n",
    );
    let deceased = write(dir.path(), "deceased.csv", "カナ,生年月日\nやまだ たろう,S45.1.1\n");
    let notified = write(dir.path(), "notified.csv", "委託元,氏名,生年月日\n越谷市,佐藤 花子,昭和55年5月5日\n");
    let out = dir.path().join("plan");
    let mut o = opts(vec![open(&a)], vec![open(&deceased), open(&notified)], &out);
    o.config = PlanConfig::parse("PLAN.toml", "[parties.\"春日部市\"]\nchannels = [\"bulletin\", \"post\"]\n").unwrap();
    let s = todoke_people::plan(o, &NoProgress).unwrap().summary;
    identities(&s);
    // 山田 is in both parties by kanji; the deceased list names him by kana only, and the kana
    // row of 越谷市 has none: only 春日部市's 山田 matches the kana.
    assert_eq!(s.parties["春日部市"].excluded, 1);
    assert_eq!(s.parties["越谷市"].excluded, 1, "佐藤 by the party's own list");
    assert_eq!(s.parties["越谷市"].to_notify, 1);
    assert_eq!(s.parties["春日部市"].channels.bulletin, 1, "佐藤 is 職員");
    assert_eq!(s.parties["春日部市"].cost_yen, 50);
    assert_eq!(s.excluded, 2);
    let excluded = read_csv(&out.join("excluded.csv"));
    assert_eq!(excluded.len(), 3);
}

#[test]
fn a_mapping_file_names_other_headers() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", "市町村,お名前,誕生日(和暦)\n春日部市,山田太郎,昭和45年3月1日\n");
    let out = dir.path().join("plan");
    let mut o = opts(vec![open(&a)], vec![], &out);
    assert!(todoke_people::plan(o, &NoProgress).unwrap_err().to_string().contains("氏名/name"));
    o = opts(vec![open(&a)], vec![], &out);
    o.mapping = ColumnMapping::parse(
        "map.toml",
        "\"市町村\" = \"party\"\n\"お名前\" = \"氏名\"\n\"誕生日(和暦)\" = \"birth_date\"\n",
    )
    .unwrap();
    assert_eq!(todoke_people::plan(o, &NoProgress).unwrap().summary.persons, 1);
}

#[test]
fn a_failed_run_writes_nothing_and_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.csv", "委託元,氏名,生年月日\n春日部市,山田太郎,1970-01-01\n");
    let no_party = write(dir.path(), "noparty.csv", "氏名,生年月日\n山田太郎,1970-01-01\n");
    let out = dir.path().join("plan");
    let err = todoke_people::plan(opts(vec![open(&good), open(&no_party)], vec![], &out), &NoProgress).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("noparty.csv") && msg.contains("line 1") && msg.contains("--party"), "{msg}");
    assert!(!out.exists(), "nothing written");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary folder left");

    // An earlier plan stays as it was when a new run fails, and is replaced when one succeeds.
    todoke_people::plan(opts(vec![open(&good)], vec![], &out), &NoProgress).unwrap();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    assert!(todoke_people::plan(opts(vec![open(&no_party)], vec![], &out), &NoProgress).is_err());
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
}

/// A one-sheet workbook with inline strings, as spreadsheet programs write them.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    use std::io::Write as _;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            sheet.push_str(&format!(r#"<c r="{col}{}" t="inlineStr"><is><t>{cell}</t></is></c>"#, r + 1));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
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
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn xlsx_lists_are_read_with_their_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let book = write(
        dir.path(),
        "list.xlsx",
        xlsx(&[
            &["受診者番号", "氏名", "カナ", "生年月日", "郵便番号", "住所"],
            &["001", "髙橋 花子", "タカハシハナコ", "昭和45年3月1日", "344-0067", "埼玉県春日部市中央1-2-3"],
            &["002", "高橋花子", "", "1970/3/1", "", ""],
            &["003", "", "", "不明", "", ""],
        ]),
    );
    let out = dir.path().join("plan");
    let s = todoke_people::plan(opts(vec![open(&book).with_party(Some("春日部市"))], vec![], &out), &NoProgress)
        .unwrap()
        .summary;
    assert_eq!((s.rows_read, s.rows_rejected, s.persons, s.duplicates_merged), (3, 1, 1, 1));
    let post = read_csv(&out.join("春日部市/post.csv"));
    assert!(post[1][12].ends_with("list.xlsx:2;") || post[1][12].contains("list.xlsx:2"), "{:?}", post[1]);
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rejected.contains("list.xlsx,4,"), "{rejected}");
}

#[test]
fn records_for_an_import_keep_what_was_written_and_normalize_contact_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        sjis(
            "氏名,フリガナ,生年月日,郵便番号,電話番号,メールアドレス\n髙橋 花子,タカハシ ハナコ,Ｓ４５．３．１,〒３４４－００６７,048-736-1111,ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ\n,,\n",
        ),
    );
    let (records, rejected) = todoke_people::read_records(
        vec![open(&a).with_party(Some("春日部市"))],
        &ColumnMapping::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(rejected.len(), 0, "an empty row is no row");
    let r = &records[0];
    assert_eq!((r.name.as_str(), r.party.as_str(), r.line), ("髙橋 花子", "春日部市", 2));
    assert_eq!(r.birth_date, jiff::civil::date(1970, 3, 1));
    assert_eq!(r.postal_code.as_deref(), Some("344-0067"));
    assert_eq!(r.phone.as_deref(), Some("0487361111"));
    assert_eq!(r.email.as_deref(), Some("hanako@example.jp"));
    assert!(!format!("{r:?}").contains("花子"), "Debug shows no personal data");
}

/// The rejected.csv of a plan, as text.
fn rejected_text(out: &Path) -> String {
    std::fs::read_to_string(out.join("rejected.csv")).unwrap()
}

#[test]
fn invalid_utf8_bytes_reject_their_row_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Text that is not UTF-8 past the part that decides the encoding.
    let mut bytes = b"party,name,birth_date,note\n".to_vec();
    let mut rows = 0;
    while bytes.len() < (1 << 20) + 100 {
        rows += 1;
        bytes.extend_from_slice(format!("春日部市,山田{rows},1970-01-01,\n").as_bytes());
    }
    let line = rows + 2;
    bytes.extend_from_slice(b"x,\xff\xfe,1970-01-01,\n");
    bytes.extend_from_slice("春日部市,佐藤花子,1980-01-01,".as_bytes());
    bytes.extend_from_slice(b"\xe3\x81\n");
    bytes.extend_from_slice("春日部市,鈴木一郎,1990-01-01,\n".as_bytes());
    let bad = write(dir.path(), "bad.csv", bytes);
    let out = dir.path().join("plan");
    let s = todoke_people::plan(opts(vec![open(&bad)], vec![], &out), &NoProgress).unwrap().summary;
    assert_eq!((s.rows_read, s.rows_rejected, s.persons), (rows + 3, 2, rows + 1));
    let text = rejected_text(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].ends_with(&format!(
            "bad.csv,{line},2列目(氏名)にUTF-8として不正なバイトがあります (invalid UTF-8 bytes in column 2 (name))"
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(&format!(",{},4列目に", line + 1)) && lines[2].contains("invalid UTF-8 bytes in column 4)"),
        "{}",
        lines[2]
    );
    assert!(!std::fs::read_to_string(out.join("春日部市/substitute.csv")).unwrap().contains('\u{fffd}'));
}

#[test]
fn invalid_shift_jis_bytes_reject_their_row_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = sjis("委託元,氏名,フリガナ,生年月日\r\n春日部市,山田太郎,ヤマダタロウ,S45.1.1\r\n");
    // 0x81 0x20: a lead byte without its trail byte; 0xA0 is no Shift_JIS byte at all.
    bytes.extend_from_slice(&sjis("春日部市,佐藤花子,"));
    bytes.extend_from_slice(b"\x81 \xa0");
    bytes.extend_from_slice(&sjis(",S50.1.1\r\n春日部市,\"鈴木\r\n一郎\",スズキイチロウ,H2.2.2\r\n春日部市,高橋"));
    bytes.extend_from_slice(b"\x82");
    bytes.extend_from_slice(&sjis(",,H3.3.3\r\n"));
    let path = write(dir.path(), "sjis.csv", bytes);
    let out = dir.path().join("plan");
    let s = todoke_people::plan(opts(vec![open(&path)], vec![], &out), &NoProgress).unwrap().summary;
    assert_eq!((s.rows_read, s.rows_rejected, s.persons), (4, 2, 2));
    let text = rejected_text(&out);
    assert!(text.contains(",3,3列目(フリガナ)にShift_JISとして不正なバイトがあります (invalid Shift_JIS bytes in column 3 (name_kana))"), "{text}");
    assert!(text.contains(",6,2列目(氏名)にShift_JIS"), "the quoted line break counts: {text}");
    let post = read_csv(&out.join("春日部市/substitute.csv"));
    assert!(post.iter().any(|r| r[1] == "鈴木\r\n一郎"), "{post:?}");
}

/// A workbook whose birth dates are serial numbers, as date cells hold them.
fn xlsx_dates(serials: &[&str], date1904: bool, styled: bool) -> Vec<u8> {
    use std::io::Write as _;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c><c r="B1" t="inlineStr"><is><t>生年月日</t></is></c><c r="C1" t="inlineStr"><is><t>ID</t></is></c></row>"#,
    );
    for (i, serial) in serials.iter().enumerate() {
        let r = i + 2;
        let style = if styled { r#" s="1""# } else { "" };
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>人{r}</t></is></c><c r="B{r}"{style}><v>{serial}</v></c><c r="C{r}"><v>{serial}</v></c></row>"#
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    let pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "" };
    let mut files = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets><sheet name="名簿" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    // Style 1 is the built-in date format 14 (m/d/yyyy): what a date cell carries.
    files.push((
        "xl/styles.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string(),
    ));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The birth dates a plan wrote for a workbook, by ID, and the lines it rejected.
fn xlsx_birth_dates(book: Vec<u8>) -> (Vec<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "dates.xlsx", book);
    let out = dir.path().join("plan");
    todoke_people::plan(opts(vec![open(&path).with_party(Some("春日部市"))], vec![], &out), &NoProgress).unwrap();
    let mut dates: Vec<(String, String)> = read_csv(&out.join("春日部市/substitute.csv"))
        .into_iter()
        .skip(1)
        .map(|r| (r[9].clone(), r[3].clone()))
        .collect();
    dates.sort();
    (dates, rejected_text(&out))
}

#[test]
fn xlsx_serial_dates_in_the_1900_system_with_its_leap_day_that_never_was() {
    // 25628 is 1970-03-01; 59 is 1900-02-28, 61 is 1900-03-01, and 60 is Excel's 1900-02-29.
    for styled in [true, false] {
        let (dates, rejected) =
            xlsx_birth_dates(xlsx_dates(&["25628", "25628.75", "59", "61", "1", "60"], false, styled));
        let want = [
            ("1", "1900-01-01"),
            ("25628", "1970-03-01"),
            ("25628.75", "1970-03-01"),
            ("59", "1900-02-28"),
            ("61", "1900-03-01"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(dates, want, "styled: {styled}");
        assert!(rejected.contains("dates.xlsx,7,生年月日を読めません"), "{rejected}");
    }
}

#[test]
fn xlsx_serial_dates_in_the_1904_system() {
    // In the 1904 system 24166 is 1970-03-01 and 0 is 1904-01-01.
    for styled in [true, false] {
        let (dates, rejected) = xlsx_birth_dates(xlsx_dates(&["24166", "0"], true, styled));
        let want = [("0", "1904-01-01"), ("24166", "1970-03-01")];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(dates, want, "styled: {styled}");
        assert_eq!(rejected.lines().count(), 1, "{rejected}");
    }
}

#[test]
fn xlsx_eight_digit_numbers_are_yyyymmdd() {
    let (dates, _) = xlsx_birth_dates(xlsx_dates(&["19700301"], false, false));
    assert_eq!(dates, [("19700301".to_string(), "1970-03-01".to_string())]);
}

/// Lists larger than the reader's chunks (4 MiB), with and without quoted line breaks: every
/// record is read once, on its line.
#[test]
fn large_lists_are_cut_into_chunks_at_record_ends() {
    let dir = tempfile::tempdir().unwrap();
    for quoted in [false, true] {
        let mut text = String::from("委託元,氏名,生年月日,住所\r\n");
        let mut line = 2;
        let mut rows = 0u64;
        let mut bad_lines = Vec::new();
        while text.len() < 9 << 20 {
            rows += 1;
            if rows.is_multiple_of(1000) {
                bad_lines.push(line);
                text.push_str("春日部市,,1970-01-01,\r\n");
            } else if quoted && rows.is_multiple_of(7) {
                text.push_str(&format!("春日部市,\"山田 {rows}\",1970-01-01,\"埼玉県\r\n春日部市, \"\"中央\"\"\"\r\n"));
                line += 1;
            } else {
                text.push_str(&format!("春日部市,山田 {rows},1970-01-01,埼玉県春日部市中央\r\n"));
            }
            line += 1;
        }
        let path = write(dir.path(), &format!("big-{quoted}.csv"), &text);
        let out = dir.path().join(format!("plan-{quoted}"));
        let s = todoke_people::plan(opts(vec![open(&path)], vec![], &out), &NoProgress).unwrap().summary;
        assert_eq!((s.rows_read, s.rows_rejected), (rows, bad_lines.len() as u64), "quoted: {quoted}");
        let rejected: Vec<u64> =
            rejected_text(&out).lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
        assert_eq!(rejected, bad_lines, "quoted: {quoted}");
        let written = read_csv(&out.join("春日部市/substitute.csv"));
        assert_eq!(written.len() as u64, rows - bad_lines.len() as u64 + 1);
        if quoted {
            let row = written.iter().find(|r| r[1] == "山田 7").unwrap();
            assert_eq!(row[6], "埼玉県\r\n春日部市, \"中央\"");
            assert!(row[12].ends_with(":8"), "{}", row[12]);
        }
    }
}

/// A row longer than 64 KiB takes the spool's wide form.
#[test]
fn very_long_fields_are_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let address = "埼".repeat(30_000);
    let a = write(
        dir.path(),
        "long.csv",
        format!(
            "委託元,氏名,生年月日,郵便番号,住所\n春日部市,山田太郎,1970-01-01,344-0067,{address}\n春日部市,佐藤花子,1970-01-02,344-0067,埼玉県春日部市\n"
        ),
    );
    let out = dir.path().join("plan");
    todoke_people::plan(opts(vec![open(&a)], vec![], &out), &NoProgress).unwrap();
    let post = read_csv(&out.join("春日部市/post.csv"));
    assert_eq!(post.len(), 3);
    assert_eq!(post[1][6], address);
    assert_eq!(post[2][6], "埼玉県春日部市");
}

/// Progress as the CLI's bar sees it: the read phase counts bytes up to the lists' size, the
/// write phase rows up to its total, and each phase only moves forward.
#[test]
fn progress_reports_each_phase_forward_to_its_total() {
    use std::sync::Mutex;
    /// A phase: its name, its total, and each (done, rows) reported.
    type Phase = (String, Option<u64>, Vec<(u64, u64)>);
    #[derive(Default)]
    struct Record(Mutex<Vec<Phase>>);
    impl todoke_people::Progress for Record {
        fn phase(&self, name: &str, total: Option<u64>) {
            self.0.lock().unwrap().push((name.to_string(), total, Vec::new()));
        }
        fn advance(&self, done: u64, rows: u64) {
            self.0.lock().unwrap().last_mut().unwrap().2.push((done, rows));
        }
        fn finish(&self) {
            self.0.lock().unwrap().push(("finish".into(), None, Vec::new()));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("委託元,氏名,生年月日\n");
    for i in 0..300_000 {
        text.push_str(&format!("春日部市,山田{i},1970-01-01\n"));
    }
    let a = write(dir.path(), "a.csv", &text);
    let out = dir.path().join("plan");
    let record = Record::default();
    todoke_people::plan(opts(vec![open(&a)], vec![], &out), &record).unwrap();
    let phases = record.0.into_inner().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(names, ["read", "match", "write", "finish"]);
    let (_, total, read) = &phases[0];
    assert_eq!(*total, Some(text.len() as u64));
    assert!(read.len() > 1, "several steps: {read:?}");
    assert!(read.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{read:?}");
    assert_eq!(read.last().unwrap(), &(text.len() as u64, 300_000));
    let (_, total, write) = &phases[2];
    assert_eq!(*total, Some(300_000));
    assert!(write.windows(2).all(|w| w[0].0 <= w[1].0), "{write:?}");
    assert_eq!(write.last().unwrap().0, 300_000);
}
