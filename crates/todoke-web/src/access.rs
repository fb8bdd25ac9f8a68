//! Who may see what: a case belongs to the organization that owns it; each party's members see the
//! case only as far as it concerns their party.

use crate::session::Viewer;
use todoke_core::{IncidentRecord, Role};
use todoke_store::StoredParty;

/// How much of a case a viewer sees.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everything: a member of the owning organization.
    Full,
    /// Only these parties' share: a member of a party's organization.
    Parties(Vec<String>),
}

impl Scope {
    /// Whether the viewer sees this party.
    pub fn sees(&self, party: &str) -> bool {
        match self {
            Self::Full => true,
            Self::Parties(names) => names.iter().any(|n| n == party),
        }
    }
}

/// The scope of a viewer on a case, or `None` when the case is none of theirs.
pub fn scope(viewer: &Viewer, record: &IncidentRecord, parties: &[StoredParty]) -> Option<Scope> {
    if viewer.memberships.iter().any(|m| m.org == record.owner) {
        return Some(Scope::Full);
    }
    let mine: Vec<String> = parties
        .iter()
        .filter(|p| viewer.memberships.iter().any(|m| m.org == p.org))
        .map(|p| p.party.name.clone())
        .collect();
    (!mine.is_empty()).then_some(Scope::Parties(mine))
}

/// The organization with this id among those the viewer may act for: 404 otherwise.
pub fn org_by_id(
    orgs: Vec<todoke_core::Organization>,
    id: &str,
) -> Result<todoke_core::Organization, crate::error::WebError> {
    orgs.into_iter().find(|o| o.id.to_string() == id.trim()).ok_or(crate::error::WebError::NotFound)
}

/// Whether the viewer may read the deployment's audit log.
pub fn reads_audit(viewer: &Viewer) -> bool {
    viewer.memberships.iter().any(|m| matches!(m.role, Role::Admin | Role::Auditor))
}

/// Whether the viewer may change a case's facts: the owning organization's staff, officers or
/// administrators (a city's officer works the city's own cases; another's, only its share).
pub fn can_edit(viewer: &Viewer, record: &IncidentRecord) -> bool {
    viewer
        .memberships
        .iter()
        .any(|m| m.org == record.owner && matches!(m.role, Role::HandlerStaff | Role::ConsignorOfficer | Role::Admin))
}

/// Whether the viewer may record a report filed by `party`: the owner's editors for any party, and
/// a party's own officers and staff for that party.
pub fn files_for(viewer: &Viewer, record: &IncidentRecord, party: &StoredParty) -> bool {
    can_edit(viewer, record)
        || viewer
            .memberships
            .iter()
            .any(|m| m.org == party.org && matches!(m.role, Role::ConsignorOfficer | Role::HandlerStaff | Role::Admin))
}

/// Whether the viewer may ask "am I affected?" on a case: any role but the auditor's, in the
/// owning organization or a party's (each sees the answer only for the parties it sees).
pub fn looks_up(viewer: &Viewer, record: &IncidentRecord, parties: &[StoredParty]) -> bool {
    viewer
        .memberships
        .iter()
        .any(|m| !matches!(m.role, Role::Auditor) && (m.org == record.owner || parties.iter().any(|p| p.org == m.org)))
}
