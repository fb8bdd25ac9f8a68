//! The domain types. They hold checked values only: the facts file and the store build them after
//! validation, so code that receives one never re-checks it.
//!
//! Types that are stored as JSON or sent over the wire keep their serde names: do not rename.

use crate::OffsetTime;
use crate::ids::{IncidentId, OrgId, PartyId, UserId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Says how each value of an enum is written in files and in Japanese.
macro_rules! labelled_enum {
    (
        $(#[$doc:meta])* $name:ident {
            $( $(#[$vdoc:meta])* $variant:ident = ($key:literal, $ja:literal) ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $key)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The value as written in facts files, JSON and the database.
            pub fn key(self) -> &'static str {
                match self { $(Self::$variant => $key,)* }
            }

            /// The value's Japanese name, as users read it.
            pub fn label_ja(self) -> &'static str {
                match self { $(Self::$variant => $ja,)* }
            }

            /// Reads a value from its key.
            pub fn from_key(key: &str) -> Option<Self> {
                match key { $($key => Some(Self::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

labelled_enum!(
    /// The kind of organization, which decides the law that applies to it.
    OrgType {
        /// A private business (個人情報取扱事業者), APPI Art. 26.
        Business = ("business", "民間事業者"),
        /// A public body (行政機関等), APPI Art. 68.
        PublicBody = ("public_body", "行政機関等"),
        /// A hospital or university run by a public body: business rules by APPI Art. 58(2).
        PublicHospital = ("public_hospital", "公的病院・大学（法第58条第2項）"),
    }
);

labelled_enum!(
    /// What happened to the data.
    EventKind {
        /// 漏えい.
        Leak = ("leak", "漏えい"),
        /// 滅失.
        Loss = ("loss", "滅失"),
        /// 毀損.
        Damage = ("damage", "毀損"),
    }
);

labelled_enum!(
    /// The cause of an incident.
    Cause {
        /// Ransomware.
        Ransomware = ("ransomware", "ランサムウェア"),
        /// Unauthorized access.
        UnauthorizedAccess = ("unauthorized_access", "不正アクセス"),
        /// Other malware.
        Malware = ("malware", "マルウェア感染"),
        /// A misconfigured web site or service.
        WebMisconfiguration = ("web_misconfiguration", "ウェブサイトの設定不備"),
        /// E-mail sent to the wrong people.
        MisdeliveryEmail = ("misdelivery_email", "メール誤送信"),
        /// Post sent to the wrong people.
        MisdeliveryPost = ("misdelivery_post", "郵便誤送付"),
        /// Lost media or papers.
        Loss = ("loss", "紛失"),
        /// Theft.
        Theft = ("theft", "盗難"),
        /// An insider's act.
        Insider = ("insider", "内部不正"),
        /// A software bug.
        Bug = ("bug", "プログラムの不具合"),
        /// An incident at a vendor.
        VendorIncident = ("vendor_incident", "委託先での事故"),
        /// Anything else.
        Other = ("other", "その他"),
    }
);

impl Cause {
    /// Whether this cause is, by its nature, an act that may have been done with wrongful intent
    /// (不正の目的をもって行われたおそれ), used when the facts do not say.
    pub fn presumed_malicious(self) -> bool {
        matches!(self, Self::Ransomware | Self::UnauthorizedAccess | Self::Malware | Self::Theft | Self::Insider)
    }
}

labelled_enum!(
    /// A party's part in an incident.
    PartyRole {
        /// Where it happened (or the only organization involved).
        Handler = ("handler", "発生元"),
        /// A vendor handling the data for another organization (委託先).
        Consignee = ("consignee", "委託先"),
        /// An organization that entrusted the data to another (委託元).
        Consignor = ("consignor", "委託元"),
    }
);

/// One data item of an incident, with what the facts say of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataItem {
    /// The item in the organization's own words (氏名, 病歴, クレジットカード番号 …).
    pub name: String,
    /// Whether the item is 要配慮個人情報, when the facts say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// Whether the item can cause financial damage, when the facts say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial: Option<bool>,
}

/// One organization's part in an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// The organization's name, unique within the incident.
    pub name: String,
    /// The kind of organization.
    #[serde(rename = "type")]
    pub org_type: OrgType,
    /// Its role.
    pub role: PartyRole,
    /// The day it knew (知った日).
    pub known_on: Date,
    /// Its share of the affected people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persons: Option<u64>,
    /// Whether 条例要配慮個人情報 is involved (public bodies whose ordinance defines it).
    #[serde(default)]
    pub ordinance_sensitive: bool,
    /// A national public body (行政機関, 独立行政法人等) rather than a local one; matters for dates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub national: bool,
    /// The day a consignee notified its consignor (Rules Art. 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_consignor_on: Option<Date>,
    /// The parties it reports jointly with (連名).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_report_with: Vec<String>,
}

labelled_enum!(
    /// How serious a GDPR breach is for the people concerned.
    GdprRisk {
        /// Unlikely to result in a risk.
        None = ("none", "リスクなし"),
        /// A risk to rights and freedoms (Art. 33).
        Risk = ("risk", "リスクあり"),
        /// A high risk (Art. 34).
        High = ("high", "高いリスク"),
    }
);

/// The facts that matter under the GDPR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GdprFacts {
    /// When the controller became aware.
    pub aware_at: OffsetTime,
    /// The risk to the people concerned.
    pub risk: GdprRisk,
}

/// The facts that matter under HIPAA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HipaaFacts {
    /// The day the breach was discovered.
    pub discovered_on: Date,
    /// Affected individuals per US State (two-letter code).
    #[serde(default)]
    pub individuals_by_state: BTreeMap<String, u64>,
    /// Individuals whose contact information is insufficient or out of date.
    #[serde(default)]
    pub unreachable: u64,
}

labelled_enum!(
    /// What a timeline event records.
    TimelineKind {
        /// An attacker's act.
        Attack = ("attack", "攻撃"),
        /// The moment something was noticed.
        Detection = ("detection", "検知"),
        /// Isolating, stopping, restoring.
        Containment = ("containment", "封じ込め"),
        /// Forensics and investigation.
        Investigation = ("investigation", "調査"),
        /// A notice to another organization.
        Notification = ("notification", "関係先への連絡"),
        /// A report to an authority.
        Report = ("report", "報告"),
        /// A publication.
        Publication = ("publication", "公表"),
        /// Notice to individuals.
        IndividualNotice = ("individual_notice", "本人通知"),
        /// Anything else.
        Other = ("other", "その他"),
    }
);

/// A MITRE ATT&CK technique id such as `T1486` or `T1566.001`, checked for form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttackTechnique(String);

impl AttackTechnique {
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AttackTechnique {
    type Error = String;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        let bytes = id.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let ok = match bytes {
            [b'T', rest @ ..] => match rest.len() {
                4 => digits(rest),
                8 => {
                    rest.get(4) == Some(&b'.') && rest.get(..4).is_some_and(digits) && rest.get(5..).is_some_and(digits)
                }
                _ => false,
            },
            _ => false,
        };
        if ok {
            Ok(Self(id))
        } else {
            Err(format!("expected an ATT&CK technique id such as T1486 or T1566.001, found `{id}`"))
        }
    }
}

impl From<AttackTechnique> for String {
    fn from(t: AttackTechnique) -> Self {
        t.0
    }
}

/// One event on an incident's forensic timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// When, with the offset it was observed in.
    pub at: OffsetTime,
    /// What kind of event.
    pub kind: TimelineKind,
    /// What happened.
    pub text: String,
    /// Where the fact comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The ATT&CK technique, for an attacker's act.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<AttackTechnique>,
}

labelled_enum!(
    /// Whether a task is a recurrence-prevention measure or a response action.
    TaskKind {
        /// 再発防止策.
        Prevention = ("prevention", "再発防止策"),
        /// A response action.
        Action = ("action", "対応"),
    }
);

labelled_enum!(
    /// Where a task stands.
    TaskStatus {
        /// Not started.
        Open = ("open", "未着手"),
        /// Under way.
        InProgress = ("in_progress", "対応中"),
        /// Done.
        Done = ("done", "完了"),
    }
);

/// A task: a response action or a recurrence-prevention measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Prevention measure or action.
    pub kind: TaskKind,
    /// What is to be done.
    pub title: String,
    /// Who does it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// By when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// Where it stands.
    #[serde(default = "TaskStatus::default_open")]
    pub status: TaskStatus,
    /// What shows it is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl TaskStatus {
    fn default_open() -> Self {
        Self::Open
    }
}

/// The facts of an incident: everything the assessment, the reports and the letters are made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The incident's name.
    pub title: String,
    /// A few sentences on what happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Leak, loss or damage.
    pub event: EventKind,
    /// Whether it is only suspected (発生したおそれ).
    pub suspected: bool,
    /// The cause.
    pub cause: Cause,
    /// Whether wrongful intent may be involved, when the facts say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malicious: Option<bool>,
    /// The data items.
    pub data_items: Vec<DataItem>,
    /// Whether 要配慮個人情報 is involved, when the facts say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// Whether financial damage may follow, when the facts say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial_risk: Option<bool>,
    /// The number of people, the maximum possible; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persons: Option<u64>,
    /// 高度な暗号化 with the key not compromised.
    pub encrypted: bool,
    /// All copies recovered before anyone viewed them.
    pub recovered_unviewed: bool,
    /// The data was pseudonymized (仮名加工情報).
    pub pseudonymized: bool,
    /// 特定個人情報 (My Number) involved.
    pub my_number: bool,
    /// My Number data was open to public view.
    pub my_number_public_view: bool,
    /// My Number data may be misused.
    pub my_number_misuse: bool,
    /// The My Number data was in a system used for My Number work (特定個人情報漏えい等規則第2条第1号).
    #[serde(default)]
    pub my_number_system: bool,
    /// The data was personal information being acquired (e.g. a skimmed web form), not yet stored.
    #[serde(default)]
    pub acquiring: bool,
    /// People who cannot be reached by a notice (no or outdated contact data), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<u64>,
    /// Secondary damage (二次被害) found or feared, and what it is, in the organization's words;
    /// `None` while unknown. "None found" is written as text too (e.g. 現時点で確認されていません).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_damage: Option<String>,
    /// The first day of the occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_from: Option<Date>,
    /// The last day of the occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_to: Option<Date>,
    /// The organizations involved; never empty.
    pub parties: Vec<Party>,
    /// GDPR facts, when the GDPR may apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gdpr: Option<GdprFacts>,
    /// HIPAA facts, when HIPAA may apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa: Option<HipaaFacts>,
    /// The forensic timeline, in the order given.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    /// Actions and recurrence-prevention measures.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

impl Incident {
    /// The party where it happened: the handler, or else the first party.
    pub fn handler(&self) -> Option<&Party> {
        self.parties.iter().find(|p| p.role == PartyRole::Handler).or(self.parties.first())
    }

    /// The earliest day any party knew.
    pub fn first_known_on(&self) -> Option<Date> {
        self.parties.iter().map(|p| p.known_on).min()
    }
}

/// An organization known to the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Its id.
    pub id: OrgId,
    /// Its name, unique in the deployment.
    pub name: String,
    /// Its kind.
    pub org_type: OrgType,
}

labelled_enum!(
    /// The kind of report to the PPC.
    ReportKind {
        /// 速報, the preliminary report.
        Preliminary = ("preliminary", "速報"),
        /// 確報, the final report.
        Final = ("final", "確報"),
        /// 続報, a follow-up to the final report.
        FollowUp = ("follow_up", "続報"),
    }
);

/// A report to an authority, with the content as it was submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The party that reports.
    pub party: PartyId,
    /// 速報, 確報 or 続報.
    pub kind: ReportKind,
    /// The content, frozen at submission.
    pub content: String,
    /// The day it was submitted; `None` while a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<Date>,
    /// The PPC's receipt number (受付番号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// The due date the report was measured against, from the assessment when it was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// Whether it was filed on time, frozen when it was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time: Option<bool>,
}

