//! Deadlines on a time axis, as SVG drawn on the server (no script needed): one row per party, a
//! mark per dated obligation, and a line for today.

use jiff::civil::Date;
use todoke_rules::PartyAssessment;

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
pub fn deadlines(parties: &[PartyAssessment], today: Date) -> String {
    let rows: Vec<(&str, Vec<Mark<'_>>)> = parties
        .iter()
        .map(|p| {
            let marks: Vec<Mark<'_>> = p
                .obligations
                .iter()
                .filter(|o| o.relieved_by.is_none())
                .filter_map(|o| {
                    Some((date_of(o.due.as_deref()?)?, o.kind.label(true), o.days_left.is_some_and(|d| d < 0)))
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
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 760 {height}\" role=\"img\" aria-label=\"期限の時間軸\">"
    );
    svg.push_str(&format!("<text x=\"{left}\" y=\"14\" font-size=\"11\">{first}</text>"));
    svg.push_str(&format!("<text x=\"{}\" y=\"14\" font-size=\"11\" text-anchor=\"end\">{last}</text>", left + width));
    for (i, (party, marks)) in rows.iter().enumerate() {
        let y = 34.0 + row_h * i as f64;
        svg.push_str(&format!("<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>", y + 4.0, escape(party)));
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#d0d5dd\"/>",
            left + width
        ));
        for (date, label, overdue) in marks {
            let color = if *overdue { "#b42318" } else { "#1849a9" };
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"5\" fill=\"{color}\"><title>{} {date}</title></circle>",
                x(*date),
                escape(label)
            ));
        }
    }
    let tx = x(today);
    svg.push_str(&format!(
        "<line x1=\"{tx:.1}\" y1=\"20\" x2=\"{tx:.1}\" y2=\"{height}\" stroke=\"#b54708\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{tx:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#b54708\">今日</text>",
        height - 2.0
    ));
    svg.push_str("</svg>");
    svg
}
