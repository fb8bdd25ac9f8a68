//! What changed between two assessments of one incident: a verdict, a category, a deadline — said in
//! a line each, so that a change of facts shows its consequences (確報 moved from day 30 to day 60).

use crate::engine::{Assessment, PartyAssessment};
use crate::pack::ObligationKind;

fn key(p: &PartyAssessment) -> (&str, &str) {
    (&p.party, &p.regime)
}

fn category_names(p: &PartyAssessment) -> Vec<&'static str> {
    p.categories.iter().map(|c| c.key()).collect()
}

/// The changes from `old` to `new`, one line each, in Japanese or English.
pub fn changes(old: &Assessment, new: &Assessment, japanese: bool) -> Vec<String> {
    let say = |ja: String, en: String| if japanese { ja } else { en };
    let mut out = Vec::new();
    for n in &new.parties {
        let (party, regime) = key(n);
        let Some(o) = old.parties.iter().find(|o| key(o) == key(n)) else {
            out.push(say(
                format!("{party}：{regime} による評価が加わった"),
                format!("{party}: now assessed under {regime}"),
            ));
            continue;
        };
        if o.reportable != n.reportable {
            let verdict = |r: bool| {
                if r {
                    say("報告対象".into(), "reportable".into())
                } else {
                    say("報告対象外".into(), "not reportable".into())
                }
            };
            let (a, b) = (verdict(o.reportable), verdict(n.reportable));
            out.push(say(format!("{party}：{a} → {b}"), format!("{party}: {a} → {b}")));
        }
        let (before, after) = (category_names(o), category_names(n));
        for c in after.iter().filter(|c| !before.contains(c)) {
            out.push(say(format!("{party}：該当に {c} が加わった"), format!("{party}: category {c} now applies")));
        }
        for c in before.iter().filter(|c| !after.contains(c)) {
            out.push(say(
                format!("{party}：{c} に該当しなくなった"),
                format!("{party}: category {c} no longer applies"),
            ));
        }
        if let (Some(a), Some(b)) = (o.final_report_days, n.final_report_days)
            && a != b
        {
            out.push(say(
                format!("{party}：確報は{a}日目から{b}日目へ"),
                format!("{party}: final report moved from day {a} to day {b}"),
            ));
        }
        for ob in &n.obligations {
            let label = ob.kind.label(japanese);
            match o.obligations.iter().find(|x| x.kind == ob.kind) {
                None => out
                    .push(say(format!("{party}：{label} が必要になった"), format!("{party}: {label} is now required"))),
                Some(x) if x.due != ob.due => {
                    let d = |d: &Option<String>| d.clone().unwrap_or_else(|| say("期限なし".into(), "no date".into()));
                    out.push(say(
                        format!("{party}：{label}の期限 {} → {}", d(&x.due), d(&ob.due)),
                        format!("{party}: {label} due {} → {}", d(&x.due), d(&ob.due)),
                    ));
                }
                Some(x) if x.relieved_by != ob.relieved_by => out.push(match &ob.relieved_by {
                    Some(r) => {
                        say(format!("{party}：{label} は免除（{r}）"), format!("{party}: {label} relieved ({r})"))
                    }
                    None => say(
                        format!("{party}：{label} の免除がなくなった"),
                        format!("{party}: {label} no longer relieved"),
                    ),
                }),
                Some(_) => {}
            }
        }
        for ob in o.obligations.iter().filter(|x| !n.obligations.iter().any(|y| y.kind == x.kind)) {
            let label = ob.kind.label(japanese);
            out.push(say(format!("{party}：{label} は不要になった"), format!("{party}: {label} no longer required")));
        }
    }
    for o in old.parties.iter().filter(|o| !new.parties.iter().any(|n| key(n) == key(o))) {
        let (party, regime) = key(o);
        out.push(say(
            format!("{party}：{regime} による評価がなくなった"),
            format!("{party}: no longer assessed under {regime}"),
        ));
    }
    out
}

/// The final report's due date of a party under a regime, for measuring a filed report.
pub fn due_of(a: &Assessment, party: &str, kind: ObligationKind) -> Option<jiff::civil::Date> {
    a.parties
        .iter()
        .filter(|p| p.party == party)
        .flat_map(|p| &p.obligations)
        .find(|o| o.kind == kind && o.relieved_by.is_none())
        .and_then(|o| {
            o.due.as_deref().and_then(|d| d.get(..10)).and_then(|d| d.parse().ok()).or(o.window.map(|w| w.to))
        })
}
