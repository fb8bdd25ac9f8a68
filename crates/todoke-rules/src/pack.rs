//! Rule packs: one TOML file per regime and version (`rules/*.toml`), checked on load. A pack says
//! whom it applies to and when, what exempts, which categories make a case reportable, and which
//! obligations follow — each with its article and its explanation in Japanese and English. The
//! conditions and deadline rules a pack may name are the fixed vocabulary below; the evaluator
//! knows what each means.

use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use todoke_core::PartyRole;

/// Text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

/// A family of regimes: at most one pack of a family applies to a party on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// APPI and what came before it (one base regime per party).
    Jp,
    /// The My Number Act.
    Mynumber,
    /// The GDPR.
    Gdpr,
    /// HIPAA.
    Hipaa,
}

/// What a pack needs in the facts to apply at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// 特定個人情報 is involved.
    MyNumber,
    /// The facts carry a `[gdpr]` table.
    Gdpr,
    /// The facts carry a `[hipaa]` table.
    Hipaa,
}

/// A condition on the facts (and, for obligations, on the verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Always.
    Always,
    /// The case is reportable under this pack.
    Reportable,
    /// 要配慮個人情報 (stated or derived).
    Sensitive,
    /// Financial damage may follow (stated or derived).
    FinancialRisk,
    /// Wrongful intent may be involved (stated or derived from the cause).
    Malicious,
    /// Wrongful intent, against data already held (before 2024-04-01 category 3 did not reach data
    /// being acquired).
    MaliciousStored,
    /// The number of people exceeds the pack's threshold.
    OverThreshold,
    /// 条例要配慮個人情報.
    OrdinanceSensitive,
    /// My Number data in a system for My Number work.
    MyNumberSystem,
    /// My Number data leaked, used or provided with possible wrongful intent.
    MyNumberMalicious,
    /// My Number data open to public view.
    MyNumberPublicView,
    /// Strongly encrypted, key not compromised.
    Encrypted,
    /// Recovered before anyone viewed it.
    RecoveredUnviewed,
    /// Pseudonymized information.
    Pseudonymized,
    /// Reportable, and some people cannot be reached.
    ReportableUnreachable,
    /// A consignee (or a handler with consignors) that has not yet notified its consignor.
    ConsigneeNotNotified,
    /// The GDPR risk is not "none".
    GdprRisk,
    /// The GDPR risk is high and the data was not rendered unintelligible.
    GdprHighRisk,
    /// More than 500 residents of one US State.
    #[serde(rename = "hipaa_state_over_500")]
    HipaaStateOver500,
    /// 500 or more individuals in all.
    #[serde(rename = "hipaa_total_500")]
    HipaaTotal500,
    /// Fewer than 500 individuals in all.
    #[serde(rename = "hipaa_total_below_500")]
    HipaaTotalBelow500,
    /// Fewer than 10 (but some) individuals cannot be reached.
    #[serde(rename = "hipaa_unreachable_below_10")]
    HipaaUnreachableBelow10,
    /// 10 or more individuals cannot be reached.
    #[serde(rename = "hipaa_unreachable_10")]
    HipaaUnreachable10,
}

/// A reportable category (CONTRACTS.md §1 `categories`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryId {
    /// 要配慮個人情報.
    Sensitive,
    /// 財産的被害のおそれ.
    FinancialRisk,
    /// 不正の目的.
    Malicious,
    /// Over the threshold.
    CountOverThreshold,
    /// 条例要配慮個人情報.
    OrdinanceSensitive,
    /// My Number: system.
    MynumberSystem,
    /// My Number: wrongful intent.
    MynumberMalicious,
    /// My Number: public view.
    MynumberPublicView,
    /// My Number: over 100 people.
    MynumberCount,
}

/// An obligation's kind (CONTRACTS.md §1 `obligations[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// 速報.
    PreliminaryReport,
    /// 確報.
    FinalReport,
    /// 本人通知.
    NotifyIndividuals,
    /// 代替措置.
    SubstituteNotice,
    /// 委託元への通知.
    NotifyConsignor,
    /// GDPR Art. 33.
    GdprAuthority,
    /// GDPR Art. 34.
    GdprDataSubjects,
    /// GDPR Art. 33(5).
    GdprRecord,
    /// HIPAA individuals.
    HipaaIndividuals,
    /// HIPAA media.
    HipaaMedia,
    /// HIPAA HHS.
    HipaaHhs,
    /// HIPAA annual log.
    HipaaHhsAnnualLog,
}

