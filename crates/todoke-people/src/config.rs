//! `PLAN.toml`: the channels each party uses, in order of preference, and what each notice costs.
//!
//! ```toml
//! channels = ["email", "post"]        # every party, unless it says otherwise (this is the default)
//! [costs]                             # yen per notice (defaults: post 150, email 50, bulletin 50)
//! post = 150
//! [parties."春日部市"]
//! channels = ["bulletin", "post"]
//! costs = { post = 120 }
//! ```

use crate::error::{PeopleError, Result};
use crate::field::one_line;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A way of reaching a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail: needs a valid address.
    Email,
    /// A letter: needs a postal code and an address.
    Post,
    /// In-house posting: for people whose group is 職員 (employees).
    Bulletin,
    /// Public notice (代替措置), for whoever no other channel reaches.
    Substitute,
}

impl Channel {
    /// Every channel, in the order of the summary.
    pub const ALL: [Channel; 4] = [Channel::Post, Channel::Email, Channel::Bulletin, Channel::Substitute];

    /// The channel's key, also the name of its output file.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Post => "post",
            Channel::Bulletin => "bulletin",
            Channel::Substitute => "substitute",
        }
    }

    /// The default cost of one notice, in yen (CONTRACTS.md §3).
    pub fn default_cost(self) -> u64 {
        match self {
            Channel::Post => 150,
            Channel::Email | Channel::Bulletin => 50,
            Channel::Substitute => 0,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    channels: Option<Vec<Channel>>,
    #[serde(default)]
    costs: BTreeMap<Channel, u64>,
    #[serde(default)]
    parties: BTreeMap<String, RawParty>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    channels: Option<Vec<Channel>>,
    #[serde(default)]
    costs: BTreeMap<Channel, u64>,
}

/// Channels and costs, checked.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    channels: Vec<Channel>,
    costs: BTreeMap<Channel, u64>,
    parties: BTreeMap<String, (Vec<Channel>, BTreeMap<Channel, u64>)>,
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self {
            channels: vec![Channel::Email, Channel::Post],
            costs: Channel::ALL.into_iter().map(|c| (c, c.default_cost())).collect(),
            parties: BTreeMap::new(),
        }
    }
}

impl PlanConfig {
    /// Reads `PLAN.toml`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| PeopleError::Config { file: file.into(), message: one_line(&e, text) })?;
        let mut config = Self::default();
        if let Some(channels) = raw.channels {
            config.channels = channels;
        }
        config.costs.extend(raw.costs);
        for (name, party) in raw.parties {
            let channels = party.channels.unwrap_or_else(|| config.channels.clone());
            let mut costs = config.costs.clone();
            costs.extend(party.costs);
            config.parties.insert(name, (channels, costs));
        }
        Ok(config)
    }

    /// The party's channels in order of preference (without the final `substitute`).
    pub fn channels(&self, party: &str) -> &[Channel] {
        self.parties.get(party).map_or(&self.channels, |(c, _)| c)
    }

    /// The cost of one notice on `channel` for `party`, in yen.
    pub fn cost(&self, party: &str, channel: Channel) -> u64 {
        let costs = self.parties.get(party).map_or(&self.costs, |(_, c)| c);
        costs.get(&channel).copied().unwrap_or_else(|| channel.default_cost())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_of_the_contract() {
        let c = PlanConfig::default();
        assert_eq!(c.channels("市"), [Channel::Email, Channel::Post]);
        assert_eq!(c.cost("市", Channel::Post), 150);
        assert_eq!(c.cost("市", Channel::Email), 50);
        assert_eq!(c.cost("市", Channel::Bulletin), 50);
        assert_eq!(c.cost("市", Channel::Substitute), 0);
    }

    #[test]
    fn parties_override_channels_and_costs() {
        let c = PlanConfig::parse(
            "PLAN.toml",
            "channels = [\"post\"]\n[costs]\npost = 140\n[parties.\"春日部市\"]\nchannels = [\"bulletin\", \"email\"]\ncosts = { email = 30 }\n",
        )
        .unwrap();
        assert_eq!(c.channels("越谷市"), [Channel::Post]);
        assert_eq!(c.channels("春日部市"), [Channel::Bulletin, Channel::Email]);
        assert_eq!(c.cost("春日部市", Channel::Post), 140);
        assert_eq!(c.cost("春日部市", Channel::Email), 30);
        assert_eq!(c.cost("越谷市", Channel::Email), 50);
    }

    #[test]
    fn mistakes_name_the_file() {
        let err = PlanConfig::parse("PLAN.toml", "channels = [\"fax\"]").unwrap_err().to_string();
        assert!(err.starts_with("PLAN.toml"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        assert!(PlanConfig::parse("PLAN.toml", "chanels = []").is_err());
    }
}
