//! Reading lists: CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932 (detected), `.xlsx`, and
//! rows handed over in memory (stored people). A CSV file is read in large chunks cut at record
//! ends and parsed by whoever takes the chunk (a worker thread); workbooks and rows in memory come
//! as batches. Each row comes with its file and line, and is normalized by [`normalize_row`].
//!
//! Bytes that are no text in the file's encoding are never replaced (no U+FFFD): their row is
//! rejected with the column named, and the rest of the file is read.

use crate::error::{PeopleError, Result};
use crate::field::{ColumnMap, ColumnMapping, Field};
use crate::progress::Progress;
use jiff::civil::Date;
use std::hash::Hasher as _;
use std::io::{BufReader, Read};
use std::path::Path;
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
    /// Rows with a field that is no text in the file's encoding: row and 0-based column.
    bad: Vec<(u32, u32)>,
    /// Whether the file is in Shift_JIS (for the reason of a bad row).
    sjis: bool,
    /// No field holds a comma, quote or line break (the CSV text had no quotes): fields need no
    /// quoting when written.
    pub plain: bool,
}

impl Batch {
    fn new(file: u32, map: Arc<ColumnMap>, party: Option<Arc<str>>) -> Self {
        Self::with_capacity(file, map, party, BATCH * 128)
    }

    fn with_capacity(file: u32, map: Arc<ColumnMap>, party: Option<Arc<str>>, bytes: usize) -> Self {
        let rows = (bytes / 64).clamp(16, BATCH * 2);
        Self {
            file,
            map,
            party,
            data: take_buf(bytes),
            ends: Vec::with_capacity(rows * 12),
            starts: vec![0],
            lines: Vec::with_capacity(rows),
            bad: Vec::new(),
            sjis: false,
            plain: false,
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

    /// Gives the batch's buffer back for reuse.
    pub(crate) fn recycle(self) {
        give_buf(self.data);
    }

    /// Whether the batch is about to outgrow 32-bit offsets or its row count.
    fn full(&self) -> bool {
        self.len() >= BATCH || self.data.len() > (u32::MAX / 2) as usize
    }

    /// The row's mapped fields, trimmed and checked to be text; when a field is not, the reason.
    pub(crate) fn view(&self, row: usize) -> std::result::Result<View<'_>, Reason> {
        let (Some(&first), Some(&next)) = (self.starts.get(row), self.starts.get(row + 1)) else {
            return Ok(View::default());
        };
        let invalid = |col: u32| Reason::InvalidText {
            column: col + 1,
            field: Field::ALL.into_iter().find(|f| self.map.get(*f) == Some(col as usize)),
            shift_jis: self.sjis,
        };
        if !self.bad.is_empty()
            && let Ok(i) = self.bad.binary_search_by_key(&(row as u32), |b| b.0)
        {
            return Err(invalid(self.bad.get(i).map_or(0, |b| b.1)));
        }
        let field_end = |i: u32| self.ends.get(i as usize).copied().unwrap_or(0) as usize;
        let field_start = |i: u32| if i == 0 { 0 } else { field_end(i - 1) };
        let (row_start, row_end) =
            (field_start(first), if next > first { field_end(next - 1) } else { field_start(first) });
        let bytes = self.data.get(row_start..row_end).unwrap_or_default();
        // One check for the whole row; then each field only needs to start and end on a character.
        let text = match simdutf8::basic::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let valid = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
                let bad = row_start + valid;
                let col = (first..next).position(|i| field_end(i) > bad).unwrap_or(0);
                return Err(invalid(col as u32));
            }
        };
        let mut view = View::default();
        for f in Field::ALL {
            let Some(col) = self.map.get(f) else { continue };
            let i = first + col as u32;
            if i >= next {
                continue;
            }
            let field = text.get(field_start(i) - row_start..field_end(i) - row_start).ok_or(invalid(col as u32))?;
            if let Some(slot) = view.fields.get_mut(f as usize) {
                *slot = trim(field);
            }
        }
        Ok(view)
    }
}

impl Batch {
    /// Every field of a row, untrimmed (a header); on bad text, the 0-based column.
    fn texts(&self, row: usize) -> std::result::Result<Vec<&str>, u64> {
        let (Some(&first), Some(&next)) = (self.starts.get(row), self.starts.get(row + 1)) else {
            return Ok(Vec::new());
        };
        let mut start = if first == 0 { 0 } else { self.ends.get(first as usize - 1).copied().unwrap_or(0) as usize };
        (first..next)
            .map(|i| {
                let end = self.ends.get(i as usize).copied().unwrap_or(0) as usize;
                let text = std::str::from_utf8(self.data.get(start..end).unwrap_or_default())
                    .map_err(|_| u64::from(i - first));
                start = end;
                text
            })
            .collect()
    }
}

/// `str::trim`, checking first whether there is anything to trim (most fields have nothing).
///
/// Whitespace is an ASCII space or control, or C2 85, C2 A0, E1 9A 80, E2 80 xx, E2 81 9F or
/// E3 80 80 (U+0085, U+00A0, U+1680, U+2000..U+205F, U+3000): a field whose first and last bytes
/// could start and end none of these has nothing to trim; any other is looked at more closely.
#[inline(always)]
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return s };
    // E3 starts every kana: only E3 80 may be whitespace.
    let may_start = matches!(first, 0..=0x20 | 0xC2 | 0xE1 | 0xE2) || (first == 0xE3 && b.get(1) == Some(&0x80));
    let may_end = matches!(last, 0..=0x20 | 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF);
    if may_start || may_end { trim_closely(s) } else { s }
}

