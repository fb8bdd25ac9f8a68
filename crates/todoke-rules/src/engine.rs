//! The evaluator: for every party, the regime of each family that applies on the day it knew, the
//! verdict, the categories, and every obligation with its date, legal basis and the reasons — in the
//! shape of CONTRACTS.md §1.

use crate::calendar::{self, OutOfRange};
use crate::derive::{self, Flag};
use crate::pack::{
    CategoryId, Condition, DueRule, Family, ObligationKind, ObligationRule, Pack, Packs, PartyKind, Requirement, Text,
};
use jiff::civil::Date;
use jiff::{Span, ToSpan as _};
use serde::{Deserialize, Serialize};
use todoke_core::{GdprRisk, Incident, Party, PartyRole};

/// The readings of unconfirmed points (RULES.md §11) and the other choices of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Whether an attack on a public body's consignee is category 3 for the public body (§11 item 5).
    pub public_consignee_attack: bool,
    /// Whether "その翌日" is read literally as the next calendar day, not the next open day (§11 item 3).
    pub literal_next_day: bool,
    /// Whether a public body's final report moves past closed days as a business's does (§11 item 2).
    pub public_holiday_roll: bool,
    /// Explanations in Japanese (else English).
    pub japanese: bool,
    /// The day against which obligations are marked overdue or due in N days.
    pub as_of: Option<Date>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            public_consignee_attack: true,
            literal_next_day: false,
            public_holiday_roll: true,
            japanese: true,
            as_of: None,
        }
    }
}

/// The assessment of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The incident's title.
    pub title: String,
    /// The day obligations were measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// One entry per party and regime.
    pub parties: Vec<PartyAssessment>,
}

/// One party under one regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyAssessment {
    /// The party's name.
    pub party: String,
    /// The regime id.
    pub regime: String,
    /// The regime's name.
    pub regime_name: String,
    /// The day the party knew (day 1).
    pub known_on: Date,
    /// Whether the party must report.
    pub reportable: bool,
    /// Whether only an effort duty applies (no deadlines, no overdue alarms).
    pub voluntary: bool,
    /// The categories that make it reportable (or would, for a voluntary regime).
    pub categories: Vec<CategoryId>,
    /// The final report's day count (30 or 60), when a final report is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_report_days: Option<i32>,
    /// Every obligation.
    pub obligations: Vec<Obligation>,
    /// Why, step by step.
    pub explanation: Vec<String>,
}

/// A date range given as guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

/// Where an obligation stands on the `as_of` day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its date has passed.
    Overdue,
    /// Its date is today or later.
    Open,
}

/// One obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    /// Its kind.
    pub kind: ObligationKind,
    /// To whom.
    pub recipient: String,
    /// A guidance window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// The due date (ISO date, or date-time with offset for hour deadlines); `None` for "速やかに".
    pub due: Option<String>,
    /// The legal basis.
    pub basis: String,
    /// What it asks.
    pub explanation: String,
    /// Unconfirmed readings this obligation relies on, each with its alternative.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// What relieves the party of it, if anything does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relieved_by: Option<String>,
    /// The parties it is fulfilled jointly with (連名).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_with: Vec<String>,
    /// Days from `as_of` to the due date (negative when overdue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// Overdue or open on `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// Why an incident cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    /// A date outside the calendar.
    #[error(transparent)]
    Calendar(#[from] OutOfRange),
}

/// What is known of the incident, flags derived once.
struct Facts<'a> {
    incident: &'a Incident,
    sensitive: Flag,
    financial: Flag,
    malicious: Flag,
}

/// Assesses every party of an incident.
pub fn assess(incident: &Incident, packs: &Packs, options: &Options) -> Result<Assessment, AssessError> {
    let facts = Facts {
        incident,
        sensitive: derive::sensitive(incident),
        financial: derive::financial_risk(incident),
        malicious: derive::malicious(incident),
    };
    let mut parties = Vec::new();
    for party in &incident.parties {
        let kind = PartyKind::of(party);
        for family in [Family::Jp, Family::Mynumber, Family::Gdpr, Family::Hipaa] {
            if let Some(pack) = packs.select(family, kind, party.role, party.known_on)
                && requirement_met(pack, incident)
            {
                parties.push(assess_party(&facts, party, pack, options)?);
            }
        }
    }
    Ok(Assessment { title: incident.title.clone(), as_of: options.as_of, parties })
}

