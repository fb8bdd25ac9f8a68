//! `todoke people plan` (CONTRACTS.md §3), in two passes over the rows.
//!
//! 1. **Read**: a reader thread reads each list in chunks of a few megabytes cut at record ends;
//!    one worker per core parses a chunk, normalizes its rows and either rejects them (to
//!    `rejected.csv`) or spools them, each as its output line already formatted, to a spool
//!    segment of its own (held in memory up to a budget, in a file beyond it); this thread takes
//!    the results in order and gives the rows their numbers. Besides the spool, only each row's
//!    identity keys (a hash of the normalized kanji or kana name with the birth date), its party
//!    and a few flags stay in memory.
//! 2. **Match**: the keys, kept in parts by their top bits, are sorted part by part on every core;
//!    rows sharing a key and a party are one person (union-find, so matching is transitive),
//!    exclusion rows mark the people they name, keys shared across parties mark people listed by
//!    several consignors.
//! 3. **Write**: the spool's segments go through a pipeline in row order: this thread gathers the
//!    people of several rows (with the most complete contact data of all their rows), one worker
//!    per core puts each segment's lines together for the files of their channels (each person at
//!    its last row), and one thread writes them, segment after segment.

use crate::config::{Channel, PlanConfig};
use crate::error::{PeopleError, Result};
use crate::field::{ColumnMapping, Field};
use crate::output::{CsvOut, OutputEncoding, Staging, csv_field, folder_name};
use crate::progress::Progress;
use crate::read::{
    Input, Piece, Purpose, Reason, Scratch, View, clear_pool, give_buf, normalize_row, read_pieces, take_buf,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What to plan and where to write it.
pub struct PlanOptions {
    /// The lists of people to notify.
    pub inputs: Vec<Input>,
    /// Lists of people not to notify (deceased, already notified).
    pub excludes: Vec<Input>,
    /// Extra header names.
    pub mapping: ColumnMapping,
    /// Channels and costs.
    pub config: PlanConfig,
    /// The encoding of the CSV files written.
    pub encoding: OutputEncoding,
    /// The output folder.
    pub out: PathBuf,
}

/// Channel counts of a party; the keys of `summary.json` (do not change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChannelCounts {
    /// Letters.
    pub post: u64,
    /// E-mails.
    pub email: u64,
    /// In-house postings.
    pub bulletin: u64,
    /// Public notice.
    pub substitute: u64,
}

impl ChannelCounts {
    fn add(&mut self, channel: Channel) {
        match channel {
            Channel::Post => self.post += 1,
            Channel::Email => self.email += 1,
            Channel::Bulletin => self.bulletin += 1,
            Channel::Substitute => self.substitute += 1,
        }
    }

    fn get(&self, channel: Channel) -> u64 {
        match channel {
            Channel::Post => self.post,
            Channel::Email => self.email,
            Channel::Bulletin => self.bulletin,
            Channel::Substitute => self.substitute,
        }
    }
}

/// One party in `summary.json` (do not change: CONTRACTS.md §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PartySummary {
    /// Unique people before exclusion.
    pub persons: u64,
    /// People matched by an exclusion list.
    pub excluded: u64,
    /// `persons - excluded`.
    pub to_notify: u64,
    /// People per channel; they add up to `to_notify`.
    pub channels: ChannelCounts,
    /// What the notices cost, in yen.
    pub cost_yen: u64,
}

/// `summary.json` (do not change: CONTRACTS.md §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Data rows of all inputs.
    pub rows_read: u64,
    /// Rows that could not be used (in `rejected.csv`).
    pub rows_rejected: u64,
    /// Unique people after merging, before exclusion.
    pub persons: u64,
    /// `rows_read - rows_rejected - persons`.
    pub duplicates_merged: u64,
    /// People matched by an exclusion list.
    pub excluded: u64,
    /// `persons - excluded`.
    pub to_notify: u64,
    /// Per party.
    pub parties: BTreeMap<String, PartySummary>,
}

/// What a plan did, beyond `summary.json`.
#[derive(Debug, Clone, Default)]
pub struct PlanOutcome {
    /// The summary, as written.
    pub summary: Summary,
    /// People listed by more than one party (each party still notifies its own).
    pub in_several_parties: u64,
    /// Unusable rows of exclusion lists (in `rejected_exclusions.csv`).
    pub exclusion_rows_rejected: u64,
    /// Characters Shift_JIS could not encode (written as 〓).
    pub unencodable: u64,
}

/// Row flags kept in memory.
const EMAIL: u8 = 1;
const POST: u8 = 2;
const STAFF: u8 = 4;
const EXCLUDED: u8 = 8;
const SEVERAL: u8 = 16;
const PHONE: u8 = 32;

/// Exclusion rows live among the keys with this bit set in their row number.
const EXCLUSION_ROW: u32 = 1 << 31;
/// The party of an exclusion row without one: it matches every party.
const ANY_PARTY: u16 = u16::MAX;
const NONE: u32 = u32::MAX;
/// The party of an exclusion row whose party no input names.
const NO_PARTY: u16 = u16::MAX - 1;

/// One identity key of a row, its party and its row packed in 16 bytes (so ten million rows with
/// two keys each take 320 MB) whose order as a number is the order of (key, party, row): sorting
/// compares plain integers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry(u128);

impl Entry {
    fn new(key: u64, party: u16, row: u32) -> Self {
        Self((u128::from(key) << 64) | (u128::from(party) << 32) | u128::from(row))
    }

    fn key(self) -> u64 {
        (self.0 >> 64) as u64
    }

    fn party(self) -> u16 {
        (self.0 >> 32) as u16
    }

    fn row(self) -> u32 {
        self.0 as u32
    }
}

/// The entries, kept apart by the top bits of their key as they come: each part is sorted on
/// its own (in the cache, all at once on every core), and the parts one after another are all
/// entries sorted. Keys are hashes, so the parts are about the same size.
struct Buckets(Vec<Vec<Entry>>);

/// The top bits of a key that choose its part.
const BUCKET_BITS: u32 = 10;

impl Buckets {
    fn new() -> Self {
        Self((0..1 << BUCKET_BITS).map(|_| Vec::new()).collect())
    }

    fn push(&mut self, entry: Entry) {
        if let Some(part) = self.0.get_mut((entry.key() >> (64 - BUCKET_BITS)) as usize) {
            part.push(entry);
        }
    }
}

/// What the keys of a part of the entries say: rows to join (with the first row of their party
/// that shares a key with them), flags for the first rows, and the other parties that list a
/// person (at its first row).
#[derive(Default)]
struct Shared {
    joins: Vec<(u32, u32)>,
    marks: Vec<(u32, u8)>,
    others: Vec<(u32, Vec<u16>)>,
}

