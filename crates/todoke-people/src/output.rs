//! Writing a plan: CSV files in UTF-8 with a BOM (what Excel opens correctly) or Shift_JIS (what
//! mailing software wants), staged in a temporary folder that replaces the output folder only when
//! everything is written — a failed run leaves nothing behind.

use crate::error::{PeopleError, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The encoding of the CSV files of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OutputEncoding {
    /// UTF-8 with a BOM.
    #[default]
    Utf8Bom,
    /// UTF-8 without a BOM.
    Utf8,
    /// Shift_JIS (CP932); characters it lacks become 〓 (the geta mark printers use for them).
    ShiftJis,
}

/// Encodes UTF-8 written to it as Shift_JIS, holding back a character cut between two writes.
struct SjisWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    out: Vec<u8>,
    unmappable: u64,
}

impl<W: Write> SjisWriter<W> {
    fn encode(&mut self, text: &str) {
        let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
        let mut rest = text;
        self.out.clear();
        self.out.reserve(text.len() + 16);
        loop {
            let start = self.out.len();
            self.out.resize(start + rest.len() * 2 + 16, 0);
            let (result, read, written) =
                encoder.encode_from_utf8_without_replacement(rest, self.out.get_mut(start..).unwrap_or_default(), true);
            self.out.truncate(start + written);
            rest = rest.get(read..).unwrap_or("");
            match result {
                encoding_rs::EncoderResult::InputEmpty => break,
                encoding_rs::EncoderResult::OutputFull => {}
                encoding_rs::EncoderResult::Unmappable(_) => {
                    self.unmappable += 1;
                    self.out.extend_from_slice(&[0x81, 0xAC]); // 〓
                }
            }
        }
    }
}

impl<W: Write> Write for SjisWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8")),
        };
        let text = String::from_utf8_lossy(self.pending.get(..valid).unwrap_or_default()).into_owned();
        self.encode(&text);
        self.inner.write_all(&self.out)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

enum Sink {
    Utf8(BufWriter<File>),
    Sjis(SjisWriter<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Utf8(w) => w.write(buf),
            Sink::Sjis(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Utf8(w) => w.flush(),
            Sink::Sjis(w) => w.flush(),
        }
    }
}

/// Appends a CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub(crate) fn csv_field(out: &mut Vec<u8>, first: bool, value: &[u8]) {
    if !first {
        out.push(b',');
    }
    if value.iter().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for b in value {
            if *b == b'"' {
                out.push(b'"');
            }
            out.push(*b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// One CSV file being written (CRLF line ends, as Japanese office software expects).
pub(crate) struct CsvOut {
    path: PathBuf,
    sink: Sink,
    line: Vec<u8>,
}

impl CsvOut {
    pub(crate) fn create(path: &Path, encoding: OutputEncoding, header: &[&str]) -> Result<Self> {
        let file = File::create(path).map_err(|e| PeopleError::io(path, e))?;
        let mut buffered = BufWriter::with_capacity(1 << 16, file);
        let sink = match encoding {
            OutputEncoding::Utf8Bom => {
                buffered.write_all("\u{feff}".as_bytes()).map_err(|e| PeopleError::io(path, e))?;
                Sink::Utf8(buffered)
            }
            OutputEncoding::Utf8 => Sink::Utf8(buffered),
            OutputEncoding::ShiftJis => {
                Sink::Sjis(SjisWriter { inner: buffered, pending: Vec::new(), out: Vec::new(), unmappable: 0 })
            }
        };
        let mut out = Self { path: path.to_path_buf(), sink, line: Vec::new() };
        out.row(header)?;
        Ok(out)
    }

    pub(crate) fn row<I, T>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        for (i, f) in fields.into_iter().enumerate() {
            csv_field(&mut line, i == 0, f.as_ref());
        }
        line.extend_from_slice(b"\r\n");
        let result = self.raw(&line);
        self.line = line;
        result
    }

    /// Appends lines already formatted as CSV.
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.sink.write_all(bytes).map_err(|e| PeopleError::io(&self.path, e))
    }

    /// Flushes and closes; returns how many characters Shift_JIS could not encode.
    pub(crate) fn finish(self) -> Result<u64> {
        let path = self.path;
        match self.sink {
            Sink::Utf8(mut w) => {
                w.flush().map_err(|e| PeopleError::io(&path, e))?;
                Ok(0)
            }
            Sink::Sjis(mut w) => {
                w.flush().map_err(|e| PeopleError::io(&path, e))?;
                Ok(w.unmappable)
            }
        }
    }
}

