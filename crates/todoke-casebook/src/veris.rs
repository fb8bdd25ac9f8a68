//! An incident in the JSON of the VERIS Community Database (schema 1.3.7), so that todoke's casebook
//! can join public incident research. What a notice does not say is VERIS's `Unknown`, never a guess;
//! the organizations whose notices joined the incident (consignors) are its secondary victims.

use crate::Incident;
use jiff::civil::Date;
use serde_json::{Value, json};

/// The schema version written.
pub const SCHEMA_VERSION: &str = "1.3.7";
/// UN M.49 East Asia, VERIS's region for Japan.
const REGION_EAST_ASIA: &str = "142030";

fn day(text: Option<&str>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}

/// Sets `key` of a JSON object (the records are built as objects, so this never fails).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_string(), value);
    }
}

fn ymd(d: Date) -> Value {
    json!({ "year": d.year(), "month": d.month(), "day": d.day() })
}

/// The action, the actor and whether data was surely disclosed, from the cause (CONTRACTS.md §2).
fn action_and_actor(cause: Option<&str>, vendor: bool) -> (Value, Value, &'static str) {
    let external =
        |motive: &str| json!({ "external": { "variety": ["Unknown"], "motive": [motive], "country": ["Unknown"] } });
    let insider = || {
        if vendor {
            json!({ "partner": { "motive": ["NA"], "country": ["JP"] } })
        } else {
            json!({ "internal": { "variety": ["Unknown"], "motive": ["NA"] } })
        }
    };
    let error = |variety: &str| json!({ "error": { "variety": [variety], "vector": ["Carelessness"] } });
    match cause {
        Some("ransomware") => (
            json!({ "malware": { "variety": ["Ransomware"], "vector": ["Unknown"] } }),
            external("Financial"),
            "Potentially",
        ),
        Some("malware") => (
            json!({ "malware": { "variety": ["Unknown"], "vector": ["Unknown"] } }),
            external("Unknown"),
            "Potentially",
        ),
        Some("unauthorized_access") => (
            json!({ "hacking": { "variety": ["Unknown"], "vector": ["Unknown"] } }),
            external("Unknown"),
            "Potentially",
        ),
        Some("theft") => {
            (json!({ "physical": { "variety": ["Theft"], "vector": ["Unknown"] } }), external("Unknown"), "Potentially")
        }
        Some("insider") => (
            json!({ "misuse": { "variety": ["Privilege abuse"], "vector": ["Unknown"] } }),
            if vendor {
                json!({ "partner": { "motive": ["Unknown"], "country": ["JP"] } })
            } else {
                json!({ "internal": { "variety": ["Unknown"], "motive": ["Unknown"] } })
            },
            "Yes",
        ),
        Some("misdelivery_email" | "misdelivery_post") => (error("Misdelivery"), insider(), "Yes"),
        Some("loss") => (error("Loss"), insider(), "Potentially"),
        Some("web_misconfiguration") => (error("Misconfiguration"), insider(), "Potentially"),
        Some("bug") => {
            (json!({ "error": { "variety": ["Programming error"], "vector": ["Unknown"] } }), insider(), "Potentially")
        }
        _ => {
            let actor = if vendor {
                json!({ "partner": { "motive": ["Unknown"], "country": ["Unknown"] } })
            } else {
                json!({ "unknown": { "notes": "The notice does not say who acted." } })
            };
            (json!({ "unknown": { "notes": "The notice does not state the cause." } }), actor, "Potentially")
        }
    }
}

/// The victim's NAICS industry and level of government.
fn industry(org_type: Option<&str>, name: &str) -> (&'static str, &'static str) {
    match org_type {
        Some("hospital_public" | "hospital") => ("622", "NA"),
        Some("public_body") => {
            // 市町村 and 特別区 are local; a prefecture (県・都・府・道) is regional.
            let government = if name.contains(['市', '町', '村', '区']) {
                "Local"
            } else if name.contains(['県', '都', '府', '道']) {
                "Regional"
            } else {
                "Unknown"
            };
            ("92", government)
        }
        _ => ("00", "NA"),
    }
}