/// Sorts a part of the entries and finds its keys shared by several rows.
fn shared_keys(mut part: Vec<Entry>) -> Shared {
    part.sort_unstable();
    let mut found = Shared::default();
    for group in part.chunk_by(|a, b| a.key() == b.key()) {
        if group.len() == 1 {
            // A key no other row shares (most keys): nothing to join, nothing to mark.
            continue;
        }
        let any_exclusion = group.iter().any(|e| e.party() == ANY_PARTY);
        // The parties that list this key (in order: entries are sorted by key, then party); most
        // keys shared by rows are shared within one party, and need no list.
        let mut parties = group.iter().filter(|e| e.row() & EXCLUSION_ROW == 0).map(|e| e.party());
        let first_party = parties.next();
        let listed: Vec<u16> = if parties.any(|p| Some(p) != first_party) {
            let mut p: Vec<u16> = group.iter().filter(|e| e.row() & EXCLUSION_ROW == 0).map(|e| e.party()).collect();
            p.dedup();
            p
        } else {
            Vec::new()
        };
        for sub in group.chunk_by(|a, b| a.party() == b.party()) {
            let excluded = any_exclusion || sub.iter().any(|e| e.row() & EXCLUSION_ROW != 0);
            let mut people = sub.iter().filter(|e| e.row() & EXCLUSION_ROW == 0).map(|e| e.row());
            let Some(first) = people.next() else { continue };
            found.joins.extend(people.map(|row| (first, row)));
            let mark = if excluded { EXCLUDED } else { 0 } | if listed.len() > 1 { SEVERAL } else { 0 };
            if mark != 0 {
                found.marks.push((first, mark));
            }
            if listed.len() > 1 {
                let party = sub.first().map_or(ANY_PARTY, |e| e.party());
                found.others.push((first, listed.iter().copied().filter(|p| *p != party).collect()));
            }
        }
    }
    found
}

/// What the write pass needs of a person, at its root row: its last row, and the rows its e-mail
/// address, postal address and phone number come from (`NONE` when no row has one). Kept together:
/// a person of several rows is looked up far from where its other rows are, and one cache line
/// then brings all of it.
#[derive(Clone, Copy)]
struct Sources {
    last: u32,
    email: u32,
    post: u32,
    phone: u32,
}

/// Rows in one group, kept as a disjoint-set forest whose roots are each set's first row.
struct Persons {
    parent: Vec<u32>,
}

impl Persons {
    fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.parent.get(x as usize).copied().unwrap_or(x);
            if p == x {
                return x;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp; // path halving
            }
            x = gp;
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            if let Some(slot) = self.parent.get_mut(hi as usize) {
                *slot = lo;
            }
        }
    }
}

/// The spooled head of a row: the length of its line, its file and its line number. Where each
/// field of the line ends is not spooled: it is found again for the few rows that need it (those
/// of people of several rows). The spool is written and read back whole, so its size is time.
const HEAD: usize = 4 + 4 + 8;

// `encode_row` writes the fields in this order.
const _: () = assert!(matches!(
    Field::ALL,
    [
        Field::Party,
        Field::Name,
        Field::Kana,
        Field::BirthDate,
        Field::Sex,
        Field::PostalCode,
        Field::Address,
        Field::Phone,
        Field::Email,
        Field::PersonId,
        Field::Group
    ]
));

/// Spools a row as its output line already formatted (each field CSV-quoted as the output files
/// want it, in the order of [`Field::ALL`]): a person of one row is written by copying its line,
/// a person of several rows by taking fields from several lines.
fn encode_row(
    buf: &mut Vec<u8>,
    file: u32,
    line: u64,
    view: &View<'_>,
    n: &crate::read::Normalized<'_>,
    scratch: &Scratch,
    plain: bool,
) {
    let head = buf.len();
    buf.resize(head + HEAD, 0);
    let start = buf.len();
    let birth = iso_date((n.birth.year(), n.birth.month() as u8, n.birth.day() as u8));
    // The fields in the order of `Field::ALL` (checked below), written one after another rather
    // than in a loop over the fields that would ask which field each one is. Quoting is needed
    // only for text from a CSV that had quotes, or from elsewhere (the party of `--party`,
    // workbooks); the normalized forms never need it.
    let mut first = true;
    let mut put = |(value, check): (&[u8], bool)| {
        if check {
            csv_field(buf, first, value);
        } else {
            if !first {
                buf.push(b',');
            }
            buf.extend_from_slice(value);
        }
        first = false;
    };
    let raw = |f: Field| (view.get(f).as_bytes(), !plain);
    // The row's own party is as plain as the row; a default party (`--party`) is checked.
    put((n.party.as_bytes(), !plain || view.get(Field::Party).is_empty()));
    put(raw(Field::Name));
    put(raw(Field::Kana));
    put((&birth, false));
    put(raw(Field::Sex));
    put(n.postal_bytes().map_or(raw(Field::PostalCode), |p| (p, false)));
    put(raw(Field::Address));
    put(n.phone_bytes().map_or(raw(Field::Phone), |p| (p, false)));
    put(if n.email { (scratch.email.as_bytes(), false) } else { raw(Field::Email) });
    put(raw(Field::PersonId));
    put(raw(Field::Group));
    // A line is a record of one CSV file: far below 4 GiB.
    let len = u32::try_from(buf.len() - start).unwrap_or(u32::MAX);
    if let Some(h) = buf.get_mut(head..start) {
        let mut put = |at: usize, bytes: &[u8]| {
            if let Some(dst) = h.get_mut(at..at + bytes.len()) {
                dst.copy_from_slice(bytes);
            }
        };
        put(0, &len.to_le_bytes());
        put(4, &file.to_le_bytes());
        put(8, &line.to_le_bytes());
    }
}

/// Where each field of a spooled line ends. Its fields are as [`csv_field`] writes them: a field
/// that starts with a quote is quoted (`""` inside it is a quote), and no other field holds a
/// comma (the spooled forms of fields hold none unless quoted).
fn field_ends(text: &[u8]) -> [u32; Field::ALL.len()] {
    let mut ends = [0u32; Field::ALL.len()];
    let mut i = 0;
    for end in ends.iter_mut() {
        if text.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match (text.get(i), text.get(i + 1)) {
                    (Some(b'"'), Some(b'"')) => i += 2,
                    (Some(b'"'), _) => {
                        i += 1;
                        break;
                    }
                    (Some(_), _) => i += 1,
                    (None, _) => break,
                }
            }
        }
        let rest = text.get(i..).unwrap_or_default();
        i += rest.iter().position(|b| *b == b',').unwrap_or(rest.len());
        *end = u32::try_from(i).unwrap_or(u32::MAX);
        i += 1;
    }
    ends
}

/// The rows of a spool segment, one after another (a segment holds whole rows).
struct SpoolRows<'a> {
    block: &'a [u8],
    pos: usize,
}

/// A spooled row, borrowed from its segment.
struct SpoolRow<'a> {
    file: u32,
    line: u64,
    text: &'a [u8],
}

/// Field `k` of a spooled line whose fields end at `ends`.
fn field_of<'t>(ends: &[u32; Field::ALL.len()], text: &'t [u8], k: usize) -> &'t [u8] {
    let start = if k == 0 { 0 } else { ends.get(k - 1).map_or(0, |e| *e as usize + 1) };
    let end = ends.get(k).map_or(0, |e| *e as usize);
    text.get(start..end).unwrap_or_default()
}

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}

