//! Reading lists: CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932 (detected), `.xlsx`, and
//! rows handed over in memory (stored people). Rows come out in batches, each row with its file and
//! line, and are normalized by [`normalize_row`].

use crate::error::{PeopleError, Result};
use crate::field::{ColumnMap, ColumnMapping, Field};
use crate::progress::Progress;
use jiff::civil::Date;
use std::cell::RefCell;
use std::hash::Hasher as _;
use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows per batch: large enough to spread over threads, small enough to keep memory flat.
pub(crate) const BATCH: usize = 8192;

/// How many leading bytes decide between UTF-8 and Shift_JIS.
const SNIFF: usize = 1 << 20;

enum Kind {
    Csv(Box<dyn Read + Send>),
    Xlsx(Box<dyn ReadSeek + Send>),
    Rows(Vec<[String; Field::ALL.len()]>),
}

/// `Read + Seek`, for workbooks (a zip is read from its end).
pub trait ReadSeek: Read + std::io::Seek {}
impl<T: Read + std::io::Seek> ReadSeek for T {}

/// One list to read.
pub struct Input {
    name: String,
    kind: Kind,
    party: Option<String>,
    size: Option<u64>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Input {
    /// Opens a file: `.xlsx` as a workbook (its first sheet), anything else as CSV.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| PeopleError::io(path, e))?;
        let size = file.metadata().ok().map(|m| m.len());
        let name = path.display().to_string();
        let is_xlsx =
            path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
        let kind = if is_xlsx { Kind::Xlsx(Box::new(BufReader::new(file))) } else { Kind::Csv(Box::new(file)) };
        Ok(Self { name, kind, party: None, size })
    }

    /// A CSV stream; `name` stands for it in errors and in `rejected.csv`.
    pub fn csv(name: &str, reader: impl Read + Send + 'static) -> Self {
        Self { name: name.into(), kind: Kind::Csv(Box::new(reader)), party: None, size: None }
    }

    /// A workbook stream.
    pub fn xlsx(name: &str, reader: impl Read + std::io::Seek + Send + 'static) -> Self {
        Self { name: name.into(), kind: Kind::Xlsx(Box::new(reader)), party: None, size: None }
    }

    /// Rows already in memory, each value given for a field (in the order of [`Field::ALL`]).
    pub fn rows(name: &str, rows: impl IntoIterator<Item = [String; Field::ALL.len()]>) -> Self {
        let rows = rows.into_iter().collect();
        Self { name: name.into(), size: None, kind: Kind::Rows(rows), party: None }
    }

    /// The party of rows that have no party column.
    pub fn with_party(mut self, party: Option<&str>) -> Self {
        self.party = party.map(str::to_string);
        self
    }

    /// The name used in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn size(&self) -> Option<u64> {
        self.size
    }
}

/// A batch of rows of one file, its fields packed in one buffer: a row costs no allocation.
pub(crate) struct Batch {
    pub file: u32,
    pub map: Arc<ColumnMap>,
    pub party: Option<Arc<str>>,
    data: Vec<u8>,
    /// The end of each field in `data`.
    ends: Vec<u32>,
    /// The first field of each row in `ends` (and one past the last row).
    starts: Vec<u32>,
    pub lines: Vec<u64>,
}

impl Batch {
    fn new(file: u32, map: Arc<ColumnMap>, party: Option<Arc<str>>) -> Self {
        Self {
            file,
            map,
            party,
            data: Vec::with_capacity(BATCH * 128),
            ends: Vec::with_capacity(BATCH * 12),
            starts: vec![0],
            lines: Vec::with_capacity(BATCH),
        }
    }

