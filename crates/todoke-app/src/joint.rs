//! A consignor's answer to a joint-report request (連名報告の依頼): join the report of the party it
//! entrusted the data to, or file its own. The answer is a change of facts — the two parties'
//! `joint_report_with` lists, which the rules read in both directions — so it re-assesses the case
//! and is audited like any other edit.

use crate::AppError;
use todoke_core::{Incident, PartyRole};

/// Joins (`join`) or leaves the joint report of `party` (a consignor) with `with` (a party of the
/// case that is not a consignor). Leaving takes the consignor off both lists: a request the
/// handler listed it on is answered by filing alone.
pub fn choose_joint_report(facts: &mut Incident, party: &str, with: &str, join: bool) -> Result<(), AppError> {
    let role = |name: &str| facts.parties.iter().find(|p| p.name == name).map(|p| p.role);
    match role(party) {
        None => return Err(AppError::NoSuchParty(party.to_string())),
        Some(PartyRole::Consignor) => {}
        Some(_) => {
            return Err(AppError::Invalid(format!(
                "party: `{party}` is no consignor (委託元); only a consignor answers"
            )));
        }
    }
    match role(with) {
        None => return Err(AppError::NoSuchParty(with.to_string())),
        Some(PartyRole::Consignor) => {
            return Err(AppError::Invalid(format!("with: `{with}` is a consignor (委託元), not who reports for it")));
        }
        Some(_) => {}
    }
    for p in &mut facts.parties {
        if p.name == party {
            p.joint_report_with.retain(|n| n != with);
            if join {
                p.joint_report_with.push(with.to_string());
            }
        } else if p.name == with && !join {
            p.joint_report_with.retain(|n| n != party);
        }
    }
    Ok(())
}

/// Whether `party` reports jointly with `with`, as the rules read it (either lists the other).
pub fn reports_jointly(facts: &Incident, party: &str, with: &str) -> bool {
    let lists =
        |a: &str, b: &str| facts.parties.iter().any(|p| p.name == a && p.joint_report_with.iter().any(|n| n == b));
    lists(party, with) || lists(with, party)
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_store::testkit::sample_incident;

    const FOUNDATION: &str = "公益財団法人埼玉県健康づくり事業団";

    #[test]
    fn a_consignor_leaves_a_request_and_joins_again() {
        let mut facts = sample_incident();
        assert!(reports_jointly(&facts, "春日部市", FOUNDATION), "the handler listed it");
        choose_joint_report(&mut facts, "春日部市", FOUNDATION, false).unwrap();
        assert!(!reports_jointly(&facts, "春日部市", FOUNDATION));
        choose_joint_report(&mut facts, "春日部市", FOUNDATION, true).unwrap();
        assert!(reports_jointly(&facts, "春日部市", FOUNDATION));
        choose_joint_report(&mut facts, "春日部市", FOUNDATION, true).unwrap();
        let city = facts.parties.iter().find(|p| p.name == "春日部市").unwrap();
        assert_eq!(city.joint_report_with, [FOUNDATION], "joining twice lists once");
    }

    #[test]
    fn only_a_consignor_answers_and_only_to_who_reports_for_it() {
        let mut facts = sample_incident();
        let err = |r: Result<(), AppError>| r.unwrap_err().to_string();
        assert!(err(choose_joint_report(&mut facts, FOUNDATION, "春日部市", true)).contains("no consignor"));
        assert!(err(choose_joint_report(&mut facts, "春日部市", "春日部市", true)).contains("is a consignor"));
        assert!(err(choose_joint_report(&mut facts, "春日部市", "どこか", true)).contains("どこか"));
        assert_eq!(facts, sample_incident(), "nothing changed");
    }
}