impl<'a> Iterator for SpoolRows<'a> {
    type Item = SpoolRow<'a>;

    /// The next row; none at the end of the segment (or of what is left of a cut one).
    fn next(&mut self) -> Option<SpoolRow<'a>> {
        let h = self.block.get(self.pos..self.pos + HEAD)?;
        let len = le32(h, 0) as usize;
        let start = self.pos + HEAD;
        let text = self.block.get(start..start + len)?;
        self.pos = start + len;
        Some(SpoolRow { file: le32(h, 4), line: u64::from(le32(h, 8)) | (u64::from(le32(h, 12)) << 32), text })
    }
}

/// What a piece of a list gave, made on a worker.
#[derive(Default)]
struct ChunkOut {
    file: u32,
    /// Rows read (usable or not).
    rows_read: u64,
    /// The parties of the piece; rows name them by index.
    parties: Vec<String>,
    /// Per usable row: party, name key, kana key, flags.
    rows: Vec<(u16, Option<u64>, Option<u64>, u8)>,
    spool: Vec<u8>,
    rejected: Vec<(u64, Reason)>,
    /// The spool segment the worker made (when it had rows to spool), or why it could not.
    segment: Option<std::result::Result<Segment, PeopleError>>,
}

/// A piece's spooled rows: kept in memory while the spool held in memory stays within
/// [`SPOOL_MEMORY`], written to a file beyond it (so that memory does not grow with the lists).
enum Segment {
    Memory(Vec<u8>),
    File(PathBuf),
}

/// Bytes of spool (buffer capacity) held in memory at most. Writing the spool to files and
/// reading it back costs the kernel two copies of every row and its file blocks, and files are
/// read again before the write pass can use them; a million rows spool about 140 MB and stay in
/// memory, ten million keep about their first million there (the peak for ten million rows stays
/// near 750 MiB).
const SPOOL_MEMORY: usize = 256 << 20;

/// The spool held in memory: bytes now, and at most.
struct SpoolMemory {
    held: AtomicUsize,
    limit: usize,
}

/// Parses (CSV) and normalizes a piece, spooling its usable rows when they are people to notify.
fn process(piece: Piece, purpose: Purpose) -> ChunkOut {
    let mut out = ChunkOut { file: piece.file(), ..Default::default() };
    if purpose == Purpose::Notify {
        let expect = piece.size_hint();
        out.spool = take_buf(expect + expect / 2);
    }
    let mut scratch = Scratch::default();
    let mut last_party = 0;
    // The row's view is passed by reference: it is 176 bytes, copied at every call otherwise.
    let mut row_out =
        |file: u32, party: Option<&str>, plain: bool, line: u64, view: std::result::Result<&View<'_>, Reason>| {
            out.rows_read += 1;
            let normalized = view.and_then(|view| {
                let n = normalize_row(view, party, purpose, &mut scratch)?;
                Ok((view, n))
            });
            let (view, n) = match normalized {
                Ok(v) => v,
                Err(reason) => {
                    out.rejected.push((line, reason));
                    return;
                }
            };
            let mut flags = 0;
            if n.email {
                flags |= EMAIL;
            }
            if n.postal_bytes().is_some() && n.address_ok {
                flags |= POST;
            }
            if n.staff {
                flags |= STAFF;
            }
            if n.phone_bytes().is_some() {
                flags |= PHONE;
            }
            if purpose == Purpose::Notify {
                encode_row(&mut out.spool, file, line, view, &n, &scratch, plain);
            }
            // A piece names a few parties: try the last one first, then the others.
            let party = match out.parties.get(last_party) {
                Some(p) if p == n.party => last_party,
                _ => match out.parties.iter().position(|p| p == n.party) {
                    Some(i) => i,
                    None => {
                        out.parties.push(n.party.to_string());
                        out.parties.len() - 1
                    }
                },
            };
            last_party = party;
            out.rows.push((u16::try_from(party).unwrap_or(u16::MAX), n.name_key, n.kana_key, flags));
        };
    let file = piece.file();
    let party = match &piece {
        Piece::Csv(c) => c.party(),
        Piece::Rows(b) => b.party.clone(),
    };
    match piece.plain_rows(&mut |line, view| row_out(file, party.as_deref(), true, line, Ok(view))) {
        None => {}
        Some(piece) => {
            let batch = piece.into_batch();
            for row in 0..batch.len() {
                let line = batch.lines.get(row).copied().unwrap_or(0);
                let view = batch.view(row);
                row_out(batch.file, batch.party.as_deref(), batch.plain, line, view.as_ref().map_err(|r| *r));
            }
            batch.recycle();
        }
    }
    out
}

fn stopped() -> PeopleError {
    PeopleError::Output { path: PathBuf::new(), message: "stopped".into() }
}

/// Reads inputs on a thread of their own, parses and normalizes their pieces on one worker per
/// core, and hands the results to `handle` here, in the order of the files.
#[allow(clippy::too_many_arguments)]
fn each_piece(
    inputs: Vec<Input>,
    first_file: u32,
    mapping: &ColumnMapping,
    purpose: Purpose,
    bytes: &Arc<AtomicU64>,
    spool_dir: &std::path::Path,
    spool_memory: &SpoolMemory,
    mut handle: impl FnMut(ChunkOut) -> Result<()>,
) -> Result<()> {
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let (piece_tx, piece_rx) = std::sync::mpsc::sync_channel::<(u64, Piece)>(workers);
    let piece_rx = Arc::new(Mutex::new(piece_rx));
    let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<(u64, ChunkOut)>(workers);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<()> {
            let mut seq = 0u64;
            for (i, input) in inputs.into_iter().enumerate() {
                read_pieces(first_file + i as u32, input, mapping, purpose, bytes, &mut |piece| {
                    seq += 1;
                    // The workers are gone only when handling failed; that error is reported.
                    piece_tx.send((seq - 1, piece)).map_err(|_| stopped())
                })?;
            }
            Ok(())
        });
        for _ in 0..workers {
            let (rx, tx) = (piece_rx.clone(), out_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = rx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((seq, piece)) = next else { break };
                    let mut out = process(piece, purpose);
                    if !out.spool.is_empty() {
                        let size = out.spool.capacity();
                        let held = spool_memory.held.fetch_add(size, Ordering::Relaxed) + size;
                        if held <= spool_memory.limit {
                            out.segment = Some(Ok(Segment::Memory(std::mem::take(&mut out.spool))));
                        } else {
                            spool_memory.held.fetch_sub(size, Ordering::Relaxed);
                            // Each worker writes the segments it made: the copy into the page
                            // cache is spread over the cores, not left to the thread that merges.
                            let path = spool_dir.join(format!("spool-{seq:010}.bin"));
                            let written = std::fs::write(&path, &out.spool).map_err(|e| PeopleError::io(&path, e));
                            out.segment = Some(written.map(|()| Segment::File(path)));
                            give_buf(std::mem::take(&mut out.spool));
                        }
                    }
                    if tx.send((seq, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(piece_rx);
        drop(out_tx);
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        let mut handled = Ok(());
        'results: for (seq, out) in out_rx.iter() {
            pending.insert(seq, out);
            while let Some(out) = pending.remove(&next) {
                next += 1;
                handled = handle(out);
                if handled.is_err() {
                    break 'results;
                }
            }
        }
        drop(out_rx);
        drop(pending);
        let read = reader.join().unwrap_or_else(|_| {
            Err(PeopleError::Output { path: PathBuf::new(), message: "the reader thread failed".into() })
        });
        handled.and(read)
    })
}