/// [`trim`] of a field that may start or end with whitespace: the byte sequences of whitespace
/// are looked for at its ends.
#[inline(never)]
fn trim_closely(s: &str) -> &str {
    let starts = match s.as_bytes() {
        [c, ..] if *c <= b' ' => true,
        [0xC2, 0x85 | 0xA0, ..] | [0xE1, 0x9A, 0x80, ..] | [0xE2, 0x80 | 0x81, ..] | [0xE3, 0x80, 0x80, ..] => true,
        _ => false,
    };
    let ends = match s.as_bytes() {
        [.., c] if *c <= b' ' => true,
        [.., 0xC2, 0x85 | 0xA0] | [.., 0xE1, 0x9A, 0x80] | [.., 0xE2, 0x80 | 0x81, _] | [.., 0xE3, 0x80, 0x80] => true,
        _ => false,
    };
    if starts || ends { s.trim() } else { s }
}

/// A run of whole CSV records of one file, cut by the reader and parsed on a worker.
pub(crate) struct Chunk {
    file: u32,
    map: Arc<ColumnMap>,
    party: Option<Arc<str>>,
    data: Vec<u8>,
    /// The line the chunk starts on.
    first_line: u64,
    sjis: bool,
    /// The reader saw that the chunk has no `"` (when false, it may have some).
    no_quotes: bool,
}

impl Chunk {
    /// The party of rows without a party column.
    pub(crate) fn party(&self) -> Option<Arc<str>> {
        self.party.clone()
    }
}

/// What the reader hands on: rows ready, or CSV text still to parse.
pub(crate) enum Piece {
    Rows(Batch),
    Csv(Chunk),
}

impl Piece {
    /// The file the piece is from.
    pub(crate) fn file(&self) -> u32 {
        match self {
            Piece::Rows(b) => b.file,
            Piece::Csv(c) => c.file,
        }
    }

    /// About how many bytes of text the piece holds.
    pub(crate) fn size_hint(&self) -> usize {
        match self {
            Piece::Rows(b) => b.data.len(),
            Piece::Csv(c) => c.data.len(),
        }
    }