fn requirement_met(pack: &Pack, incident: &Incident) -> bool {
    match pack.requires {
        None => true,
        Some(Requirement::MyNumber) => incident.my_number,
        Some(Requirement::Gdpr) => incident.gdpr.is_some(),
        Some(Requirement::Hipaa) => incident.hipaa.is_some(),
    }
}

/// Picks the language.
struct Say(bool);

impl Say {
    fn t<'a>(&self, text: &'a Text) -> &'a str {
        if self.0 { &text.ja } else { &text.en }
    }
    fn s(&self, ja: impl Into<String>, en: impl Into<String>) -> String {
        if self.0 { ja.into() } else { en.into() }
    }
    /// A reason with its citation.
    fn cite(&self, text: &Text, article: &str) -> String {
        if self.0 { format!("{}（{article}）", text.ja) } else { format!("{} ({article})", text.en) }
    }
}

fn persons(incident: &Incident, party: &Party) -> Option<u64> {
    party.persons.or(incident.persons)
}

fn hipaa_total(incident: &Incident) -> u64 {
    incident.hipaa.as_ref().map_or(0, |h| h.individuals_by_state.values().sum())
}

/// Whether a party is the consignee of the consignor parties of the incident (or of one not listed).
fn is_consignee(incident: &Incident, party: &Party) -> bool {
    match party.role {
        PartyRole::Consignee => true,
        PartyRole::Handler => incident.parties.iter().any(|p| p.role == PartyRole::Consignor),
        PartyRole::Consignor => false,
    }
}

fn holds(c: Condition, f: &Facts<'_>, party: &Party, pack: &Pack, reportable: bool) -> bool {
    let i = f.incident;
    let unreachable = i.hipaa.as_ref().map_or(0, |h| h.unreachable);
    match c {
        Condition::Always => true,
        Condition::Reportable => reportable,
        Condition::Sensitive => f.sensitive.value,
        Condition::FinancialRisk => f.financial.value,
        Condition::Malicious => f.malicious.value,
        Condition::MaliciousStored => f.malicious.value && !i.acquiring,
        Condition::OverThreshold => persons(i, party).is_some_and(|n| n > pack.threshold),
        Condition::OrdinanceSensitive => party.ordinance_sensitive,
        Condition::MyNumberSystem => i.my_number_system,
        Condition::MyNumberMalicious => f.malicious.value || i.my_number_misuse,
        Condition::MyNumberPublicView => i.my_number_public_view,
        Condition::Encrypted => i.encrypted,
        Condition::RecoveredUnviewed => i.recovered_unviewed,
        Condition::Pseudonymized => i.pseudonymized,
        Condition::ReportableUnreachable => reportable && i.unreachable.is_some_and(|n| n > 0),
        Condition::ConsigneeNotNotified => is_consignee(i, party) && party.notified_consignor_on.is_none(),
        Condition::GdprRisk => i.gdpr.as_ref().is_some_and(|g| g.risk != GdprRisk::None),
        Condition::GdprHighRisk => !i.encrypted && i.gdpr.as_ref().is_some_and(|g| g.risk == GdprRisk::High),
        Condition::HipaaStateOver500 => {
            i.hipaa.as_ref().is_some_and(|h| h.individuals_by_state.values().any(|n| *n > 500))
        }
        Condition::HipaaTotal500 => hipaa_total(i) >= 500,
        Condition::HipaaTotalBelow500 => hipaa_total(i) < 500,
        Condition::HipaaUnreachableBelow10 => (1..10).contains(&unreachable),
        Condition::HipaaUnreachable10 => unreachable >= 10,
    }
}

/// The final report's due date: day `days` counting `known` as day 1, moved past closed days.
pub fn final_report_due(known: Date, days: i32, literal_next_day: bool) -> Result<Date, OutOfRange> {
    let raw = calendar::day_n(known, days);
    if literal_next_day && calendar::is_closed_day(raw)? {
        return Ok(raw.tomorrow().unwrap_or(raw));
    }
    calendar::roll_forward(raw)
}