    fn push<'f>(&mut self, fields: impl IntoIterator<Item = &'f [u8]>, line: u64) {
        for f in fields {
            self.data.extend_from_slice(f);
            self.ends.push(self.data.len() as u32);
        }
        self.starts.push(self.ends.len() as u32);
        self.lines.push(line);
    }

    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the batch is about to outgrow 32-bit offsets or its row count.
    fn full(&self) -> bool {
        self.len() >= BATCH || self.data.len() > (u32::MAX / 2) as usize
    }

    /// The row's mapped fields, trimmed and checked to be UTF-8; on bad text, the 1-based column.
    pub(crate) fn view(&self, row: usize) -> std::result::Result<View<'_>, u64> {
        let (Some(&first), Some(&next)) = (self.starts.get(row), self.starts.get(row + 1)) else {
            return Ok(View::default());
        };
        let field_end = |i: u32| self.ends.get(i as usize).copied().unwrap_or(0) as usize;
        let field_start = |i: u32| if i == 0 { 0 } else { field_end(i - 1) };
        let (row_start, row_end) =
            (field_start(first), if next > first { field_end(next - 1) } else { field_start(first) });
        let bytes = self.data.get(row_start..row_end).unwrap_or_default();
        // One check for the whole row; then each field only needs to start and end on a character.
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let bad = row_start + e.valid_up_to();
                let col = (first..next).position(|i| field_end(i) > bad).unwrap_or(0);
                return Err(col as u64 + 1);
            }
        };
        let mut view = View::default();
        for f in Field::ALL {
            let Some(col) = self.map.get(f) else { continue };
            let i = first + col as u32;
            if i >= next {
                continue;
            }
            let field = text.get(field_start(i) - row_start..field_end(i) - row_start).ok_or(col as u64 + 1)?;
            if let Some(slot) = view.fields.get_mut(f as usize) {
                *slot = field.trim();
            }
        }
        Ok(view)
    }
}

/// Where the line ends are in a stream, kept only until the records before them are read.
#[derive(Default)]
struct NewlineLog {
    pending: std::collections::VecDeque<u64>,
    counted: u64,
    /// The offset of the last line end counted.
    last: Option<u64>,
}

impl NewlineLog {
    /// How many line ends lie before byte `end`.
    fn count_before(&mut self, end: u64) -> u64 {
        while let Some(&at) = self.pending.front() {
            if at >= end {
                break;
            }
            self.pending.pop_front();
            self.counted += 1;
            self.last = Some(at);
        }
        self.counted
    }
}

/// Logs the offset of every line end read through it.
struct Logged<R> {
    inner: R,
    log: Rc<RefCell<NewlineLog>>,
    offset: u64,
}

