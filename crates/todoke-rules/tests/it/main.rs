//! The rules engine against the law: the holiday calendar (`calendar`), the worked cases of RULES.md
//! §10 and the boundaries (`cases`), and the seed examples (`examples`).

mod calendar;
mod cases;
mod examples;

use todoke_core::Incident;
use todoke_core::facts::parse_facts;
use todoke_rules::{Assessment, Options, Packs, PartyAssessment, assess};

pub fn facts(text: &str) -> Incident {
    parse_facts(text).unwrap_or_else(|e| panic!("test facts: {e}"))
}

pub fn run(text: &str) -> Assessment {
    run_with(text, Options::default())
}

pub fn run_with(text: &str, options: Options) -> Assessment {
    assess(&facts(text), &Packs::embedded().unwrap(), &options).unwrap()
}

/// The entry of `party` under `regime`.
pub fn entry<'a>(a: &'a Assessment, party: &str, regime: &str) -> &'a PartyAssessment {
    a.parties.iter().find(|p| p.party == party && p.regime == regime).unwrap_or_else(|| {
        panic!(
            "no {regime} entry for {party}: {:#?}",
            a.parties.iter().map(|p| (&p.party, &p.regime)).collect::<Vec<_>>()
        )
    })
}

pub fn due(p: &PartyAssessment, kind: todoke_rules::ObligationKind) -> Option<String> {
    p.obligations.iter().find(|o| o.kind == kind).unwrap_or_else(|| panic!("no {kind:?} in {p:#?}")).due.clone()
}

pub fn cats(p: &PartyAssessment) -> Vec<String> {
    p.categories.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_string()).collect()
}
