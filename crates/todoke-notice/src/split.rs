//! Where one incident ends and the next begins. A compilation repeats one kind of header line —
//! `【セキュリティ事件簿#2023-384】…`, `報告第1号 ②`, `事案1`, `■事例2` — and each header opens an
//! incident; a notice without such repetition is one incident.

use crate::text::lines;

/// One incident's part of a notice.
pub struct Part {
    /// Byte offset of its first line in the folded text.
    pub start: usize,
    /// Byte offset after its last line.
    pub end: usize,
    /// The organization its header names, when the header has that place (a casebook entry).
    pub header_org: Option<String>,
}

/// What kind of header a line is, if any; lines of one kind repeat in a compilation.
fn header_kind(line: &str) -> Option<String> {
    let t = line.trim();
    if t.chars().count() > 120 {
        return None;
    }
    if let Some(rest) = t.strip_prefix('【')
        && let Some(close) = rest.find('】')
    {
        let inside = rest.get(..close).unwrap_or_default();
        let after = rest.get(close + '】'.len_utf8()..).unwrap_or_default().trim();
        if !after.is_empty() && inside.chars().any(|c| c.is_ascii_digit() || c == '#') {
            let kind: String = inside.chars().take_while(|c| !c.is_ascii_digit() && *c != '#').collect();
            return Some(format!("【{kind}"));
        }
    }
    let body = t.trim_start_matches(['■', '◆', '●', '□', '◇', '○', '・', ' ']);
    for word in ["報告第", "報告事項", "事案", "事例", "案件", "議案第", "報告"] {
        if let Some(rest) = body.strip_prefix(word) {
            let rest = rest.trim_start();
            let numbered = rest.starts_with(|c: char| {
                c.is_ascii_digit() || ('\u{2460}'..='\u{2473}').contains(&c) || "一二三四五六七八九十".contains(c)
            });
            if numbered && !rest.contains('。') {
                return Some(word.to_string());
            }
        }
    }
    None
}

/// The organization a casebook header names: `【…#2023-384】下仁田厚生病院 個人情報紛失のお詫び`.
fn header_org(line: &str) -> Option<String> {
    let after = line.trim().split_once('】')?.1.trim();
    let name: String = after.chars().take_while(|c| !matches!(c, ' ' | '　' | '、' | ',')).collect();
    (name.chars().count() >= 2 && name.chars().count() <= 40).then_some(name)
}

/// Splits a folded notice into incidents.
pub fn split(doc: &str) -> Vec<Part> {
    let all: Vec<(usize, &str)> = lines(doc).collect();
    let mut kinds: Vec<(String, Vec<usize>)> = Vec::new();
    for (n, (_, line)) in all.iter().enumerate() {
        if let Some(kind) = header_kind(line) {
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, at)) => at.push(n),
                None => kinds.push((kind, vec![n])),
            }
        }
    }
    let best = kinds.into_iter().filter(|(_, at)| at.len() >= 2).max_by_key(|(_, at)| at.len());
    let Some((kind, heads)) = best else {
        return vec![Part { start: 0, end: doc.len(), header_org: None }];
    };
    let mut parts = Vec::new();
    for (i, n) in heads.iter().enumerate() {
        let start = all.get(*n).map_or(0, |(at, _)| *at);
        let end =
            heads.get(i + 1).and_then(|m| all.get(*m)).map_or(doc.len(), |(at, _)| at.saturating_sub(1).max(start));
        let org = if kind.starts_with('【') { all.get(*n).and_then(|(_, l)| header_org(l)) } else { None };
        parts.push(Part { start, end, header_org: org });
    }
    parts
}

/// The years of a notice's complete dates (its [`find_dates`](todoke_ja::find_dates) without a
/// default year), with their offsets, for [`year_before`].
pub fn complete_years(dates: &[todoke_ja::DateMention]) -> Vec<(usize, i16)> {
    dates.iter().filter(|d| d.form == todoke_ja::DateForm::Complete).map(|d| (d.start, d.date.year())).collect()
}

/// The year of the last complete date before `at` (or the first in the notice): the year partial
/// dates of an incident take when its own text names none.
pub fn year_before(years: &[(usize, i16)], at: usize) -> Option<i16> {
    years.iter().rev().find(|(start, _)| *start < at).or(years.first()).map(|(_, y)| *y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_headers_split_a_compilation() {
        let doc = "【事件簿#1】甲株式会社 お詫び 2023/9/29\n本文\n\n【事件簿#2】乙市 お知らせ\n本文";
        let parts = split(doc);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].header_org.as_deref(), Some("甲株式会社"));
        assert_eq!(parts[1].header_org.as_deref(), Some("乙市"));
        assert!(doc[parts[1].start..parts[1].end].starts_with("【事件簿#2】"));
    }

    #[test]
    fn one_notice_is_one_part() {
        assert_eq!(split("【お知らせ】個人情報の漏えいについて\n本文").len(), 1);
        assert_eq!(split("報告第1号 ①\n一\n報告第1号 ②\n二").len(), 2);
    }
}
