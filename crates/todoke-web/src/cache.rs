//! Assessments kept in memory between requests. Assessing a case with thirty parties, and reading
//! back its recorded assessments to say what changed, costs far more than rendering the page; both
//! depend only on the facts, the day and the language. So each is kept under a key made of exactly
//! those, and made again whenever any of them differs: a change of facts (on this server or on
//! another one sharing the database) gives a new key, never a stale answer.
//!
//! One entry per case and language: the cache never grows beyond the cases the server has shown.

use jiff::civil::Date;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, Mutex};
use todoke_core::{IncidentId, IncidentRecord};
use todoke_rules::Assessment;

/// What is kept of a case.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The assessment measured against the day of the key.
    pub assessment: Arc<Assessment>,
    /// What the last recorded change of assessment changed (the lines of `todoke_rules::changes`),
    /// when known: the case page fills it in, the dashboard does not need it.
    pub changes: Option<Arc<Vec<String>>>,
}

/// The cache.
#[derive(Debug, Default)]
pub struct AssessmentCache {
    hasher: RandomState,
    entries: Mutex<HashMap<(IncidentId, bool), (u64, Cached)>>,
}

impl AssessmentCache {
    /// The key of a case's facts on a day in a language (a keyed hash: not guessable, so not
    /// collidable on purpose).
    pub fn key(&self, record: &IncidentRecord, as_of: Date, japanese: bool) -> u64 {
        let mut h = self.hasher.build_hasher();
        // The facts as stored, timeline and tasks included (the assessment records them too).
        serde_json::to_string(&record.facts).unwrap_or_default().hash(&mut h);
        record.erased_at.map(|t| t.to_string()).hash(&mut h);
        as_of.hash(&mut h);
        japanese.hash(&mut h);
        h.finish()
    }

    /// What is kept under `key`, if anything.
    pub fn get(&self, id: IncidentId, japanese: bool, key: u64) -> Option<Cached> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(id, japanese)).filter(|(k, _)| *k == key).map(|(_, c)| c.clone())
    }

    /// Keeps `cached` under `key`, replacing what the case had.
    pub fn put(&self, id: IncidentId, japanese: bool, key: u64, cached: Cached) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert((id, japanese), (key, cached));
        }
    }
}
