//! Statistics of the casebook: incidents (not notices — a 第2報 is the same incident) by cause,
//! organization type and month.

use crate::Incident;
use serde::Serialize;
use std::collections::BTreeMap;

/// The key counted when a notice does not say.
pub const UNKNOWN: &str = "unknown";

/// Counts over the casebook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Notices kept.
    pub notices: usize,
    /// Incidents they concern.
    pub incidents: usize,
    /// Incidents by cause (CONTRACTS.md §2 keys; `unknown` when not stated).
    pub by_cause: BTreeMap<String, usize>,
    /// Incidents by the organization's type.
    pub by_org_type: BTreeMap<String, usize>,
    /// Incidents by month (`YYYY-MM`) they were discovered, occurred or were published.
    pub by_month: BTreeMap<String, usize>,
}

/// Counts `incidents`, each by the facts its notices give together.
pub fn stats(incidents: &[Incident]) -> Stats {
    let mut out = Stats { incidents: incidents.len(), ..Stats::default() };
    let count = |map: &mut BTreeMap<String, usize>, key: Option<String>| {
        *map.entry(key.unwrap_or_else(|| UNKNOWN.into())).or_default() += 1;
    };
    for incident in incidents {
        out.notices += incident.members.len();
        let facts = incident.facts();
        let profile = crate::profile(&facts, "");
        count(&mut out.by_cause, facts.cause);
        count(&mut out.by_org_type, facts.org_type);
        count(&mut out.by_month, profile.month);
    }
    out
}
