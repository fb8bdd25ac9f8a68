//! An incident of the casebook: the notices folded into one group, and the facts they give together.

use todoke_core::{NoticeId, NoticeProfile};
use todoke_notice::NoticeFacts;

/// One notice of an incident, with its facts as corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The notice.
    pub id: NoticeId,
    /// Where it came from.
    pub source: String,
    /// When it was added (RFC 3339).
    pub added_at: String,
    /// Its facts, corrections applied.
    pub facts: NoticeFacts,
    /// Its profile.
    pub profile: NoticeProfile,
}

/// The notices of one incident, in the order they were added.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The group's id (its first notice's).
    pub group: NoticeId,
    /// Its notices; never empty.
    pub members: Vec<Member>,
}

impl Incident {
    /// Groups notices by their group id, each group's members in id order, groups in id order.
    pub fn group(mut notices: Vec<(NoticeId, Member)>) -> Vec<Incident> {
        notices.sort_by_key(|(group, member)| (*group, member.id));
        let mut out: Vec<Incident> = Vec::new();
        for (group, member) in notices {
            match out.last_mut() {
                Some(last) if last.group == group => last.members.push(member),
                _ => out.push(Incident { group, members: vec![member] }),
            }
        }
        out
    }

    /// The notice the incident is about: the organization whose system it was (not a consignor's
    /// notice naming it), else the first.
    pub fn lead(&self) -> Option<&Member> {
        self.members.iter().find(|m| !m.profile.vendor).or(self.members.first())
    }

    /// The other organizations whose notices joined the incident (consignors), in order, once each.
    pub fn others(&self) -> Vec<String> {
        let lead_key = self.lead().and_then(|m| m.profile.org_key.as_ref());
        let mut seen: Vec<&String> = Vec::new();
        let mut names = Vec::new();
        for m in &self.members {
            if let (Some(org), Some(key)) = (&m.facts.organization, &m.profile.org_key)
                && Some(key) != lead_key
                && !seen.contains(&key)
            {
                seen.push(key);
                names.push(org.clone());
            }
        }
        names
    }

    /// The facts of the incident: the lead's, with what it leaves unknown taken from the other
    /// notices of the same organization (a 第2報 knows more than a 第1報), lists joined.
    pub fn facts(&self) -> NoticeFacts {
        let Some(lead) = self.lead() else { return NoticeFacts::default() };
        let mut facts = lead.facts.clone();
        let same_org = self.members.iter().filter(|m| m.id != lead.id && m.profile.org_key == lead.profile.org_key);
        for m in same_org {
            let f = &m.facts;
            let d = &mut facts.incident_dates;
            fill(&mut d.discovered, &f.incident_dates.discovered);
            fill(&mut d.occurred_from, &f.incident_dates.occurred_from);
            fill(&mut d.occurred_to, &f.incident_dates.occurred_to);
            fill(&mut d.published, &f.incident_dates.published);
            fill(&mut facts.org_type, &f.org_type);
            fill(&mut facts.cause, &f.cause);
            fill(&mut facts.vendor_involved, &f.vendor_involved);
            fill(&mut facts.affected_count, &f.affected_count);
            fill(&mut facts.count_unit, &f.count_unit);
            fill(&mut facts.sensitive, &f.sensitive);
            fill(&mut facts.financial_risk, &f.financial_risk);
            fill(&mut facts.malicious, &f.malicious);
            fill(&mut facts.ppc_reported, &f.ppc_reported);
            fill(&mut facts.individual_notice, &f.individual_notice);
            join(&mut facts.data_items, &f.data_items);
            join(&mut facts.ppc_report_dates, &f.ppc_report_dates);
            join(&mut facts.prevention_measures, &f.prevention_measures);
        }
        facts
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, other: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(other);
    }
}

fn join(list: &mut Vec<String>, other: &[String]) {
    for item in other {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}
