//! Returned letters (返戻): Japan Post's reasons as codes, returns recorded by hand or from an
//! uploaded list (UTF-8 or Shift_JIS CSV: notice id or Message-ID, reason, date), all or nothing.
//! A return moves a sent notice to `returned`; its history keeps `returned CODE DATE` — a code and
//! a date, never the text of a label, which could name someone.

use crate::AppError;
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};
use todoke_core::{IncidentId, NotificationId, NotificationStatus, PartyId};
use todoke_store::{Actor, NotificationStore, ReturnStore, StatusChange, StoredNotification};

/// Why Japan Post returned a letter (還付理由), with the wording of its return labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnReason {
    /// No such addressee at the address.
    AddresseeUnknown,
    /// Moved, new address unknown.
    MovedUnknown,
    /// The address is incomplete.
    AddressIncomplete,
    /// The addressee refused it.
    Refused,
    /// Not collected from the post office in time.
    Unclaimed,
    /// Moved more than a year ago: forwarding has ended.
    ForwardingExpired,
    /// Any other reason.
    Other,
}

impl ReturnReason {
    /// Every reason, in the order of the labels.
    pub const ALL: &'static [ReturnReason] = &[
        Self::AddresseeUnknown,
        Self::MovedUnknown,
        Self::AddressIncomplete,
        Self::Refused,
        Self::Unclaimed,
        Self::ForwardingExpired,
        Self::Other,
    ];

    /// The code kept in the history and accepted in lists.
    pub fn key(self) -> &'static str {
        match self {
            Self::AddresseeUnknown => "addressee-unknown",
            Self::MovedUnknown => "moved-unknown",
            Self::AddressIncomplete => "address-incomplete",
            Self::Refused => "refused",
            Self::Unclaimed => "unclaimed",
            Self::ForwardingExpired => "forwarding-expired",
            Self::Other => "other",
        }
    }

    /// The wording of the return label (還付付箋).
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::AddresseeUnknown => "あて所に尋ねあたりません",
            Self::MovedUnknown => "転居先不明",
            Self::AddressIncomplete => "あて名不完全で配達できません",
            Self::Refused => "受取拒絶",
            Self::Unclaimed => "保管期間経過",
            Self::ForwardingExpired => "転居・転送期間経過",
            Self::Other => "その他",
        }
    }

    /// The reason a code, a label or a common way of writing one names: labels are written with
    /// 宛 for あて, without に, 受取拒否 for 受取拒絶 … in the lists clerks type up.
    pub fn parse(text: &str) -> Option<Self> {
        let folded: String = text.chars().filter(|c| !c.is_whitespace() && !"「」()（）".contains(*c)).collect();
        let folded = folded.replace('宛', "あて").to_lowercase();
        if let Some(r) = Self::ALL.iter().find(|r| r.key() == folded || r.label_ja() == folded) {
            return Some(*r);
        }
        let aliases: &[(&str, Self)] = &[
            ("あて所尋ねあたりません", Self::AddresseeUnknown),
            ("あて所不明", Self::AddresseeUnknown),
            ("あて名不完全", Self::AddressIncomplete),
            ("あて先不明", Self::AddressIncomplete),
            ("受取拒否", Self::Refused),
            ("転送期間経過", Self::ForwardingExpired),
        ];
        aliases.iter().find(|(a, _)| *a == folded).map(|(_, r)| *r)
    }
}

/// One return to record: which notice (its id or its e-mail's Message-ID), why, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRow {
    /// The line of the list it came from (1 when recorded by hand).
    pub line: u64,
    /// The notice's id or Message-ID, as given.
    pub notice: String,
    /// Why it came back.
    pub reason: ReturnReason,
    /// The day it came back.
    pub returned_on: Date,
}

/// A problem with a list of returns, at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line.
    pub line: u64,
    /// The column.
    pub column: u64,
    /// What is wrong (no personal data: ids and codes only).
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

fn invalid(errors: &[RowError]) -> AppError {
    // A long list is cut: the first problems are enough to fix the file.
    let mut shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
    if errors.len() > 20 {
        shown.push(format!("… {} more", errors.len() - 20));
    }
    AppError::Invalid(format!("returns: nothing was recorded; {}", shown.join("; ")))
}

