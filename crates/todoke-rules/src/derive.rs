//! Flags the facts do not state, derived from the data items and the cause — always said so in the
//! explanation, since a derived flag can change a deadline.

use serde::Deserialize;
use std::sync::OnceLock;
use todoke_core::Incident;
use todoke_ja::normalize_name;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemWords {
    sensitive: Vec<String>,
    financial: Vec<String>,
}

fn words() -> &'static ItemWords {
    static WORDS: OnceLock<ItemWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let parsed: Result<ItemWords, _> = toml::from_str(include_str!("../rules/data-items.toml"));
        let mut w = parsed.unwrap_or(ItemWords { sensitive: Vec::new(), financial: Vec::new() });
        // Compare in normalized form, as the items are.
        w.sensitive = w.sensitive.iter().map(|s| normalize_name(s)).collect();
        w.financial = w.financial.iter().map(|s| normalize_name(s)).collect();
        w
    })
}

/// A flag and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Its value.
    pub value: bool,
    /// `None` when the facts state it; else the reason it was derived.
    pub derived_from: Option<String>,
}

fn from_items(
    incident: &Incident,
    stated: Option<bool>,
    own: fn(&todoke_core::DataItem) -> Option<bool>,
    list: &[String],
) -> Flag {
    if let Some(value) = stated {
        return Flag { value, derived_from: None };
    }
    for item in &incident.data_items {
        if own(item) == Some(true) {
            return Flag { value: true, derived_from: Some(item.name.clone()) };
        }
        let norm = normalize_name(&item.name);
        if own(item).is_none() && list.iter().any(|w| norm.contains(w.as_str())) {
            return Flag { value: true, derived_from: Some(item.name.clone()) };
        }
    }
    Flag { value: false, derived_from: Some(String::new()) }
}

/// 要配慮個人情報: stated, or a data item that is one.
pub fn sensitive(incident: &Incident) -> Flag {
    from_items(incident, incident.sensitive, |d| d.sensitive, &words().sensitive)
}

/// Financial risk: stated, or a data item that carries it.
pub fn financial_risk(incident: &Incident) -> Flag {
    from_items(incident, incident.financial_risk, |d| d.financial, &words().financial)
}

/// Wrongful intent: stated, or presumed from the cause.
pub fn malicious(incident: &Incident) -> Flag {
    match incident.malicious {
        Some(value) => Flag { value, derived_from: None },
        None => Flag { value: incident.cause.presumed_malicious(), derived_from: Some(incident.cause.key().into()) },
    }
}

/// Whether the word lists loaded (a test guards the shipped file).
#[cfg(test)]
pub fn lists_loaded() -> bool {
    !words().sensitive.is_empty() && !words().financial.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_core::facts::parse_facts;

    fn incident(items: &str, extra: &str) -> Incident {
        parse_facts(&format!(
            "title = \"t\"\nevent = \"leak\"\ncause = \"loss\"\ndata_items = [{items}]\n{extra}\n[[parties]]\nname = \"a\"\ntype = \"business\"\nrole = \"handler\"\nknown_on = 2024-01-29\n"
        ))
        .unwrap()
    }

    #[test]
    fn sensitive_items_are_recognized() {
        assert!(lists_loaded());
        let f = sensitive(&incident(r#""氏名", "傷病名""#, ""));
        assert_eq!(f, Flag { value: true, derived_from: Some("傷病名".into()) });
        assert!(sensitive(&incident(r#""今回の所見と判定""#, "")).value);
        assert!(!sensitive(&incident(r#""氏名", "メールアドレス""#, "")).value);
        assert_eq!(sensitive(&incident(r#""傷病名""#, "sensitive = false")), Flag { value: false, derived_from: None });
        assert!(sensitive(&incident(r#"{ name = "健康状態", sensitive = true }"#, "")).value);
    }

    #[test]
    fn financial_items_are_recognized() {
        assert!(financial_risk(&incident(r#""クレジットカード番号", "有効期限""#, "")).value);
        assert!(!financial_risk(&incident(r#""氏名""#, "")).value);
    }

    #[test]
    fn malice_is_presumed_from_the_cause_only_when_unstated() {
        assert!(!malicious(&incident(r#""氏名""#, "")).value);
        assert!(malicious(&incident(r#""氏名""#, "malicious = true")).value);
        let mut theft = incident(r#""氏名""#, "");
        theft.cause = todoke_core::Cause::Theft;
        assert!(malicious(&theft).value);
    }
}
