//! Scoring a reader against labelled notices: per field, exact agreement for scalars (null agrees
//! with null) and precision / recall for lists, and one overall score, the mean over the fields.
//! Results are matched to labels by file, then by organization, then in order.

use crate::NoticeError;
use crate::facts::NoticeFacts;
use serde::Deserialize;
use std::fmt;
use todoke_ja::normalize_text;

/// One labelled incident: the facts a careful reader takes from a notice, and its file.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// The label's id (`001-2`).
    #[serde(default)]
    pub id: String,
    /// The notice's file name.
    #[serde(alias = "source")]
    pub seed: String,
    /// The facts.
    #[serde(flatten)]
    pub facts: NoticeFacts,
}

/// Reads a labels file: one JSON object a line; blank lines are skipped.
pub fn parse_labels(text: &str) -> Result<Vec<Label>, NoticeError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Label =
            serde_json::from_str(line).map_err(|e| NoticeError::Label { line: n + 1, message: e.to_string() })?;
        out.push(label);
    }
    Ok(out)
}

/// The scalar fields, in report order.
pub const SCALARS: &[&str] = &[
    "organization",
    "org_type",
    "discovered",
    "occurred_from",
    "occurred_to",
    "published",
    "cause",
    "vendor_involved",
    "affected_count",
    "count_unit",
    "sensitive",
    "financial_risk",
    "malicious",
    "ppc_reported",
    "individual_notice",
];

/// The list fields, in report order.
pub const LISTS: &[&str] = &["data_items", "ppc_report_dates", "prevention_measures"];

fn scalar(f: &NoticeFacts, field: &str) -> Option<String> {
    let b = |v: Option<bool>| v.map(|b| b.to_string());
    match field {
        "organization" => f.organization.as_deref().map(|o| normalize_text(o).replace(' ', "")),
        "org_type" => f.org_type.clone(),
        "discovered" => f.incident_dates.discovered.clone(),
        "occurred_from" => f.incident_dates.occurred_from.clone(),
        "occurred_to" => f.incident_dates.occurred_to.clone(),
        "published" => f.incident_dates.published.clone(),
        "cause" => f.cause.clone(),
        "vendor_involved" => b(f.vendor_involved),
        "affected_count" => f.affected_count.map(|n| n.to_string()),
        "count_unit" => f.count_unit.clone(),
        "sensitive" => b(f.sensitive),
        "financial_risk" => b(f.financial_risk),
        "malicious" => b(f.malicious),
        "ppc_reported" => b(f.ppc_reported),
        "individual_notice" => b(f.individual_notice),
        _ => None,
    }
}

fn list<'a>(f: &'a NoticeFacts, field: &str) -> &'a [String] {
    match field {
        "data_items" => &f.data_items,
        "ppc_report_dates" => &f.ppc_report_dates,
        "prevention_measures" => &f.prevention_measures,
        _ => &[],
    }
}

fn squash(s: &str) -> String {
    normalize_text(s).chars().filter(|c| !c.is_whitespace() && !"、。・,.「」()".contains(*c)).collect()
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).filter_map(|w| Some((*w.first()?, *w.get(1)?))).collect()
}

/// Whether two list elements agree. Dates and data items agree when equal after normalization;
/// measures are free text, so one containing the other or a character-bigram overlap (Dice) of at
/// least one half is agreement.
fn same_element(field: &str, a: &str, b: &str) -> bool {
    let (a, b) = (squash(a), squash(b));
    if a == b {
        return true;
    }
    if field != "prevention_measures" {
        return false;
    }
    if !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a)) {
        return true;
    }
    let (x, y) = (bigrams(&a), bigrams(&b));
    if x.is_empty() || y.is_empty() {
        return false;
    }
    let mut pool = y.clone();
    let mut common = 0usize;
    for g in &x {
        if let Some(i) = pool.iter().position(|h| h == g) {
            pool.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64 >= 0.5
}

/// Counts for one scalar field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScalarScore {
    /// Labels agreed with.
    pub correct: usize,
    /// Labels scored.
    pub total: usize,
}

impl ScalarScore {
    /// Agreement, 0..=1 (1 when there is nothing to score).
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 { 1.0 } else { self.correct as f64 / self.total as f64 }
    }
}

/// Counts for one list field (micro-averaged over the labels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListScore {
    /// Elements found that a label has.
    pub true_positives: usize,
    /// Elements found that no label has.
    pub false_positives: usize,
    /// Label elements not found.
    pub false_negatives: usize,
}