labelled_enum!(
    /// How an inquiry reached the organization.
    InquiryChannel {
        /// By telephone.
        Phone = ("phone", "電話"),
        /// In person at a desk.
        Counter = ("counter", "窓口"),
        /// By e-mail.
        Email = ("email", "メール"),
        /// By post.
        Post = ("post", "郵便"),
        /// Through a web form.
        Web = ("web", "ウェブフォーム"),
    }
);

/// An inquiry from the public about an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    /// The party whose desk took it.
    pub party: PartyId,
    /// When it was received.
    pub received_at: OffsetTime,
    /// How it arrived.
    pub channel: InquiryChannel,
    /// Who called: the person, family, other.
    pub caller_category: String,
    /// The topic (事実確認, 二次被害 …).
    pub topic: String,
    /// Whether the caller reports secondary damage (二次被害).
    pub secondary_damage_claimed: bool,
    /// What was answered.
    pub answer: String,
    /// Whether it was passed on to someone else.
    pub escalated: bool,
}

/// An affected person, in plain text. The store keeps every personal field encrypted; this type exists
/// only in memory.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AffectedPerson {
    /// 氏名.
    pub name: String,
    /// フリガナ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// 生年月日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    /// 性別, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// 郵便番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// 住所.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 電話番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// メールアドレス.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The organization's own id for the person (受診者番号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// 区分, e.g. 職員 for employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Personal data must not reach logs by accident: `Debug` shows no field values.