impl CategoryId {
    /// The category as written in the JSON of CONTRACTS.md §1.
    pub fn key(self) -> &'static str {
        match self {
            Self::Sensitive => "sensitive",
            Self::FinancialRisk => "financial_risk",
            Self::Malicious => "malicious",
            Self::CountOverThreshold => "count_over_threshold",
            Self::OrdinanceSensitive => "ordinance_sensitive",
            Self::MynumberSystem => "mynumber_system",
            Self::MynumberMalicious => "mynumber_malicious",
            Self::MynumberPublicView => "mynumber_public_view",
            Self::MynumberCount => "mynumber_count",
        }
    }
}

/// An obligation's recipient as users say it (packs write `PPC`, `individuals`, `consignor`, `public`).
pub fn recipient_label(recipient: &str, japanese: bool) -> &str {
    let (ja, en) = match recipient {
        "PPC" => ("個人情報保護委員会", "PPC"),
        "individuals" => ("本人", "individuals"),
        "consignor" => ("委託元", "consignor"),
        "public" => ("公表", "the public"),
        _ => return recipient,
    };
    if japanese { ja } else { en }
}

impl ObligationKind {
    /// The name users read.
    pub fn label(self, ja: bool) -> &'static str {
        let (j, e) = match self {
            Self::PreliminaryReport => ("速報", "preliminary report"),
            Self::FinalReport => ("確報", "final report"),
            Self::NotifyIndividuals => ("本人通知", "notify individuals"),
            Self::SubstituteNotice => ("代替措置", "substitute notice"),
            Self::NotifyConsignor => ("委託元への通知", "notify consignor"),
            Self::GdprAuthority => ("監督機関への通知", "notify supervisory authority"),
            Self::GdprDataSubjects => ("データ主体への通知", "notify data subjects"),
            Self::GdprRecord => ("侵害の記録", "breach record"),
            Self::HipaaIndividuals => ("個人への通知", "notify individuals"),
            Self::HipaaMedia => ("メディアへの通知", "notify media"),
            Self::HipaaHhs => ("HHSへの報告", "notify HHS"),
            Self::HipaaHhsAnnualLog => ("HHSへの年次報告", "HHS annual log"),
        };
        if ja { j } else { e }
    }
}

/// How an obligation's date is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueRule {
    /// No date ("速やかに", "without undue delay").
    None,
    /// Day 30 or 60 (from the categories), rolled past closed days (JP-DAYS).
    FinalReport,
    /// Exact hours after awareness (GDPR).
    Hours(i64),
    /// Calendar days after discovery (HIPAA).
    Days(i64),
    /// Calendar days after the end of the year of discovery (HIPAA annual log).
    YearEndDays(i64),
}

impl<'de> Deserialize<'de> for DueRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bad = || {
            serde::de::Error::custom(format!(
                "expected none, final_report, hours:N, days:N or year_end_days:N, found `{text}`"
            ))
        };
        let number = |n: &str| n.parse::<i64>().ok().filter(|n| *n > 0);
        Ok(match text.split_once(':') {
            None if text == "none" => Self::None,
            None if text == "final_report" => Self::FinalReport,
            Some(("hours", n)) => Self::Hours(number(n).ok_or_else(bad)?),
            Some(("days", n)) => Self::Days(number(n).ok_or_else(bad)?),
            Some(("year_end_days", n)) => Self::YearEndDays(number(n).ok_or_else(bad)?),
            _ => return Err(bad()),
        })
    }
}

/// The kinds of party a pack can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PartyKind {
    /// A private business.
    Business,
    /// A hospital or university run by a public body (Art. 58(2)).
    PublicHospital,
    /// A national public body.
    PublicBodyNational,
    /// A local public body.
    PublicBodyLocal,
}

impl PartyKind {
    /// The kind of a party.
    pub fn of(party: &todoke_core::Party) -> Self {
        match party.org_type {
            todoke_core::OrgType::Business => Self::Business,
            todoke_core::OrgType::PublicHospital => Self::PublicHospital,
            todoke_core::OrgType::PublicBody if party.national => Self::PublicBodyNational,
            todoke_core::OrgType::PublicBody => Self::PublicBodyLocal,
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "business" => Self::Business,
            "public_hospital" => Self::PublicHospital,
            "public_body_national" => Self::PublicBodyNational,
            "public_body_local" => Self::PublicBodyLocal,
            _ => return None,
        })
    }
}

/// An exemption: when its condition holds, the pack's case is not reportable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// The condition.
    pub when: Condition,
    /// The article or guideline.
    pub article: String,
    /// Why.
    pub explain: Text,
}