/// Text of a list: UTF-8 (a BOM dropped) when it is, otherwise Shift_JIS.
pub fn decode_list(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// A day written `2024-05-27`, `2024/5/27` or in 和暦.
pub fn parse_day(text: &str) -> Option<Date> {
    let text = text.trim();
    text.replace('/', "-")
        .parse::<Date>()
        .ok()
        .or_else(|| {
            let (y, rest) = text.split_once(['/', '-'])?;
            let (m, d) = rest.split_once(['/', '-'])?;
            jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
        })
        .or_else(|| todoke_ja::parse_date(text))
}

/// Reads a list of returns: one per line, `notice, reason, date`, a header line allowed. Every
/// problem is named by line and column.
pub fn read_returns(bytes: &[u8]) -> Result<Vec<ReturnRow>, Vec<RowError>> {
    let text = decode_list(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 1;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(RowError { line, column: 1, message: "not a CSV line".into() });
                continue;
            }
        };
        let cell = |n: usize| record.get(n).map(str::trim).unwrap_or_default();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let reason = ReturnReason::parse(cell(1));
        let day = parse_day(cell(2));
        // A first line whose reason and date both fail to read is the header.
        if line == 1 && reason.is_none() && day.is_none() {
            continue;
        }
        let before = errors.len();
        if cell(0).is_empty() {
            errors.push(RowError { line, column: 1, message: "expected a notice id or Message-ID".into() });
        }
        if reason.is_none() {
            errors.push(RowError {
                line,
                column: 2,
                message: format!(
                    "unknown reason; expected one of {}",
                    ReturnReason::ALL.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        if day.is_none() {
            errors.push(RowError { line, column: 3, message: "expected a date such as 2024-05-27".into() });
        }
        if let (true, Some(reason), Some(returned_on)) = (errors.len() == before, reason, day) {
            rows.push(ReturnRow { line, notice: cell(0).to_string(), reason, returned_on });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The notice a list names, by id or Message-ID.
fn find<'a>(notices: &'a [StoredNotification], wanted: &str) -> Option<&'a StoredNotification> {
    if let Ok(id) = wanted.parse::<NotificationId>() {
        return notices.iter().find(|n| n.id == id);
    }
    let bracketed = if wanted.starts_with('<') { wanted.to_string() } else { format!("<{wanted}>") };
    notices.iter().find(|n| n.message_id.as_deref() == Some(bracketed.as_str()))
}

/// Records `rows` as returned, all or none, for notices of the parties in `parties` only (a notice
/// of another party is "not found", as one that does not exist). Returns how many were recorded.
pub async fn record_returns<S: NotificationStore + ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    parties: &[PartyId],
    rows: &[ReturnRow],
) -> Result<u64, AppError> {
    let notices: Vec<StoredNotification> =
        store.notifications(incident, None, None).await?.into_iter().filter(|n| parties.contains(&n.party)).collect();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut details = HashMap::new();
    let mut found = Vec::new();
    for row in rows {
        let Some(n) = find(&notices, &row.notice) else {
            errors.push(RowError { line: row.line, column: 1, message: "no such notice of this case".into() });
            continue;
        };
        if !seen.insert(n.id) {
            errors.push(RowError { line: row.line, column: 1, message: format!("notice {} is listed twice", n.id) });
            continue;
        }
        if !matches!(n.status, NotificationStatus::Sent | NotificationStatus::Delivered) {
            errors.push(RowError {
                line: row.line,
                column: 1,
                message: format!("notice {} is `{}`, not sent", n.id, n.status.key()),
            });
            continue;
        }
        details.insert(n.id, format!("returned {} {}", row.reason.key(), row.returned_on));
        found.push((n.id, n.status, row.reason));
    }
    if !errors.is_empty() {
        return Err(invalid(&errors));
    }
    let changes: Vec<_> = found
        .iter()
        .map(|(id, from, reason)| {
            let detail = details.get(id).map(String::as_str);
            (
                *id,
                StatusChange {
                    from: *from,
                    to: NotificationStatus::Returned,
                    attempt: false,
                    detail,
                    error: Some(reason.key()),
                    message_id: None,
                },
            )
        })
        .collect();
    if !store.change_notifications(actor, incident, &changes).await? {
        return Err(AppError::Invalid("returns: a notice changed meanwhile; nothing was recorded, try again".into()));
    }
    Ok(changes.len() as u64)
}

/// Reads a list and records it, all or none.
pub async fn upload_returns<S: NotificationStore + ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    parties: &[PartyId],
    bytes: &[u8],
) -> Result<u64, AppError> {
    let rows = read_returns(bytes).map_err(|e| invalid(&e))?;
    if rows.is_empty() {
        return Err(AppError::Invalid("returns: the list names no notice".into()));
    }
    record_returns(store, actor, incident, parties, &rows).await
}