impl<R: Read> Read for Logged<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        for (i, b) in buf.get(..n).unwrap_or_default().iter().enumerate() {
            if *b == b'\n' {
                log.pending.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Counts the bytes read, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What a list must have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// People to notify: a party (column or default) is required.
    Notify,
    /// An exclusion list: a row without a party matches every party.
    Exclude,
}

/// Reads one input, handing each batch to `sink`.
pub(crate) fn read_batches(
    file: u32,
    input: Input,
    mapping: &ColumnMapping,
    purpose: Purpose,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Batch) -> Result<()>,
) -> Result<()> {
    let name = input.name;
    let party = input.party.map(Arc::from);
    let check = |map: &ColumnMap| check_columns(&name, map, party.is_some(), purpose);
    match input.kind {
        Kind::Rows(rows) => {
            let map = Arc::new(ColumnMap::canonical());
            let mut batch = Batch::new(file, map.clone(), party.clone());
            for (i, row) in rows.iter().enumerate() {
                batch.push(row.iter().map(String::as_bytes), i as u64 + 1);
                if batch.full() {
                    sink(std::mem::replace(&mut batch, Batch::new(file, map.clone(), party.clone())))?;
                }
            }
            if batch.len() > 0 {
                sink(batch)?;
            }
            Ok(())
        }
        Kind::Csv(reader) => {
            let counting = Counting { inner: reader, count: bytes.clone() };
            let mut buffered = BufReader::with_capacity(SNIFF, counting);
            let head = buffered.fill_buf().map_err(|e| PeopleError::io(&name, e))?;
            let decoded: Box<dyn Read + Send> = if is_utf8(head) {
                Box::new(buffered)
            } else {
                // WHATWG's Shift_JIS is Microsoft's CP932 (NEC and IBM extensions included), which is
                // what Japanese office software writes.
                Box::new(
                    encoding_rs_io::DecodeReaderBytesBuilder::new()
                        .encoding(Some(encoding_rs::SHIFT_JIS))
                        .build(buffered),
                )
            };
            let newlines = Rc::new(RefCell::new(NewlineLog::default()));
            let logged = Logged { inner: decoded, log: newlines.clone(), offset: 0 };
            let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(logged);
            let headers = reader.headers().map_err(|e| csv_error(&name, e, false))?.clone();
            let map = ColumnMap::from_headers(headers.iter(), mapping)
                .map_err(|(col, field)| duplicate(&name, col, field))?;
            check(&map)?;
            let map = Arc::new(map);
            let mut batch = Batch::new(file, map.clone(), party.clone());
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record).map_err(|e| csv_error(&name, e, true))? {
                // The line a record starts on, from the line ends before its end (the csv crate's own
                // count is one short after CRLF): minus its own terminator and quoted line breaks.
                let end = reader.position().byte();
                let (before_end, ends_with_newline) = {
                    let mut log = newlines.borrow_mut();
                    let n = log.count_before(end);
                    (n, log.last == Some(end.wrapping_sub(1)))
                };
                let inside = record.iter().map(|f| f.iter().filter(|b| **b == b'\n').count() as u64).sum::<u64>();
                let line = 1 + before_end - u64::from(ends_with_newline) - inside;
                if record.iter().all(|f| f.trim_ascii().is_empty()) {
                    continue;
                }
                batch.push(record.iter(), line);
                if batch.full() {
                    sink(std::mem::replace(&mut batch, Batch::new(file, map.clone(), party.clone())))?;
                }
            }
            if batch.len() > 0 {
                sink(batch)?;
            }
            Ok(())
        }
        Kind::Xlsx(reader) => {
            use calamine::Reader as _;
            let mut book = calamine::Xlsx::new(reader).map_err(|e| PeopleError::Input {
                file: name.clone(),
                line: 0,
                column: None,
                message: format!("not a readable .xlsx workbook: {e}"),
            })?;
            let range = match book.worksheet_range_at(0) {
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    return Err(PeopleError::Input {
                        file: name.clone(),
                        line: 0,
                        column: None,
                        message: format!("cannot read the first sheet: {e}"),
                    });
                }
                None => {
                    return Err(PeopleError::Input {
                        file: name.clone(),
                        line: 0,
                        column: None,
                        message: "the workbook has no sheet".into(),
                    });
                }
            };
            let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
            let mut rows_iter = range.rows().enumerate().map(|(i, r)| (first_row + i as u64, r));
            let Some((header_line, header)) = rows_iter.find(|(_, r)| r.iter().any(|c| !cell_text(c).is_empty()))
            else {
                return Ok(());
            };
            let headers: Vec<String> = header.iter().map(cell_text).collect();
            let map =
                ColumnMap::from_headers(headers.iter().map(String::as_str), mapping).map_err(|(col, field)| {
                    PeopleError::Input {
                        file: name.clone(),
                        line: header_line,
                        column: Some(col as u64 + 1),
                        message: format!("a second column for {} ({})", field.ja(), field.key()),
                    }
                })?;
            check(&map)?;
            let map = Arc::new(map);
            let mut batch = Batch::new(file, map.clone(), party.clone());
            for (line, cells) in rows_iter {
                let texts: Vec<String> = cells.iter().map(cell_text).collect();
                if texts.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                batch.push(texts.iter().map(String::as_bytes), line);
                if batch.full() {
                    sink(std::mem::replace(&mut batch, Batch::new(file, map.clone(), party.clone())))?;
                }
            }
            if batch.len() > 0 {
                sink(batch)?;
            }
            Ok(())
        }
    }
}

