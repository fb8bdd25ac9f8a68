//! The facts of one incident as CONTRACTS.md §2 names them. The field order and names are the
//! wire format of `todoke notice read --json`: do not change them.

use serde::{Deserialize, Serialize};

/// Dates of an incident; each is null when the notice does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDates {
    /// When the organization learned of it (発覚・判明・確認・報告を受けた日).
    pub discovered: Option<String>,
    /// First day it happened.
    pub occurred_from: Option<String>,
    /// Last day it happened.
    pub occurred_to: Option<String>,
    /// When the organization first published it.
    pub published: Option<String>,
}

/// The facts read from one incident of a notice. Unknown is null (or an empty list), never a guess.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFacts {
    /// The organization the incident belongs to (the one that publishes or reports it).
    pub organization: Option<String>,
    /// `business` | `public_body` | `hospital_public` | `other`.
    pub org_type: Option<String>,
    /// Dates.
    pub incident_dates: IncidentDates,
    /// One of the causes of CONTRACTS.md §1.
    pub cause: Option<String>,
    /// A contractor (委託先) took part: its system, its staff or its mistake.
    pub vendor_involved: Option<bool>,
    /// The number of records or persons concerned.
    pub affected_count: Option<u64>,
    /// `records` (件) or `persons` (人, 名).
    pub count_unit: Option<String>,
    /// Data items in the notice's own words.
    pub data_items: Vec<String>,
    /// 要配慮個人情報 concerned.
    pub sensitive: Option<bool>,
    /// Data that may cause financial damage (card or account numbers).
    pub financial_risk: Option<bool>,
    /// Done with intent (an attack, theft, an insider).
    pub malicious: Option<bool>,
    /// Reported to the Personal Information Protection Commission.
    pub ppc_reported: Option<bool>,
    /// The dates of those reports.
    pub ppc_report_dates: Vec<String>,
    /// The persons concerned were (or are being) told individually.
    pub individual_notice: Option<bool>,
    /// Measures against recurrence, in the notice's words.
    pub prevention_measures: Vec<String>,
    /// The file the notice was read from.
    #[serde(default)]
    pub source: String,
    /// Byte offsets `[start, end]` of the incident's text in the decoded notice.
    #[serde(default)]
    pub span: [usize; 2],
}
