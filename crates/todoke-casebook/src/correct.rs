//! A user's corrections of what the reader took from a notice: kept apart from the facts read, so
//! that re-reading never loses them and the reader's accuracy stays measurable.

use serde_json::{Map, Value};
use todoke_notice::NoticeFacts;

/// The fields a correction may set: the keys of CONTRACTS.md §2 (dates as `incident_dates.NAME`).
const FIELDS: &[&str] = &[
    "organization",
    "org_type",
    "incident_dates.discovered",
    "incident_dates.occurred_from",
    "incident_dates.occurred_to",
    "incident_dates.published",
    "cause",
    "vendor_involved",
    "affected_count",
    "count_unit",
    "data_items",
    "sensitive",
    "financial_risk",
    "malicious",
    "ppc_reported",
    "ppc_report_dates",
    "individual_notice",
    "prevention_measures",
];

/// Why a correction was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorrectionError {
    /// Not `FIELD=VALUE`.
    #[error("`{0}`: expected FIELD=VALUE (for example cause=ransomware or affected_count=18950)")]
    Syntax(String),
    /// A field the facts do not have.
    #[error("unknown field `{field}`: expected one of {}", FIELDS.join(", "))]
    UnknownField {
        /// The field as given.
        field: String,
    },
    /// A value of the wrong kind for its field.
    #[error("`{field}`: {message}")]
    Value {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Corrections: a JSON object from field to value, `null` meaning "unknown after all".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corrections(Map<String, Value>);

impl Corrections {
    /// The corrections stored as JSON (none when absent or unreadable).
    pub fn from_json(json: Option<&str>) -> Self {
        match json.and_then(|j| serde_json::from_str(j).ok()) {
            Some(Value::Object(map)) => Self(map),
            _ => Self::default(),
        }
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    /// Adds `FIELD=VALUE` settings; a value that reads as JSON (a number, `true`, `null`, a list)
    /// is taken as such, anything else as text. Every setting is checked against the facts' types.
    pub fn set<'a>(
        &mut self,
        settings: impl IntoIterator<Item = &'a str>,
        facts: &NoticeFacts,
    ) -> Result<(), CorrectionError> {
        let mut next = self.clone();
        for setting in settings {
            let (field, value) = setting.split_once('=').ok_or_else(|| CorrectionError::Syntax(setting.into()))?;
            let field = field.trim();
            if !FIELDS.contains(&field) {
                return Err(CorrectionError::UnknownField { field: field.into() });
            }
            let value = serde_json::from_str(value.trim()).unwrap_or_else(|_| Value::String(value.trim().into()));
            next.0.insert(field.into(), value);
            next.apply(facts).map_err(|message| CorrectionError::Value { field: field.into(), message })?;
        }
        *self = next;
        Ok(())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The facts with the corrections applied.
    pub fn apply(&self, facts: &NoticeFacts) -> Result<NoticeFacts, String> {
        let mut json = serde_json::to_value(facts).map_err(|e| e.to_string())?;
        for (field, value) in &self.0 {
            let slot = match field.split_once('.') {
                Some((outer, inner)) => json.get_mut(outer).and_then(|o| o.get_mut(inner)),
                None => json.get_mut(field),
            };
            if let Some(slot) = slot {
                *slot = value.clone();
            }
        }
        let corrected: NoticeFacts = serde_json::from_value(json).map_err(|e| e.to_string())?;
        for date in [
            &corrected.incident_dates.discovered,
            &corrected.incident_dates.occurred_from,
            &corrected.incident_dates.occurred_to,
            &corrected.incident_dates.published,
        ]
        .into_iter()
        .flatten()
        {
            date.parse::<jiff::civil::Date>().map_err(|_| format!("`{date}` is not a date (YYYY-MM-DD)"))?;
        }
        Ok(corrected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_override_the_facts_read_and_are_checked() {
        let facts = NoticeFacts { organization: Some("春日部市".into()), ..NoticeFacts::default() };
        let mut c = Corrections::default();
        c.set(["cause=ransomware", "affected_count=18950", "incident_dates.discovered=2024-02-01"], &facts).unwrap();
        let fixed = c.apply(&facts).unwrap();
        assert_eq!(fixed.cause.as_deref(), Some("ransomware"));
        assert_eq!(fixed.affected_count, Some(18950));
        assert_eq!(fixed.incident_dates.discovered.as_deref(), Some("2024-02-01"));
        assert_eq!(fixed.organization.as_deref(), Some("春日部市"), "what was not corrected stays");

        let err = c.set(["affected_count=many"], &facts).unwrap_err().to_string();
        assert!(err.starts_with("`affected_count`:"), "{err}");
        let err = c.set(["incident_dates.discovered=2月1日"], &facts).unwrap_err().to_string();
        assert!(err.contains("is not a date"), "{err}");
        assert!(c.set(["victims=3"], &facts).unwrap_err().to_string().contains("unknown field `victims`"));
        assert!(c.set(["cause"], &facts).is_err());
        assert_eq!(c.apply(&facts).unwrap(), fixed, "a refused setting changes nothing");
        assert_eq!(Corrections::from_json(Some(&c.to_json())), c);
    }
}