/// The VERIS data varieties the data items and flags show; always at least `Personal`.
fn data_varieties(facts: &todoke_notice::NoticeFacts) -> Vec<&'static str> {
    let items = facts.data_items.join(" ");
    let has = |words: &[&str]| words.iter().any(|w| items.contains(w));
    let mut out = vec!["Personal"];
    if facts.sensitive == Some(true) || has(&["病", "診", "検査", "X線", "カルテ", "処方", "画像"]) {
        out.push("Medical");
    }
    if has(&["クレジットカード", "カード番号", "有効期限", "セキュリティコード"]) {
        out.push("Payment");
    }
    if has(&["口座", "銀行"]) {
        out.push("Bank");
    }
    if has(&["パスワード", "ID・パスワード", "認証"]) {
        out.push("Credentials");
    }
    out
}

fn data_victim(org_type: Option<&str>) -> &'static str {
    match org_type {
        Some("hospital_public" | "hospital") => "Patient",
        Some("business") => "Customer",
        Some(_) => "Other",
        None => "Unknown",
    }
}

/// The incident as a VERIS record. `now` (RFC 3339) stamps `plus.created`/`modified`.
pub fn to_veris(incident: &Incident, now: &str) -> Value {
    let facts = incident.facts();
    let name = facts.organization.clone().unwrap_or_else(|| "Unknown".into());
    let dates = &facts.incident_dates;
    let occurred = day(dates.occurred_from.as_deref());
    let discovered = day(dates.discovered.as_deref());
    let published = day(dates.published.as_deref());
    let vendor = facts.vendor_involved == Some(true);
    let (action, actor, disclosure) = action_and_actor(facts.cause.as_deref(), vendor);
    let (naics, government) = industry(facts.org_type.as_deref(), &name);

    // VERIS requires the year; when the notice gives no date, the year it was published or added.
    let when = occurred.or(discovered).or(published);
    let mut timeline = json!({ "incident": when.map_or_else(
        || json!({ "year": now.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(1970) }),
        ymd,
    ) });
    if let (Some(from), Some(found)) = (occurred, discovered)
        && let Ok(span) = found.since(from)
    {
        set(&mut timeline, "discovery", json!({ "unit": "Days", "value": span.get_days() }));
    }

    let mut data: Vec<Value> = data_varieties(&facts).into_iter().map(|v| json!({ "variety": v })).collect();
    if let (Some(first), Some(n)) = (data.first_mut(), facts.affected_count) {
        set(first, "amount", json!(n));
    }
    let mut confidentiality = json!({
        "data_disclosure": disclosure,
        "data": data,
        "data_victim": [data_victim(facts.org_type.as_deref())],
    });
    if let Some(n) = facts.affected_count {
        set(&mut confidentiality, "data_total", json!(n));
    }
    let mut attribute = json!({ "confidentiality": confidentiality });
    if facts.cause.as_deref() == Some("ransomware") {
        set(&mut attribute, "availability", json!({ "variety": ["Obscuration"] }));
    }

    let mut victim = json!({
        "victim_id": name,
        "industry": naics,
        "government": [government],
        "country": ["JP"],
        "region": [REGION_EAST_ASIA],
        "employee_count": "Unknown",
    });
    let others = incident.others();
    if !others.is_empty() {
        set(&mut victim, "secondary", json!({ "amount": others.len(), "victim_id": others }));
    }

    let mut summary = format!("{name}: {}", facts.cause.as_deref().unwrap_or("cause unknown"));
    if let Some(n) = facts.affected_count {
        summary.push_str(&format!("; {n} {} affected", facts.count_unit.as_deref().unwrap_or("records")));
    }
    if let Some(p) = published {
        summary.push_str(&format!("; published {p}"));
    }
    if !others.is_empty() {
        summary.push_str(&format!("; {} other organizations published notices of it", others.len()));
    }
    if !facts.prevention_measures.is_empty() {
        summary.push_str(&format!(". Measures: {}", facts.prevention_measures.join(" / ")));
    }

    let mut plus = json!({
        "master_id": incident.group.to_string(),
        "created": now,
        "modified": now,
        "analysis_status": "First pass",
    });
    if let Some(p) = published {
        set(&mut plus, "timeline", json!({ "notification": ymd(p) }));
    }
    let reference: Vec<&str> = incident.members.iter().map(|m| m.source.as_str()).collect();

    json!({
        "schema_version": SCHEMA_VERSION,
        "schema_name": "vcdb",
        "incident_id": incident.group.to_string(),
        "source_id": "todoke",
        "security_incident": "Confirmed",
        "confidence": "Medium",
        "summary": summary,
        "reference": reference.join("; "),
        "timeline": timeline,
        "victim": victim,
        "action": action,
        "actor": actor,
        "asset": { "assets": [{ "variety": "Unknown" }], "cloud": ["Unknown"] },
        "attribute": attribute,
        "discovery_method": { "unknown": true },
        "impact": { "overall_rating": "Unknown" },
        "plus": plus,
    })
}