/// UTF-8 when the head is valid UTF-8 (a character cut at the end of the head is fine).
fn is_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()).map_or_else(|| dt.as_f64().to_string(), |d| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel's serial day (1900 system; 1900-02-29, which never was, is day 60).
fn excel_date(serial: f64) -> Option<Date> {
    let days = serial.floor() as i64;
    let base = jiff::civil::date(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(days)).ok()
}

/// The csv crate gives a record the count of line ends before it, which is one less than its line
/// for every record after the first; `data` says the error is in such a record.
fn csv_error(name: &str, e: csv::Error, data: bool) -> PeopleError {
    let line = e.position().map_or(0, |p| p.line() + u64::from(data));
    match e.into_kind() {
        csv::ErrorKind::Io(io) => PeopleError::io(name, io),
        csv::ErrorKind::Utf8 { err, .. } => PeopleError::Input {
            file: name.into(),
            line,
            column: Some(err.field() as u64 + 1),
            message: "not valid text in UTF-8 or Shift_JIS (is the file in another encoding?)".into(),
        },
        other => PeopleError::Input { file: name.into(), line, column: None, message: format!("{other:?}") },
    }
}

pub(crate) fn not_text(name: &str, line: u64, column: u64) -> PeopleError {
    PeopleError::Input {
        file: name.into(),
        line,
        column: Some(column),
        message: "not valid text in UTF-8 or Shift_JIS (is the file in another encoding?)".into(),
    }
}

fn duplicate(name: &str, column: usize, field: Field) -> PeopleError {
    PeopleError::Input {
        file: name.into(),
        line: 1,
        column: Some(column as u64 + 1),
        message: format!("a second column for {} ({})", field.ja(), field.key()),
    }
}

fn check_columns(name: &str, map: &ColumnMap, has_party: bool, purpose: Purpose) -> Result<()> {
    let missing = |what: &str| PeopleError::Input {
        file: name.into(),
        line: 1,
        column: None,
        message: format!("no {what} column in the header (a mapping file can name it)"),
    };
    if !map.has(Field::Name) && !map.has(Field::Kana) {
        return Err(missing("氏名/name or フリガナ/name_kana"));
    }
    if !map.has(Field::BirthDate) {
        return Err(missing("生年月日/birth_date"));
    }
    if purpose == Purpose::Notify && !map.has(Field::Party) && !has_party {
        return Err(PeopleError::Input {
            file: name.into(),
            line: 1,
            column: None,
            message: "no 委託元/party column: give the party with --party NAME".into(),
        });
    }
    Ok(())
}

/// Why a row cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Neither 氏名 nor フリガナ.
    NoName,
    /// No 生年月日.
    NoBirthDate,
    /// A 生年月日 that is no date.
    BadBirthDate,
    /// No 委託元 (and no `--party`).
    NoParty,
    /// A 委託元 other than the one being imported.
    OtherParty,
}

impl Reason {
    /// The reason as written in `rejected.csv`: Japanese, then English.
    pub fn text(self) -> &'static str {
        match self {
            Reason::NoName => "氏名がありません (no name)",
            Reason::NoBirthDate => "生年月日がありません (no birth date)",
            Reason::BadBirthDate => "生年月日を読めません (unreadable birth date)",
            Reason::NoParty => "委託元がありません (no party)",
            Reason::OtherParty => "別の委託元の行です (a row of another party)",
        }
    }
}

/// A row that cannot be used, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The input's name.
    pub file: String,
    /// Its line (for a workbook, its row).
    pub line: u64,
    /// Why.
    pub reason: Reason,
}

/// A row's fields (trimmed), borrowed from its batch.
#[derive(Default)]
pub(crate) struct View<'a> {
    fields: [&'a str; Field::ALL.len()],
}

impl<'a> View<'a> {
    pub(crate) fn get(&self, f: Field) -> &'a str {
        self.fields.get(f as usize).copied().unwrap_or("")
    }
}

/// A usable row, normalized.
pub(crate) struct Normalized<'a> {
    pub party: &'a str,
    pub birth: Date,
    /// Hashes of the normalized kanji and kana names with the birth date (the identity keys).
    pub name_key: Option<u64>,
    pub kana_key: Option<u64>,
    pub postal: Option<String>,
    pub address_ok: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub staff: bool,
}

/// The identity key of a normalized name with a birth date. Party is kept apart so that the same
/// key across parties shows a person listed by two consignors.
///
/// 64 bits of SipHash (keys live only in one run's memory, so the unspecified but fixed algorithm
/// of `DefaultHasher::new` is fine): two different names of one birth date collide with odds of
/// about 1 in 10^19 per pair, far below any mistake of the lists themselves.
fn identity_key(kind: u8, birth: Date, name: &str) -> Option<u64> {
    if name.is_empty() {
        return None;
    }
    let norm = todoke_ja::normalize_name(name);
    if norm.is_empty() {
        return None;
    }
    let mut h = std::hash::DefaultHasher::new();
    h.write_u8(kind);
    h.write_i16(birth.year());
    h.write_i8(birth.month());
    h.write_i8(birth.day());
    h.write(norm.as_bytes());
    Some(h.finish())
}

