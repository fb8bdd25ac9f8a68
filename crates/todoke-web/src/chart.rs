//! Charts as SVG drawn on the server (no script, no style attribute: presentation attributes only):
//! deadlines on a time axis (one row per party, a mark per dated obligation, a line for today), and
//! the obligations per party (a bar per party, split by where each obligation stands).

use crate::i18n::Prefs;
use jiff::civil::Date;
use std::fmt::Write as _;
use todoke_core::ReportKind;
use todoke_rules::{ObligationKind, PartyAssessment, Status};

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&#60;".to_string(),
            '>' => "&#62;".to_string(),
            '&' => "&#38;".to_string(),
            '"' => "&#34;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn date_of(text: &str) -> Option<Date> {
    text.get(..10)?.parse().ok()
}

/// A dated obligation on the chart: its day, its name, and whether it is overdue.
type Mark<'a> = (Date, &'a str, bool);

/// The chart, or an empty string when nothing has a date.
pub fn deadlines(parties: &[PartyAssessment], today: Date, m: Prefs) -> String {
    let rows: Vec<(&str, Vec<Mark<'_>>)> = parties
        .iter()
        .map(|p| {
            let marks: Vec<Mark<'_>> = p
                .obligations
                .iter()
                .filter(|o| o.relieved_by.is_none())
                .filter_map(|o| {
                    Some((date_of(o.due.as_deref()?)?, o.kind.label(m.ja()), o.days_left.is_some_and(|d| d < 0)))
                })
                .collect();
            (p.party.as_str(), marks)
        })
        .filter(|(_, marks)| !marks.is_empty())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let known = parties.iter().map(|p| p.known_on).min().unwrap_or(today);
    let last = rows.iter().flat_map(|(_, m)| m.iter().map(|(d, _, _)| *d)).chain([today]).max().unwrap_or(today);
    let first = known.min(today);
    let span = ((last - first).get_days().max(1)) as f64;
    let (left, width, row_h) = (150.0, 560.0, 28.0);
    let x = |d: Date| left + width * f64::from((d - first).get_days()) / span;
    let height = 40.0 + row_h * rows.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 760 {height}\" role=\"img\" aria-label=\"{}\">",
        escape(m.t("case.chart.deadlines"))
    );
    let _ = write!(svg, "<text x=\"{left}\" y=\"14\" font-size=\"11\">{}</text>", escape(&m.date(first)));
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"14\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        left + width,
        escape(&m.date(last))
    );
    for (i, (party, marks)) in rows.iter().enumerate() {
        let y = 34.0 + row_h * i as f64;
        let _ = write!(svg, "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>", y + 4.0, escape(party));
        let _ = write!(svg, "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#d0d5dd\"/>", left + width);
        for (date, label, overdue) in marks {
            let color = if *overdue { "#b42318" } else { "#1849a9" };
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"5\" fill=\"{color}\"><title>{} {}</title></circle>",
                x(*date),
                escape(label),
                escape(&m.date(*date))
            );
        }
    }
    let tx = x(today);
    let _ = write!(
        svg,
        "<line x1=\"{tx:.1}\" y1=\"20\" x2=\"{tx:.1}\" y2=\"{height}\" stroke=\"#b54708\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{tx:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#b54708\">{}</text>",
        height - 2.0,
        escape(m.t("chart.today"))
    );
    svg.push_str("</svg>");
    svg
}

/// Where an obligation stands, for the obligations chart (in the order the bars are drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A report of this kind was submitted.
    Filed,
    /// Past its due date.
    Overdue,
    /// With a due date or a window still open.
    Dated,
    /// "Promptly": the law sets no date.
    Undated,
    /// Relieved (Art. 9 notice to the consignor, a joint report).
    Relieved,
}

impl Standing {
    const ALL: [Self; 5] = [Self::Filed, Self::Overdue, Self::Dated, Self::Undated, Self::Relieved];

    fn color(self) -> &'static str {
        match self {
            Self::Filed => "#067647",
            Self::Overdue => "#b42318",
            Self::Dated => "#1849a9",
            Self::Undated => "#98a2b3",
            Self::Relieved => "#e4e7ec",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Filed => "chart.done",
            Self::Overdue => "chart.overdue",
            Self::Dated => "chart.open",
            Self::Undated => "chart.undated",
            Self::Relieved => "chart.relieved",
        }
    }
}

