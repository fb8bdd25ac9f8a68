//! The incident facts file (TOML, CONTRACTS.md §1 and docs/facts.md): parsed as raw input first,
//! then checked into an [`Incident`]. A bad file gets one error naming the line, the key and what
//! was expected.

use crate::OffsetTime;
use crate::model::{
    AttackTechnique, Cause, DataItem, EventKind, GdprFacts, GdprRisk, HipaaFacts, Incident, OrgType, Party, PartyRole,
    Task, TaskKind, TaskStatus, TimelineEvent, TimelineKind,
};
use jiff::civil::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use toml::Spanned;

/// Why a facts file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{message}", position(*.line, *.column), key.as_ref().map(|k| format!("`{k}`: ")).unwrap_or_default())]
pub struct FactsError {
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 1-based column, when known.
    pub column: Option<usize>,
    /// The key, as a path such as `parties[1].type`, when known.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

impl FactsError {
    fn at(text: &str, offset: Option<usize>, key: Option<String>, message: impl Into<String>) -> Self {
        let (line, column) = match offset {
            Some(offset) => {
                let (l, c) = line_column(text, offset);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Self { line, column, key, message: message.into() }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Reads a facts file into a checked [`Incident`].
pub fn parse_facts(text: &str) -> Result<Incident, FactsError> {
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| FactsError::at(text, e.span().map(|s| s.start), None, e.message()))?;
    let raw: RawFacts = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        // A `Spanned` table shows up in the path under serde_spanned's private field name.
        let key = e.path().to_string().replace(".$__serde_spanned_private_value", "");
        let inner = e.into_inner();
        let key = (key != ".").then_some(key);
        FactsError::at(text, inner.span().map(|s| s.start), key, inner.message())
    })?;
    raw.check(text)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    title: String,
    summary: Option<String>,
    event: EventKind,
    #[serde(default)]
    suspected: bool,
    cause: Cause,
    malicious: Option<bool>,
    data_items: Vec<RawDataItem>,
    sensitive: Option<bool>,
    financial_risk: Option<bool>,
    persons: Option<u64>,
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    recovered_unviewed: bool,
    #[serde(default)]
    pseudonymized: bool,
    #[serde(default)]
    my_number: bool,
    #[serde(default)]
    my_number_public_view: bool,
    #[serde(default)]
    my_number_misuse: bool,
    #[serde(default)]
    my_number_system: bool,
    #[serde(default)]
    acquiring: bool,
    unreachable: Option<u64>,
    secondary_damage: Option<Spanned<String>>,
    occurred_from: Option<FactDate>,
    occurred_to: Option<Spanned<FactDate>>,
    #[serde(default)]
    parties: Vec<Spanned<RawParty>>,
    gdpr: Option<RawGdpr>,
    hipaa: Option<Spanned<RawHipaa>>,
    #[serde(default)]
    timeline: Vec<RawTimelineEvent>,
    #[serde(default)]
    tasks: Vec<RawTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    name: String,
    #[serde(rename = "type")]
    org_type: OrgType,
    role: PartyRole,
    known_on: FactDate,
    persons: Option<u64>,
    #[serde(default)]
    ordinance_sensitive: bool,
    #[serde(default)]
    national: bool,
    notified_consignor_on: Option<FactDate>,
    #[serde(default)]
    joint_report_with: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGdpr {
    aware_at: FactTime,
    risk: GdprRisk,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHipaa {
    discovered_on: FactDate,
    #[serde(default)]
    individuals_by_state: BTreeMap<String, u64>,
    #[serde(default)]
    unreachable: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimelineEvent {
    at: FactTime,
    kind: TimelineKind,
    text: String,
    source: Option<String>,
    technique: Option<AttackTechnique>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    kind: TaskKind,
    title: String,
    owner: Option<String>,
    due: Option<FactDate>,
    status: Option<TaskStatus>,
    evidence: Option<String>,
}

/// A data item: a plain name, or a table with the name and what the facts say of it.
struct RawDataItem(DataItem);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataItemTable {
    name: String,
    sensitive: Option<bool>,
    financial: Option<bool>,
}

impl<'de> Deserialize<'de> for RawDataItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = RawDataItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a data item name, or a table { name = \"…\", sensitive = true }")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(RawDataItem(DataItem { name: name.to_string(), sensitive: None, financial: None }))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let t = RawDataItemTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDataItem(DataItem { name: t.name, sensitive: t.sensitive, financial: t.financial }))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

/// The text of a TOML date or date-time, or of a string holding one.
fn datetime_text<'de, D: Deserializer<'de>>(deserializer: D, expecting: &'static str) -> Result<String, D::Error> {
    struct TextVisitor(&'static str);
    impl<'de> Visitor<'de> for TextVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.to_string())
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
            Ok(dt.to_string())
        }
    }
    deserializer.deserialize_any(TextVisitor(expecting))
}

/// A calendar date: `2024-01-29`, as a TOML date or a string.
struct FactDate(Date);

impl<'de> Deserialize<'de> for FactDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "a date such as 2024-01-29";
        let text = datetime_text(deserializer, EXPECTED)?;
        let date = (text.len() == 10).then(|| text.parse::<Date>().ok()).flatten();
        date.map(FactDate).ok_or_else(|| de::Error::custom(format!("expected {EXPECTED}, found `{text}`")))
    }
}