/// Normalizes a row, or says why it cannot be used.
pub(crate) fn normalize_row<'a>(
    view: &View<'a>,
    default_party: Option<&'a str>,
    purpose: Purpose,
) -> std::result::Result<Normalized<'a>, Reason> {
    let party = match view.get(Field::Party) {
        "" => default_party.unwrap_or(""),
        p => p,
    };
    if party.is_empty() && purpose == Purpose::Notify {
        return Err(Reason::NoParty);
    }
    let (name, kana) = (view.get(Field::Name), view.get(Field::Kana));
    let birth = match view.get(Field::BirthDate) {
        "" => return Err(Reason::NoBirthDate),
        text => todoke_ja::parse_date(text).ok_or(Reason::BadBirthDate)?,
    };
    let name_key = identity_key(b'n', birth, name);
    let kana_key = identity_key(b'k', birth, kana);
    if name_key.is_none() && kana_key.is_none() {
        return Err(Reason::NoName);
    }
    if purpose == Purpose::Exclude {
        return Ok(Normalized {
            party,
            birth,
            name_key,
            kana_key,
            postal: None,
            address_ok: false,
            phone: None,
            email: None,
            staff: false,
        });
    }
    let email = match view.get(Field::Email) {
        "" => None,
        t => crate::contact::normalize_email(t),
    };
    let postal = match view.get(Field::PostalCode) {
        "" => None,
        t => crate::contact::normalize_postal_code(t),
    };
    let phone = match view.get(Field::Phone) {
        "" => None,
        t => crate::contact::normalize_phone(t),
    };
    Ok(Normalized {
        party,
        birth,
        name_key,
        kana_key,
        postal,
        address_ok: crate::contact::usable_address(view.get(Field::Address)),
        phone,
        email,
        staff: is_staff(view.get(Field::Group)),
    })
}

fn is_staff(group: &str) -> bool {
    matches!(group, "職員" | "staff" | "employee")
}

/// A usable row of a list, with its contact data normalized where it could be.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The input's name.
    pub file: String,
    /// The line.
    pub line: u64,
    /// 委託元.
    pub party: String,
    /// 氏名, as written.
    pub name: String,
    /// フリガナ, as written.
    pub name_kana: Option<String>,
    /// 生年月日.
    pub birth_date: Date,
    /// 性別.
    pub sex: Option<String>,
    /// 郵便番号 (`NNN-NNNN` when valid, else as written).
    pub postal_code: Option<String>,
    /// 住所.
    pub address: Option<String>,
    /// 電話番号 (digits when valid, else as written).
    pub phone: Option<String>,
    /// メールアドレス (normalized when valid, else as written).
    pub email: Option<String>,
    /// ID.
    pub person_id: Option<String>,
    /// 区分.
    pub group: Option<String>,
}

/// Personal data stays out of logs: `Debug` shows where the row is, not what it says.
impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Record {{ file: {:?}, line: {}, .. }}", self.file, self.line)
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Reads lists whole (for a store import): the usable rows, and the rows that cannot be used.
pub fn read_records(
    inputs: Vec<Input>,
    mapping: &ColumnMapping,
    progress: &dyn Progress,
) -> Result<(Vec<Record>, Vec<Rejected>)> {
    let total = inputs.iter().map(Input::size).sum::<Option<u64>>();
    progress.phase("read", total);
    let bytes = Arc::new(AtomicU64::new(0));
    let mut records = Vec::new();
    let mut rejected = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let name = input.name.clone();
        read_batches(i as u32, input, mapping, Purpose::Notify, &bytes, &mut |batch| {
            for (row, line) in batch.lines.iter().enumerate() {
                let view = batch.view(row).map_err(|column| not_text(&name, *line, column))?;
                match normalize_row(&view, batch.party.as_deref(), Purpose::Notify) {
                    Err(reason) => rejected.push(Rejected { file: name.clone(), line: *line, reason }),
                    Ok(n) => {
                        let raw = |f| opt(view.get(f));
                        records.push(Record {
                            file: name.clone(),
                            line: *line,
                            party: n.party.to_string(),
                            name: view.get(Field::Name).to_string(),
                            name_kana: raw(Field::Kana),
                            birth_date: n.birth,
                            sex: raw(Field::Sex),
                            postal_code: n.postal.or_else(|| raw(Field::PostalCode)),
                            address: raw(Field::Address),
                            phone: n.phone.or_else(|| raw(Field::Phone)),
                            email: n.email.or_else(|| raw(Field::Email)),
                            person_id: raw(Field::PersonId),
                            group: raw(Field::Group),
                        });
                    }
                }
            }
            progress.advance(bytes.load(Ordering::Relaxed), (records.len() + rejected.len()) as u64);
            Ok(())
        })?;
    }
    progress.finish();
    Ok((records, rejected))
}
