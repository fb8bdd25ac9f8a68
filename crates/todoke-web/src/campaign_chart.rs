//! A party's campaign over time as SVG drawn on the server (no script, presentation attributes
//! only, like `chart.rs`): one step line per figure — sent, returned, substitute, unreachable —
//! over the days something happened.

use crate::i18n::Prefs;
use jiff::civil::Date;
use std::fmt::Write as _;
use todoke_app::campaign::Figures;

fn escape(text: &str) -> String {
    text.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// A figure drawn: its label key, its colour, and how it is read.
type Series = (&'static str, &'static str, fn(&Figures) -> u64);

/// The figures drawn.
const SERIES: &[Series] = &[
    ("campaign.fig.sent", "#1849a9", |f| f.sent()),
    ("campaign.fig.returned", "#b54708", |f| f.returned),
    ("campaign.fig.substitute", "#027a48", |f| f.substitute),
    ("campaign.fig.unreachable", "#b42318", |f| f.unreachable),
];

/// The chart, or an empty string when nothing happened yet.
pub fn over_time(by_day: &[(Date, Figures)], m: Prefs) -> String {
    let (Some((first, _)), Some((last, _))) = (by_day.first(), by_day.last()) else { return String::new() };
    let top = by_day.iter().flat_map(|(_, f)| SERIES.iter().map(move |(_, _, v)| v(f))).max().unwrap_or(0).max(1);
    let span = (*last - *first).get_days().max(1) as f64;
    let (left, width, plot_top, height) = (50.0, 520.0, 20.0, 160.0);
    let x = |d: Date| left + width * f64::from((d - *first).get_days()) / span;
    let y = |v: u64| plot_top + height * (1.0 - v as f64 / top as f64);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart campaign-chart\" viewBox=\"0 0 760 {}\" role=\"img\" aria-label=\"{}\">",
        plot_top + height + 30.0,
        escape(m.t("campaign.chart"))
    );
    let base = plot_top + height;
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#d0d5dd\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{top}</text>\
         <text x=\"{left}\" y=\"{}\" font-size=\"11\">{}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        left + width,
        left - 4.0,
        plot_top + 4.0,
        base + 16.0,
        escape(&m.date(*first)),
        left + width,
        base + 16.0,
        escape(&m.date(*last)),
    );
    for (i, (key, color, value)) in SERIES.iter().enumerate() {
        // A step line: a figure holds until the next day something happened.
        let mut points = String::new();
        let mut previous: Option<u64> = None;
        for (day, figures) in by_day {
            let v = value(figures);
            if let Some(p) = previous {
                let _ = write!(points, "{:.1},{:.1} ", x(*day), y(p));
            }
            let _ = write!(points, "{:.1},{:.1} ", x(*day), y(v));
            previous = Some(v);
        }
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"><title>{}</title></polyline>",
            points.trim_end(),
            escape(m.t(key))
        );
        let legend_y = plot_top + 14.0 * i as f64;
        let _ = write!(
            svg,
            "<rect x=\"590\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"/>\
             <text x=\"606\" y=\"{legend_y}\" font-size=\"11\">{} {}</text>",
            legend_y - 9.0,
            escape(m.t(key)),
            by_day.last().map_or(0, |(_, f)| value(f))
        );
    }
    svg.push_str("</svg>");
    svg
}