fn assess_party(f: &Facts<'_>, party: &Party, pack: &Pack, options: &Options) -> Result<PartyAssessment, AssessError> {
    let say = Say(options.japanese);
    let i = f.incident;
    let k = party.known_on;
    let mut why = vec![say.s(
        format!("知った日 {k} に基づき「{}」を適用（{}）", pack.name.ja, pack.source.trim_end_matches(".toml")),
        format!("Known on {k}: {} applies ({})", pack.name.en, pack.source.trim_end_matches(".toml")),
    )];
    if i.suspected {
        why.push(
            say.s(
                "発生したおそれがある事態も報告対象に含まれる",
                "A suspected situation counts as well as a proven one",
            ),
        );
    }
    explain_derived(&say, f, pack, &mut why);

    // Exemptions first: an exempt case has no reporting obligations.
    if let Some(ex) = pack.exemptions.iter().find(|e| holds(e.when, f, party, pack, false)) {
        why.push(say.cite(&ex.explain, &ex.article));
        why.push(say.s(
            "報告・本人通知の義務はない（社内記録は残すこと）",
            "No report or notice is required (keep an internal record)",
        ));
        let obligations = pack
            .obligations
            .iter()
            .filter(|o| o.when == Condition::Always)
            .map(|o| obligation(f, party, pack, o, 30, options))
            .collect::<Result<_, _>>()?;
        return Ok(PartyAssessment {
            party: party.name.clone(),
            regime: pack.id.clone(),
            regime_name: say.t(&pack.name).to_string(),
            known_on: k,
            reportable: false,
            voluntary: pack.voluntary,
            categories: Vec::new(),
            final_report_days: None,
            obligations,
            explanation: why,
        });
    }

    let mut categories = Vec::new();
    let mut days = 0;
    let mut unconfirmed = Vec::new();
    for c in &pack.categories {
        if !holds(c.when, f, party, pack, false) {
            continue;
        }
        if c.consignee_attack_unconfirmed && party.role == PartyRole::Consignor {
            let other_days = pack
                .categories
                .iter()
                .filter(|o| o.id != c.id && holds(o.when, f, party, pack, false))
                .map(|o| o.days)
                .max();
            let alt = |with: i32| final_report_due(k, with, options.literal_next_day).map(|d| d.to_string());
            if options.public_consignee_attack {
                let without = other_days.map(alt).transpose()?.unwrap_or_else(|| say.s("報告対象外", "not reportable"));
                unconfirmed.push(say.s(
                    format!("委託先への攻撃も{}に当たると解した（未確認）。当たらない場合の確報期限: {without}", c.article),
                    format!("An attack on the consignee is taken to fall under {} (unconfirmed); if not, the final report is due {without}", c.article),
                ));
            } else {
                let with = alt(other_days.unwrap_or(0).max(c.days))?;
                unconfirmed.push(say.s(
                    format!("委託先への攻撃は{}に当たらないと解した（未確認）。当たる場合の確報期限: {with}", c.article),
                    format!("An attack on the consignee is taken not to fall under {} (unconfirmed); if it does, the final report is due {with}", c.article),
                ));
                continue;
            }
        }
        categories.push(c.id);
        days = days.max(c.days);
        why.push(say.cite(&c.explain, &c.article));
    }
    if days == 0 {
        days = 30;
    }
    let reportable = match &pack.reportable_when {
        _ if pack.voluntary => false,
        Some(rw) => {
            let yes = holds(rw.when, f, party, pack, false);
            if yes {
                why.push(say.cite(&rw.explain, &rw.article));
            }
            yes
        }
        None => !categories.is_empty(),
    };
    explain_count(&say, f, party, pack, &mut why);
    why.push(verdict(&say, pack, reportable, &categories, days));
    if party.notified_consignor_on.is_some() && is_consignee(i, party) && reportable {
        why.push(say.s(
            "委託元へ通知済みのため、委託を受けて取り扱ったデータについては報告と本人通知を免れる（すべて委託分と仮定）",
            "Having notified its consignor, the party is relieved of reports and notices for the data it handled on the consignor's behalf (all of it, as assumed)",
        ));
    }

    let mut obligations = Vec::new();
    for rule in pack.obligations.iter().filter(|o| holds(o.when, f, party, pack, reportable)) {
        let mut o = obligation(f, party, pack, rule, days, options)?;
        if o.kind == ObligationKind::FinalReport {
            o.assumptions.extend(unconfirmed.iter().cloned());
        }
        obligations.push(o);
    }
    let final_report_days = obligations.iter().any(|o| o.kind == ObligationKind::FinalReport).then_some(days);
    Ok(PartyAssessment {
        party: party.name.clone(),
        regime: pack.id.clone(),
        regime_name: say.t(&pack.name).to_string(),
        known_on: k,
        reportable,
        voluntary: pack.voluntary,
        categories,
        final_report_days,
        obligations,
        explanation: why,
    })
}