/// Gives each party a number, in order of first appearance.
#[derive(Default)]
struct Parties {
    names: Vec<String>,
    index: FxHashMap<String, u16>,
    last: Option<(String, u16)>,
}

impl Parties {
    fn intern(&mut self, name: &str) -> Result<u16> {
        if let Some((last, i)) = &self.last
            && last == name
        {
            return Ok(*i);
        }
        let i = match self.index.get(name) {
            Some(i) => *i,
            None => {
                let i = u16::try_from(self.names.len()).ok().filter(|i| *i < NO_PARTY).ok_or_else(|| {
                    PeopleError::Output { path: PathBuf::new(), message: "more than 65,534 parties".into() }
                })?;
                self.names.push(name.to_string());
                self.index.insert(name.to_string(), i);
                i
            }
        };
        self.last = Some((name.to_string(), i));
        Ok(i)
    }
}

const OUT_EXTRA: [&str; 2] = ["他の委託元", "元データ"];

fn output_header() -> Vec<&'static str> {
    Field::ALL.iter().map(|f| f.ja()).chain(OUT_EXTRA).collect()
}

/// Plans the lists: reads, matches, excludes, assigns channels and writes `opts.out`.
pub fn plan(opts: PlanOptions, progress: &dyn Progress) -> Result<PlanOutcome> {
    plan_with(opts, progress, SPOOL_MEMORY)
}

