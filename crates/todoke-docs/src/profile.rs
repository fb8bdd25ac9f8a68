//! The organization's profile: who signs, the inquiry desk, the letterhead per party (a consignee
//! printing letters for several consignors signs each letter in the consignor's name), and the
//! invoice's unit costs. A small TOML file the organization edits; everything has a default so that
//! documents render before anyone has written one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An organization profile (TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile format's version (1).
    #[serde(default = "one")]
    pub version: u32,
    /// The sender when no party-specific one is given.
    #[serde(default)]
    pub sender: Sender,
    /// Letterhead and signature per party name (e.g. each consignor city).
    #[serde(default)]
    pub parties: BTreeMap<String, Sender>,
    /// The cost invoice.
    #[serde(default)]
    pub invoice: InvoiceProfile,
}

fn one() -> u32 {
    1
}

/// Who writes a document: letterhead, signature and inquiry desk. Empty fields fall back to the
/// profile's default sender, then to the party's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// The organization's name (e.g. 春日部市).
    #[serde(default)]
    pub name: Option<String>,
    /// The department (e.g. 健康保険部健康課).
    #[serde(default)]
    pub department: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// The signature line (e.g. 春日部市長　岩谷一弘).
    #[serde(default)]
    pub signature: Option<String>,
    /// The head to whom status reports go (e.g. 春日部市長).
    #[serde(default)]
    pub head: Option<String>,
    /// The inquiry desk.
    #[serde(default)]
    pub desk: Desk,
}

/// The inquiry desk (お問い合わせ窓口).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    /// Its name (e.g. 個人情報漏えいに関する専用窓口).
    #[serde(default)]
    pub name: Option<String>,
    /// Its phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its hours (e.g. 平日 9:00〜17:00).
    #[serde(default)]
    pub hours: Option<String>,
    /// Its e-mail address.
    #[serde(default)]
    pub email: Option<String>,
}

/// Unit costs and other costs of the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceProfile {
    /// Yen per notice, by channel (CONTRACTS.md §3 defaults: post 150, email 50, bulletin 50,
    /// substitute 0).
    #[serde(default = "default_unit_costs")]
    pub unit_cost: BTreeMap<String, u64>,
    /// 消費税 in percent (10); applied to the lines marked taxable.
    #[serde(default = "ten")]
    pub tax_rate: u64,
    /// Whether the per-channel notice costs are taxable.
    #[serde(default = "yes")]
    pub channels_taxable: bool,
    /// Other costs (call center, printing…).
    #[serde(default)]
    pub other: Vec<OtherCost>,
    /// Payment terms printed under the total.
    #[serde(default)]
    pub payment: Option<String>,
}

impl Default for InvoiceProfile {
    fn default() -> Self {
        Self { unit_cost: default_unit_costs(), tax_rate: 10, channels_taxable: true, other: Vec::new(), payment: None }
    }
}

fn default_unit_costs() -> BTreeMap<String, u64> {
    [("post", 150), ("email", 50), ("bulletin", 50), ("substitute", 0)]
        .into_iter()
        .map(|(k, v)| (k.into(), v))
        .collect()
}

fn ten() -> u64 {
    10
}

fn yes() -> bool {
    true
}

/// A cost line besides the notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherCost {
    /// What it is (e.g. コールセンター運営費).
    pub label: String,
    /// Quantity.
    #[serde(default = "one_u64")]
    pub quantity: u64,
    /// Yen per unit.
    pub unit_cost: u64,
    /// Whether 消費税 applies.
    #[serde(default = "yes")]
    pub taxable: bool,
}

fn one_u64() -> u64 {
    1
}

impl Profile {
    /// Parses a profile.
    pub fn from_toml(text: &str) -> Result<Self, crate::DocError> {
        toml::from_str(text).map_err(|e| crate::DocError::Profile(e.to_string()))
    }

    /// The sender for `party`: its own entry, completed from the default sender, the name falling
    /// back to the party's.
    pub fn sender_for(&self, party: &str) -> Sender {
        let own = self.parties.get(party).cloned().unwrap_or_default();
        let base = &self.sender;
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        // A party-specific entry is another organization: the default sender's name and address
        // must not leak into it, only the shared desk.
        let has_own = self.parties.contains_key(party);
        let (name, department, postal_code, address, signature, head) = if has_own {
            (own.name, own.department, own.postal_code, own.address, own.signature, own.head)
        } else {
            (
                pick(&own.name, &base.name),
                pick(&own.department, &base.department),
                pick(&own.postal_code, &base.postal_code),
                pick(&own.address, &base.address),
                pick(&own.signature, &base.signature),
                pick(&own.head, &base.head),
            )
        };
        Sender {
            name: name.or_else(|| Some(party.to_string())),
            department,
            postal_code,
            address,
            signature,
            head,
            desk: Desk {
                name: pick(&own.desk.name, &base.desk.name),
                phone: pick(&own.desk.phone, &base.desk.phone),
                hours: pick(&own.desk.hours, &base.desk.hours),
                email: pick(&own.desk.email, &base.desk.email),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_entry_overrides_the_letterhead_and_keeps_the_shared_desk() {
        let p = Profile::from_toml(
            r#"
[sender]
name = "公益財団法人埼玉県健康づくり事業団"
[sender.desk]
phone = "048-000-0000"
[parties."春日部市"]
department = "健康保険部健康課"
signature = "春日部市長"
"#,
        )
        .unwrap();
        let s = p.sender_for("春日部市");
        assert_eq!(s.name.as_deref(), Some("春日部市"));
        assert_eq!(s.signature.as_deref(), Some("春日部市長"));
        assert_eq!(s.desk.phone.as_deref(), Some("048-000-0000"));
        let d = p.sender_for("公益財団法人埼玉県健康づくり事業団");
        assert_eq!(d.name.as_deref(), Some("公益財団法人埼玉県健康づくり事業団"));
        assert_eq!(p.invoice.unit_cost.get("post"), Some(&150));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Profile::from_toml("[sender]\nnmae = \"x\"").is_err());
    }
}
