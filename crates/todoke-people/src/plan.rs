//! `todoke people plan` (CONTRACTS.md §3), in two passes over the rows.
//!
//! 1. **Read**: every row is read, normalized on all cores and either rejected (to `rejected.csv`)
//!    or given a row number; its contact data goes to a spool file, and only its identity keys
//!    (a hash of the normalized kanji or kana name with the birth date), its party and a few flags
//!    stay in memory.
//! 2. **Match**: the keys are sorted; rows sharing a key and a party are one person (union-find,
//!    so matching is transitive), exclusion rows mark the people they name, keys shared across
//!    parties mark people listed by several consignors.
//! 3. **Write**: the spool is read back in row order; each person is written once its last row is
//!    seen, with the most complete contact data of all its rows, to the file of its channel.

use crate::config::{Channel, PlanConfig};
use crate::error::{PeopleError, Result};
use crate::field::{ColumnMapping, Field};
use crate::output::{CsvOut, OutputEncoding, Staging, csv_field, folder_name};
use crate::progress::Progress;
use crate::read::{Batch, Input, Purpose, Reason, View, normalize_row, not_text, read_batches};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// One identity key of a row: 16 bytes, so ten million rows with two keys each take 320 MB.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    party: u16,
    row: u32,
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

/// The fields of a row kept for writing, in the spool (the order of [`SPOOLED`]).
const SPOOLED: [Field; 9] = [
    Field::Name,
    Field::Kana,
    Field::Sex,
    Field::PostalCode,
    Field::Address,
    Field::Phone,
    Field::Email,
    Field::PersonId,
    Field::Group,
];
const S_POSTAL: usize = 3;
const S_ADDRESS: usize = 4;
const S_PHONE: usize = 5;
const S_EMAIL: usize = 6;

/// The spooled head of a row: file, line, birth date, and the length of each field.
const HEAD: usize = 4 + 8 + 4 + 4 * SPOOLED.len();

/// Spools a row: the length of its text, its head, then the text of the [`SPOOLED`] fields.
fn encode_row(buf: &mut Vec<u8>, file: u32, line: u64, view: &View<'_>, n: &crate::read::Normalized<'_>) {
    let value = |f: Field| match f {
        Field::PostalCode => n.postal.as_deref().unwrap_or_else(|| view.get(f)),
        Field::Phone => n.phone.as_deref().unwrap_or_else(|| view.get(f)),
        Field::Email => n.email.as_deref().unwrap_or_else(|| view.get(f)),
        _ => view.get(f),
    };
    let text_len: usize = SPOOLED.iter().map(|f| value(*f).len()).sum();
    buf.extend_from_slice(&(text_len as u32).to_le_bytes());
    buf.extend_from_slice(&file.to_le_bytes());
    buf.extend_from_slice(&line.to_le_bytes());
    buf.extend_from_slice(&n.birth.year().to_le_bytes());
    buf.push(n.birth.month() as u8);
    buf.push(n.birth.day() as u8);
    for f in SPOOLED {
        buf.extend_from_slice(&(value(f).len() as u32).to_le_bytes());
    }
    for f in SPOOLED {
        buf.extend_from_slice(value(f).as_bytes());
    }
}

/// A row read back from the spool; its fields are slices of one text.
#[derive(Default)]
struct SpoolRow {
    text: String,
    file: u32,
    line: u64,
    birth: (i16, u8, u8),
    spans: [(usize, usize); SPOOLED.len()],
}