/// A date-time with its offset: `2024-01-28T02:10:00+09:00`.
struct FactTime(OffsetTime);

impl<'de> Deserialize<'de> for FactTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = datetime_text(deserializer, "a date-time with offset such as 2024-01-28T02:10:00+09:00")?;
        text.parse().map(FactTime).map_err(de::Error::custom)
    }
}

impl RawFacts {
    fn check(self, text: &str) -> Result<Incident, FactsError> {
        let err =
            |offset: Option<usize>, key: &str, msg: String| FactsError::at(text, offset, Some(key.to_string()), msg);

        if self.title.trim().is_empty() {
            return Err(err(None, "title", "expected a title, found an empty string".into()));
        }
        if self.parties.is_empty() {
            return Err(err(None, "parties", "expected at least one [[parties]] table".into()));
        }
        if let (Some(from), Some(to)) = (&self.occurred_from, &self.occurred_to)
            && to.get_ref().0 < from.0
        {
            let msg = format!("expected a date on or after occurred_from ({}), found {}", from.0, to.get_ref().0);
            return Err(err(Some(to.span().start), "occurred_to", msg));
        }

        if let Some(damage) = &self.secondary_damage
            && damage.get_ref().trim().is_empty()
        {
            let msg = "expected a description of the secondary damage, found an empty string (omit the key while it is unknown)";
            return Err(err(Some(damage.span().start), "secondary_damage", msg.into()));
        }

        let names: Vec<&str> = self.parties.iter().map(|p| p.get_ref().name.as_str()).collect();
        let mut seen = HashSet::new();
        let mut parties = Vec::with_capacity(self.parties.len());
        for (i, spanned) in self.parties.iter().enumerate() {
            let at = Some(spanned.span().start);
            let p = spanned.get_ref();
            let key = |field: &str| format!("parties[{i}].{field}");
            if p.name.trim().is_empty() {
                return Err(err(at, &key("name"), "expected a party name, found an empty string".into()));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(err(at, &key("name"), format!("expected a unique party name, `{}` appears twice", p.name)));
            }
            for other in &p.joint_report_with {
                if other == &p.name || !names.contains(&other.as_str()) {
                    let msg = format!("expected the name of another party of this file, found `{other}`");
                    return Err(err(at, &key("joint_report_with"), msg));
                }
            }
            if let Some(notified) = &p.notified_consignor_on {
                // A handler may itself be the consignee of consignor parties (the seed foundation).
                if p.role == PartyRole::Consignor {
                    let msg = "a consignor has no consignor to notify; expected a handler or consignee".to_string();
                    return Err(err(at, &key("notified_consignor_on"), msg));
                }
                if notified.0 < p.known_on.0 {
                    let msg = format!("expected a date on or after known_on ({}), found {}", p.known_on.0, notified.0);
                    return Err(err(at, &key("notified_consignor_on"), msg));
                }
            }
            parties.push(Party {
                name: p.name.trim().to_string(),
                org_type: p.org_type,
                role: p.role,
                known_on: p.known_on.0,
                persons: p.persons,
                ordinance_sensitive: p.ordinance_sensitive,
                national: p.national,
                notified_consignor_on: p.notified_consignor_on.as_ref().map(|d| d.0),
                joint_report_with: p.joint_report_with.clone(),
            });
        }

        if let Some(hipaa) = &self.hipaa
            && let Some(bad) = hipaa.get_ref().individuals_by_state.keys().find(|k| !is_state_code(k))
        {
            let msg = format!("expected two-letter US State codes such as CA, found `{bad}`");
            return Err(err(Some(hipaa.span().start), "hipaa.individuals_by_state", msg));
        }

        Ok(Incident {
            title: self.title.trim().to_string(),
            summary: self.summary,
            event: self.event,
            suspected: self.suspected,
            cause: self.cause,
            malicious: self.malicious,
            data_items: self.data_items.into_iter().map(|d| d.0).collect(),
            sensitive: self.sensitive,
            financial_risk: self.financial_risk,
            persons: self.persons,
            encrypted: self.encrypted,
            recovered_unviewed: self.recovered_unviewed,
            pseudonymized: self.pseudonymized,
            my_number: self.my_number,
            my_number_public_view: self.my_number_public_view,
            my_number_misuse: self.my_number_misuse,
            my_number_system: self.my_number_system,
            acquiring: self.acquiring,
            unreachable: self.unreachable,
            secondary_damage: self.secondary_damage.map(|d| d.into_inner().trim().to_string()),
            occurred_from: self.occurred_from.map(|d| d.0),
            occurred_to: self.occurred_to.map(|d| d.into_inner().0),
            parties,
            gdpr: self.gdpr.map(|g| GdprFacts { aware_at: g.aware_at.0, risk: g.risk }),
            hipaa: self.hipaa.map(|h| {
                let h = h.into_inner();
                HipaaFacts {
                    discovered_on: h.discovered_on.0,
                    individuals_by_state: h.individuals_by_state,
                    unreachable: h.unreachable,
                }
            }),
            timeline: self
                .timeline
                .into_iter()
                .map(|t| TimelineEvent {
                    at: t.at.0,
                    kind: t.kind,
                    text: t.text,
                    source: t.source,
                    technique: t.technique,
                })
                .collect(),
            tasks: self
                .tasks
                .into_iter()
                .map(|t| Task {
                    kind: t.kind,
                    title: t.title,
                    owner: t.owner,
                    due: t.due.map(|d| d.0),
                    status: t.status.unwrap_or(TaskStatus::Open),
                    evidence: t.evidence,
                })
                .collect(),
        })
    }
}

