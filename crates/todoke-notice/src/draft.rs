//! A draft incident facts file (CONTRACTS.md §1, docs/facts.md) from what a notice says. What the
//! notice does not say is written as `"UNKNOWN"` (or a commented line for optional keys) with a
//! comment on what to put there, so `todoke incident import` refuses the draft until a person has
//! filled it in: nothing unknown enters a case as if it were known.

use crate::facts::NoticeFacts;
use std::fmt::Write as _;

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cause_label(cause: &str) -> &'static str {
    match cause {
        "ransomware" => "ランサムウェアによる",
        "unauthorized_access" => "不正アクセスによる",
        "malware" => "マルウェア感染による",
        "web_misconfiguration" => "設定の誤りによる",
        "misdelivery_email" => "メール誤送信による",
        "misdelivery_post" => "誤送付による",
        "loss" => "紛失による",
        "theft" => "盗難による",
        "insider" => "内部不正による",
        "bug" => "システム不具合による",
        "vendor_incident" => "委託先での事故による",
        _ => "",
    }
}

/// Writes the draft facts file for one incident read from a notice.
pub fn draft_facts(f: &NoticeFacts) -> String {
    let mut out = String::new();
    let org = f.organization.as_deref();
    let _ = writeln!(out, "# Draft incident facts from the notice {} (todoke incident from-notice).", f.source);
    let _ = writeln!(
        out,
        "# Every value written UNKNOWN must be replaced, and every value checked, before `todoke incident import`;"
    );
    let _ = writeln!(out, "# keys are described in docs/facts.md.\n");
    let title = format!(
        "{}{}個人情報の漏えい等事案",
        org.map(|o| format!("{o} ")).unwrap_or_default(),
        f.cause.as_deref().map(cause_label).unwrap_or_default()
    );
    let _ = writeln!(out, "title = {}", quote(&title));
    let event = match f.cause.as_deref() {
        Some("loss" | "theft") => {
            "leak\"   # the notice: lost or stolen media; use \"loss\" (滅失) only if no copy remains"
        }
        _ => "leak\"   # leak | loss | damage: check against the notice",
    };
    let _ = writeln!(out, "event = \"{event}");
    let _ = writeln!(out, "suspected = true   # false once the leak is confirmed");
    match f.cause.as_deref() {
        Some(c) => {
            let _ = writeln!(out, "cause = {}", quote(c));
        }
        None => {
            let _ = writeln!(
                out,
                "cause = \"UNKNOWN\"   # ransomware | unauthorized_access | malware | web_misconfiguration | misdelivery_email | misdelivery_post | loss | theft | insider | bug | vendor_incident | other"
            );
        }
    }
    for (key, value) in [("malicious", f.malicious), ("sensitive", f.sensitive), ("financial_risk", f.financial_risk)] {
        match value {
            Some(v) => {
                let _ = writeln!(out, "{key} = {v}");
            }
            None => {
                let _ = writeln!(out, "# {key} = false   # UNKNOWN: the notice does not say");
            }
        }
    }
    let items: Vec<String> = f.data_items.iter().map(|i| quote(i)).collect();
    if items.is_empty() {
        let _ = writeln!(out, "data_items = []   # UNKNOWN: the notice names no data items; list them");
    } else {
        let _ = writeln!(out, "data_items = [{}]", items.join(", "));
    }
    match (f.affected_count, f.count_unit.as_deref()) {
        (Some(n), Some("persons")) => {
            let _ = writeln!(out, "persons = {n}");
        }
        (Some(n), _) => {
            let _ = writeln!(out, "persons = {n}   # the notice counts records (件); check the number of persons");
        }
        (None, _) => {
            let _ = writeln!(out, "# persons = 0   # UNKNOWN: the notice gives no number");
        }
    }
    if let Some(d) = &f.incident_dates.occurred_from {
        let _ = writeln!(out, "occurred_from = {d}");
    }
    if let Some(d) = &f.incident_dates.occurred_to {
        let _ = writeln!(out, "occurred_to = {d}");
    }
    out.push_str("\n[[parties]]\n");
    match org {
        Some(o) => {
            let _ = writeln!(out, "name = {}", quote(o));
        }
        None => {
            let _ = writeln!(out, "name = \"UNKNOWN\"   # the organization where it happened");
        }
    }
    match f.org_type.as_deref() {
        Some("business") => out.push_str("type = \"business\"\n"),
        Some("public_body") => out.push_str("type = \"public_body\"\n"),
        Some("hospital_public") => out.push_str("type = \"public_hospital\"\n"),
        _ => out.push_str("type = \"UNKNOWN\"   # business | public_body | public_hospital\n"),
    }
    if f.cause.as_deref() == Some("vendor_incident") {
        // It happened at a contractor: the organization that published is its consignor.
        out.push_str("role = \"consignor\"   # it happened at a contractor: add the contractor as the handler party\n");
    } else {
        out.push_str("role = \"handler\"   # handler | consignee | consignor: who this party is to the incident\n");
    }
    match &f.incident_dates.discovered {
        Some(d) => {
            let _ = writeln!(out, "known_on = {d}");
        }
        None => out.push_str("known_on = \"UNKNOWN\"   # 知った日 (YYYY-MM-DD): the notice does not give it\n"),
    }
    if let Some(n) = f.affected_count {
        let _ = writeln!(out, "persons = {n}");
    }
    let mut events: Vec<(String, &str, String)> = Vec::new();
    if let Some(d) = &f.incident_dates.discovered {
        events.push((d.clone(), "detection", "事案を把握（公表文による）".into()));
    }
    for d in &f.ppc_report_dates {
        events.push((d.clone(), "report", "個人情報保護委員会へ報告（公表文による）".into()));
    }
    if let Some(d) = &f.incident_dates.published {
        events.push((d.clone(), "publication", "公表".into()));
    }
    events.sort();
    for (day, kind, text) in events {
        let _ = writeln!(
            out,
            "\n[[timeline]]\nat = {day}T00:00:00+09:00   # the notice gives the day only\nkind = \"{kind}\"\ntext = {}\nsource = {}",
            quote(&text),
            quote(&f.source)
        );
    }
    for m in &f.prevention_measures {
        let _ = writeln!(out, "\n[[tasks]]\nkind = \"prevention\"\ntitle = {}", quote(m));
    }
    out
}