impl std::fmt::Debug for AffectedPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AffectedPerson { .. }")
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// The sign-in name, unique in the deployment.
    pub login: String,
    /// The name shown to others.
    pub display_name: String,
}

labelled_enum!(
    /// What a user may do in an organization.
    Role {
        /// Manages the organization's users and settings.
        Admin = ("admin", "管理者"),
        /// Works the case at the organization where it happened.
        HandlerStaff = ("handler_staff", "発生元担当者"),
        /// A consignor's privacy officer: sees its own share.
        ConsignorOfficer = ("consignor_officer", "委託元担当者"),
        /// Logs inquiries, answers "am I affected?".
        CallCenter = ("call_center", "コールセンター"),
        /// Reads and verifies, changes nothing.
        Auditor = ("auditor", "監査人"),
    }
);

/// A user's role in one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The user.
    pub user: UserId,
    /// The organization.
    pub org: OrgId,
    /// The role there.
    pub role: Role,
}

/// A stored incident: its id, the organization that owns it and its facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    /// Its id.
    pub id: IncidentId,
    /// The organization that opened the case (the handler's).
    pub owner: OrgId,
    /// Its facts.
    pub facts: Incident,
    /// When its data key was destroyed, if it was (crypto-erase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<jiff::Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_technique_ids_are_checked_for_form() {
        for ok in ["T1486", "T1566.001", "T1021.001"] {
            assert!(AttackTechnique::try_from(ok.to_string()).is_ok(), "{ok}");
        }
        for bad in ["", "T14", "1486", "t1486", "T1486.1", "T1486.0010", "TA0001"] {
            assert!(AttackTechnique::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn enum_keys_round_trip() {
        for c in Cause::ALL {
            assert_eq!(Cause::from_key(c.key()), Some(*c));
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.key()));
        }
        assert_eq!(OrgType::from_key("company"), None);
    }

    #[test]
    fn a_person_never_debug_prints_its_data() {
        let p = AffectedPerson { name: "山田太郎".into(), ..Default::default() };
        assert!(!format!("{p:?}").contains("山田"));
    }
}

