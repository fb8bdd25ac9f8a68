//! Case snapshots kept in memory. Reading a whole case (facts, thirty-odd parties, the timeline,
//! tasks and reports) costs a dozen row decodes per party and event; its revision, which the
//! database itself bumps on every change (migration 0008), costs one small read. So the last
//! snapshot of each case is kept and handed out again while its revision stands.
//!
//! One entry per case: the cache never grows beyond the cases this process has read.

use crate::traits::CaseSnapshot;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use todoke_core::IncidentId;

/// The last snapshot read of each case.
#[derive(Debug, Default)]
pub(crate) struct Snapshots {
    kept: Mutex<HashMap<IncidentId, Arc<CaseSnapshot>>>,
}

impl Snapshots {
    /// The kept snapshot of `id`, if it is at `revision`.
    pub(crate) fn get(&self, id: IncidentId, revision: i64) -> Option<Arc<CaseSnapshot>> {
        let kept = self.kept.lock().ok()?;
        kept.get(&id).filter(|s| s.revision == revision).cloned()
    }

    /// Keeps `snapshot`, unless one at a later revision is already kept (two readers racing).
    pub(crate) fn put(&self, snapshot: Arc<CaseSnapshot>) {
        if let Ok(mut kept) = self.kept.lock() {
            let id = snapshot.record.id;
            if kept.get(&id).is_none_or(|old| old.revision <= snapshot.revision) {
                kept.insert(id, snapshot);
            }
        }
    }
}