/// [`plan`], holding at most `spool_limit` bytes of spool in memory.
fn plan_with(opts: PlanOptions, progress: &dyn Progress, spool_limit: usize) -> Result<PlanOutcome> {
    let PlanOptions { inputs, excludes, mapping, config, encoding, out } = opts;
    let staging = Staging::new(&out)?;
    let dir = staging.dir.clone();
    let mut file_names: Vec<String> = inputs.iter().map(|i| i.name().to_string()).collect();
    let exclude_names: Vec<String> = excludes.iter().map(|i| i.name().to_string()).collect();

    // Pass 1: read.
    let total = inputs.iter().map(Input::size).sum::<Option<u64>>();
    progress.phase("read", total);
    let bytes = Arc::new(AtomicU64::new(0));
    // The spool's segments, in row order, with how many rows each holds.
    let mut segments: Vec<(Segment, u32)> = Vec::new();
    let spool_memory = SpoolMemory { held: AtomicUsize::new(0), limit: spool_limit };
    let mut rejected = CsvOut::create(&dir.join("rejected.csv"), encoding, &["file", "line", "reason"])?;
    let mut parties = Parties::default();
    let mut party_of: Vec<u16> = Vec::new();
    let mut flags: Vec<u8> = Vec::new();
    let mut entries = Buckets::new();
    let mut summary = Summary::default();
    let mut line_text = String::new();
    each_piece(inputs, 0, &mapping, Purpose::Notify, &bytes, &dir, &spool_memory, |mut chunk| {
        if let Some(segment) = chunk.segment.take() {
            segments.push((segment?, chunk.rows.len() as u32));
        }
        let file_name = file_names.get(chunk.file as usize).map_or("", String::as_str);
        summary.rows_read += chunk.rows_read;
        for (line, reason) in &chunk.rejected {
            line_text.clear();
            let _ = write!(line_text, "{line}");
            rejected.row([file_name, line_text.as_str(), &reason.text()])?;
        }
        summary.rows_rejected += chunk.rejected.len() as u64;
        let local: Vec<u16> = chunk.parties.iter().map(|p| parties.intern(p)).collect::<Result<_>>()?;
        let first = u32::try_from(flags.len() + chunk.rows.len())
            .ok()
            .filter(|r| *r < EXCLUSION_ROW)
            .map(|end| end - chunk.rows.len() as u32)
            .ok_or_else(|| PeopleError::Output { path: out.clone(), message: "more than 2^31 rows".into() })?;
        party_of.reserve(chunk.rows.len());
        flags.reserve(chunk.rows.len());
        for (i, (party, name_key, kana_key, f)) in chunk.rows.into_iter().enumerate() {
            let row = first + i as u32;
            let party = local.get(party as usize).copied().unwrap_or(0);
            party_of.push(party);
            flags.push(f);
            for key in [name_key, kana_key].into_iter().flatten() {
                entries.push(Entry::new(key, party, row));
            }
        }
        progress.advance(bytes.load(Ordering::Relaxed), summary.rows_read);
        Ok(())
    })?;
    let mut unencodable = rejected.finish()?;

    // Exclusion lists: their keys join the index, marked.
    let mut outcome = PlanOutcome::default();
    let mut rejected_exclusions: Option<CsvOut> = None;
    let first_exclusion = file_names.len() as u32;
    file_names.extend(exclude_names);
    let mut exclusion_no: u32 = 0;
    each_piece(excludes, first_exclusion, &mapping, Purpose::Exclude, &bytes, &dir, &spool_memory, |chunk| {
        let file_name = file_names.get(chunk.file as usize).map_or("", String::as_str);
        for (line, reason) in &chunk.rejected {
            if rejected_exclusions.is_none() {
                rejected_exclusions =
                    Some(CsvOut::create(&dir.join("rejected_exclusions.csv"), encoding, &["file", "line", "reason"])?);
            }
            if let Some(w) = rejected_exclusions.as_mut() {
                w.row([file_name, &line.to_string(), &reason.text()])?;
            }
            outcome.exclusion_rows_rejected += 1;
        }
        let local: Vec<u16> = chunk
            .parties
            .iter()
            .map(|p| match p.as_str() {
                "" => ANY_PARTY,
                // A party no input names has nobody to exclude.
                p => parties.index.get(p).copied().unwrap_or(NO_PARTY),
            })
            .collect();
        for (party, name_key, kana_key, _) in chunk.rows {
            let party = local.get(party as usize).copied().unwrap_or(NO_PARTY);
            if party == NO_PARTY {
                continue;
            }
            let row = EXCLUSION_ROW | exclusion_no;
            exclusion_no = exclusion_no.wrapping_add(1) & !EXCLUSION_ROW;
            for key in [name_key, kana_key].into_iter().flatten() {
                entries.push(Entry::new(key, party, row));
            }
        }
        Ok(())
    })?;
    if let Some(w) = rejected_exclusions {
        unencodable += w.finish()?;
    }

    // Pass 2: match.
    progress.phase("match", None);
    let n = flags.len();
    // Each part of the entries is sorted and its keys shared by several rows found on every core;
    // what they found is applied here, in any order (joining and marking commute).
    let found: Vec<Shared> = entries.0.into_par_iter().map(shared_keys).collect();
    let mut persons = Persons { parent: (0..n as u32).collect() };
    let mut other_parties: FxHashMap<u32, Vec<u16>> = FxHashMap::default();
    for part in found {
        for (first, row) in part.joins {
            persons.union(first, row);
        }
        for (first, mark) in part.marks {
            if let Some(f) = flags.get_mut(first as usize) {
                *f |= mark;
            }
        }
        for (first, others) in part.others {
            other_parties.entry(first).or_default().extend(others);
        }
    }

    // Each set's root gathers its flags, its last row and the rows its contact data comes from.
    let mut sources = vec![Sources { last: NONE, email: NONE, post: NONE, phone: NONE }; n];
    let mut person_flags = vec![0u8; n];
    let mut several: FxHashMap<u32, Vec<u16>> = FxHashMap::default();
    for row in 0..n as u32 {
        let root = persons.find(row);
        if let Some(p) = persons.parent.get_mut(row as usize) {
            *p = root;
        }
        let (r, i) = (root as usize, row as usize);
        let f = flags.get(i).copied().unwrap_or(0);
        if let Some(pf) = person_flags.get_mut(r) {
            *pf |= f;
        }
        if let Some(s) = sources.get_mut(r) {
            s.last = row;
            // The first row with each kind of contact data; chosen without branching, as whether
            // a row has it is a coin toss the processor cannot predict.
            let first = |src: u32, has: bool| if has && src == NONE { row } else { src };
            s.email = first(s.email, f & EMAIL != 0);
            s.post = first(s.post, f & POST != 0);
            s.phone = first(s.phone, f & PHONE != 0);
        }
        if f & SEVERAL != 0
            && let Some(others) = other_parties.remove(&row)
        {
            let list = several.entry(root).or_default();
            list.extend(others);
            list.sort_unstable();
            list.dedup();
        }
    }
    drop(flags);
    drop(other_parties);

    // Channels and counts, per person.
    let channels: Vec<Vec<Channel>> = parties.names.iter().map(|p| config.channels(p).to_vec()).collect();
    let mut per_party: Vec<PartySummary> = vec![PartySummary::default(); parties.names.len()];
    for row in 0..n {
        if persons.parent.get(row).copied() != Some(row as u32) {
            continue;
        }
        let party = party_of.get(row).copied().unwrap_or(0);
        let pflags = person_flags.get(row).copied().unwrap_or(0);
        if let Some(s) = per_party.get_mut(party as usize) {
            s.persons += 1;
            if pflags & EXCLUDED != 0 {
                s.excluded += 1;
            } else {
                s.to_notify += 1;
                s.channels.add(channel_of(&channels, party, pflags));
            }
        }
        if pflags & SEVERAL != 0 {
            outcome.in_several_parties += 1;
        }
    }
    for (name, mut s) in parties.names.iter().cloned().zip(per_party) {
        s.cost_yen = Channel::ALL.iter().map(|c| s.channels.get(*c) * config.cost(&name, *c)).sum();
        summary.persons += s.persons;
        summary.excluded += s.excluded;
        summary.to_notify += s.to_notify;
        summary.parties.insert(name, s);
    }
    summary.duplicates_merged = summary.rows_read - summary.rows_rejected - summary.persons;

    // Pass 3: write, as a pipeline over the spool's segments: one thread loads them (reading the
    // files of those not in memory), this one gathers the lines of people of several rows (whose
    // rows lie in several segments), one worker per core puts together each segment's lines for
    // their files, and one thread writes them, segment after segment.
    progress.phase("write", Some(n as u64));
    let header = output_header();
    let view = Persons3 {
        party_of: &party_of,
        person_flags: &person_flags,
        several: &several,
        names: &parties.names,
        files: &file_names,
        plain_files: file_names.iter().all(|f| !f.contains([',', '"', '\r', '\n'])),
        tail_starts: file_names.iter().map(|f| [b",,", f.as_bytes(), b":"].concat()).collect(),
        channels: &channels,
        parent: &persons.parent,
        sources: &sources,
    };
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let (block_tx, block_rx) = std::sync::mpsc::sync_channel::<std::io::Result<(u32, u32, Vec<u8>)>>(2);
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<(u64, Work)>(workers);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (lines_tx, lines_rx) = std::sync::mpsc::sync_channel::<(u64, Vec<(Target, Vec<u8>)>)>(workers);
    let names = &parties.names;
    let dir_ref = &dir;
    let header_ref = &header;
    let view_ref = &view;
    let written = std::thread::scope(|scope| -> Result<u64> {
        scope.spawn(move || {
            let mut first = 0u32;
            for (segment, rows) in segments {
                let block = match segment {
                    Segment::Memory(block) => Ok(block),
                    // A file is read whole and deleted at once: its pages leave the cache early.
                    Segment::File(path) => {
                        let mut block = take_buf(0);
                        std::fs::File::open(&path)
                            .and_then(|mut f| f.read_to_end(&mut block))
                            .and_then(|_| std::fs::remove_file(&path))
                            .map(|()| block)
                    }
                };
                if block_tx.send(block.map(|b| (first, rows, b))).is_err() {
                    break;
                }
                first += rows;
            }
        });
        for _ in 0..workers {
            let (rx, tx) = (work_rx.clone(), lines_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = rx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((seq, work)) = next else { break };
                    if tx.send((seq, segment_lines(work, view_ref))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(work_rx);
        drop(lines_tx);
        let writer = scope.spawn(move || -> Result<u64> {
            let mut writers =
                Writers { dir: dir_ref, encoding, header: header_ref, names, files: FxHashMap::default() };
            let mut excluded_out = CsvOut::create(&dir_ref.join("excluded.csv"), encoding, header_ref)?;
            let mut several_out = CsvOut::create(&dir_ref.join("several_parties.csv"), encoding, header_ref)?;
            // The segments' lines, written in the order of the segments.
            let mut pending = BTreeMap::new();
            let mut next = 0u64;
            for (seq, lines) in lines_rx.iter() {
                pending.insert(seq, lines);
                while let Some(lines) = pending.remove(&next) {
                    next += 1;
                    for (target, bytes) in lines {
                        writer_for(target, &mut writers, &mut excluded_out, &mut several_out)?.raw(&bytes)?;
                        give_buf(bytes);
                    }
                }
            }
            let mut unencodable = 0;
            for (_, w) in writers.files {
                unencodable += w.finish()?;
            }
            Ok(unencodable + excluded_out.finish()? + several_out.finish()?)
        });
        let mut held = Held::new(dir_ref.join("held.bin"));
        let gathered = gather(block_rx, &work_tx, &mut held, &view, progress);
        drop(work_tx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(PeopleError::Output { path: PathBuf::new(), message: "the writer thread failed".into() })
        });
        // A failed writer explains why the lines could not be handed over.
        let unencodable = written?;
        gathered.map_err(|e| PeopleError::io(dir_ref.join("spool"), e))?;
        held.finish().map_err(|e| PeopleError::io(dir_ref.join("held.bin"), e))?;
        Ok(unencodable)
    })?;
    unencodable += written;
    progress.advance(n as u64, n as u64);
    progress.finish();
    let json = serde_json::to_string_pretty(&summary)
        .map_err(|e| PeopleError::Output { path: out.clone(), message: e.to_string() })?;
    let summary_path = dir.join("summary.json");
    std::fs::write(&summary_path, json + "\n").map_err(|e| PeopleError::io(&summary_path, e))?;
    clear_pool();
    staging.commit()?;
    outcome.summary = summary;
    outcome.unencodable = unencodable;
    Ok(outcome)
}

/// A spool segment on its way to a worker: its first row, its rows, and the lines of the people
/// of several rows whose last row it holds (gathered in order, with the row each belongs at).
struct Work {
    first: u32,
    block: Vec<u8>,
    merged: Vec<u8>,
    /// Per person of several rows: its last row and the end of its line in `merged`.
    merged_at: Vec<(u32, usize)>,
}

/// Reads the segments in order and gathers the line of each person of several rows, once its
/// last row is read, with the identity of its first row and the most complete contact data of all
/// its rows; hands each segment on to the workers with the lines whose last row it holds.
fn gather(
    blocks: std::sync::mpsc::Receiver<std::io::Result<(u32, u32, Vec<u8>)>>,
    work: &std::sync::mpsc::SyncSender<(u64, Work)>,
    held: &mut Held,
    view: &Persons3<'_>,
    progress: &dyn Progress,
) -> std::io::Result<()> {
    let (parent, sources) = (view.parent, view.sources);
    let mut partial: FxHashMap<u32, Partial> = FxHashMap::default();
    let mut expected = 0u32;
    for (seq, block) in blocks.iter().enumerate() {
        let (first, rows, block) = block?;
        let mut merged = take_buf(block.len() / 8);
        let mut merged_at = Vec::new();
        let mut r = first;
        for row in (SpoolRows { block: &block, pos: 0 }) {
            let i = r as usize;
            r += 1;
            let root = parent.get(i).copied().unwrap_or(r - 1);
            let Some(&src) = sources.get(root as usize) else { continue };
            if root == r - 1 && src.last == root {
                // A person of one row (most are): the worker writes it as spooled.
                continue;
            }
            let r = r - 1;
            let p = partial.entry(root).or_default();
            p.sources.push((row.file, row.line));
            // Where the fields end, found only in a row that gives some of them.
            let gives = r == root || r == src.email || r == src.post || r == src.phone;
            let ends = if gives { field_ends(row.text) } else { [0; Field::ALL.len()] };
            let field = |k: usize| field_of(&ends, row.text, k);
            if r == root {
                p.identity = Some(held.keep(row.text, &mut p.buf)?);
                p.ends = ends;
            }
            if r == src.email {
                p.email = Some(held.keep(field(S_EMAIL), &mut p.buf)?);
            }
            if r == src.post {
                p.postal = Some(held.keep(field(S_POSTAL), &mut p.buf)?);
                p.address = Some(held.keep(field(S_ADDRESS), &mut p.buf)?);
            }
            if r == src.phone {
                p.phone = Some(held.keep(field(S_PHONE), &mut p.buf)?);
            }
            if r != src.last {
                continue;
            }
            let Some(mut p) = partial.remove(&root) else { continue };
            let sources = std::mem::take(&mut p.sources);
            p.line(held, &mut merged)?;
            view.tail(root, &sources, &mut merged);
            merged_at.push((r, merged.len()));
        }
        // Every row of the segment was there (a spool file cut short would lose some).
        if r != first + rows || first != expected {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        expected = r;
        let segment = Work { first, block, merged, merged_at };
        work.send((seq as u64, segment)).map_err(|_| std::io::Error::other("the writer stopped"))?;
        progress.advance(u64::from(r), u64::from(r));
    }
    if expected as usize != parent.len() {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// The lines of a segment's people, for each of their files (on a worker): a person of one row
/// as spooled with its tail, a person of several rows as gathered, at its last row.
fn segment_lines(work: Work, view: &Persons3<'_>) -> Vec<(Target, Vec<u8>)> {
    let (parent, sources) = (view.parent, view.sources);
    // Each file's buffer, at its target's number.
    let mut out: Vec<Option<(Target, Vec<u8>)>> = Vec::new();
    let guess = work.block.len() / 4;
    fn buffer(out: &mut Vec<Option<(Target, Vec<u8>)>>, target: Target, guess: usize) -> Option<&mut Vec<u8>> {
        let id = target.id();
        if out.len() <= id {
            out.resize_with(id + 1, || None);
        }
        out.get_mut(id).map(|slot| &mut slot.get_or_insert_with(|| (target, take_buf(guess))).1)
    }
    let mut merged = work.merged_at.iter();
    let mut merged_start = 0;
    for (k, row) in (SpoolRows { block: &work.block, pos: 0 }).enumerate() {
        let r = work.first + k as u32;
        let i = r as usize;
        let root = parent.get(i).copied().unwrap_or(r);
        let Some(src) = sources.get(root as usize) else { continue };
        if src.last != r {
            // Not the last row of its person: its line comes at that row.
            continue;
        }
        let (targets, count) = view.targets(root);
        if root == r {
            // A person of one row (most are): the spooled fields, then the tail.
            for target in targets.into_iter().take(count) {
                if let Some(buf) = buffer(&mut out, target, guess) {
                    buf.extend_from_slice(row.text);
                    view.tail(root, &[(row.file, row.line)], buf);
                }
            }
        } else if let Some(&(_, end)) = merged.next() {
            let line = work.merged.get(merged_start..end).unwrap_or_default();
            merged_start = end;
            for target in targets.into_iter().take(count) {
                if let Some(buf) = buffer(&mut out, target, guess) {
                    buf.extend_from_slice(line);
                }
            }
        }
    }
    give_buf(work.block);
    give_buf(work.merged);
    out.into_iter().flatten().collect()
}

/// Where a person's line goes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Channel(u16, Channel),
    Excluded,
    Several,
}

impl Target {
    /// A small number of its own, to find its buffer by.
    fn id(self) -> usize {
        match self {
            Target::Excluded => 0,
            Target::Several => 1,
            Target::Channel(party, channel) => {
                let c = match channel {
                    Channel::Post => 0,
                    Channel::Email => 1,
                    Channel::Bulletin => 2,
                    Channel::Substitute => 3,
                };
                2 + usize::from(party) * 4 + c
            }
        }
    }
}

/// Output files, opened when their first line comes.
struct Writers<'a> {
    dir: &'a std::path::Path,
    encoding: OutputEncoding,
    header: &'a [&'a str],
    names: &'a [String],
    files: FxHashMap<(u16, Channel), CsvOut>,
}

fn writer_for<'w>(
    target: Target,
    writers: &'w mut Writers<'_>,
    excluded: &'w mut CsvOut,
    several: &'w mut CsvOut,
) -> Result<&'w mut CsvOut> {
    match target {
        Target::Excluded => Ok(excluded),
        Target::Several => Ok(several),
        Target::Channel(party, channel) => match writers.files.entry((party, channel)) {
            std::collections::hash_map::Entry::Occupied(o) => Ok(o.into_mut()),
            std::collections::hash_map::Entry::Vacant(v) => {
                let name = writers.names.get(party as usize).map_or("", String::as_str);
                let folder = writers.dir.join(folder_name(name));
                std::fs::create_dir_all(&folder).map_err(|e| PeopleError::io(&folder, e))?;
                let path = folder.join(format!("{}.csv", channel.key()));
                Ok(v.insert(CsvOut::create(&path, writers.encoding, writers.header)?))
            }
        },
    }
}

