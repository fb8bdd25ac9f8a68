//! What a template sees: the case turned into plain values — dates already in 和暦, counts with
//! commas, every unknown replaced by the words that say it is unknown — so that an organization's
//! own template never has to compute anything.

use crate::kind::DocKind;
use crate::profile::{Profile, Sender};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use todoke_core::{Incident, OrgType, Party, PartyRole, TaskKind, TaskStatus, TimelineKind};
use todoke_rules::{Assessment, CategoryId, ObligationKind, PartyAssessment, Status};

/// What is written where a fact is not known yet: PPC asks that unknowns be reported as such and
/// completed in the 確報 or a 続報.
pub(crate) const UNKNOWN: &str = "【不明・調査中】";

/// Everything a document is made from.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// The incident's facts, timeline and tasks.
    pub incident: &'a Incident,
    /// The assessment of the incident (categories, reasons, obligations), when made.
    pub assessment: Option<&'a Assessment>,
    /// The party the document is for (the reporter, the consignor asked, the letter's sender…).
    pub party: &'a str,
    /// The organization's profile.
    pub profile: &'a Profile,
    /// The document's date.
    pub today: Date,
    /// The edition (第N報) of public notices, press releases and status reports; 1 when unset.
    pub edition: u32,
    /// The notices per channel from the people plan (本人への対応, invoice).
    pub counts: Option<&'a ChannelCounts>,
    /// The addressee of a letter.
    pub recipient: Option<&'a Recipient>,
}

/// How many notices go out on each channel (CONTRACTS.md §3 `summary.json`, one party).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChannelCounts {
    /// Notices per channel (`post`, `email`, `bulletin`, `substitute`).
    #[serde(default)]
    pub channels: BTreeMap<String, u64>,
}

/// The addressee of a letter. Personal data: never printed by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// Full name.
    pub name: String,
    /// 郵便番号.
    pub postal_code: Option<String>,
    /// 住所.
    pub address: Option<String>,
    /// A number printed small in the address block (the notice's id), by which a returned letter
    /// is matched to its notice.
    pub reference: Option<String>,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recipient { .. }")
    }
}

/// 令和6年1月29日, or the ISO date before 明治.
pub(crate) fn wareki(day: Date) -> String {
    todoke_ja::format_wareki(day).unwrap_or_else(|| day.to_string())
}

/// 18950 → 18,950.
pub(crate) fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn channel_label(channel: &str) -> &str {
    match channel {
        "post" => "郵送",
        "email" => "電子メール",
        "bulletin" => "庁内・社内掲示",
        "substitute" => "代替措置（公表等）",
        other => other,
    }
}

fn category_label(id: CategoryId, public: bool) -> String {
    let (article, text) = match (id, public) {
        (CategoryId::Sensitive, false) => ("規則第7条第1号", "要配慮個人情報が含まれる個人データの漏えい等"),
        (CategoryId::Sensitive, true) => ("規則第43条第1号", "要配慮個人情報が含まれる保有個人情報の漏えい等"),
        (CategoryId::FinancialRisk, false) => {
            ("規則第7条第2号", "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等")
        }
        (CategoryId::FinancialRisk, true) => {
            ("規則第43条第2号", "不正に利用されることにより財産的被害が生じるおそれがある保有個人情報の漏えい等")
        }
        (CategoryId::Malicious, false) => {
            ("規則第7条第3号", "不正の目的をもって行われたおそれがある個人データの漏えい等")
        }
        (CategoryId::Malicious, true) => {
            ("規則第43条第3号", "不正の目的をもって行われたおそれがある保有個人情報の漏えい等")
        }
        (CategoryId::CountOverThreshold, false) => {
            ("規則第7条第4号", "個人データに係る本人の数が1,000人を超える漏えい等")
        }
        (CategoryId::CountOverThreshold, true) => {
            ("規則第43条第4号", "保有個人情報に係る本人の数が100人を超える漏えい等")
        }
        (CategoryId::OrdinanceSensitive, _) => {
            ("規則第43条第5号", "条例要配慮個人情報が含まれる保有個人情報の漏えい等")
        }
        (CategoryId::MynumberSystem, _) => {
            ("番号法規則第2条第1号", "情報提供ネットワークシステム等における特定個人情報の漏えい等")
        }
        (CategoryId::MynumberMalicious, _) => {
            ("番号法規則第2条第2号", "不正の目的をもって行われたおそれがある特定個人情報の漏えい等")
        }
        (CategoryId::MynumberPublicView, _) => {
            ("番号法規則第2条第3号", "不特定多数の者に閲覧されたおそれがある特定個人情報の漏えい等")
        }
        (CategoryId::MynumberCount, _) => ("番号法規則第2条第4号", "本人の数が100人を超える特定個人情報の漏えい等"),
    };
    format!("{article}（{text}）")
}