labelled_enum!(
    /// How a notice reaches an affected person (本人通知の方法): the channels of the people plan.
    NoticeChannel {
        /// 電子メール.
        Email = ("email", "電子メール"),
        /// 郵送.
        Post = ("post", "郵送"),
        /// 社内掲示 (staff reached at work).
        Bulletin = ("bulletin", "掲示"),
        /// 代替措置 (public notice when a person cannot be reached).
        Substitute = ("substitute", "代替措置"),
    }
);

labelled_enum!(
    /// Where one notice to one person stands. E-mail moves pending → sending → sent (or bounced /
    /// failed); a letter moves pending → sent → returned (返戻) → remailed or substitute.
    NotificationStatus {
        /// Planned, not yet sent.
        Pending = ("pending", "未送付"),
        /// Handed to the carrier and not yet confirmed: after a crash it is unknown whether it went.
        Sending = ("sending", "送付中"),
        /// Accepted by the mail server or posted.
        Sent = ("sent", "送付済"),
        /// Confirmed delivered (a delivery report, a signed receipt).
        Delivered = ("delivered", "到達確認"),
        /// Refused by the receiving mail server for good (SMTP 5xx) or bounced afterwards.
        Bounced = ("bounced", "不達（エラー）"),
        /// Could not be sent (no usable address, temporary errors until the retries ran out).
        Failed = ("failed", "送付失敗"),
        /// A letter came back (返戻), with Japan Post's reason.
        Returned = ("returned", "返戻"),
        /// Sent again after a return or a bounce (再送).
        Remailed = ("remailed", "再送済"),
        /// Given up on the person: reached by the substitute measure (公表等の代替措置).
        Substitute = ("substitute", "代替措置"),
    }
);

impl NotificationStatus {
    /// Whether a notice in this status went out (or is settled otherwise): a campaign never sends it
    /// again by itself.
    pub fn is_settled(self) -> bool {
        !matches!(self, Self::Pending | Self::Sending | Self::Failed)
    }
}