fn standing(o: &todoke_rules::Obligation, filed: &[ReportKind]) -> Standing {
    let filed_kind = match o.kind {
        ObligationKind::PreliminaryReport => Some(ReportKind::Preliminary),
        ObligationKind::FinalReport => Some(ReportKind::Final),
        _ => None,
    };
    if o.relieved_by.is_some() {
        Standing::Relieved
    } else if filed_kind.is_some_and(|k| filed.contains(&k)) {
        Standing::Filed
    } else if o.status == Some(Status::Overdue) {
        Standing::Overdue
    } else if o.due.is_some() || o.window.is_some() {
        Standing::Dated
    } else {
        Standing::Undated
    }
}

/// The obligations of each party (all its regimes together) as a stacked bar, split by where each
/// stands; `filed` gives the kinds of report each party has submitted. Empty without obligations.
pub fn obligations(parties: &[PartyAssessment], filed: &dyn Fn(&str) -> Vec<ReportKind>, m: Prefs) -> String {
    let mut rows: Vec<(&str, [usize; 5])> = Vec::new();
    for p in parties {
        let reported = filed(&p.party);
        let i = match rows.iter().position(|(name, _)| *name == p.party) {
            Some(i) => i,
            None => {
                rows.push((p.party.as_str(), [0; 5]));
                rows.len() - 1
            }
        };
        for o in &p.obligations {
            let s = standing(o, &reported);
            let at = Standing::ALL.iter().position(|x| *x == s);
            if let Some(c) = rows.get_mut(i).zip(at).and_then(|((_, counts), at)| counts.get_mut(at)) {
                *c += 1;
            }
        }
    }
    rows.retain(|(_, counts)| counts.iter().sum::<usize>() > 0);
    let most = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0);
    if most == 0 {
        return String::new();
    }
    let (left, width, row_h) = (150.0, 520.0, 20.0);
    let unit = width / most as f64;
    let top = 34.0;
    let height = top + row_h * rows.len() as f64 + 6.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart obligations-chart\" viewBox=\"0 0 760 {height}\" role=\"img\" aria-label=\"{}\">",
        escape(m.t("case.chart.obligations"))
    );
    // The legend.
    let mut lx = left;
    for s in Standing::ALL {
        let _ = write!(
            svg,
            "<rect x=\"{lx}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\" stroke=\"#98a2b3\" stroke-width=\"0.5\"/>\
             <text x=\"{}\" y=\"13\" font-size=\"11\">{}</text>",
            s.color(),
            lx + 14.0,
            escape(m.t(s.key()))
        );
        lx += 100.0;
    }
    for (i, (party, counts)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(svg, "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>", y + 12.0, escape(party));
        let mut x = left;
        for (s, n) in Standing::ALL.iter().zip(counts) {
            if *n == 0 {
                continue;
            }
            let w = unit * *n as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"><title>{} {}: {n}</title></rect>",
                row_h - 4.0,
                s.color(),
                escape(party),
                escape(m.t(s.key()))
            );
            x += w;
        }
        let total: usize = counts.iter().sum();
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{total}</text>", x + 4.0, y + 12.0);
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obligations_per_party_are_drawn_escaped_and_without_style() {
        let facts = todoke_store::testkit::sample_incident();
        let packs = todoke_rules::Packs::embedded().unwrap();
        let today: Date = "2024-03-05".parse().unwrap();
        let options = todoke_rules::Options { as_of: Some(today), ..Default::default() };
        let mut assessment = todoke_rules::assess(&facts, &packs, &options).unwrap();
        assessment.parties[0].party = "<b>&事業団".into();
        let handler = assessment.parties[0].party.clone();
        let filed = move |p: &str| if p == handler { vec![ReportKind::Preliminary] } else { Vec::new() };
        let svg = obligations(&assessment.parties, &filed, Prefs::default());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&#60;b&#62;&#38;事業団") && !svg.contains("<b>"), "names are escaped");
        assert!(!svg.contains("style"), "no style attribute (CSP)");
        assert!(svg.contains("提出済み: 1"), "the filed preliminary report counts as filed");
        assert!(svg.contains("春日部市"));
        assert_eq!(obligations(&[], &filed, Prefs::default()), "");
    }
}