/// The assessment of `party` under the Japanese APPI regime (the one the PPC report follows).
fn party_assessment<'a>(assessment: Option<&'a Assessment>, party: &str) -> Option<&'a PartyAssessment> {
    let mine = || assessment.into_iter().flat_map(|a| a.parties.iter()).filter(|p| p.party == party);
    mine().find(|p| p.regime.starts_with("jp-appi")).or_else(|| mine().next())
}

fn sender_value(s: &Sender) -> Value {
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "【未設定】".into());
    json!({
        "name": s.name.clone().unwrap_or_default(),
        "department": s.department.clone().unwrap_or_default(),
        "postal_code": s.postal_code.clone().unwrap_or_default(),
        "address": s.address.clone().unwrap_or_default(),
        "signature": s.signature.clone().unwrap_or_default(),
        "head": s.head.clone().unwrap_or_else(|| format!("{}の長", s.name.clone().unwrap_or_default())),
        "desk": {
            "name": s.desk.name.clone().unwrap_or_else(|| "お問い合わせ窓口".into()),
            "phone": or_unset(&s.desk.phone),
            "hours": s.desk.hours.clone().unwrap_or_default(),
            "email": s.desk.email.clone().unwrap_or_default(),
        },
    })
}

fn party_value(p: &Party) -> Value {
    json!({
        "name": p.name,
        "role": p.role.key(),
        "role_label": p.role.label_ja(),
        "public_body": p.org_type == OrgType::PublicBody,
        "known_on": p.known_on.to_string(),
        "known_on_wareki": wareki(p.known_on),
        "persons": p.persons.map(group_digits),
        "joint_report_with": p.joint_report_with,
    })
}