/// A category of reportable situation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Its id.
    pub id: CategoryId,
    /// When it applies.
    pub when: Condition,
    /// The final report's day count when it applies (the largest of the applying categories wins).
    pub days: i32,
    /// The article.
    pub article: String,
    /// What it means.
    pub explain: Text,
    /// Whether an attack on a consignor's consignee counts here is unconfirmed (RULES.md §11 item 5).
    #[serde(default)]
    pub consignee_attack_unconfirmed: bool,
}

/// An obligation that follows when its condition holds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    /// Its kind.
    pub kind: ObligationKind,
    /// To whom.
    pub recipient: String,
    /// When it applies.
    pub when: Condition,
    /// How its date is computed.
    #[serde(default = "no_due")]
    pub due: DueRule,
    /// A guidance window, days counted from the day known as day 1.
    pub window: Option<[i32; 2]>,
    /// Whether a consignee's Art. 9 notice to its consignor relieves it.
    #[serde(default)]
    pub relievable: bool,
    /// The legal basis.
    pub basis: String,
    /// What it asks.
    pub explain: Text,
}

fn no_due() -> DueRule {
    DueRule::None
}

/// An unconfirmed reading the pack relies on, reported with the obligations of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    /// The obligation kind it concerns.
    pub applies_to: ObligationKind,
    /// What is assumed.
    pub text: Text,
}

/// When a pack without categories makes a case reportable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportableWhen {
    /// The condition.
    pub when: Condition,
    /// The article.
    pub article: String,
    /// What it means.
    pub explain: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    id: String,
    family: Family,
    name: Text,
    effective_from: toml::value::Datetime,
    effective_to: Option<toml::value::Datetime>,
    applies_to: Vec<String>,
    roles: Option<Vec<PartyRole>>,
    requires: Option<Requirement>,
    authority: String,
    threshold: u64,
    voluntary: bool,
    reportable_when: Option<ReportableWhen>,
    #[serde(default)]
    holiday_roll_unconfirmed: bool,
    #[serde(default)]
    assumptions: Vec<Assumption>,
    #[serde(default)]
    exemptions: Vec<Exemption>,
    #[serde(default)]
    categories: Vec<Category>,
    #[serde(default)]
    obligations: Vec<ObligationRule>,
}

/// A checked rule pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    /// The regime id (`jp-appi-business` …), shared by the versions of one regime.
    pub id: String,
    /// The file it came from.
    pub source: String,
    /// Its family.
    pub family: Family,
    /// Its name.
    pub name: Text,
    /// First day it applies (to the day known).
    pub effective_from: Date,
    /// Last day it applies, if it ended.
    pub effective_to: Option<Date>,
    /// The kinds of party it applies to, each from a day of its own (or the pack's first day).
    pub applies_to: Vec<(PartyKind, Date)>,
    /// The roles it applies to (all when empty).
    pub roles: Vec<PartyRole>,
    /// What the facts must carry.
    pub requires: Option<Requirement>,
    /// The authority reports go to.
    pub authority: String,
    /// The count above which the count category applies.
    pub threshold: u64,
    /// An effort duty only: no deadlines, no overdue alarms.
    pub voluntary: bool,
    /// For packs without categories: what makes the case reportable.
    pub reportable_when: Option<ReportableWhen>,
    /// Whether moving the final report past closed days is only believed, not confirmed, for this
    /// regime (RULES.md §11 item 2).
    pub holiday_roll_unconfirmed: bool,
    /// Unconfirmed readings.
    pub assumptions: Vec<Assumption>,
    /// Exemptions.
    pub exemptions: Vec<Exemption>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Obligations.
    pub obligations: Vec<ObligationRule>,
}

impl Pack {
    /// The day from which the pack applies to `kind`, if it applies to it at all.
    pub fn applies_from(&self, kind: PartyKind) -> Option<Date> {
        self.applies_to.iter().find(|(k, _)| *k == kind).map(|(_, from)| *from)
    }

    /// Whether the pack applies to a party of `kind` and `role` that knew on `known_on`.
    pub fn applies(&self, kind: PartyKind, role: PartyRole, known_on: Date) -> bool {
        let in_force = self.effective_to.is_none_or(|to| known_on <= to);
        let role_ok = self.roles.is_empty() || self.roles.contains(&role);
        in_force && role_ok && self.applies_from(kind).is_some_and(|from| from <= known_on)
    }
}

/// Why a rule pack was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule pack {file}: {message}")]
pub struct PackError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

fn date_of(dt: &toml::value::Datetime, source: &str, key: &str) -> Result<Date, PackError> {
    let text = dt.to_string();
    text.parse()
        .map_err(|_| PackError { file: source.into(), message: format!("`{key}`: expected a date, found {text}") })
}