fn is_state_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT_EXAMPLE: &str = r#"
title = "X線画像読影システムへのランサムウェア攻撃"
event = "leak"
suspected = true
cause = "ransomware"
malicious = true
data_items = ["氏名", "生年月日", "X線画像", "問診", "今回の所見と判定"]
sensitive = true
financial_risk = false
persons = 18950
encrypted = false
recovered_unviewed = false
my_number = false
my_number_public_view = false
my_number_misuse = false

[[parties]]
name = "公益財団法人埼玉県健康づくり事業団"
type = "business"
role = "handler"
known_on = 2024-01-29
persons = 18950
ordinance_sensitive = false
notified_consignor_on = 2024-01-31
joint_report_with = ["春日部市"]

[[parties]]
name = "春日部市"
type = "public_body"
role = "consignor"
known_on = 2024-02-01
persons = 18950

[gdpr]
aware_at = 2024-05-03T10:00:00+09:00
risk = "high"

[hipaa]
discovered_on = 2024-02-15
individuals_by_state = { CA = 520, NV = 80 }
unreachable = 12
"#;

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    fn error_of(text: &str) -> FactsError {
        parse_facts(text).expect_err("the file should be refused")
    }

    #[test]
    fn the_contract_example_parses() {
        let incident = parse_facts(CONTRACT_EXAMPLE).unwrap();
        assert_eq!(incident.persons, Some(18950));
        assert_eq!(incident.cause, Cause::Ransomware);
        assert_eq!(incident.data_items.len(), 5);
        assert_eq!(incident.parties[1].name, "春日部市");
        assert_eq!(incident.parties[1].org_type, OrgType::PublicBody);
        assert_eq!(incident.parties[0].known_on, jiff::civil::date(2024, 1, 29));
        assert_eq!(incident.gdpr.as_ref().unwrap().aware_at.to_string(), "2024-05-03T10:00:00+09:00");
        assert_eq!(incident.hipaa.as_ref().unwrap().individuals_by_state["CA"], 520);
        assert_eq!(incident.first_known_on(), Some(jiff::civil::date(2024, 1, 29)));
    }

    #[test]
    fn data_items_may_carry_flags() {
        let text = CONTRACT_EXAMPLE
            .replace(r#"data_items = ["氏名", "#, r#"data_items = [{ name = "傷病名", sensitive = true }, "氏名", "#);
        let incident = parse_facts(&text).unwrap();
        assert_eq!(incident.data_items[0].name, "傷病名");
        assert_eq!(incident.data_items[0].sensitive, Some(true));
        assert_eq!(incident.data_items[1].sensitive, None);
    }

    #[test]
    fn an_unknown_enum_value_names_key_line_and_choices() {
        let text = CONTRACT_EXAMPLE.replace(r#"type = "public_body""#, r#"type = "city""#);
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("parties[1].type"));
        let line = line_of(&text, r#"type = "city""#);
        assert_eq!(e.line, Some(line));
        assert!(e.message.contains("public_body"), "{e}");
        assert!(e.to_string().starts_with(&format!("line {line}, column ")), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let text = CONTRACT_EXAMPLE.replace("persons = 18950\nencrypted", "person = 18950\nencrypted");
        let e = error_of(&text);
        assert!(e.message.contains("unknown field `person`"), "{e}");
        assert_eq!(e.line, Some(line_of(&text, "person = 18950")));
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let text = CONTRACT_EXAMPLE.replace("known_on = 2024-02-01\n", "");
        let e = error_of(&text);
        assert!(e.message.contains("known_on"), "{e}");
        assert_eq!(e.key.as_deref(), Some("parties[1]"));
    }

    #[test]
    fn a_bad_date_says_what_was_expected() {
        let text = CONTRACT_EXAMPLE.replace("known_on = 2024-02-01", r#"known_on = "2024/02/01""#);
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("parties[1].known_on"));
        assert!(e.message.contains("expected a date such as 2024-01-29"), "{e}");
        let text = CONTRACT_EXAMPLE.replace("known_on = 2024-02-01", "known_on = 2024-02-01T10:00:00");
        assert_eq!(error_of(&text).key.as_deref(), Some("parties[1].known_on"));
    }

    #[test]
    fn a_negative_count_is_refused() {
        let text = CONTRACT_EXAMPLE.replace("persons = 18950\nencrypted", "persons = -1\nencrypted");
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("persons"));
    }

    #[test]
    fn syntax_errors_give_a_position() {
        let e = error_of("title = \"x\"\nevent = leak\n");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn party_names_must_be_unique_and_joint_reports_must_name_parties() {
        let text = CONTRACT_EXAMPLE
            .replace(r#"name = "春日部市""#, r#"name = "公益財団法人埼玉県健康づくり事業団""#)
            .replace(r#"joint_report_with = ["春日部市"]"#, "");
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("parties[1].name"));
        assert!(e.message.contains("appears twice"));

        let text = CONTRACT_EXAMPLE.replace(r#"joint_report_with = ["春日部市"]"#, r#"joint_report_with = ["越谷市"]"#);
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("parties[0].joint_report_with"));
        assert_eq!(e.line, Some(line_of(&text, "[[parties]]")));
    }

    #[test]
    fn the_occurrence_range_must_be_in_order() {
        let text = format!("occurred_from = 2024-01-28\noccurred_to = 2024-01-27\n{CONTRACT_EXAMPLE}");
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("occurred_to"));
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn secondary_damage_is_optional_text() {
        assert_eq!(parse_facts(CONTRACT_EXAMPLE).unwrap().secondary_damage, None);
        let text = format!("secondary_damage = \" 現時点で確認されていません \"\n{CONTRACT_EXAMPLE}");
        assert_eq!(parse_facts(&text).unwrap().secondary_damage.as_deref(), Some("現時点で確認されていません"));
        let text = format!("secondary_damage = \"  \"\n{CONTRACT_EXAMPLE}");
        let e = error_of(&text);
        assert_eq!(e.key.as_deref(), Some("secondary_damage"));
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn at_least_one_party_is_needed() {
        let text = CONTRACT_EXAMPLE.split("[[parties]]").next().unwrap();
        assert_eq!(error_of(text).key.as_deref(), Some("parties"));
    }

    #[test]
    fn timeline_and_tasks_are_read() {
        let text = format!(
            "{}\n[[timeline]]\nat = 2024-01-28T02:10:00+09:00\nkind = \"attack\"\ntext = \"暗号化\"\ntechnique = \"T1486\"\n\n[[tasks]]\nkind = \"prevention\"\ntitle = \"VPN機器の更新\"\ndue = 2024-03-31\n",
            CONTRACT_EXAMPLE.split("[gdpr]").next().unwrap()
        );
        let incident = parse_facts(&text).unwrap();
        assert_eq!(incident.timeline[0].technique.as_ref().unwrap().as_str(), "T1486");
        assert_eq!(incident.tasks[0].status, TaskStatus::Open);

        let bad = text.replace("T1486", "ransom");
        assert_eq!(error_of(&bad).key.as_deref(), Some("timeline[0].technique"));
    }
}
