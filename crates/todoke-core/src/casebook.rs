//! The casebook's view of a published notice: what relates it to other notices of the same
//! incident and what the statistics count.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What places a casebook notice among the others: the facts that relate it to notices of the same
/// incident and that the statistics count. Made by the casebook from the notice's facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoticeProfile {
    /// The organization, folded (legal forms, width, variant kanji) so that two spellings compare equal.
    pub org_key: Option<String>,
    /// The organization's type (CONTRACTS.md §2).
    pub org_type: Option<String>,
    /// The cause (CONTRACTS.md §2).
    pub cause: Option<String>,
    /// The day that places the incident in time (discovered, else occurred, else published).
    pub anchor: Option<Date>,
    /// The month the statistics count it in (`YYYY-MM`).
    pub month: Option<String>,
    /// Whether the notice says it follows an earlier one (第2報, 続報).
    pub follow_up: bool,
    /// Whether a vendor or consignee was involved.
    pub vendor: bool,
    /// Other organizations the notice names, folded like `org_key`.
    pub mentions: Vec<String>,
}