impl SpoolRow {
    /// Reads the next row; false at the end.
    fn read(&mut self, r: &mut impl Read) -> std::io::Result<bool> {
        let mut head = [0u8; 4 + HEAD];
        match r.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
        let word =
            |at: usize| -> u32 { head.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes) };
        let len = word(0) as usize;
        self.file = word(4);
        self.line = u64::from(word(8)) | (u64::from(word(12)) << 32);
        let year = head.get(16..18).and_then(|b| b.try_into().ok()).map_or(0, i16::from_le_bytes);
        self.birth = (year, head.get(18).copied().unwrap_or(0), head.get(19).copied().unwrap_or(0));
        let mut at = 0;
        for (i, span) in self.spans.iter_mut().enumerate() {
            let n = word(20 + 4 * i) as usize;
            *span = (at, at + n);
            at += n;
        }
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.resize(len, 0);
        r.read_exact(&mut bytes)?;
        self.text = String::from_utf8(bytes).map_err(std::io::Error::other)?;
        Ok(true)
    }

    fn field(&self, i: usize) -> &str {
        let (a, b) = self.spans.get(i).copied().unwrap_or((0, 0));
        self.text.get(a..b).unwrap_or("")
    }

    fn owned(&self) -> OwnedRow {
        OwnedRow { birth: self.birth, fields: std::array::from_fn(|i| self.field(i).to_string()) }
    }
}

/// A row kept until the last row of its person is read.
struct OwnedRow {
    birth: (i16, u8, u8),
    fields: [String; SPOOLED.len()],
}

/// What a chunk of a batch gave, made on a worker thread.
#[derive(Default)]
struct ChunkOut<'a> {
    /// Per usable row: party, name key, kana key, flags.
    rows: Vec<(&'a str, Option<u64>, Option<u64>, u8)>,
    spool: Vec<u8>,
    rejected: Vec<(u64, Reason)>,
    /// A field that is not text: line and column.
    not_text: Option<(u64, u64)>,
}

fn process_chunk<'a>(batch: &'a Batch, range: std::ops::Range<usize>, purpose: Purpose) -> ChunkOut<'a> {
    let mut out = ChunkOut::default();
    out.rows.reserve(range.len());
    out.spool.reserve(range.len() * (4 + HEAD + 160));
    for row in range {
        let line = batch.lines.get(row).copied().unwrap_or(0);
        let view = match batch.view(row) {
            Ok(v) => v,
            Err(column) => {
                out.not_text = Some((line, column));
                return out;
            }
        };
        match normalize_row(&view, batch.party.as_deref(), purpose) {
            Err(reason) => out.rejected.push((line, reason)),
            Ok(n) => {
                let mut flags = 0;
                if n.email.is_some() {
                    flags |= EMAIL;
                }
                if n.postal.is_some() && n.address_ok {
                    flags |= POST;
                }
                if n.staff {
                    flags |= STAFF;
                }
                if n.phone.is_some() {
                    flags |= PHONE;
                }
                if purpose == Purpose::Notify {
                    encode_row(&mut out.spool, batch.file, line, &view, &n);
                }
                out.rows.push((n.party, n.name_key, n.kana_key, flags));
            }
        }
    }
    out
}

/// Normalizes a batch on every core, chunks kept in order.
fn process_batch(batch: &Batch, purpose: Purpose) -> Vec<ChunkOut<'_>> {
    const CHUNK: usize = 512;
    let chunks = batch.len().div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|i| process_chunk(batch, i * CHUNK..((i + 1) * CHUNK).min(batch.len()), purpose))
        .collect()
}