/// The template context for `kind`.
pub(crate) fn build(kind: DocKind, case: &Case<'_>) -> Result<Value, crate::DocError> {
    let inc = case.incident;
    let party = inc.parties.iter().find(|p| p.name == case.party).ok_or_else(|| {
        let names: Vec<&str> = inc.parties.iter().map(|p| p.name.as_str()).collect();
        crate::DocError::Case(format!("no party named {} in this incident (parties: {})", case.party, names.join("、")))
    })?;
    let public = party.org_type == OrgType::PublicBody;
    let handler = inc.handler().unwrap_or(party);
    let assessed = party_assessment(case.assessment, &party.name);

    let persons = party.persons.or(inc.persons);
    let persons_text = persons
        .map_or_else(|| format!("{UNKNOWN}（最大となり得る人数を調査中）"), |n| format!("{}人", group_digits(n)));
    let occurred = match (inc.occurred_from, inc.occurred_to) {
        (Some(a), Some(b)) if a != b => format!("{}〜{}", wareki(a), wareki(b)),
        (Some(a), _) | (None, Some(a)) => wareki(a),
        (None, None) => UNKNOWN.to_string(),
    };

    let mut timeline: Vec<_> = inc.timeline.iter().collect();
    timeline.sort_by_key(|e| e.at.at);
    let event_value = |e: &todoke_core::TimelineEvent| {
        let z = e.at.zoned();
        let time =
            if (z.hour(), z.minute()) == (0, 0) { String::new() } else { format!("{}:{:02}", z.hour(), z.minute()) };
        json!({
            "date": z.date().to_string(),
            "date_wareki": wareki(z.date()),
            "time": time,
            "kind": e.kind.key(),
            "kind_label": e.kind.label_ja(),
            "text": e.text,
        })
    };
    let events_of = |kinds: &[TimelineKind]| -> Vec<Value> {
        timeline.iter().filter(|e| kinds.contains(&e.kind)).map(|e| event_value(e)).collect()
    };
    let detection = timeline.iter().find(|e| e.kind == TimelineKind::Detection).map(|e| event_value(e));

    let task_value = |t: &todoke_core::Task| {
        let owner = t.owner.clone().unwrap_or_default();
        // Another party's measure (e.g. the consignee's) is named, so the reader knows who does it.
        let by_other = !owner.is_empty() && !owner.starts_with(&party.name);
        json!({
            "title": t.title,
            "owner": owner,
            "by_other": by_other,
            "status_label": t.status.label_ja(),
            "due": t.due.map(|d| d.to_string()),
            "due_wareki": t.due.map(wareki),
        })
    };
    let tasks = |kind: TaskKind, done: bool| -> Vec<Value> {
        inc.tasks.iter().filter(|t| t.kind == kind && (t.status == TaskStatus::Done) == done).map(task_value).collect()
    };

    let categories: Vec<Value> = assessed
        .map(|a| a.categories.iter().map(|c| Value::String(category_label(*c, public))).collect())
        .unwrap_or_default();
    let obligations: Vec<Value> = assessed
        .map(|a| {
            a.obligations
                .iter()
                .map(|o| {
                    let due = match (&o.due, &o.window) {
                        (Some(due), _) => {
                            due.get(..10).and_then(|d| d.parse::<Date>().ok()).map_or_else(|| due.clone(), wareki)
                        }
                        (None, Some(w)) => format!("{}〜{}（目安）", wareki(w.from), wareki(w.to)),
                        (None, None) => "速やかに".into(),
                    };
                    let status = match (o.status, o.days_left) {
                        (Some(Status::Overdue), Some(d)) if o.due.is_some() => format!("{}日超過", -d),
                        (Some(Status::Open), Some(d)) if o.due.is_some() => format!("あと{d}日"),
                        _ => String::new(),
                    };
                    json!({
                        "kind": serde_json::to_value(o.kind).unwrap_or(Value::Null),
                        "label": o.kind.label(true),
                        "recipient": todoke_rules::recipient_label(&o.recipient, true),
                        "due": due,
                        "basis": o.basis,
                        "explanation": o.explanation,
                        "relieved_by": o.relieved_by,
                        "joint_with": o.joint_with,
                        "status": status,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let due_of = |kind: ObligationKind| -> Option<String> {
        obligations
            .iter()
            .zip(assessed.map(|a| a.obligations.as_slice()).unwrap_or_default())
            .find(|(_, o)| o.kind == kind)
            .and_then(|(v, _)| v.get("due").and_then(Value::as_str).map(str::to_string))
    };

    let counts: Vec<Value> = case
        .counts
        .map(|c| {
            c.channels
                .iter()
                .map(|(ch, n)| json!({"channel": ch, "label": channel_label(ch), "count": group_digits(*n), "n": n}))
                .collect()
        })
        .unwrap_or_default();
    let notices_total = case.counts.map(|c| c.channels.values().sum::<u64>());

    let sender = case.profile.sender_for(match kind {
        DocKind::JointRequest => &handler.name,
        _ => &party.name,
    });

    let consignors: Vec<Value> =
        inc.parties.iter().filter(|p| p.role == PartyRole::Consignor).map(party_value).collect();
    let consignees: Vec<Value> =
        inc.parties.iter().filter(|p| p.role == PartyRole::Consignee).map(party_value).collect();

    let report_kind = match kind {
        DocKind::FinalReport => "確報",
        DocKind::FollowUpReport => "続報",
        _ => "速報",
    };
    let data_term = if public { "保有個人情報" } else { "個人データ" };
    let recipient = case.recipient.map(|r| {
        json!({
            "name": r.name,
            "postal_code": r.postal_code.clone().unwrap_or_default(),
            "address": r.address.clone().unwrap_or_default(),
        })
    });

    Ok(json!({
        "kind": kind.key(),
        "title": kind.title(case),
        "today": case.today.to_string(),
        "today_wareki": wareki(case.today),
        "edition": case.edition.max(1),
        "unknown": UNKNOWN,
        "report": {
            "kind_label": report_kind,
            "public": public,
            "law_article": if public { "個人情報の保護に関する法律第68条第1項" } else { "個人情報の保護に関する法律第26条第1項" },
            "rule_article": if public { "個人情報の保護に関する法律施行規則第44条" } else { "個人情報の保護に関する法律施行規則第8条" },
            "category_article": if public { "規則第43条" } else { "規則第7条" },
            "data_term": data_term,
            "reporter_term": if public { "行政機関の長等" } else { "個人情報取扱事業者" },
        },
        "party": party_value(party),
        "handler": party_value(handler),
        "sender": sender_value(&sender),
        "consignors": consignors,
        "consignees": consignees,
        "incident": {
            "title": inc.title,
            "summary": inc.summary.clone().unwrap_or_else(|| UNKNOWN.to_string()),
            "event_label": inc.event.label_ja(),
            "suspected": inc.suspected,
            "event_text": format!("{}{}", inc.event.label_ja(), if inc.suspected { "のおそれ" } else { "" }),
            "cause_label": inc.cause.label_ja(),
            "malicious": inc.malicious,
            "data_items": inc.data_items.iter().map(|d| d.name.clone()).collect::<Vec<_>>(),
            "data_items_text": if inc.data_items.is_empty() { UNKNOWN.to_string() } else { inc.data_items.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join("、") },
            "sensitive": inc.sensitive,
            "financial_risk": inc.financial_risk,
            "persons": persons.map(group_digits),
            "persons_text": persons_text,
            "occurred": occurred,
            "known_on_wareki": wareki(party.known_on),
            "encrypted": inc.encrypted,
            "my_number": inc.my_number,
            // 二次被害: the organization's words, or null while unknown (`secondary_damage_text` then
            // says it is unknown, as PPC asks).
            "secondary_damage": inc.secondary_damage,
            "secondary_damage_text": inc.secondary_damage.clone().unwrap_or_else(|| UNKNOWN.to_string()),
        },
        "detection": detection,
        "assessment": {
            "made": assessed.is_some(),
            "regime_name": assessed.map(|a| a.regime_name.clone()),
            "reportable": assessed.map(|a| a.reportable),
            "categories": categories,
            "reasons": assessed.map(|a| a.explanation.clone()).unwrap_or_default(),
            "final_report_days": assessed.and_then(|a| a.final_report_days),
            "final_report_due": due_of(ObligationKind::FinalReport),
            "preliminary_due": due_of(ObligationKind::PreliminaryReport),
            "obligations": obligations,
        },
        "timeline": timeline.iter().map(|e| event_value(e)).collect::<Vec<_>>(),
        "notices": events_of(&[TimelineKind::IndividualNotice]),
        "publications": events_of(&[TimelineKind::Publication]),
        "reports": events_of(&[TimelineKind::Report]),
        "prevention_done": tasks(TaskKind::Prevention, true),
        "prevention_planned": tasks(TaskKind::Prevention, false),
        "actions_done": tasks(TaskKind::Action, true),
        "actions_planned": tasks(TaskKind::Action, false),
        "counts": counts,
        "notices_total": notices_total.map(group_digits),
        "recipient": recipient,
        "invoice": invoice(case),
    }))
}

/// The invoice lines: notices per channel × unit cost, then the other costs; 消費税 on the taxable
/// lines, rounded down (the usual practice for 端数).
fn invoice(case: &Case<'_>) -> Value {
    let p = &case.profile.invoice;
    let mut lines = Vec::new();
    let (mut taxable, mut exempt) = (0u64, 0u64);
    let mut add = |label: String, quantity: u64, unit: u64, is_taxable: bool| {
        let amount = quantity.saturating_mul(unit);
        if is_taxable {
            taxable = taxable.saturating_add(amount);
        } else {
            exempt = exempt.saturating_add(amount);
        }
        lines.push(json!({
            "label": label,
            "quantity": group_digits(quantity),
            "unit_cost": group_digits(unit),
            "amount": group_digits(amount),
            "taxable": is_taxable,
        }));
    };
    let counted = case.counts.map(|c| c.channels.clone());
    let persons_fallback = case.incident.parties.iter().find(|x| x.name == case.party).and_then(|x| x.persons);
    let channels = counted.unwrap_or_else(|| persons_fallback.into_iter().map(|n| ("post".to_string(), n)).collect());
    for (channel, n) in &channels {
        let unit = p.unit_cost.get(channel).copied().unwrap_or(0);
        add(format!("本人通知（{}）", channel_label(channel)), *n, unit, p.channels_taxable);
    }
    for o in &p.other {
        add(o.label.clone(), o.quantity, o.unit_cost, o.taxable);
    }
    let tax = taxable.saturating_mul(p.tax_rate) / 100;
    let total = taxable.saturating_add(exempt).saturating_add(tax);
    json!({
        "lines": lines,
        "from_plan": case.counts.is_some(),
        "taxable_subtotal": group_digits(taxable),
        "exempt_subtotal": group_digits(exempt),
        "subtotal": group_digits(taxable.saturating_add(exempt)),
        "tax_rate": p.tax_rate,
        "tax": group_digits(tax),
        "total": group_digits(total),
        "total_n": total,
        "payment": p.payment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(18950), "18,950");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }

    #[test]
    fn a_recipient_never_debug_prints_its_data() {
        let r = Recipient { name: "山田太郎".into(), ..Default::default() };
        assert!(!format!("{r:?}").contains("山田"));
    }
}