fn explain_derived(say: &Say, f: &Facts<'_>, pack: &Pack, why: &mut Vec<String>) {
    if pack.family != Family::Jp && pack.family != Family::Mynumber {
        return;
    }
    if let Some(item) = &f.sensitive.derived_from {
        why.push(if f.sensitive.value {
            say.s(
                format!("要配慮個人情報：データ項目「{item}」から判断（事実に記載なし）"),
                format!("Sensitive: derived from the data item 「{item}」 (not stated in the facts)"),
            )
        } else {
            say.s(
                "要配慮個人情報：該当するデータ項目なし（事実に記載なし）",
                "Sensitive: no data item is sensitive (not stated in the facts)",
            )
        });
    }
    if let Some(item) = &f.financial.derived_from
        && f.financial.value
    {
        why.push(say.s(
            format!("財産的被害のおそれ：データ項目「{item}」から判断"),
            format!("Financial risk: derived from the data item 「{item}」"),
        ));
    }
    if let Some(cause) = &f.malicious.derived_from {
        why.push(if f.malicious.value {
            say.s(
                format!("不正の目的のおそれ：原因（{cause}）から推定"),
                format!("Wrongful intent: presumed from the cause ({cause})"),
            )
        } else {
            say.s(
                format!("不正の目的のおそれ：原因（{cause}）からは推定しない。該当する場合は malicious = true を記載"),
                format!("Wrongful intent: not presumed from the cause ({cause}); state malicious = true if it applies"),
            )
        });
    }
    if f.incident.acquiring && f.malicious.value {
        why.push(say.s(
            "取得しようとしている個人情報に対する行為（2024年4月1日以降は第3号に含まれる）",
            "An act against personal information being acquired (within item 3 from 2024-04-01)",
        ));
    }
}

fn explain_count(say: &Say, f: &Facts<'_>, party: &Party, pack: &Pack, why: &mut Vec<String>) {
    if pack.threshold == 0 || !matches!(pack.family, Family::Jp | Family::Mynumber) {
        return;
    }
    let t = pack.threshold;
    match persons(f.incident, party) {
        Some(n) if n <= t => {
            why.push(say.s(format!("本人の数 {n} は {t} 以下"), format!("{n} individuals: not more than {t}")))
        }
        Some(_) => {}
        None => why.push(say.s(
            format!("本人の数が不明：最大の可能性のある数が {t} を超えるなら第4号に当たる"),
            format!("The number of individuals is unknown: item 4 applies if the largest possible number exceeds {t}"),
        )),
    }
}

fn verdict(say: &Say, pack: &Pack, reportable: bool, categories: &[CategoryId], days: i32) -> String {
    if pack.voluntary {
        return say.s(
            "法的な報告義務はない（努力義務）。期限・遅延の警告なし",
            "No legal duty to report (an effort duty); no deadlines or overdue alarms",
        );
    }
    if !reportable {
        return say.s(
            "報告対象事態に当たらない（任意の報告は可能。判断の根拠を記録として残すこと）",
            "Not a reportable situation (a voluntary report is possible; keep these reasons as a record)",
        );
    }
    if categories.is_empty() {
        return say.s("報告対象", "Reportable");
    }
    say.s(
        format!("報告対象。確報は{days}日目（行政機関の休日は翌日へ）"),
        format!("Reportable. Final report on day {days} (moved past closed days)"),
    )
}