    /// The quickest way through the commonest piece — UTF-8 CSV without quotes, all of it valid:
    /// each row's view is cut straight from the text, with no batch in between. Calls `row` with
    /// each row's line and view; gives the piece back when it is not such a piece.
    pub(crate) fn plain_rows(self, row: &mut dyn FnMut(u64, &View<'_>)) -> Option<Piece> {
        let Piece::Csv(c) = self else { return Some(self) };
        if c.sjis || (!c.no_quotes && c.data.contains(&b'"')) {
            return Some(Piece::Csv(c));
        }
        {
            let Ok(text) = simdutf8::basic::from_utf8(&c.data) else { return Some(Piece::Csv(c)) };
            let mut fields: Vec<Option<Field>> = Vec::new();
            for f in Field::ALL {
                if let Some(col) = c.map.get(f) {
                    if fields.len() <= col {
                        fields.resize(col + 1, None);
                    }
                    if let Some(slot) = fields.get_mut(col) {
                        *slot = Some(f);
                    }
                }
            }
            let b = text.as_bytes();
            let mut separators = Separators::new(b);
            let mut line = c.first_line;
            let mut i = 0;
            while let Some(&first) = b.get(i) {
                if first == b'\n' || first == b'\r' {
                    line += u64::from(first == b'\n');
                    i += 1;
                    continue;
                }
                let mut view = View::default();
                let mut blank = true;
                let mut col = 0;
                loop {
                    let n = separators.next(i) - i;
                    let field = text.get(i..i + n).unwrap_or("");
                    blank = blank && field.as_bytes().trim_ascii().is_empty();
                    if let Some(Some(f)) = fields.get(col)
                        && let Some(slot) = view.fields.get_mut(*f as usize)
                    {
                        *slot = trim(field);
                    }
                    i += n;
                    col += 1;
                    if b.get(i) == Some(&b',') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if !blank {
                    row(line, &view);
                }
            }
        }
        give_buf(c.data);
        None
    }

    /// The rows (parsing the CSV of a chunk: this runs on the workers).
    pub(crate) fn into_batch(self) -> Batch {
        match self {
            Piece::Rows(b) => b,
            Piece::Csv(c) => parse_chunk(c),
        }
    }
}

/// Large byte buffers kept for reuse while lists are read: a fresh multi-megabyte buffer costs a
/// page fault for every 4 KiB, and chunks, batches and spool blocks come and go by the hundred.
static POOL: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
/// Buffers kept at most (a few per thread).
const POOLED: usize = 24;

/// An empty buffer with room for `cap` bytes, reused when one is free.
pub(crate) fn take_buf(cap: usize) -> Vec<u8> {
    let reused = POOL.lock().ok().and_then(|mut p| p.pop());
    let mut v = reused.unwrap_or_default();
    v.clear();
    v.reserve(cap);
    v
}

/// Gives a buffer back for reuse.
pub(crate) fn give_buf(v: Vec<u8>) {
    if v.capacity() >= 1 << 16
        && let Ok(mut p) = POOL.lock()
        && p.len() < POOLED
    {
        p.push(v);
    }
}

/// Frees the buffers kept (at the end of a run).
pub(crate) fn clear_pool() {
    if let Ok(mut p) = POOL.lock() {
        p.clear();
    }
}

/// Bytes read at a time from a CSV file and cut into chunks.
const CHUNK: usize = 1 << 22;

/// Parses the records of a chunk into a batch: RFC 4180 as the csv crate reads it (a quote opens a
/// quoted field only at its start, `""` inside is a quote, text after the closing quote is kept;
/// CR, LF or CRLF end a record; blank lines and rows of blank fields are skipped).
fn parse_chunk(c: Chunk) -> Batch {
    let batch = parse_records(&c);
    give_buf(c.data);
    batch
}

fn parse_records(c: &Chunk) -> Batch {
    let mut batch = Batch::with_capacity(
        c.file,
        c.map.clone(),
        c.party.clone(),
        c.data.len() + c.data.len() / 2 * usize::from(c.sjis),
    );
    batch.sjis = c.sjis;
    batch.plain = c.no_quotes || !c.data.contains(&b'"');
    let mut raw: Vec<u8> = Vec::new();
    let data = c.data.as_slice();
    let mut line = c.first_line;
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        if b == b'\n' || b == b'\r' {
            line += u64::from(b == b'\n');
            i += 1;
            continue;
        }
        let record_line = line;
        let first_end = batch.ends.len();
        let data_start = batch.data.len();
        let row = batch.lines.len() as u32;
        let mut column = 0u32;
        let mut bad = None;
        loop {
            // One field: into `batch.data` directly (UTF-8, checked later) or via `raw` (decoded).
            let out = if c.sjis { &mut raw } else { &mut batch.data };
            let field_start = out.len();
            if data.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    let rest = data.get(i..).unwrap_or_default();
                    let n = rest.iter().position(|b| *b == b'"').unwrap_or(rest.len());
                    let part = rest.get(..n).unwrap_or_default();
                    line += part.iter().filter(|b| **b == b'\n').count() as u64;
                    out.extend_from_slice(part);
                    i += n + 1;
                    if data.get(i) == Some(&b'"') {
                        out.push(b'"');
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            let rest = data.get(i..).unwrap_or_default();
            let n = field_end(rest);
            out.extend_from_slice(rest.get(..n).unwrap_or_default());
            i += n;
            if c.sjis {
                let field = raw.get(field_start..).unwrap_or_default();
                if field.is_ascii() {
                    batch.data.extend_from_slice(field);
                } else if !decode_sjis(field, &mut batch.data) && bad.is_none() {
                    bad = Some(column);
                }
                raw.clear();
            }
            batch.ends.push(batch.data.len() as u32);
            column += 1;
            match data.get(i) {
                Some(b',') => i += 1,
                _ => break,
            }
        }
        // The record ends at a line end (consumed by the loop above) or at the end of the chunk.
        let blank = {
            let mut at = data_start;
            batch.ends.get(first_end..).unwrap_or_default().iter().all(|&end| {
                let f = batch.data.get(at..end as usize).unwrap_or_default();
                at = end as usize;
                f.trim_ascii().is_empty()
            })
        };
        if blank && bad.is_none() {
            batch.data.truncate(data_start);
            batch.ends.truncate(first_end);
            continue;
        }
        if let Some(col) = bad {
            batch.bad.push((row, col));
        }
        batch.starts.push(batch.ends.len() as u32);
        batch.lines.push(record_line);
    }
    batch
}

/// Where the field at the start of `s` ends: its first `,`, CR or LF (or the end of `s`). Eight
/// bytes at a time: a byte equal to one of them gives a zero byte in `x ^ that`, which the carry
/// trick finds (the lowest such byte is always found correctly).
fn field_end(s: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |y: u64| y.wrapping_sub(LO) & !y & HI;
    let mut i = 0;
    while let Some(w) = s.get(i..i + 8) {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        let m =
            zero(x ^ (LO * u64::from(b','))) | zero(x ^ (LO * u64::from(b'\n'))) | zero(x ^ (LO * u64::from(b'\r')));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let tail = s.get(i..).unwrap_or_default();
    i + tail.iter().position(|b| matches!(b, b',' | b'\n' | b'\r')).unwrap_or(tail.len())
}

/// The field ends (`,`, CR, LF) of CSV text without quotes, found 64 bytes at a time: a bit per
/// byte, so that a run of short fields costs one scan of their bytes, not a search per field.
struct Separators<'a> {
    text: &'a [u8],
    /// Where the block of `mask` starts (a multiple of 64).
    base: usize,
    /// The separators of the 64 bytes from `base`, bit `k` for byte `base + k`.
    mask: u64,
}

impl<'a> Separators<'a> {
    fn new(text: &'a [u8]) -> Self {
        let mut s = Self { text, base: 0, mask: 0 };
        s.load(0);
        s
    }

    fn load(&mut self, base: usize) {
        self.base = base;
        self.mask = match self.text.get(base..base + 64) {
            Some(block) => block
                .chunks_exact(8)
                .enumerate()
                .map(|(k, w)| separator_bits(u64::from_le_bytes(w.try_into().unwrap_or([0; 8]))) << (8 * k))
                .fold(0, |m, bits| m | bits),
            None => self
                .text
                .get(base..)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .fold(0, |m, (k, b)| m | u64::from(matches!(b, b',' | b'\n' | b'\r')) << k),
        };
    }

    /// The first separator at or after `from`, or the end of the text.
    fn next(&mut self, from: usize) -> usize {
        if from < self.base || from >= self.base + 64 {
            self.load(from & !63);
        }
        let mut m = self.mask & (!0u64).checked_shl((from - self.base) as u32).unwrap_or(0);
        loop {
            if m != 0 {
                return self.base + m.trailing_zeros() as usize;
            }
            let next = self.base + 64;
            if next >= self.text.len() {
                return self.text.len();
            }
            self.load(next);
            m = self.mask;
        }
    }
}

/// Bit `k` set when byte `k` of the eight bytes of `w` (little-endian) is `,`, LF or CR.
fn separator_bits(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of each byte of `differs(c)` is set when that byte is not `c`; exact, as no
    // carry crosses from one byte into the next.
    let differs = |c: u8| {
        let y = w ^ (LO * u64::from(c));
        ((y & LOW7) + LOW7) | y
    };
    let hits = !(differs(b',') & differs(b'\n') & differs(b'\r')) & !LOW7;
    // Gathers the eight high bits into the top byte (the multiplication's partial products of the
    // bits land on distinct positions there), then down.
    (hits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// How many LFs `data` holds. Counted in blocks of 255 bytes into a byte, which the compiler
/// turns into vector code four times faster than a count into a `usize`.
fn count_lf(data: &[u8]) -> u64 {
    data.chunks(255).map(|c| u64::from(c.iter().fold(0u8, |n, b| n + u8::from(*b == b'\n')))).sum()
}

/// How many LFs `data` holds, and whether it holds a `"`: one pass for both.
fn count_lf_and_quotes(data: &[u8]) -> (u64, bool) {
    data.chunks(255).fold((0, false), |(lines, quotes), c| {
        let (n, q) = c.iter().fold((0u8, 0u8), |(n, q), b| (n + u8::from(*b == b'\n'), q | u8::from(*b == b'"')));
        (lines + u64::from(n), quotes || q != 0)
    })
}

/// Decodes Shift_JIS onto `out`; false (and nothing kept) when the bytes are not Shift_JIS.
fn decode_sjis(src: &[u8], out: &mut Vec<u8>) -> bool {
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let start = out.len();
    let room = decoder.max_utf8_buffer_length_without_replacement(src.len()).unwrap_or(src.len() * 3);
    out.resize(start + room, 0);
    let (result, _, written) =
        decoder.decode_to_utf8_without_replacement(src, out.get_mut(start..).unwrap_or_default(), true);
    if result == encoding_rs::DecoderResult::InputEmpty {
        out.truncate(start + written);
        true
    } else {
        out.truncate(start);
        false
    }
}

/// The end of the last whole record of `data` (just after its line feed), if any ends there.
fn last_record_end(data: &[u8]) -> Option<usize> {
    if !data.contains(&b'"') {
        return data.iter().rposition(|b| *b == b'\n').map(|i| i + 1);
    }
    // Quotes: follow the reader's states to know which line feeds are inside quoted fields.
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::FieldStart;
    let mut last = None;
    for (i, b) in data.iter().enumerate() {
        state = match (state, *b) {
            (S::Quoted, b'"') => S::QuoteInQuoted,
            (S::Quoted, _) => S::Quoted,
            (S::QuoteInQuoted, b'"') => S::Quoted,
            (_, b'\n') => {
                last = Some(i + 1);
                S::FieldStart
            }
            (_, b'\r' | b',') => S::FieldStart,
            (S::FieldStart, b'"') => S::Quoted,
            (_, _) => S::Unquoted,
        };
    }
    last
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
    read_pieces(file, input, mapping, purpose, bytes, &mut |piece| sink(piece.into_batch()))
}

/// Reads until `buf` holds `want` bytes (fewer only at the end of the stream), adding them to
/// `count` (for progress); false at the end.
fn fill(r: &mut impl Read, buf: &mut Vec<u8>, want: usize, name: &str, count: &AtomicU64) -> Result<bool> {
    let need = want.saturating_sub(buf.len());
    buf.reserve(need);
    // `read_to_end` reads a file into the spare capacity without zeroing it first (the reader is
    // not wrapped for counting: a wrapper would have the capacity zeroed before every read).
    let got = r.by_ref().take(need as u64).read_to_end(buf).map_err(|e| PeopleError::io(name, e))?;
    count.fetch_add(got as u64, Ordering::Relaxed);
    Ok(got == need)
}

/// Reads one input, handing it on in pieces: CSV cut at record ends (parsed later, on the
/// workers), workbooks and rows in memory as batches.
pub(crate) fn read_pieces(
    file: u32,
    input: Input,
    mapping: &ColumnMapping,
    purpose: Purpose,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Piece) -> Result<()>,
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
                    sink(Piece::Rows(std::mem::replace(&mut batch, Batch::new(file, map.clone(), party.clone()))))?;
                }
            }
            if batch.len() > 0 {
                sink(Piece::Rows(batch))?;
            }
            Ok(())
        }
        Kind::Csv(mut reader) => {
            let mut buf = take_buf(CHUNK + (1 << 16));
            let mut more = fill(&mut reader, &mut buf, CHUNK, &name, bytes)?;
            let bom = buf.starts_with(b"\xef\xbb\xbf");
            // WHATWG's Shift_JIS is Microsoft's CP932 (NEC and IBM extensions included), which is
            // what Japanese office software writes. Its bytes for `,`, `"`, CR and LF never occur
            // inside a character, so records are cut on the bytes and the fields decoded after.
            let sjis = !bom && !is_utf8(buf.get(..SNIFF.min(buf.len())).unwrap_or_default());
            let mut at = if bom { 3 } else { 0 };
            // The header: the first record that is not blank.
            let mut line = 1u64;
            let header_end = loop {
                let head = buf.get(at..).unwrap_or_default();
                let skip = head.iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
                line += head.iter().take(skip).filter(|b| **b == b'\n').count() as u64;
                at += skip;
                let head = buf.get(at..).unwrap_or_default();
                match first_record_end(head) {
                    Some(end) => break at + end,
                    None if !more => break buf.len(),
                    None => {
                        let want = buf.len() * 2;
                        more = fill(&mut reader, &mut buf, want, &name, bytes)?;
                    }
                }
            };
            let header_bytes = buf.get(at..header_end).unwrap_or_default();
            let header = parse_chunk(Chunk {
                file,
                map: Arc::new(ColumnMap::default()),
                party: None,
                data: header_bytes.to_vec(),
                first_line: line,
                sjis,
                no_quotes: false,
            });
            if let Some(&(_, col)) = header.bad.first() {
                return Err(not_text(&name, line, u64::from(col) + 1));
            }
            let headers = header.texts(0).map_err(|col| not_text(&name, line, col + 1))?;
            let map = ColumnMap::from_headers(headers.iter().copied(), mapping)
                .map_err(|(col, field)| duplicate(&name, line, col, field))?;
            check(&map)?;
            let map = Arc::new(map);
            line += header_bytes.iter().filter(|b| **b == b'\n').count() as u64;
            buf.drain(..header_end);
            loop {
                // One pass over the buffer finds its line feeds and whether it has quotes. Without
                // quotes (the usual case) every LF ends a record: the chunk ends after the last
                // one and holds all of the buffer's LFs, and its worker need not look for quotes.
                let (all_lines, quotes) = count_lf_and_quotes(&buf);
                let cut = if !more {
                    Some(buf.len())
                } else if quotes {
                    last_record_end(&buf)
                } else {
                    buf.iter().rposition(|b| *b == b'\n').map(|i| i + 1)
                };
                let Some(cut) = cut else {
                    // A record longer than the buffer: read more.
                    let want = buf.len().max(CHUNK) * 2;
                    more = fill(&mut reader, &mut buf, want, &name, bytes)?;
                    continue;
                };
                let mut next = take_buf(CHUNK + (1 << 16));
                next.extend_from_slice(buf.get(cut..).unwrap_or_default());
                buf.truncate(cut);
                let lines = if quotes && more { count_lf(&buf) } else { all_lines };
                let data = std::mem::replace(&mut buf, next);
                if !data.is_empty() {
                    sink(Piece::Csv(Chunk {
                        file,
                        map: map.clone(),
                        party: party.clone(),
                        data,
                        first_line: line,
                        sjis,
                        no_quotes: !quotes,
                    }))?;
                }
                line += lines;
                if !more {
                    break;
                }
                more = fill(&mut reader, &mut buf, CHUNK, &name, bytes)?;
            }
            Ok(())
        }
        Kind::Xlsx(mut reader) => {
            use calamine::Reader as _;
            crate::xlsx_guard::check_shared_strings(&mut reader).map_err(|message| PeopleError::Input {
                file: name.clone(),
                line: 0,
                column: None,
                message,
            })?;
            let mut book = calamine::Xlsx::new(reader).map_err(|e| PeopleError::Input {
                file: name.clone(),
                line: 0,
                column: None,
                message: format!("not a readable .xlsx workbook: {e}"),
            })?;
            let is_1904 = book.has_1904_epoch();
            let sheet_error = |e: &dyn std::fmt::Display| PeopleError::Input {
                file: name.clone(),
                line: 0,
                column: None,
                message: format!("cannot read the first sheet: {e}"),
            };
            let Some(sheet) = book.sheet_names().into_iter().next() else {
                return Err(PeopleError::Input {
                    file: name.clone(),
                    line: 0,
                    column: None,
                    message: "the workbook has no sheet".into(),
                });
            };
            // The cells one by one, not `worksheet_range`: a range is the whole box from the first
            // cell to the last, so a workbook of a few bytes naming cells A1 and XFD1048576 asked
            // for half a terabyte and the process aborted (found by fuzzing, issue 9). Rows are
            // gathered from the cells there are, and cut at the width of the header.
            let mut cells: Vec<((u32, u32), calamine::Data)> = Vec::new();
            match book.worksheet_cells_reader(&sheet) {
                Ok(mut reader) => {
                    while let Some(cell) = reader.next_cell().map_err(|e| sheet_error(&e))? {
                        if !matches!(cell.get_value(), calamine::DataRef::Empty) {
                            cells.push((cell.get_position(), calamine::Data::from(cell.get_value().clone())));
                        }
                    }
                }
                // A chart sheet first: no rows.
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(()),
                Err(e) => return Err(sheet_error(&e)),
            }
            cells.sort_by_key(|(pos, _)| *pos);
            let first_col = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
            // Excel's last column (XFD) until the header is known, then the header's.
            let width = std::cell::Cell::new(16_384usize);
            // Each row: its line, its cells up to the width, and whether it has text beyond it.
            let mut rows_iter = cells.chunk_by(|a, b| a.0.0 == b.0.0).map(|row| {
                let line = row.first().map_or(0, |((r, _), _)| u64::from(*r)) + 1;
                let last = row.last().map_or(0, |((_, c), _)| (c - first_col) as usize);
                let mut cells = vec![calamine::Data::Empty; last.min(width.get().saturating_sub(1)) + 1];
                let mut beyond = false;
                for ((_, c), value) in row {
                    match cells.get_mut((c - first_col) as usize) {
                        Some(slot) => *slot = value.clone(),
                        None => beyond |= !cell_text(value, false, is_1904).trim().is_empty(),
                    }
                }
                (line, cells, beyond)
            });
            let Some((header_line, header, _)) =
                rows_iter.find(|(_, r, _)| r.iter().any(|c| !cell_text(c, false, is_1904).is_empty()))
            else {
                return Ok(());
            };
            width.set(header.len());
            let headers: Vec<String> = header.iter().map(|c| cell_text(c, false, is_1904)).collect();
            let map = ColumnMap::from_headers(headers.iter().map(String::as_str), mapping)
                .map_err(|(col, field)| duplicate(&name, header_line, col, field))?;
            check(&map)?;
            let birth_col = map.get(Field::BirthDate);
            let map = Arc::new(map);
            let mut batch = Batch::new(file, map.clone(), party.clone());
            for (line, cells, beyond) in rows_iter {
                let texts: Vec<String> =
                    cells.iter().enumerate().map(|(i, c)| cell_text(c, Some(i) == birth_col, is_1904)).collect();
                if !beyond && texts.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                batch.push(texts.iter().map(String::as_bytes), line);
                if batch.full() {
                    sink(Piece::Rows(std::mem::replace(&mut batch, Batch::new(file, map.clone(), party.clone()))))?;
                }
            }
            if batch.len() > 0 {
                sink(Piece::Rows(batch))?;
            }
            Ok(())
        }
    }
}