/// What the write pass reads of the matching.
struct Persons3<'a> {
    party_of: &'a [u16],
    person_flags: &'a [u8],
    several: &'a FxHashMap<u32, Vec<u16>>,
    names: &'a [String],
    files: &'a [String],
    /// Whether no file name needs quoting in CSV.
    plain_files: bool,
    /// For each file, the start of the tail of a line with one source row and no other parties:
    /// `,,FILE:` (when no file name needs quoting).
    tail_starts: Vec<Vec<u8>>,
    /// Each party's channels, in order of preference.
    channels: &'a [Vec<Channel>],
    /// Each row's person (its root row).
    parent: &'a [u32],
    /// At each root row: its person's last row and the rows its contact data comes from.
    sources: &'a [Sources],
}

impl Persons3<'_> {
    /// The source rows, `FILE:LINE;FILE:LINE…`.
    fn sources(&self, sources: &[(u32, u64)], out: &mut Vec<u8>) {
        for (k, (file, line)) in sources.iter().enumerate() {
            if k > 0 {
                out.push(b';');
            }
            out.extend_from_slice(self.files.get(*file as usize).map_or(&b""[..], |f| f.as_bytes()));
            out.push(b':');
            push_number(out, *line);
        }
    }

    /// The files the person whose root is `root` goes to (the first `count` of them).
    fn targets(&self, root: u32) -> ([Target; 2], usize) {
        let i = root as usize;
        let party = self.party_of.get(i).copied().unwrap_or(0);
        let pflags = self.person_flags.get(i).copied().unwrap_or(0);
        let own = if pflags & EXCLUDED != 0 {
            Target::Excluded
        } else {
            Target::Channel(party, channel_of(self.channels, party, pflags))
        };
        if pflags & SEVERAL != 0 { ([Target::Several, own], 2) } else { ([own, own], 1) }
    }

    /// Appends the end of a person's line: the other parties listing it, its source rows, the
    /// line end.
    fn tail(&self, root: u32, sources: &[(u32, u64)], out: &mut Vec<u8>) {
        // Only a person flagged as listed by several parties has other parties to name.
        let several = self
            .person_flags
            .get(root as usize)
            .is_some_and(|f| f & SEVERAL != 0)
            .then(|| self.several.get(&root))
            .flatten();
        if several.is_none() && self.plain_files {
            // No other parties, and file names with nothing to quote: `,,SOURCES\r\n`.
            match sources {
                [(file, line)] => {
                    // One source row (most people): `,,FILE:` is ready.
                    out.extend_from_slice(self.tail_starts.get(*file as usize).map_or(&b",,:"[..], Vec::as_slice));
                    push_number(out, *line);
                }
                _ => {
                    out.extend_from_slice(b",,");
                    self.sources(sources, out);
                }
            }
            out.extend_from_slice(b"\r\n");
            return;
        }
        let mut others = String::new();
        for p in several.into_iter().flatten().filter_map(|p| self.names.get(*p as usize)) {
            if !others.is_empty() {
                others.push(';');
            }
            others.push_str(p);
        }
        let mut list = Vec::new();
        self.sources(sources, &mut list);
        csv_field(out, false, others.as_bytes());
        csv_field(out, false, &list);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends a number in decimal (no formatting machinery: once per row written), two digits at a
/// time.
fn push_number(out: &mut Vec<u8>, mut n: u64) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while n >= 100 && i >= 2 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        if let (Some(d), Some(p)) = (digits.get_mut(i..i + 2), PAIRS.get(pair..pair + 2)) {
            d.copy_from_slice(p);
        }
    }
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// The first channel of the party's list that the person's contact data allows.
fn channel_of(channels: &[Vec<Channel>], party: u16, pflags: u8) -> Channel {
    channels
        .get(party as usize)
        .and_then(|list| {
            list.iter().copied().find(|c| match c {
                Channel::Email => pflags & EMAIL != 0,
                Channel::Post => pflags & POST != 0,
                Channel::Bulletin => pflags & STAFF != 0,
                Channel::Substitute => true,
            })
        })
        .unwrap_or(Channel::Substitute)
}