/// Reads inputs on a thread of their own while the batches are normalized here.
fn each_batch(
    inputs: Vec<Input>,
    first_file: u32,
    mapping: &ColumnMapping,
    purpose: Purpose,
    bytes: &Arc<AtomicU64>,
    mut handle: impl FnMut(Batch) -> Result<()>,
) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<()> {
            for (i, input) in inputs.into_iter().enumerate() {
                read_batches(first_file + i as u32, input, mapping, purpose, bytes, &mut |batch| {
                    // The receiver is gone only when handling failed; that error is reported.
                    tx.send(batch).map_err(|_| PeopleError::Output { path: PathBuf::new(), message: "stopped".into() })
                })?;
            }
            Ok(())
        });
        let mut handled = Ok(());
        for batch in rx.iter() {
            handled = handle(batch);
            if handled.is_err() {
                break;
            }
        }
        drop(rx);
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
                let i = u16::try_from(self.names.len()).ok().filter(|i| *i < ANY_PARTY).ok_or_else(|| {
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
    let PlanOptions { inputs, excludes, mapping, config, encoding, out } = opts;
    let staging = Staging::new(&out)?;
    let dir = staging.dir.clone();
    let mut file_names: Vec<String> = inputs.iter().map(|i| i.name().to_string()).collect();
    let exclude_names: Vec<String> = excludes.iter().map(|i| i.name().to_string()).collect();

    // Pass 1: read.
    let total = inputs.iter().map(Input::size).sum::<Option<u64>>();
    progress.phase("read", total);
    let bytes = Arc::new(AtomicU64::new(0));
    let spool_path = dir.join("spool.bin");
    let spool_file = std::fs::File::create(&spool_path).map_err(|e| PeopleError::io(&spool_path, e))?;
    let mut spool = BufWriter::with_capacity(1 << 20, spool_file);
    let mut rejected = CsvOut::create(&dir.join("rejected.csv"), encoding, &["file", "line", "reason"])?;
    let mut parties = Parties::default();
    let mut party_of: Vec<u16> = Vec::new();
    let mut flags: Vec<u8> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut summary = Summary::default();
    each_batch(inputs, 0, &mapping, Purpose::Notify, &bytes, |batch| {
        let file_name = file_names.get(batch.file as usize).map_or("", String::as_str);
        summary.rows_read += batch.len() as u64;
        for chunk in process_batch(&batch, Purpose::Notify) {
            if let Some((line, column)) = chunk.not_text {
                return Err(not_text(file_name, line, column));
            }
            for (line, reason) in &chunk.rejected {
                rejected.row([file_name, &line.to_string(), reason.text()])?;
            }
            summary.rows_rejected += chunk.rejected.len() as u64;
            for (party, name_key, kana_key, f) in chunk.rows {
                let row = u32::try_from(flags.len())
                    .ok()
                    .filter(|r| *r < EXCLUSION_ROW)
                    .ok_or_else(|| PeopleError::Output { path: out.clone(), message: "more than 2^31 rows".into() })?;
                let party = parties.intern(party)?;
                party_of.push(party);
                flags.push(f);
                for key in [name_key, kana_key].into_iter().flatten() {
                    entries.push(Entry { key, party, row });
                }
            }
            spool.write_all(&chunk.spool).map_err(|e| PeopleError::io(&spool_path, e))?;
        }
        progress.advance(bytes.load(Ordering::Relaxed), summary.rows_read);
        Ok(())
    })?;
    spool.flush().map_err(|e| PeopleError::io(&spool_path, e))?;
    drop(spool);
    let mut unencodable = rejected.finish()?;

    // Exclusion lists: their keys join the index, marked.
    let mut outcome = PlanOutcome::default();
    let mut rejected_exclusions: Option<CsvOut> = None;
    let first_exclusion = file_names.len() as u32;
    file_names.extend(exclude_names);
    let mut exclusion_no: u32 = 0;
    each_batch(excludes, first_exclusion, &mapping, Purpose::Exclude, &bytes, |batch| {
        let file_name = file_names.get(batch.file as usize).map_or("", String::as_str);
        for chunk in process_batch(&batch, Purpose::Exclude) {
            if let Some((line, column)) = chunk.not_text {
                return Err(not_text(file_name, line, column));
            }
            for (line, reason) in &chunk.rejected {
                if rejected_exclusions.is_none() {
                    rejected_exclusions = Some(CsvOut::create(
                        &dir.join("rejected_exclusions.csv"),
                        encoding,
                        &["file", "line", "reason"],
                    )?);
                }
                if let Some(w) = rejected_exclusions.as_mut() {
                    w.row([file_name, &line.to_string(), reason.text()])?;
                }
                outcome.exclusion_rows_rejected += 1;
            }
            for (party, name_key, kana_key, _) in chunk.rows {
                let party = match party {
                    "" => ANY_PARTY,
                    // A party no input names has nobody to exclude.
                    p => match parties.index.get(p) {
                        Some(i) => *i,
                        None => continue,
                    },
                };
                let row = EXCLUSION_ROW | exclusion_no;
                exclusion_no = exclusion_no.wrapping_add(1) & !EXCLUSION_ROW;
                for key in [name_key, kana_key].into_iter().flatten() {
                    entries.push(Entry { key, party, row });
                }
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
    entries.par_sort_unstable_by_key(|e| (e.key, e.party, e.row));
    let mut persons = Persons { parent: (0..n as u32).collect() };
    let mut other_parties: FxHashMap<u32, Vec<u16>> = FxHashMap::default();
    for group in entries.chunk_by(|a, b| a.key == b.key) {
        let any_exclusion = group.iter().any(|e| e.party == ANY_PARTY);
        let listed: Vec<u16> = {
            let mut p: Vec<u16> = group.iter().filter(|e| e.row & EXCLUSION_ROW == 0).map(|e| e.party).collect();
            p.dedup();
            p
        };
        for sub in group.chunk_by(|a, b| a.party == b.party) {
            let excluded = any_exclusion || sub.iter().any(|e| e.row & EXCLUSION_ROW != 0);
            let mut people = sub.iter().filter(|e| e.row & EXCLUSION_ROW == 0).map(|e| e.row);
            let Some(first) = people.next() else { continue };
            for row in people {
                persons.union(first, row);
            }
            if let Some(f) = flags.get_mut(first as usize) {
                if excluded {
                    *f |= EXCLUDED;
                }
                if listed.len() > 1 {
                    *f |= SEVERAL;
                }
            }
            if listed.len() > 1 {
                let party = sub.first().map_or(ANY_PARTY, |e| e.party);
                other_parties.entry(first).or_default().extend(listed.iter().filter(|p| **p != party));
            }
        }
    }
    drop(entries);

    // Each set's root gathers its flags, its last row and the rows its contact data comes from.
    let mut last = vec![NONE; n];
    let mut email_src = vec![NONE; n];
    let mut post_src = vec![NONE; n];
    let mut phone_src = vec![NONE; n];
    let mut person_flags = vec![0u8; n];
    let mut several: FxHashMap<u32, Vec<u16>> = FxHashMap::default();
    for row in 0..n as u32 {
        let root = persons.find(row);
        if let Some(p) = persons.parent.get_mut(row as usize) {
            *p = root;
        }
        let (r, i) = (root as usize, row as usize);
        let f = flags.get(i).copied().unwrap_or(0);
        if let Some(slot) = last.get_mut(r) {
            *slot = row;
        }
        if let Some(pf) = person_flags.get_mut(r) {
            *pf |= f;
        }
        let first_with = |src: &mut Vec<u32>| {
            if let Some(s) = src.get_mut(r)
                && *s == NONE
            {
                *s = row;
            }
        };
        if f & EMAIL != 0 {
            first_with(&mut email_src);
        }
        if f & POST != 0 {
            first_with(&mut post_src);
        }
        if f & PHONE != 0 {
            first_with(&mut phone_src);
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
    let channel_of = |party: u16, pflags: u8| -> Channel {
        let name = parties.names.get(party as usize).map_or("", String::as_str);
        config
            .channels(name)
            .iter()
            .copied()
            .find(|c| match c {
                Channel::Email => pflags & EMAIL != 0,
                Channel::Post => pflags & POST != 0,
                Channel::Bulletin => pflags & STAFF != 0,
                Channel::Substitute => true,
            })
            .unwrap_or(Channel::Substitute)
    };
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
                s.channels.add(channel_of(party, pflags));
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

    // Pass 3: write.
    progress.phase("write", Some(n as u64));
    let header = output_header();
    let mut writers =
        Writers { dir: &dir, encoding, header: &header, names: &parties.names, files: FxHashMap::default() };
    let mut excluded_out = CsvOut::create(&dir.join("excluded.csv"), encoding, &header)?;
    let mut several_out = CsvOut::create(&dir.join("several_parties.csv"), encoding, &header)?;
    let spool_file = std::fs::File::open(&spool_path).map_err(|e| PeopleError::io(&spool_path, e))?;
    let mut spool = BufReader::with_capacity(1 << 20, spool_file);
    let mut partial: FxHashMap<u32, Partial> = FxHashMap::default();
    let view = Persons3 {
        parent: &persons.parent,
        last: &last,
        party_of: &party_of,
        person_flags: &person_flags,
        several: &several,
        names: &parties.names,
        files: &file_names,
        channel_of: &channel_of,
    };
    let mut batch: Vec<SpoolRow> = Vec::new();
    let mut first = 0u32;
    while (first as usize) < n {
        // Read a batch in order, format the people of one row on every core, then the others here.
        let count = WRITE_BATCH.min(n - first as usize);
        batch.resize_with(count, SpoolRow::default);
        for row in &mut batch {
            if !row.read(&mut spool).map_err(|e| PeopleError::io(&spool_path, e))? {
                return Err(PeopleError::io(&spool_path, std::io::ErrorKind::UnexpectedEof.into()));
            }
        }
        let chunks: Vec<Vec<(Target, Vec<u8>)>> = batch
            .par_chunks(1024)
            .enumerate()
            .map(|(c, rows)| {
                let mut out: Vec<(Target, Vec<u8>)> = Vec::new();
                for (j, row) in rows.iter().enumerate() {
                    let r = first + (c * 1024 + j) as u32;
                    if view.single(r) {
                        let mut sources = String::new();
                        view.source(&mut sources, row.file, row.line);
                        view.emit(r, row.birth, &|i| row.field(i), &sources, &mut out);
                    }
                }
                out
            })
            .collect();
        for (target, bytes) in chunks.into_iter().flatten() {
            writer_for(target, &mut writers, &mut excluded_out, &mut several_out)?.raw(&bytes)?;
        }
        for (j, row) in batch.iter().enumerate() {
            let r = first + j as u32;
            if view.single(r) {
                continue;
            }
            let root = view.parent.get(r as usize).copied().unwrap_or(r);
            let root_i = root as usize;
            let p = partial.entry(root).or_default();
            p.sources.push((row.file, row.line));
            if r == root {
                p.identity = Some(row.owned());
            }
            if Some(&r) == email_src.get(root_i) {
                p.email = Some(row.field(S_EMAIL).to_string());
            }
            if Some(&r) == post_src.get(root_i) {
                p.post = Some((row.field(S_POSTAL).to_string(), row.field(S_ADDRESS).to_string()));
            }
            if Some(&r) == phone_src.get(root_i) {
                p.phone = Some(row.field(S_PHONE).to_string());
            }
            if Some(&r) != view.last.get(root_i) {
                continue;
            }
            let Some(p) = partial.remove(&root) else { continue };
            let Some(id) = &p.identity else { continue };
            let mut sources = String::new();
            for (file, line) in &p.sources {
                view.source(&mut sources, *file, *line);
            }
            let mut out = Vec::new();
            view.emit(root, id.birth, &|i| p.field(id, i), &sources, &mut out);
            for (target, bytes) in out {
                writer_for(target, &mut writers, &mut excluded_out, &mut several_out)?.raw(&bytes)?;
            }
        }
        first += count as u32;
        progress.advance(u64::from(first), u64::from(first));
    }
    progress.finish();
    for (_, w) in writers.files {
        unencodable += w.finish()?;
    }
    unencodable += excluded_out.finish()? + several_out.finish()?;
    std::fs::remove_file(&spool_path).map_err(|e| PeopleError::io(&spool_path, e))?;
    let json = serde_json::to_string_pretty(&summary)
        .map_err(|e| PeopleError::Output { path: out.clone(), message: e.to_string() })?;
    let summary_path = dir.join("summary.json");
    std::fs::write(&summary_path, json + "\n").map_err(|e| PeopleError::io(&summary_path, e))?;
    staging.commit()?;
    outcome.summary = summary;
    outcome.unencodable = unencodable;
    Ok(outcome)
}

/// Rows per batch of the write pass.
const WRITE_BATCH: usize = 1 << 14;

/// Where a person's line goes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Channel(u16, Channel),
    Excluded,
    Several,
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

/// What the write pass reads of the matching, shared by its threads.
struct Persons3<'a> {
    parent: &'a [u32],
    last: &'a [u32],
    party_of: &'a [u16],
    person_flags: &'a [u8],
    several: &'a FxHashMap<u32, Vec<u16>>,
    names: &'a [String],
    files: &'a [String],
    channel_of: &'a (dyn Fn(u16, u8) -> Channel + Sync),
}

impl Persons3<'_> {
    /// Whether row `r` is a person by itself (most are).
    fn single(&self, r: u32) -> bool {
        self.parent.get(r as usize) == Some(&r) && self.last.get(r as usize) == Some(&r)
    }

    fn source(&self, sources: &mut String, file: u32, line: u64) {
        use std::fmt::Write as _;
        if !sources.is_empty() {
            sources.push(';');
        }
        let _ = write!(sources, "{}:{line}", self.files.get(file as usize).map_or("", String::as_str));
    }

    /// Formats the person whose root is `root` for each file it goes to.
    fn emit<'a>(
        &self,
        root: u32,
        birth: (i16, u8, u8),
        get: &'a dyn Fn(usize) -> &'a str,
        sources: &str,
        out: &mut Vec<(Target, Vec<u8>)>,
    ) {
        let i = root as usize;
        let party = self.party_of.get(i).copied().unwrap_or(0);
        let pflags = self.person_flags.get(i).copied().unwrap_or(0);
        let mut others = String::new();
        if let Some(list) = self.several.get(&root) {
            for p in list.iter().filter_map(|p| self.names.get(*p as usize)) {
                if !others.is_empty() {
                    others.push(';');
                }
                others.push_str(p);
            }
        }
        let line = Line {
            party: self.names.get(party as usize).map_or("", String::as_str),
            birth,
            get,
            others: &others,
            sources,
        };
        let mut targets = Vec::with_capacity(2);
        if pflags & SEVERAL != 0 {
            targets.push(Target::Several);
        }
        targets.push(if pflags & EXCLUDED != 0 {
            Target::Excluded
        } else {
            Target::Channel(party, (self.channel_of)(party, pflags))
        });
        for target in targets {
            let buf = match out.iter_mut().position(|(t, _)| *t == target) {
                Some(k) => out.get_mut(k).map(|(_, b)| b),
                None => {
                    out.push((target, Vec::with_capacity(1 << 16)));
                    out.last_mut().map(|(_, b)| b)
                }
            };
            if let Some(buf) = buf {
                line.format(buf);
            }
        }
    }
}

/// A person's data gathered from its rows until its last row is read.
#[derive(Default)]
struct Partial {
    identity: Option<OwnedRow>,
    email: Option<String>,
    post: Option<(String, String)>,
    phone: Option<String>,
    sources: Vec<(u32, u64)>,
}

impl Partial {
    /// A spooled field: the first row's identity, the most complete contact data of all rows.
    fn field<'a>(&'a self, id: &'a OwnedRow, i: usize) -> &'a str {
        let own = |i: usize| id.fields.get(i).map_or("", String::as_str);
        match i {
            S_EMAIL => self.email.as_deref().unwrap_or_else(|| own(i)),
            S_POSTAL => self.post.as_ref().map_or_else(|| own(i), |p| p.0.as_str()),
            S_ADDRESS => self.post.as_ref().map_or_else(|| own(i), |p| p.1.as_str()),
            S_PHONE => self.phone.as_deref().unwrap_or_else(|| own(i)),
            _ => own(i),
        }
    }
}

/// One person's line of an output file.
struct Line<'a, 'g> {
    party: &'a str,
    birth: (i16, u8, u8),
    get: &'g dyn Fn(usize) -> &'g str,
    others: &'a str,
    sources: &'a str,
}

impl Line<'_, '_> {
    fn format(&self, out: &mut Vec<u8>) {
        let birth = iso_date(self.birth);
        for (k, f) in Field::ALL.into_iter().enumerate() {
            let value: &[u8] = match f {
                Field::Party => self.party.as_bytes(),
                Field::BirthDate => &birth,
                other => SPOOLED.iter().position(|s| *s == other).map_or(&[][..], |i| (self.get)(i).as_bytes()),
            };
            csv_field(out, k == 0, value);
        }
        csv_field(out, false, self.others.as_bytes());
        csv_field(out, false, self.sources.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// `YYYY-MM-DD` without allocating (written once per person).
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