fn obligation(
    f: &Facts<'_>,
    party: &Party,
    pack: &Pack,
    rule: &ObligationRule,
    days: i32,
    options: &Options,
) -> Result<Obligation, AssessError> {
    let say = Say(options.japanese);
    let i = f.incident;
    let k = party.known_on;
    let window = rule.window.map(|[a, b]| Window { from: calendar::day_n(k, a), to: calendar::day_n(k, b) });
    let mut assumptions: Vec<String> =
        pack.assumptions.iter().filter(|a| a.applies_to == rule.kind).map(|a| say.t(&a.text).to_string()).collect();
    let (due, due_date) = match rule.due {
        DueRule::None => (None, None),
        DueRule::FinalReport => {
            let raw = calendar::day_n(k, days);
            let rolled = final_report_due(k, days, options.literal_next_day)?;
            let roll = !pack.holiday_roll_unconfirmed || options.public_holiday_roll;
            let due = if roll { rolled } else { raw };
            if pack.holiday_roll_unconfirmed && raw != rolled {
                let other = if roll { raw } else { rolled };
                assumptions.push(if roll {
                    say.s(
                        format!("休日の扱いが規則第8条と異なり繰り延べないとすれば {other}"),
                        format!("Without the holiday roll of Art. 8: {other}"),
                    )
                } else {
                    say.s(
                        format!("休日の翌日への繰り延べを適用しないとした（適用すれば {other}）"),
                        format!("No holiday roll applied (with it: {other})"),
                    )
                });
            }
            let other = final_report_due(k, days, !options.literal_next_day)?;
            if roll && other != due {
                assumptions.push(if options.literal_next_day {
                    say.s(
                        format!("{days}日目の {raw} は行政機関の休日。「その翌日」を文字どおり翌日と読んだ（最初の開庁日と読むなら {other}）"),
                        format!("Day {days}, {raw}, is a closed day; \"the next day\" is read literally (as the first open day: {other})"),
                    )
                } else {
                    say.s(
                        format!("{days}日目の {raw} は行政機関の休日のため、その後の最初の開庁日とした（「その翌日」を文字どおり読むなら {other}）"),
                        format!("Day {days}, {raw}, is a closed day, so the first open day after it is used (read literally as \"the next day\": {other})"),
                    )
                });
            }
            if calendar::is_provisional(due.year(), options.as_of.unwrap_or(due)) {
                assumptions.push(say.s(
                    format!("{}年の祝日は暦要項の公表前の計算値です", due.year()),
                    format!("The holidays of {} are computed; the official calendar is not yet published", due.year()),
                ));
            }
            (Some(due.to_string()), Some(due))
        }
        DueRule::Hours(h) => match &i.gdpr {
            Some(g) => {
                let at = g.aware_at.at.checked_add(h.hours()).unwrap_or(g.aware_at.at);
                let due = todoke_core::OffsetTime { at, offset: g.aware_at.offset };
                (Some(due.to_string()), Some(due.zoned().date()))
            }
            None => (None, None),
        },
        DueRule::Days(n) => match &i.hipaa {
            Some(h) => {
                let due = h.discovered_on.checked_add(Span::new().days(n)).unwrap_or(h.discovered_on);
                (Some(due.to_string()), Some(due))
            }
            None => (None, None),
        },
        DueRule::YearEndDays(n) => match &i.hipaa {
            Some(h) => {
                let year_end = jiff::civil::date(h.discovered_on.year(), 12, 31);
                let due = year_end.checked_add(Span::new().days(n)).unwrap_or(year_end);
                (Some(due.to_string()), Some(due))
            }
            None => (None, None),
        },
    };
    let relieved_by =
        (rule.relievable && is_consignee(i, party)).then_some(party.notified_consignor_on).flatten().map(|on| {
            say.s(
                format!("規則第9条による委託元への通知（{on}）"),
                format!("notice to the consignor under Rules Art. 9 ({on})"),
            )
        });
    let joint_with = if matches!(rule.kind, ObligationKind::PreliminaryReport | ObligationKind::FinalReport) {
        let mut with: Vec<String> = party.joint_report_with.clone();
        for other in &i.parties {
            if other.joint_report_with.contains(&party.name) && !with.contains(&other.name) {
                with.push(other.name.clone());
            }
        }
        with
    } else {
        Vec::new()
    };
    let measured = !pack.voluntary && relieved_by.is_none();
    let (days_left, status) = match (options.as_of, due_date.or(window.map(|w| w.to))) {
        (Some(as_of), Some(due)) if measured => {
            let left = (due - as_of).get_days().into();
            (Some(left), Some(if left < 0 { Status::Overdue } else { Status::Open }))
        }
        _ => (None, None),
    };
    Ok(Obligation {
        kind: rule.kind,
        recipient: rule.recipient.clone(),
        window,
        due,
        basis: rule.basis.clone(),
        explanation: say.t(&rule.explain).to_string(),
        assumptions,
        relieved_by,
        joint_with,
        days_left,
        status,
    })
}