/// The end of the first record of `data` (after its line end), if it ends within `data`.
fn first_record_end(data: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut at_start = true;
    for (i, b) in data.iter().enumerate() {
        match (*b, quoted) {
            (b'"', true) => quoted = false,
            (b'"', false) if at_start => quoted = true,
            (b'\n', false) => return Some(i + 1),
            // A lone CR ends a record too; CRLF is one line end.
            (b'\r', false) if data.get(i + 1) != Some(&b'\n') => {
                return (i + 1 < data.len()).then_some(i + 1);
            }
            (b',', false) => at_start = true,
            (_, false) => at_start = false,
            _ => {}
        }
    }
    None
}

/// UTF-8 when the head is valid UTF-8 (a character cut at the end of the head is fine).
fn is_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// A cell as text. In the birth-date column a number is a date: a serial day of the workbook's
/// date system (what a date cell holds) below 10,000,000, else `YYYYMMDD` digits.
fn cell_text(cell: &calamine::Data, birth: bool, is_1904: bool) -> String {
    use calamine::Data;
    // A serial that is no day stays a number, which no date reading accepts.
    let serial = |f: f64| excel_date(f, is_1904).map_or_else(|| f.to_string(), |d| d.to_string());
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) if birth && (0..10_000_000).contains(i) => serial(*i as f64),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if birth && (0.0..10_000_000.0).contains(f) => serial(*f),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => serial(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The day of an Excel serial date (its time of day ignored). In the 1900 system day 1 is
/// 1900-01-01 and day 60 is 1900-02-29, which never was (Lotus 1-2-3's mistake, kept by Excel):
/// it is no date, and each later day counts one too many. In the 1904 system (old Macintosh
/// workbooks, `date1904`) day 0 is 1904-01-01.
pub(crate) fn excel_date(serial: f64, is_1904: bool) -> Option<Date> {
    if !serial.is_finite() || serial < 0.0 {
        return None;
    }
    let days = serial.floor() as i64;
    let (base, days) = match (is_1904, days) {
        (true, d) => (jiff::civil::date(1904, 1, 1), d),
        (false, 0 | 60) => return None,
        (false, d) if d < 60 => (jiff::civil::date(1899, 12, 31), d),
        (false, d) => (jiff::civil::date(1899, 12, 30), d),
    };
    base.checked_add(jiff::Span::new().days(days)).ok()
}

pub(crate) fn not_text(name: &str, line: u64, column: u64) -> PeopleError {
    PeopleError::Input {
        file: name.into(),
        line,
        column: Some(column),
        message: "not valid text in UTF-8 or Shift_JIS (is the file in another encoding?)".into(),
    }
}

fn duplicate(name: &str, line: u64, column: usize, field: Field) -> PeopleError {
    PeopleError::Input {
        file: name.into(),
        line,
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
    /// A field holds bytes that are no text in the file's encoding (the file is damaged, or was
    /// cut or joined from files in different encodings).
    InvalidText {
        /// The column (1-based).
        column: u32,
        /// The field of that column, if it is one todoke reads.
        field: Option<Field>,
        /// Whether the file was read as Shift_JIS (else UTF-8).
        shift_jis: bool,
    },
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
    pub fn text(self) -> std::borrow::Cow<'static, str> {
        let text = match self {
            Reason::InvalidText { column, field, shift_jis } => {
                let encoding = if shift_jis { "Shift_JIS" } else { "UTF-8" };
                let (ja, en) = match field {
                    Some(f) => (format!("{column}列目({})", f.ja()), format!("column {column} ({})", f.key())),
                    None => (format!("{column}列目"), format!("column {column}")),
                };
                return format!("{ja}に{encoding}として不正なバイトがあります (invalid {encoding} bytes in {en})")
                    .into();
            }
            Reason::NoName => "氏名がありません (no name)",
            Reason::NoBirthDate => "生年月日がありません (no birth date)",
            Reason::BadBirthDate => "生年月日を読めません (unreadable birth date)",
            Reason::NoParty => "委託元がありません (no party)",
            Reason::OtherParty => "別の委託元の行です (a row of another party)",
        };
        text.into()
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
    postal: Option<[u8; 8]>,
    pub address_ok: bool,
    phone: Option<([u8; 11], u8)>,
    /// Whether the e-mail address is valid (normalized in [`Scratch::email`]).
    pub email: bool,
    pub staff: bool,
}

impl Normalized<'_> {
    /// [`Self::postal`] as bytes (ASCII), without checking them again.
    pub(crate) fn postal_bytes(&self) -> Option<&[u8]> {
        self.postal.as_ref().map(|p| p.as_slice())
    }

    /// [`Self::phone`] as bytes (ASCII digits), without checking them again.
    pub(crate) fn phone_bytes(&self) -> Option<&[u8]> {
        self.phone.as_ref().and_then(|(d, n)| d.get(..usize::from(*n)))
    }

    /// The postal code as `NNN-NNNN`, when valid.
    pub(crate) fn postal(&self) -> Option<&str> {
        self.postal.as_ref().and_then(|p| std::str::from_utf8(p).ok())
    }

    /// The phone number's digits, when valid.
    pub(crate) fn phone(&self) -> Option<&str> {
        self.phone.as_ref().and_then(|(d, n)| std::str::from_utf8(d.get(..usize::from(*n))?).ok())
    }
}

/// Buffers reused from row to row by one thread.
#[derive(Default)]
pub(crate) struct Scratch {
    /// A normalized name (UTF-8).
    name: Vec<u8>,
    /// The last row's e-mail address, normalized (when [`Normalized::email`]).
    pub email: String,
}

/// The identity key of a normalized name with a birth date. Party is kept apart so that the same
/// key across parties shows a person listed by two consignors.
///
/// 64 bits of foldhash's quality hash with a fixed seed (keys live only in one run's memory):
/// two different names of one birth date collide with odds of about 1 in 10^19 per pair, far
/// below any mistake of the lists themselves.
fn identity_key(kind: u8, birth: Date, name: &str, buf: &mut Vec<u8>) -> Option<u64> {
    if name.is_empty() {
        return None;
    }
    crate::norm::name_into(name, buf);
    if buf.is_empty() {
        return None;
    }
    use std::hash::BuildHasher as _;
    let mut h = foldhash::quality::FixedState::with_seed(0x746f_646f_6b65_5f70).build_hasher();
    h.write_u8(kind);
    h.write_i16(birth.year());
    h.write_i8(birth.month());
    h.write_i8(birth.day());
    h.write(buf);
    Some(h.finish())
}

/// Normalizes a row, or says why it cannot be used.
pub(crate) fn normalize_row<'a>(
    view: &View<'a>,
    default_party: Option<&'a str>,
    purpose: Purpose,
    scratch: &mut Scratch,
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
        text => crate::norm::parse_date(text).ok_or(Reason::BadBirthDate)?,
    };
    let name_key = identity_key(b'n', birth, name, &mut scratch.name);
    let kana_key = identity_key(b'k', birth, kana, &mut scratch.name);
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
            email: false,
            staff: false,
        });
    }
    let email = match view.get(Field::Email) {
        "" => {
            scratch.email.clear();
            false
        }
        t => crate::contact::email_into(t, &mut scratch.email),
    };
    let postal = match view.get(Field::PostalCode) {
        "" => None,
        t => crate::norm::postal(t),
    };
    let phone = match view.get(Field::Phone) {
        "" => None,
        t => crate::norm::phone(t),
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
    let mut scratch = Scratch::default();
    for (i, input) in inputs.into_iter().enumerate() {
        let name = input.name.clone();
        read_batches(i as u32, input, mapping, Purpose::Notify, &bytes, &mut |batch| {
            for (row, line) in batch.lines.iter().enumerate() {
                let normalized = batch.view(row).and_then(|view| {
                    Ok((normalize_row(&view, batch.party.as_deref(), Purpose::Notify, &mut scratch)?, view))
                });
                match normalized {
                    Err(reason) => rejected.push(Rejected { file: name.clone(), line: *line, reason }),
                    Ok((n, view)) => {
                        let raw = |f| opt(view.get(f));
                        records.push(Record {
                            file: name.clone(),
                            line: *line,
                            party: n.party.to_string(),
                            name: view.get(Field::Name).to_string(),
                            name_kana: raw(Field::Kana),
                            birth_date: n.birth,
                            sex: raw(Field::Sex),
                            postal_code: n.postal().map(str::to_string).or_else(|| raw(Field::PostalCode)),
                            address: raw(Field::Address),
                            phone: n.phone().map(str::to_string).or_else(|| raw(Field::Phone)),
                            email: if n.email { Some(scratch.email.clone()) } else { raw(Field::Email) },
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
    clear_pool();
    Ok((records, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of `text` as the csv crate reads them (flexible, blank rows dropped).
    fn by_csv_crate(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect::<Vec<_>>())
            .filter(|r: &Vec<Vec<u8>>| !r.iter().all(|f| f.trim_ascii().is_empty()))
            .collect()
    }

    fn by_chunk(text: &[u8]) -> (Vec<Vec<Vec<u8>>>, Vec<u64>) {
        let batch = parse_chunk(Chunk {
            file: 0,
            map: Arc::new(ColumnMap::default()),
            party: None,
            data: text.to_vec(),
            first_line: 1,
            sjis: false,
            no_quotes: false,
        });
        let rows = (0..batch.len())
            .map(|r| {
                let (first, next) = (batch.starts[r] as usize, batch.starts[r + 1] as usize);
                (first..next)
                    .map(|i| {
                        let start = if i == 0 { 0 } else { batch.ends[i - 1] as usize };
                        batch.data[start..batch.ends[i] as usize].to_vec()
                    })
                    .collect()
            })
            .collect();
        (rows, batch.lines.clone())
    }

    #[test]
    fn records_are_cut_as_the_csv_crate_cuts_them() {
        let cases: [&[u8]; 10] = [
            b"a,b,c\nd,e,f\n",
            b"a,\"b,c\",d\r\n\"x\"\"y\",z\r\n",
            b"\"multi\nline\",2\n3,4",
            b"a\"b,c\n",
            b"\"a\"b,c\n",
            b"a,,\n,,\n\n\r\nb,\n",
            b"a\rb\rc\n",
            b"  ,\t\n x ,y\n",
            b"\"unterminated,\nfield",
            b"\"\",\"\"\"\"\n",
        ];
        for text in cases {
            assert_eq!(by_chunk(text).0, by_csv_crate(text), "{:?}", String::from_utf8_lossy(text));
        }
        assert_eq!(by_chunk(b"a\n\"b\nc\"\n\nd\r\ne\n").1, [1, 2, 5, 6], "records start on these lines");
    }

    #[test]
    fn the_last_record_end_knows_quoted_line_breaks() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,\"b\nc\"\nd,\"e\nf"), Some(8));
        assert_eq!(last_record_end(b"a\"b\nc"), Some(4), "a quote inside a field is text");
        assert_eq!(last_record_end(b"\"a\nb"), None);
        assert_eq!(first_record_end(b"a,\"b\nc\"\nd"), Some(8));
        assert_eq!(first_record_end(b"a,b"), None);
    }

    #[test]
    fn trimming_finds_every_kind_of_space() {
        for s in
            ["", " a ", "\u{3000}山田\u{3000}", "山田\u{a0}", "\u{2003}x", "x\u{205f}", "山田", "a\u{1680}", "\u{85}b"]
        {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        // Every character of the Basic Multilingual Plane, alone and at either end of a field.
        for c in (0..0x10000).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("{c}a"), format!("a{c}"), format!("{c}山"), format!("山{c}")] {
                assert_eq!(trim(&s), s.trim(), "{s:?}");
            }
        }
    }

    #[test]
    fn separators_are_found_as_one_byte_at_a_time_finds_them() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = [b',', b'\n', b'\r', b'a', b' ', 0xE3, 0x80, 0x2C + 0x80, 0x0A + 0x80, 0x0D + 0x80, 0, 0xFF];
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 300] {
            for _ in 0..50 {
                let text: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
                let mut seps = Separators::new(&text);
                for from in 0..=len {
                    assert_eq!(seps.next(from), from + field_end(&text[from..]), "{text:?} from {from}");
                }
                let lines = text.iter().filter(|b| **b == b'\n').count() as u64;
                assert_eq!(count_lf(&text), lines);
                assert_eq!(count_lf_and_quotes(&text), (lines, text.contains(&b'"')));
            }
        }
        assert_eq!(count_lf_and_quotes(b"a\"b\n"), (1, true));
    }

    proptest::proptest! {
        /// CSV text without quotes gives the same rows, lines and fields the quick way as the
        /// general way.
        #[test]
        fn plain_rows_are_the_rows_of_the_general_way(
            pieces in proptest::collection::vec(0..PLAIN_PIECES.len(), 0..60)
        ) {
            let text: String = pieces.iter().map(|i| PLAIN_PIECES[*i]).collect();
            let chunk = |no_quotes| Chunk {
                file: 0,
                map: Arc::new(ColumnMap::canonical()),
                party: None,
                data: text.as_bytes().to_vec(),
                first_line: 3,
                sjis: false,
                no_quotes,
            };
            let as_strings = |view: &View<'_>| Field::ALL.map(|f| view.get(f).to_string());
            let mut quick = Vec::new();
            let rest = Piece::Csv(chunk(true)).plain_rows(&mut |line, view| quick.push((line, as_strings(view))));
            proptest::prop_assert!(rest.is_none());
            let batch = parse_chunk(chunk(false));
            let general: Vec<_> = (0..batch.len())
                .map(|row| (batch.lines[row], as_strings(&batch.view(row).unwrap())))
                .collect();
            proptest::prop_assert_eq!(quick, general, "{:?}", text);
        }
    }

    const PLAIN_PIECES: [&str; 16] =
        ["", "a", " b ", "山田", "\u{3000}x", "x\u{3000}", "12", "\t", ",", ",", ",", "\n", "\r", "\r\n", "  ", "ｱ"];

    #[test]
    fn excel_serial_days() {
        let d = |s: f64, is_1904| excel_date(s, is_1904).map(|d| d.to_string());
        assert_eq!(d(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(d(59.0, false).as_deref(), Some("1900-02-28"));
        assert_eq!(d(60.0, false), None, "1900-02-29 never was");
        assert_eq!(d(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(d(25628.5, false).as_deref(), Some("1970-03-01"));
        assert_eq!(d(0.0, true).as_deref(), Some("1904-01-01"));
        assert_eq!(d(24166.0, true).as_deref(), Some("1970-03-01"));
        assert_eq!(d(-1.0, false), None);
    }
}