/// A party name as a folder name: path separators and a leading dot cannot be kept.
pub(crate) fn folder_name(party: &str) -> String {
    let mut name: String =
        party.chars().map(|c| if matches!(c, '/' | '\\' | '\0') || c.is_control() { '_' } else { c }).collect();
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, '_');
    }
    name
}

/// The folder a plan is written into before it takes the place of the output folder.
pub(crate) struct Staging {
    pub dir: PathBuf,
    out: PathBuf,
    done: bool,
}

impl Staging {
    /// Refuses an output folder that holds something other than an earlier plan, so that no
    /// user file is ever replaced.
    pub(crate) fn new(out: &Path) -> Result<Self> {
        if out.exists() {
            let is_plan = out.join("summary.json").is_file();
            let empty = std::fs::read_dir(out).map_err(|e| PeopleError::io(out, e))?.next().is_none();
            if !is_plan && !empty {
                return Err(PeopleError::Output {
                    path: out.to_path_buf(),
                    message: "exists and is not an earlier plan (no summary.json): choose an empty or new folder"
                        .into(),
                });
            }
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = out.file_name().map_or_else(|| "plan".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{base}.tmp-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| PeopleError::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| PeopleError::io(&dir, e))?;
        Ok(Self { dir, out: out.to_path_buf(), done: false })
    }

    /// Puts the staged folder in place of the output folder.
    pub(crate) fn commit(mut self) -> Result<()> {
        let old = self.dir.with_extension("old");
        if self.out.exists() {
            std::fs::rename(&self.out, &old).map_err(|e| PeopleError::io(&self.out, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.out) {
            // Put the earlier plan back: the run failed, nothing may change.
            let _ = std::fs::rename(&old, &self.out);
            return Err(PeopleError::io(&self.out, e));
        }
        self.done = true;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| PeopleError::io(&old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_output_with_the_geta_mark_for_what_it_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let mut out = CsvOut::create(&path, OutputEncoding::ShiftJis, &["氏名"]).unwrap();
        out.row(["髙橋 花子"]).unwrap();
        out.row(["😀"]).unwrap();
        assert_eq!(out.finish().unwrap(), 1);
        let bytes = std::fs::read(&path).unwrap();
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!bad);
        assert_eq!(text, "氏名\r\n髙橋 花子\r\n〓\r\n");
    }

    #[test]
    fn utf8_output_starts_with_a_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let out = CsvOut::create(&path, OutputEncoding::Utf8Bom, &["氏名", "住所"]).unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\u{feff}氏名,住所\r\n");
    }

    #[test]
    fn a_folder_of_other_files_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.txt"), "x").unwrap();
        assert!(Staging::new(dir.path()).is_err());
        let out = dir.path().join("plan");
        let staging = Staging::new(&out).unwrap();
        std::fs::write(staging.dir.join("summary.json"), "{}").unwrap();
        staging.commit().unwrap();
        assert!(out.join("summary.json").is_file());
        // An abandoned run leaves the earlier plan as it was.
        let staging = Staging::new(&out).unwrap();
        let tmp = staging.dir.clone();
        drop(staging);
        assert!(!tmp.exists());
        assert!(out.join("summary.json").is_file());
    }

    #[test]
    fn party_names_as_folders() {
        assert_eq!(folder_name("春日部市"), "春日部市");
        assert_eq!(folder_name("a/b"), "a_b");
        assert_eq!(folder_name(".."), "_..");
    }
}