/// Field positions in a spooled line.
const S_POSTAL: usize = Field::PostalCode as usize;
const S_ADDRESS: usize = Field::Address as usize;
const S_PHONE: usize = Field::Phone as usize;
const S_EMAIL: usize = Field::Email as usize;

/// A person's data gathered from its rows until its last row is read; fields as quoted for output.
#[derive(Default)]
struct Partial {
    /// The texts held in memory, one after another (one buffer, not one per text).
    buf: Vec<u8>,
    /// The first row's line and where its fields end.
    identity: Option<Text>,
    ends: [u32; Field::ALL.len()],
    email: Option<Text>,
    postal: Option<Text>,
    address: Option<Text>,
    phone: Option<Text>,
    sources: Vec<(u32, u64)>,
}

impl Partial {
    /// The person's line: the first row's identity, the most complete contact data of all rows.
    fn line(mut self, held: &mut Held, out: &mut Vec<u8>) -> std::io::Result<()> {
        let buf = std::mem::take(&mut self.buf);
        let identity = held.take(self.identity.take(), &buf)?.unwrap_or_default();
        let [email, postal, address, phone] =
            [self.email.take(), self.postal.take(), self.address.take(), self.phone.take()];
        let (email, postal, address, phone) =
            (held.take(email, &buf)?, held.take(postal, &buf)?, held.take(address, &buf)?, held.take(phone, &buf)?);
        let own = |k: usize| field_of(&self.ends, &identity, k);
        for k in 0..Field::ALL.len() {
            if k > 0 {
                out.push(b',');
            }
            let value: &[u8] = match k {
                S_EMAIL => email.as_deref().unwrap_or_else(|| own(k)),
                S_POSTAL => postal.as_deref().unwrap_or_else(|| own(k)),
                S_ADDRESS => address.as_deref().unwrap_or_else(|| own(k)),
                S_PHONE => phone.as_deref().unwrap_or_else(|| own(k)),
                _ => own(k),
            };
            out.extend_from_slice(value);
        }
        Ok(())
    }
}

/// Text held for a person until its last row: in memory up to a budget, beyond it in a file, so
/// that memory does not grow with row text even when a person's rows lie far apart (in different
/// files, say).
enum Text {
    /// In the person's own buffer.
    Memory { at: usize, len: usize },
    /// In the file.
    Spilled { at: u64, len: usize },
}

/// Bytes of held text kept in memory at most.
const HELD_BUDGET: usize = if cfg!(test) { 64 } else { 64 << 20 };

struct Held {
    path: PathBuf,
    in_memory: usize,
    file: Option<std::fs::File>,
    end: u64,
}