/// Parses and checks one pack.
pub fn parse_pack(source: &str, text: &str) -> Result<Pack, PackError> {
    let err = |message: String| PackError { file: source.into(), message };
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text.get(..s.start).unwrap_or_default().matches('\n').count() + 1);
        err(match line {
            Some(l) => format!("line {l}: {}", e.message()),
            None => e.message().to_string(),
        })
    })?;
    let effective_from = date_of(&raw.effective_from, source, "effective_from")?;
    let effective_to = raw.effective_to.as_ref().map(|d| date_of(d, source, "effective_to")).transpose()?;
    if effective_to.is_some_and(|to| to < effective_from) {
        return Err(err("`effective_to` is before `effective_from`".into()));
    }
    let mut applies_to = Vec::new();
    for entry in &raw.applies_to {
        let (kind, from) = match entry.split_once(" from ") {
            Some((k, d)) => (k.trim(), Some(d.trim())),
            None => (entry.trim(), None),
        };
        let kind = PartyKind::from_key(kind).ok_or_else(|| {
            err(format!(
                "`applies_to`: expected business, public_hospital, public_body_national or public_body_local, found `{kind}`"
            ))
        })?;
        let from = match from {
            Some(d) => {
                d.parse().map_err(|_| err(format!("`applies_to`: expected `TYPE from YYYY-MM-DD`, found `{entry}`")))?
            }
            None => effective_from,
        };
        // A kind's own first day never precedes the pack's.
        applies_to.push((kind, from.max(effective_from)));
    }
    if applies_to.is_empty() {
        return Err(err("`applies_to` names no kind of party".into()));
    }
    let cites = raw
        .exemptions
        .iter()
        .map(|e| ("exemption", e.article.as_str(), &e.explain))
        .chain(raw.categories.iter().map(|c| ("category", c.article.as_str(), &c.explain)))
        .chain(raw.obligations.iter().map(|o| ("obligation", o.basis.as_str(), &o.explain)))
        .chain(raw.reportable_when.iter().map(|r| ("reportable_when", r.article.as_str(), &r.explain)));
    for (what, citation, explain) in cites {
        if citation.trim().is_empty() {
            return Err(err(format!("a {what} has no article or basis: every rule must cite the law")));
        }
        if explain.ja.trim().is_empty() || explain.en.trim().is_empty() {
            return Err(err(format!("a {what} ({citation}) lacks its explanation in Japanese or English")));
        }
    }
    for o in &raw.obligations {
        if o.window.is_some() && o.due != DueRule::None {
            return Err(err(format!("obligation {:?} has both a window and a due rule", o.kind)));
        }
        if o.window.is_some_and(|[a, b]| a < 1 || b < a) {
            return Err(err(format!("obligation {:?}: expected a window [FIRST, LAST] of days ≥ 1", o.kind)));
        }
    }
    if raw.categories.is_empty() && raw.reportable_when.is_none() && !raw.voluntary {
        return Err(err("a mandatory pack needs categories or `reportable_when`".into()));
    }
    Ok(Pack {
        id: raw.id,
        source: source.into(),
        family: raw.family,
        name: raw.name,
        effective_from,
        effective_to,
        applies_to,
        roles: raw.roles.unwrap_or_default(),
        requires: raw.requires,
        authority: raw.authority,
        threshold: raw.threshold,
        voluntary: raw.voluntary,
        reportable_when: raw.reportable_when,
        holiday_roll_unconfirmed: raw.holiday_roll_unconfirmed,
        assumptions: raw.assumptions,
        exemptions: raw.exemptions,
        categories: raw.categories,
        obligations: raw.obligations,
    })
}

/// The packs todoke ships, compiled in: adding a jurisdiction adds a file here and its tests.
const EMBEDDED: &[(&str, &str)] = &[
    ("jp-appi-business-2022.toml", include_str!("../rules/jp-appi-business-2022.toml")),
    ("jp-appi-business-2024.toml", include_str!("../rules/jp-appi-business-2024.toml")),
    ("jp-appi-public-2022.toml", include_str!("../rules/jp-appi-public-2022.toml")),
    ("jp-appi-public-2023.toml", include_str!("../rules/jp-appi-public-2023.toml")),
    ("jp-local-ordinance.toml", include_str!("../rules/jp-local-ordinance.toml")),
    ("jp-voluntary-2017.toml", include_str!("../rules/jp-voluntary-2017.toml")),
    ("jp-mynumber.toml", include_str!("../rules/jp-mynumber.toml")),
    ("eu-gdpr.toml", include_str!("../rules/eu-gdpr.toml")),
    ("us-hipaa.toml", include_str!("../rules/us-hipaa.toml")),
];

