//! Progress of a long run, reported to whoever shows it (the CLI draws a bar on a terminal).

/// Receives progress; implementations must be cheap, they are called once per batch of rows.
pub trait Progress: Sync {
    /// A phase begins (`"read"`, `"write"` …) with its total in bytes or rows when known.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `done` units (bytes or rows) of the phase are complete, and `rows` rows in all so far.
    fn advance(&self, done: u64, rows: u64);
    /// The run is over.
    fn finish(&self);
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {}
}