impl Held {
    fn new(path: PathBuf) -> Self {
        Self { path, in_memory: 0, file: None, end: 0 }
    }

    /// Keeps `bytes`: at the end of the person's buffer `buf`, or in the file.
    fn keep(&mut self, bytes: &[u8], buf: &mut Vec<u8>) -> std::io::Result<Text> {
        use std::io::{Seek, SeekFrom, Write};
        if self.in_memory + bytes.len() <= HELD_BUDGET {
            self.in_memory += bytes.len();
            let at = buf.len();
            buf.extend_from_slice(bytes);
            return Ok(Text::Memory { at, len: bytes.len() });
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(
                std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&self.path)?,
            ),
        };
        file.seek(SeekFrom::Start(self.end))?;
        file.write_all(bytes)?;
        let at = self.end;
        self.end += bytes.len() as u64;
        Ok(Text::Spilled { at, len: bytes.len() })
    }

    /// A text kept, from the person's buffer `buf` or the file; its memory is free again.
    fn take<'b>(&mut self, text: Option<Text>, buf: &'b [u8]) -> std::io::Result<Option<Cow<'b, [u8]>>> {
        use std::io::{Seek, SeekFrom};
        match text {
            None => Ok(None),
            Some(Text::Memory { at, len }) => {
                self.in_memory -= len;
                Ok(Some(Cow::Borrowed(buf.get(at..at + len).unwrap_or_default())))
            }
            Some(Text::Spilled { at, len }) => {
                let Some(file) = self.file.as_mut() else { return Err(std::io::ErrorKind::NotFound.into()) };
                file.seek(SeekFrom::Start(at))?;
                let mut v = vec![0; len];
                file.read_exact(&mut v)?;
                Ok(Some(Cow::Owned(v)))
            }
        }
    }

    /// Removes the file, if one was needed.
    fn finish(self) -> std::io::Result<()> {
        if self.file.is_some() {
            drop(self.file);
            std::fs::remove_file(&self.path)?;
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` without allocating.
fn iso_date((y, m, d): (i16, u8, u8)) -> [u8; 10] {
    let y = u16::try_from(y).unwrap_or(0);
    let digit = |n: u16| b'0' + (n % 10) as u8;
    let (m, d) = (u16::from(m), u16::from(d));
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    /// In unit tests the held-text budget is a few bytes: every person of several rows goes
    /// through the file, and the plan is still exactly the truth.
    #[test]
    fn held_text_beyond_the_budget_goes_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let opts =
            GenerateOptions { rows: 3000, seed: 5, files: 2, duplicates: 0.3, keep_rows: true, ..Default::default() };
        let truth = generate(&opts, &dir.path().join("lists")).unwrap();
        let out = dir.path().join("plan");
        let open = |p: &PathBuf| Input::open(p).unwrap();
        let outcome = plan(
            PlanOptions {
                inputs: truth.inputs.iter().map(open).collect(),
                excludes: truth.excludes.iter().map(open).collect(),
                mapping: ColumnMapping::default(),
                config: PlanConfig::default(),
                encoding: OutputEncoding::Utf8Bom,
                out: out.clone(),
            },
            &crate::NoProgress,
        )
        .unwrap();
        assert_eq!(outcome.summary, truth.summary);
        let mut found = Vec::new();
        for party in truth.summary.parties.keys() {
            for channel in ["email", "post", "bulletin", "substitute"] {
                let Ok(text) = std::fs::read_to_string(out.join(party).join(format!("{channel}.csv"))) else {
                    continue;
                };
                let mut reader = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
                for row in reader.records() {
                    let row = row.unwrap();
                    let mut rows: Vec<String> =
                        row.iter().next_back().unwrap().split(';').map(str::to_string).collect();
                    rows.sort();
                    found.push(rows);
                }
            }
        }
        found.sort();
        assert_eq!(found, truth.rows_of_people);
        assert!(!out.join("held.bin").exists());
    }

    /// Every file of a plan's folder, by its path in the folder.
    fn files_of(dir: &std::path::Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                for (p, bytes) in files_of(&path) {
                    files.insert(path.file_name().unwrap().into(), Vec::new());
                    files.insert(PathBuf::from(path.file_name().unwrap()).join(p), bytes);
                }
            } else {
                files.insert(path.file_name().unwrap().into(), std::fs::read(&path).unwrap());
            }
        }
        files
    }

    /// The spool gives the same plan whether it is held in memory or written to files, and its
    /// files are gone afterwards.
    #[test]
    fn the_spool_in_memory_or_in_files_gives_the_same_plan() {
        let dir = tempfile::tempdir().unwrap();
        let opts =
            GenerateOptions { rows: 20_000, seed: 9, files: 3, duplicates: 0.3, several: 0.05, ..Default::default() };
        let truth = generate(&opts, &dir.path().join("lists")).unwrap();
        let mut plans = Vec::new();
        for (name, limit) in [("memory", usize::MAX), ("files", 0)] {
            let out = dir.path().join(name);
            let open = |p: &PathBuf| Input::open(p).unwrap();
            let options = PlanOptions {
                inputs: truth.inputs.iter().map(open).collect(),
                excludes: truth.excludes.iter().map(open).collect(),
                mapping: ColumnMapping::default(),
                config: PlanConfig::default(),
                encoding: OutputEncoding::Utf8Bom,
                out: out.clone(),
            };
            let outcome = plan_with(options, &crate::NoProgress, limit).unwrap();
            assert_eq!(outcome.summary, truth.summary);
            plans.push(files_of(&out));
        }
        assert!(plans.iter().flat_map(|p| p.keys()).all(|p| !p.to_string_lossy().contains("spool")));
        assert_eq!(plans[0], plans[1]);
    }

    proptest::proptest! {
        /// The field ends found again in a spooled line are those it was written with.
        #[test]
        fn field_ends_are_found_again(values in proptest::collection::vec(
            proptest::collection::vec(0..FIELD_PIECES.len(), 0..4), Field::ALL.len()
        )) {
            let values: Vec<String> =
                values.iter().map(|v| v.iter().map(|i| FIELD_PIECES[*i]).collect()).collect();
            let mut line = Vec::new();
            let mut want = Vec::new();
            for (k, v) in values.iter().enumerate() {
                let start = line.len() + usize::from(k > 0);
                csv_field(&mut line, k == 0, v.as_bytes());
                want.push(line[start..].to_vec());
            }
            let ends = field_ends(&line);
            for (k, w) in want.iter().enumerate() {
                proptest::prop_assert_eq!(field_of(&ends, &line, k), &w[..], "{:?}", values);
            }
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut n = 1u64;
        let mut cases = vec![0, 9, 10, 99, 100, 101, 999, 1000, 1_234_567, u64::MAX];
        for _ in 0..200 {
            n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            cases.extend([n, n >> 20, n >> 40]);
        }
        for n in cases {
            let mut out = Vec::new();
            push_number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    const FIELD_PIECES: [&str; 9] = ["", "a", ",", "\"", "\"\"", "x,y", "\r\n", "山", " "];
}