/// A checked set of packs.
#[derive(Debug, Clone)]
pub struct Packs(Vec<Pack>);

impl Packs {
    /// The packs todoke ships.
    pub fn embedded() -> Result<Self, PackError> {
        Self::from_sources(EMBEDDED)
    }

    /// Packs from `(file name, text)` pairs, checked one by one and against each other: two versions
    /// of a regime may not overlap in time, nor may two regimes of a family apply to the same kind of
    /// party on the same day.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, PackError> {
        let packs = sources.iter().map(|(name, text)| parse_pack(name, text)).collect::<Result<Vec<_>, _>>()?;
        for (i, a) in packs.iter().enumerate() {
            for b in packs.iter().skip(i + 1) {
                if a.family != b.family {
                    continue;
                }
                for (kind, a_from) in &a.applies_to {
                    let Some(b_from) = b.applies_from(*kind) else { continue };
                    let start = (*a_from).max(b_from);
                    let end = match (a.effective_to, b.effective_to) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    if end.is_none_or(|end| start <= end) {
                        let what =
                            if a.id == b.id { "two versions of one regime overlap" } else { "two regimes overlap" };
                        return Err(PackError {
                            file: b.source.clone(),
                            message: format!("{what}: {} and {} both apply to {kind:?} on {start}", a.source, b.source),
                        });
                    }
                }
            }
        }
        Ok(Self(packs))
    }

    /// All packs.
    pub fn all(&self) -> &[Pack] {
        &self.0
    }

    /// The pack of `family` that applies to a party, if any.
    pub fn select(&self, family: Family, kind: PartyKind, role: PartyRole, known_on: Date) -> Option<&Pack> {
        self.0.iter().find(|p| p.family == family && p.applies(kind, role, known_on))
    }

    /// Every regime id and its versions, for listing.
    pub fn regimes(&self) -> BTreeMap<&str, Vec<(Date, Option<Date>)>> {
        let mut out: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for p in &self.0 {
            out.entry(p.id.as_str()).or_default().push((p.effective_from, p.effective_to));
        }
        out
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_keys_are_their_json_names() {
        for c in [CategoryId::Sensitive, CategoryId::CountOverThreshold, CategoryId::MynumberPublicView] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
    }

    #[test]
    fn the_shipped_packs_load() {
        let packs = Packs::embedded().unwrap();
        let regimes = packs.regimes();
        for id in ["jp-appi-business", "jp-appi-public", "jp-mynumber", "jp-voluntary-2017", "eu-gdpr", "us-hipaa"] {
            assert!(regimes.contains_key(id), "{id}");
        }
        assert_eq!(regimes["jp-appi-business"].len(), 2, "2022 and 2024 versions");
    }

    fn pack_text() -> String {
        EMBEDDED.iter().find(|(n, _)| *n == "jp-mynumber.toml").unwrap().1.to_string()
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let text = pack_text().replace("threshold = 100", "threshold = 100\nthreshhold = 100");
        let e = parse_pack("x.toml", &text).unwrap_err();
        assert!(e.message.contains("unknown field `threshhold`"), "{e}");
        assert!(e.message.starts_with("line "), "{e}");
    }

    #[test]
    fn a_rule_without_citation_is_refused() {
        let text = pack_text().replace(r#"article = "特定個人情報漏えい等規則第2条第3号""#, r#"article = """#);
        let e = parse_pack("x.toml", &text).unwrap_err();
        assert!(e.message.contains("cite"), "{e}");
    }

    #[test]
    fn overlapping_versions_are_refused() {
        let a = pack_text();
        let b = a.replace("effective_from = 2022-04-01", "effective_from = 2023-01-01");
        let e = Packs::from_sources(&[("a.toml", &a), ("b.toml", &b)]).unwrap_err();
        assert!(e.message.contains("two versions of one regime overlap"), "{e}");
        let ended = a.replace("effective_from = 2022-04-01", "effective_from = 2022-04-01\neffective_to = 2022-12-31");
        assert!(Packs::from_sources(&[("a.toml", &ended), ("b.toml", &b)]).is_ok());
    }

    #[test]
    fn bad_due_rules_are_refused() {
        let text = pack_text().replace(r#"due = "final_report""#, r#"due = "weeks:2""#);
        let e = parse_pack("x.toml", &text).unwrap_err();
        assert!(e.message.contains("expected none, final_report"), "{e}");
    }
}