/// A stored todoke case as a VERIS record: the handler is the victim, its consignors the secondary
/// victims; the facts are the case's own.
pub fn case_to_veris(id: todoke_core::IncidentId, case: &todoke_core::Incident, now: &str) -> Value {
    use todoke_core::{OrgType, PartyRole};
    let items: Vec<String> = case.data_items.iter().map(|d| d.name.clone()).collect();
    let members = case
        .parties
        .iter()
        .map(|party| {
            let consignor = party.role == PartyRole::Consignor;
            let facts = todoke_notice::NoticeFacts {
                organization: Some(party.name.clone()),
                org_type: Some(
                    match party.org_type {
                        OrgType::Business => "business",
                        OrgType::PublicBody => "public_body",
                        OrgType::PublicHospital => "hospital_public",
                    }
                    .into(),
                ),
                incident_dates: todoke_notice::IncidentDates {
                    discovered: Some(party.known_on.to_string()),
                    occurred_from: case.occurred_from.map(|d| d.to_string()),
                    occurred_to: case.occurred_to.map(|d| d.to_string()),
                    published: None,
                },
                cause: Some(case.cause.key().into()),
                vendor_involved: Some(consignor || party.role == PartyRole::Consignee),
                affected_count: if consignor { party.persons } else { case.persons },
                count_unit: Some("persons".into()),
                data_items: items.clone(),
                sensitive: case.sensitive,
                financial_risk: case.financial_risk,
                malicious: Some(case.malicious.unwrap_or_else(|| case.cause.presumed_malicious())),
                ..todoke_notice::NoticeFacts::default()
            };
            let profile = todoke_core::NoticeProfile { vendor: consignor, ..crate::profile(&facts, "") };
            crate::Member {
                id: todoke_core::NoticeId(id.0),
                source: format!("todoke incident {id}"),
                added_at: now.to_string(),
                facts,
                profile,
            }
        })
        .collect();
    let incident = Incident { group: todoke_core::NoticeId(id.0), members };
    let mut record = to_veris(&incident, now);
    let summary = format!("{}. {}", case.title, record.get("summary").and_then(Value::as_str).unwrap_or_default());
    set(&mut record, "summary", json!(summary));
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_case_names_its_consignors_as_secondary_victims() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/saitama-foundation-ransomware.toml"
        ))
        .unwrap();
        let case = todoke_core::facts::parse_facts(&text).unwrap();
        let id = todoke_core::IncidentId(uuid::Uuid::from_u128(7));
        let v = case_to_veris(id, &case, "2026-11-23T00:00:00Z");
        assert_eq!(v["victim"]["victim_id"], "公益財団法人埼玉県健康づくり事業団");
        assert_eq!(v["action"]["malware"]["variety"][0], "Ransomware");
        let secondary = v["victim"]["secondary"]["victim_id"].as_array().unwrap();
        assert!(secondary.len() >= 20, "the consignor cities: {}", secondary.len());
        assert!(secondary.iter().any(|s| s == "春日部市"));
        assert_eq!(v["incident_id"], id.to_string());
        assert!(v["summary"].as_str().unwrap().starts_with(&case.title));
    }
}
