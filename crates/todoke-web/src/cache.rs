//! Assessments kept in memory between requests. Assessing a case with thirty parties, and reading
//! back its recorded assessments to say what changed, costs far more than rendering the page; both
//! depend only on the facts, the day and the language. So each is kept under a key made of exactly
//! those — the facts by the case's revision, which the database bumps on every change — and made
//! again whenever any of them differs: a change of facts (on this server or on another one sharing
//! the database) gives a new key, never a stale answer.
//!
//! One entry per case and language: the cache never grows beyond the cases the server has shown.
//!
//! The case page's assessment section (the charts and every visible party's obligations) is kept
//! too, as rendered HTML: it is most of the page, and rendering it costs more than everything else
//! on it. It depends on the case's revision (facts and filed reports), the day, the display
//! preferences and the viewer's scope — at most one entry per case, preference and scope.

use jiff::civil::Date;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, Mutex};
use todoke_core::IncidentId;
use todoke_rules::Assessment;
use todoke_store::CaseSnapshot;

use crate::access::Scope;
use crate::i18n::Prefs;

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
    sections: Mutex<HashMap<(IncidentId, Prefs, Scope), Section>>,
}

/// A rendered section with the revision and day it was made for.
type Section = (i64, Date, Arc<str>);

impl AssessmentCache {
    /// The key of a case's facts on a day in a language (a keyed hash: not guessable, so not
    /// collidable on purpose).
    pub fn key(&self, case: &CaseSnapshot, as_of: Date, japanese: bool) -> u64 {
        let mut h = self.hasher.build_hasher();
        // The revision stands for the facts as stored, timeline and tasks included.
        case.revision.hash(&mut h);
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

    /// The case page's assessment section for `case` on `today`, as `prefs` and `scope` show it:
    /// the kept one while the revision and day are those it was made for, else `render`'s.
    pub fn section<E>(
        &self,
        case: &CaseSnapshot,
        today: Date,
        prefs: Prefs,
        scope: &Scope,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<str>, E> {
        let key = (case.record.id, prefs, scope.clone());
        if let Ok(sections) = self.sections.lock()
            && let Some((_, _, html)) = sections.get(&key).filter(|(r, d, _)| *r == case.revision && *d == today)
        {
            return Ok(html.clone());
        }
        let html: Arc<str> = render()?.into();
        if let Ok(mut sections) = self.sections.lock() {
            sections.insert(key, (case.revision, today, html.clone()));
        }
        Ok(html)
    }
}