impl ListScore {
    /// Precision (1 when nothing was found).
    pub fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives;
        if found == 0 { 1.0 } else { self.true_positives as f64 / found as f64 }
    }
    /// Recall (1 when the labels have nothing).
    pub fn recall(&self) -> f64 {
        let wanted = self.true_positives + self.false_negatives;
        if wanted == 0 { 1.0 } else { self.true_positives as f64 / wanted as f64 }
    }
    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// The result of scoring.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Labelled incidents.
    pub labelled: usize,
    /// Incidents the reader returned.
    pub read: usize,
    /// Labelled incidents that a result was matched to.
    pub matched: usize,
    /// Per scalar field, in [`SCALARS`] order.
    pub scalars: Vec<(&'static str, ScalarScore)>,
    /// Per list field, in [`LISTS`] order.
    pub lists: Vec<(&'static str, ListScore)>,
}

impl Report {
    /// The mean of the scalar accuracies and the list F1 scores, 0..=1.
    pub fn overall(&self) -> f64 {
        let n = self.scalars.len() + self.lists.len();
        if n == 0 {
            return 0.0;
        }
        let sum: f64 = self.scalars.iter().map(|(_, s)| s.accuracy()).sum::<f64>()
            + self.lists.iter().map(|(_, l)| l.f1()).sum::<f64>();
        sum / n as f64
    }

    /// The accuracy of one scalar field, or the F1 of one list field.
    pub fn field(&self, name: &str) -> Option<f64> {
        self.scalars
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.accuracy())
            .or_else(|| self.lists.iter().find(|(n, _)| *n == name).map(|(_, l)| l.f1()))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "incidents: labelled {}, read {}, matched {}", self.labelled, self.read, self.matched)?;
        for (name, s) in &self.scalars {
            writeln!(f, "{name:<20} accuracy {:.3}  ({}/{})", s.accuracy(), s.correct, s.total)?;
        }
        for (name, l) in &self.lists {
            writeln!(
                f,
                "{name:<20} precision {:.3}  recall {:.3}  f1 {:.3}  (tp {} fp {} fn {})",
                l.precision(),
                l.recall(),
                l.f1(),
                l.true_positives,
                l.false_positives,
                l.false_negatives
            )?;
        }
        write!(f, "overall              {:.3}", self.overall())
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Scores results against labels. A label with no matching result scores as a result with every
/// field unknown.
pub fn evaluate(labels: &[Label], results: &[NoticeFacts]) -> Report {
    let mut report = Report {
        labelled: labels.len(),
        read: results.len(),
        scalars: SCALARS.iter().map(|s| (*s, ScalarScore::default())).collect(),
        lists: LISTS.iter().map(|s| (*s, ListScore::default())).collect(),
        ..Report::default()
    };
    let mut used = vec![false; results.len()];
    let empty = NoticeFacts::default();
    for label in labels {
        let file = file_name(&label.seed);
        let same_file: Vec<usize> =
            (0..results.len()).filter(|i| results.get(*i).is_some_and(|r| file_name(&r.source) == file)).collect();
        let org = scalar(&label.facts, "organization");
        let by_org = same_file.iter().copied().find(|i| {
            !used.get(*i).copied().unwrap_or(true)
                && org.is_some()
                && results.get(*i).and_then(|r| scalar(r, "organization")) == org
        });
        // Among a file's results, the n-th label takes the n-th result unless an organization matches.
        let position = labels.iter().filter(|l| file_name(&l.seed) == file).position(|l| std::ptr::eq(l, label));
        let by_order =
            position.and_then(|p| same_file.get(p).copied()).filter(|i| !used.get(*i).copied().unwrap_or(true));
        // When the reader found as many incidents as are labelled, order decides; otherwise names.
        let labelled_here = labels.iter().filter(|l| file_name(&l.seed) == file).count();
        let (first, second) = if labelled_here == same_file.len() { (by_order, by_org) } else { (by_org, by_order) };
        let pick =
            first.or(second).or_else(|| same_file.iter().copied().find(|i| !used.get(*i).copied().unwrap_or(true)));
        let result = match pick {
            Some(i) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                report.matched += 1;
                results.get(i).unwrap_or(&empty)
            }
            None => &empty,
        };
        for (name, score) in &mut report.scalars {
            score.total += 1;
            if scalar(&label.facts, name) == scalar(result, name) {
                score.correct += 1;
            }
        }
        for (name, score) in &mut report.lists {
            let want = list(&label.facts, name);
            let got = list(result, name);
            let mut pool: Vec<&String> = want.iter().collect();
            for g in got {
                if let Some(i) = pool.iter().position(|w| same_element(name, g, w)) {
                    pool.swap_remove(i);
                    score.true_positives += 1;
                } else {
                    score.false_positives += 1;
                }
            }
            score.false_negatives += pool.len();
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_empty_scores() {
        let line = r#"{"id":"1","seed":"a.txt","organization":"甲市","org_type":"public_body","incident_dates":{"discovered":null,"occurred_from":null,"occurred_to":null,"published":null},"cause":"loss","vendor_involved":false,"affected_count":3,"count_unit":"persons","data_items":["氏名"],"sensitive":false,"financial_risk":false,"malicious":false,"ppc_reported":null,"ppc_report_dates":[],"individual_notice":true,"prevention_measures":["職員への研修の実施"]}"#;
        let labels = parse_labels(line).unwrap();
        let mut result = labels[0].facts.clone();
        result.source = "dir/a.txt".into();
        result.prevention_measures = vec!["職員への研修".into()];
        let report = evaluate(&labels, &[result]);
        assert_eq!(report.overall(), 1.0, "{report}");
        let none = evaluate(&labels, &[]);
        assert!(none.overall() < 0.5);
        assert_eq!(none.matched, 0);
        assert!(parse_labels("{").is_err());
    }
}
