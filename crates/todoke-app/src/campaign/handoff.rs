//! The print vendor's hand-off file (印刷・封入封緘業者への引渡しデータ): a party's letters waiting
//! to be posted — planned ones, and re-mailed ones at their corrected address — one row each, in
//! Shift_JIS for the vendor's mailing software (or UTF-8 with a BOM). It carries personal data, so
//! it is made on request, handed over and never kept; the handing over is audited by its count.

use crate::AppError;
use todoke_core::{IncidentId, NoticeChannel, NotificationId, NotificationStatus, PartyId};
use todoke_docs::Recipient;
use todoke_store::{NotificationStore, ReturnStore};

/// The header of the file.
const HEADER: [&str; 5] = ["通知番号", "区分", "郵便番号", "住所", "氏名"];

/// One letter to print.
#[derive(Clone, PartialEq, Eq)]
pub struct HandoffRow {
    /// The notice's id, printed on the letter so that a return can be matched to it.
    pub notice: String,
    /// 新規 (first posting) or 再送 (to a corrected address after a return).
    pub kind: &'static str,
    /// 郵便番号.
    pub postal_code: String,
    /// 住所.
    pub address: String,
    /// 氏名.
    pub name: String,
}

impl std::fmt::Debug for HandoffRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the address or the name in a log or an error.
        f.debug_struct("HandoffRow").field("notice", &self.notice).field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// The letters of `party` waiting to be posted, oldest notice first.
pub async fn handoff_rows<S>(store: &S, incident: IncidentId, party: PartyId) -> Result<Vec<HandoffRow>, AppError>
where
    S: NotificationStore + ReturnStore + Sync,
{
    let mut rows = Vec::new();
    for n in store.notifications(incident, Some(party), Some(NoticeChannel::Post)).await? {
        let kind = match n.status {
            NotificationStatus::Pending => "新規",
            NotificationStatus::Remailed => "再送",
            _ => continue,
        };
        let to = letter_recipient(store, incident, n.id).await?;
        rows.push(HandoffRow {
            notice: n.id.to_string(),
            kind,
            postal_code: to.postal_code.unwrap_or_default(),
            address: to.address.unwrap_or_default(),
            name: to.name,
        });
    }
    Ok(rows)
}

/// Whom a letter goes to and where: the corrected address given after a return, else the
/// person's own.
pub(crate) async fn letter_recipient<S>(
    store: &S,
    incident: IncidentId,
    notice: NotificationId,
) -> Result<Recipient, AppError>
where
    S: NotificationStore + ReturnStore + Sync,
{
    let person = store.notification_recipient(incident, notice).await?;
    let (postal_code, address) = match store.notification_address(incident, notice).await? {
        Some(corrected) => (Some(corrected.postal_code), Some(corrected.address)),
        None => (person.postal_code, person.address),
    };
    Ok(Recipient { name: person.name, postal_code, address, reference: Some(notice.to_string()) })
}

/// The file: CSV with CRLF line ends, in Shift_JIS (`sjis`) or UTF-8 with a BOM. A row Shift_JIS
/// cannot hold (a character outside JIS X 0208 and the Windows extensions) is refused by notice
/// number rather than printed with a character lost; the UTF-8 file holds everything.
pub fn handoff_csv(rows: &[HandoffRow], sjis: bool) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Invalid(format!("hand-off file: {e}"));
    writer.write_record(HEADER).map_err(fail)?;
    for r in rows {
        writer.write_record([&r.notice, r.kind, &r.postal_code, &r.address, &r.name]).map_err(fail)?;
    }
    let text = writer.into_inner().map_err(|e| AppError::Invalid(format!("hand-off file: {e}")))?;
    let text = String::from_utf8(text).map_err(|e| AppError::Invalid(format!("hand-off file: {e}")))?;
    if !sjis {
        return Ok([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
    }
    let unencodable: Vec<&str> = rows
        .iter()
        .filter(|r| encoding_rs::SHIFT_JIS.encode(&format!("{}{}", r.address, r.name)).2)
        .map(|r| r.notice.as_str())
        .collect();
    if !unencodable.is_empty() {
        return Err(AppError::Invalid(format!(
            "encoding: Shift_JIS cannot hold a character of notices {}; take the UTF-8 file",
            unencodable.join(", ")
        )));
    }
    Ok(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(name: &str) -> HandoffRow {
        HandoffRow {
            notice: "n1".into(),
            kind: "新規",
            postal_code: "344-0067".into(),
            address: "春日部市中央1-1".into(),
            name: name.into(),
        }
    }

    #[test]
    fn shift_jis_with_crlf_or_utf8_with_a_bom() {
        let sjis = handoff_csv(&[row("髙橋 花子")], true).unwrap();
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert!(!bad);
        assert_eq!(text, "通知番号,区分,郵便番号,住所,氏名\r\nn1,新規,344-0067,春日部市中央1-1,髙橋 花子\r\n");
        let utf8 = handoff_csv(&[row("髙橋 花子")], false).unwrap();
        assert!(utf8.starts_with(b"\xEF\xBB\xBF") && String::from_utf8_lossy(&utf8).contains("髙橋 花子"));
    }

    #[test]
    fn a_name_shift_jis_cannot_hold_is_refused_by_notice_number() {
        let err = handoff_csv(&[row("𠮷田 一郎")], true).unwrap_err().to_string();
        assert!(err.contains("n1") && err.contains("UTF-8") && !err.contains("𠮷"), "{err}");
        assert!(handoff_csv(&[row("𠮷田 一郎")], false).is_ok());
    }

    #[test]
    fn rows_never_show_personal_data_in_debug() {
        let shown = format!("{:?}", row("山田 太郎"));
        assert!(!shown.contains("山田") && !shown.contains("春日部"), "{shown}");
    }
}
