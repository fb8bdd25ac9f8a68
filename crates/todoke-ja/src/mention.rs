//! Dates and times in running text, as notices write them: complete dates in every common form
//! (`令和6年1月29日(月)`, `2024年1月29日`, `2023 年 9 月 27 日`, `2023/9/29`, `R6.1.29`), partial dates
//! whose year comes from context (`1月29日(月)`, `同5月16日`), and the relative forms `同日`, `翌日`,
//! `前日` and `翌28日`, which refer to the date mentioned last. Times: `16時24分`, `午前0時`, `13:10`,
//! ranges `午前0時～8時30分`.
//!
//! The year of a partial date is the year of the last complete date (or year and month) before it;
//! before any, the first year written anywhere later in the text; before that, the caller's default.
//! With none of them a partial date is not reported: a date is never guessed.

use crate::date::Era;
use crate::number::read_number;
use jiff::civil::{Date, Time};

/// How a date mention got its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// Year, month and day written out.
    Complete,
    /// Month and day; the year from context.
    MonthDay,
    /// 同日, 翌日, 前日, 翌28日: relative to the date mentioned last.
    Relative,
}

/// A date found in running text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMention {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character (after a weekday in brackets, if one follows).
    pub end: usize,
    /// The day.
    pub date: Date,
    /// How it was written.
    pub form: DateForm,
}

/// A time of day found in running text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeMention {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// The time (24:00 is read as 23:59:59).
    pub time: Time,
}

fn skip_spaces(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    at + (rest.len() - rest.trim_start_matches([' ', '\u{3000}']).len())
}

/// Reads `number` then optional spaces then `marker`; returns the number and the offset after it.
fn num_then(text: &str, at: usize, markers: &[char]) -> Option<(u64, usize, char)> {
    let (n, len) = read_number(text.get(at..)?)?;
    let at = skip_spaces(text, at + len);
    let c = text.get(at..)?.chars().next()?;
    markers.contains(&c).then_some((n, at + c.len_utf8(), c))
}

/// A year written with an era: `令和6`, `令和元`, `R6`, `H31`; returns the Gregorian year and the
/// offset after it.
fn era_year(text: &str, at: usize) -> Option<(i16, usize)> {
    let rest = text.get(at..)?;
    for era in Era::ALL {
        let name = era.kanji();
        let after = if let Some(r) = rest.strip_prefix(name) {
            Some(rest.len() - r.len())
        } else {
            let c = rest.chars().next()?;
            // A Latin letter era only directly before a digit, and not inside a word (`CR6`).
            let is_letter = c.to_ascii_uppercase() == era.letter()
                && rest.get(1..).and_then(|r| r.chars().next()).is_some_and(|d| d.is_ascii_digit())
                && !text.get(..at).and_then(|b| b.chars().next_back()).is_some_and(|p| p.is_ascii_alphanumeric());
            is_letter.then_some(1)
        };
        let Some(after) = after else { continue };
        let p = skip_spaces(text, at + after);
        let r = text.get(p..)?;
        if let Some(r2) = r.strip_prefix('元') {
            return Some((era.gregorian_year(1), p + (r.len() - r2.len())));
        }
        let (n, len) = read_number(r)?;
        let n = i16::try_from(n).ok().filter(|n| (1..=99).contains(n))?;
        return Some((era.gregorian_year(n), p + len));
    }
    None
}

/// After a date: a weekday in brackets, `(月)`, `（火）`, `(日本時間)` is not taken.
fn skip_weekday(text: &str, at: usize) -> usize {
    let p = skip_spaces(text, at);
    let rest = text.get(p..).unwrap_or_default();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(r) = rest.strip_prefix(open) {
            let mut chars = r.chars();
            let day = chars.next();
            let next = chars.next();
            let weekday = day.is_some_and(|d| "月火水木金土日祝".contains(d));
            if weekday && next == Some(close) {
                return p + open.len_utf8() + day.map_or(0, char::len_utf8) + close.len_utf8();
            }
            // (月・祝)
            if weekday && next == Some('・') && chars.next().is_some() && chars.next() == Some(close) {
                return p + rest.len() - chars.as_str().len();
            }
        }
    }
    at
}

fn make(year: i16, month: u64, day: u64) -> Option<Date> {
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// What a scan position holds.
enum Hit {
    /// A complete date.
    Date(Date, usize),
    /// A year and a month (`令和6年4月`): context only.
    YearMonth(i16, usize),
    /// A month and day.
    MonthDay(u64, u64, usize),
    /// 同日 / 翌日 / 前日 (offset in days) or 翌N日.
    Relative(Rel, usize),
}

enum Rel {
    Days(i64),
    NextDay(u64),
}

/// Whether a date can start with `c`: a digit, an era's first letter or kanji, a kanji numeral or
/// a relative word. Everything else is skipped without a closer look, which keeps scans fast.
fn may_start_date(c: char) -> bool {
    c.is_ascii_digit() || "令平昭大明RHSTMrhstm一二三四五六七八九十同翌前当".contains(c)
}

fn read_at(text: &str, at: usize) -> Option<Hit> {
    let rest = text.get(at..)?;
    let first = rest.chars().next()?;
    if !may_start_date(first) {
        return None;
    }
    let prev = text.get(..at).and_then(|b| b.chars().next_back());
    let glued = prev.is_some_and(|p| p.is_ascii_digit() || p == ',' || p == '.' || p == '/');
    // Era dates: 令和6年1月29日, R6.1.29, H31/4/30.
    if !glued && let Some((year, p)) = era_year(text, at) {
        let p = skip_spaces(text, p);
        let sep = text.get(p..)?.chars().next()?;
        if sep == '年' {
            let q = skip_spaces(text, p + sep.len_utf8());
            if let Some((m, q2, _)) = num_then(text, q, &['月']) {
                let q2s = skip_spaces(text, q2);
                if let Some((d, end, _)) = num_then(text, q2s, &['日']) {
                    return make(year, m, d).map(|date| Hit::Date(date, end));
                }
                return (1..=12).contains(&m).then_some(Hit::YearMonth(year, q2));
            }
            return None;
        }
        if matches!(sep, '.' | '/' | '-') {
            let (m, q, s2) = num_then(text, p + 1, &['.', '/', '-'])?;
            if s2 != sep {
                return None;
            }
            let (d, len) = read_number(text.get(q..)?)?;
            return make(year, m, d).map(|date| Hit::Date(date, q + len));
        }
        return None;
    }
    if glued {
        return None;
    }
    // Gregorian: 2024年1月29日, 2023/9/29, 2024-01-29, 2024.1.29.
    if first.is_ascii_digit() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 4 {
            let year: i16 = rest.get(..4)?.parse().ok()?;
            let p = skip_spaces(text, at + 4);
            let sep = text.get(p..)?.chars().next()?;
            if sep == '年' {
                let q = skip_spaces(text, p + sep.len_utf8());
                let (m, q2, _) = num_then(text, q, &['月'])?;
                let q2s = skip_spaces(text, q2);
                if let Some((d, end, _)) = num_then(text, q2s, &['日']) {
                    return make(year, m, d).map(|date| Hit::Date(date, end));
                }
                return (1..=12).contains(&m).then_some(Hit::YearMonth(year, q2));
            }
            if matches!(sep, '/' | '-' | '.') && p == at + 4 {
                let (m, q, s2) = num_then(text, p + 1, &['/', '-', '.'])?;
                if s2 != sep || q != text.get(p + 1..)?.find(s2).map(|i| p + 1 + i + 1)? {
                    return None;
                }
                let ds = text.get(q..)?;
                let dlen = ds.chars().take_while(char::is_ascii_digit).count();
                if dlen == 0 || dlen > 2 {
                    return None;
                }
                let d: u64 = ds.get(..dlen)?.parse().ok()?;
                return make(year, m, d).map(|date| Hit::Date(date, q + dlen));
            }
            return None;
        }
        if digits > 2 {
            return None;
        }
        // 1月29日
        let (m, q, _) = num_then(text, at, &['月'])?;
        let (d, end, _) = num_then(text, skip_spaces(text, q), &['日'])?;
        return ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(Hit::MonthDay(m, d, end));
    }
    // 十二月二日: kanji numerals for month and day.
    if "一二三四五六七八九十".contains(first) {
        let (m, q, _) = num_then(text, at, &['月'])?;
        let (d, end, _) = num_then(text, skip_spaces(text, q), &['日'])?;
        return ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(Hit::MonthDay(m, d, end));
    }
    if matches!(first, '同' | '翌' | '前' | '当') {
        let r = rest.get(first.len_utf8()..)?;
        if r.starts_with('日') && !r.starts_with("日本") {
            let days = match first {
                '翌' => 1,
                '前' => -1,
                _ => 0,
            };
            return Some(Hit::Relative(Rel::Days(days), at + first.len_utf8() + '日'.len_utf8()));
        }
        if first == '翌' && r.starts_with(|c: char| c.is_ascii_digit()) {
            let p = at + first.len_utf8();
            // 翌5月2日 is a month-day; 翌28日 a day of the month after the last date.
            if let Some((m, q, _)) = num_then(text, p, &['月']) {
                let (d, end, _) = num_then(text, skip_spaces(text, q), &['日'])?;
                return Some(Hit::MonthDay(m, d, end));
            }
            let (d, end, _) = num_then(text, p, &['日'])?;
            return (1..=31).contains(&d).then_some(Hit::Relative(Rel::NextDay(d), end));
        }
    }
    None
}

/// The first year written in the text (a complete date or a year and month), for partial dates that
/// come before any.
fn first_year(text: &str) -> Option<i16> {
    let mut at = 0;
    while at < text.len() {
        match read_at(text, at) {
            Some(Hit::Date(d, _)) => return Some(d.year()),
            Some(Hit::YearMonth(y, _)) => return Some(y),
            _ => {}
        }
        at += text.get(at..)?.chars().next()?.len_utf8();
    }
    None
}

/// Every date in running text, in order. `default_year` is the year of partial dates when the text
/// itself names none (the year a notice was published, say); `None` drops such dates.
///
/// ```
/// use jiff::civil::date;
/// let found: Vec<_> = todoke_ja::find_dates("令和6年1月27日(土)に偵察、翌28日(日)に侵入。2月3日に調査", None)
///     .into_iter().map(|m| m.date).collect();
/// assert_eq!(found, [date(2024, 1, 27), date(2024, 1, 28), date(2024, 2, 3)]);
/// ```
pub fn find_dates(text: &str, default_year: Option<i16>) -> Vec<DateMention> {
    let mut found = Vec::new();
    let mut year: Option<i16> = None;
    let mut last: Option<Date> = None;
    let mut lookahead: Option<Option<i16>> = None;
    let mut at = 0;
    while at < text.len() {
        let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else { break };
        let hit = read_at(text, at);
        let (mention, next) = match hit {
            Some(Hit::Date(date, end)) => {
                year = Some(date.year());
                (Some((date, DateForm::Complete)), end)
            }
            Some(Hit::YearMonth(y, end)) => {
                // A year and month sets the year only before any complete date: `2023年10月頃から
                // 同年12月にかけて…を2月20日に確認` is told in a text already dated.
                if !found.iter().any(|m: &DateMention| m.form == DateForm::Complete) {
                    year = Some(y);
                }
                (None, end)
            }
            Some(Hit::MonthDay(m, d, end)) => {
                let y = year
                    .or_else(|| *lookahead.get_or_insert_with(|| first_year(text.get(at..).unwrap_or_default())))
                    .or(default_year);
                (y.and_then(|y| make(y, m, d)).map(|date| (date, DateForm::MonthDay)), end)
            }
            Some(Hit::Relative(rel, end)) => {
                let date = last.and_then(|l| match rel {
                    Rel::Days(n) => l.checked_add(jiff::Span::new().days(n)).ok(),
                    Rel::NextDay(d) => {
                        let same = make(l.year(), u64::try_from(l.month()).ok()?, d).filter(|x| *x > l);
                        same.or_else(|| {
                            let first_next = l.first_of_month().checked_add(jiff::Span::new().months(1)).ok()?;
                            make(first_next.year(), u64::try_from(first_next.month()).ok()?, d)
                        })
                    }
                });
                (date.map(|d| (d, DateForm::Relative)), end)
            }
            None => (None, at + c.len_utf8()),
        };
        if let Some((date, form)) = mention {
            let mut end = skip_weekday(text, next);
            found.push(DateMention { start: at, end, date, form });
            last = Some(date);
            // 8月24日から26日: the day after the range mark is in the same month.
            if let Some((d, e)) = bare_day_after(text, end)
                && let Some(second) =
                    make(date.year(), u64::try_from(date.month()).unwrap_or(0), d).filter(|x| *x > date)
            {
                let start = end;
                end = skip_weekday(text, e);
                found.push(DateMention { start, end, date: second, form: DateForm::MonthDay });
                last = Some(second);
            }
            at = end;
        } else {
            at = next;
        }
    }
    found
}

/// `から26日` / `～26日`: a range mark and a day of the month without a month.
fn bare_day_after(text: &str, at: usize) -> Option<(u64, usize)> {
    let rest = text.get(at..)?;
    let mark = ["から", "～", "〜", "~"].iter().find(|m| rest.starts_with(**m))?;
    let p = skip_spaces(text, at + mark.len());
    let r = text.get(p..)?;
    let digits = r.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 || !r.get(digits..)?.starts_with('日') {
        return None;
    }
    Some((r.get(..digits)?.parse().ok()?, p + digits + '日'.len_utf8()))
}

/// Reads a time at `at`: `16時24分`, `8時`, `午前0時`, `午後3時30分`, `13:10`, `8：30`.
fn time_at(text: &str, at: usize) -> Option<(Time, usize)> {
    let rest = text.get(at..)?;
    let (pm, p) = if let Some(r) = rest.strip_prefix("午前") {
        (Some(false), at + (rest.len() - r.len()))
    } else if let Some(r) = rest.strip_prefix("午後") {
        (Some(true), at + (rest.len() - r.len()))
    } else {
        (None, at)
    };
    let r = text.get(p..)?;
    let hlen = r.chars().take_while(char::is_ascii_digit).count();
    if hlen == 0 || hlen > 2 {
        return None;
    }
    let h: i8 = r.get(..hlen)?.parse().ok()?;
    let after = r.get(hlen..)?;
    let (minute, end) = if let Some(m) = after.strip_prefix('時') {
        let q = p + hlen + '時'.len_utf8();
        let mlen = m.chars().take_while(char::is_ascii_digit).count();
        if mlen > 0 && mlen <= 2 && m.get(mlen..).is_some_and(|t| t.starts_with('分')) {
            (m.get(..mlen)?.parse::<i8>().ok()?, q + mlen + '分'.len_utf8())
        } else if m.starts_with('半') {
            (30, q + '半'.len_utf8())
        } else {
            (0, q)
        }
    } else if let Some(m) = after.strip_prefix([':', '：']) {
        let mlen = m.chars().take_while(char::is_ascii_digit).count();
        if mlen != 2 {
            return None;
        }
        (m.get(..2)?.parse::<i8>().ok()?, p + hlen + 1 + (after.len() - m.len() - 1) + 2)
    } else {
        return None;
    };
    let hour = match pm {
        Some(true) if h < 12 => h + 12,
        _ => h,
    };
    let time =
        if hour == 24 && minute == 0 { Time::new(23, 59, 59, 0).ok()? } else { Time::new(hour, minute, 0, 0).ok()? };
    Some((time, end))
}

/// Parses a whole text as a time of day.
///
/// ```
/// use jiff::civil::time;
/// assert_eq!(todoke_ja::parse_time("16時24分"), Some(time(16, 24, 0, 0)));
/// assert_eq!(todoke_ja::parse_time("午後3時"), Some(time(15, 0, 0, 0)));
/// ```
pub fn parse_time(text: &str) -> Option<Time> {
    let text = crate::normalize_width(text.trim());
    let (t, end) = time_at(&text, 0)?;
    (end == text.len()).then_some(t)
}

/// Parses a time range: `午前0時～8時30分`, `13:30~17:09`, `9時から17時まで`.
pub fn parse_time_range(text: &str) -> Option<(Time, Time)> {
    let text = crate::normalize_width(text.trim());
    let (from, p) = time_at(&text, 0)?;
    let rest = text.get(p..)?.trim_start();
    let rest = ["～", "〜", "~", "-", "−", "から"].iter().find_map(|s| rest.strip_prefix(s))?.trim_start();
    let off = text.len() - rest.len();
    let (to, end) = time_at(&text, off)?;
    let tail = text.get(end..)?;
    (tail.is_empty() || tail == "まで" || tail == "の間").then_some((from, to))
}

/// Every time of day in running text.
pub fn find_times(text: &str) -> Vec<TimeMention> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else { break };
        let prev = text.get(..at).and_then(|b| b.chars().next_back());
        if !prev.is_some_and(|p| p.is_ascii_digit())
            && let Some((time, end)) = time_at(text, at)
        {
            found.push(TimeMention { start: at, end, time });
            at = end;
            continue;
        }
        at += c.len_utf8();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn dates(text: &str, default: Option<i16>) -> Vec<Date> {
        find_dates(text, default).into_iter().map(|m| m.date).collect()
    }

    #[test]
    fn complete_dates_in_every_form() {
        let text = "令和6年1月29日(月)、2024年2月1日、2023 年 9 月 27 日、2023/9/29、R6.1.29、H31.4.30、令和元年5月1日、2019-06-07";
        assert_eq!(
            dates(text, None),
            [
                date(2024, 1, 29),
                date(2024, 2, 1),
                date(2023, 9, 27),
                date(2023, 9, 29),
                date(2024, 1, 29),
                date(2019, 4, 30),
                date(2019, 5, 1),
                date(2019, 6, 7)
            ]
        );
    }

    #[test]
    fn kanji_numeral_dates() {
        assert_eq!(dates("令和六年一月二十九日に確認", None), [date(2024, 1, 29)]);
        assert_eq!(
            dates("令和元年十二月十六日に発見。同年十二月二日に使用", None),
            [date(2019, 12, 16), date(2019, 12, 2)]
        );
        assert_eq!(
            dates("2024年2月15日、2023年10月頃から同年12月にかけて。2月20日に確認", None),
            [date(2024, 2, 15), date(2024, 2, 20)]
        );
    }

    #[test]
    fn partial_dates_take_their_year_from_context() {
        assert_eq!(dates("1月29日(月)に発生。令和6年2月1日に報告", None), [date(2024, 1, 29), date(2024, 2, 1)]);
        assert_eq!(dates("2023年9月12日に確認し、同5月16日以降", None), [date(2023, 9, 12), date(2023, 5, 16)]);
        assert_eq!(dates("5月2日に開封", Some(2019)), [date(2019, 5, 2)]);
        assert!(dates("5月2日に開封", None).is_empty(), "no year, no date");
        // A year-and-month heading sets the year.
        assert_eq!(dates("令和6年4月\n1月31日に掲載", None), [date(2024, 1, 31)]);
    }

    #[test]
    fn relative_dates() {
        assert_eq!(
            dates("2024年1月27日(土)に偵察。翌28日(日)に侵入。同日18時41分に探索。翌日に発覚", None),
            [date(2024, 1, 27), date(2024, 1, 28), date(2024, 1, 28), date(2024, 1, 29)]
        );
        assert_eq!(dates("2024年1月30日、翌2日", None), [date(2024, 1, 30), date(2024, 2, 2)]);
        assert_eq!(dates("2024年8月24日から26日にかけて", None), [date(2024, 8, 24), date(2024, 8, 26)]);
        assert!(dates("同日", None).is_empty());
        assert!(dates("日本時間", None).is_empty());
    }

    #[test]
    fn mention_offsets_cover_the_weekday() {
        let text = "令和6年1月29日(月)に";
        let m = find_dates(text, None);
        assert_eq!(text.get(m[0].start..m[0].end), Some("令和6年1月29日(月)"));
    }

    #[test]
    fn what_is_no_date() {
        assert!(dates("平成15年法律第57号、第2報、10台、2023-384", None).is_empty());
        assert!(dates("令和5年13月1日", None).is_empty());
    }

    #[test]
    fn times_and_ranges() {
        assert_eq!(parse_time("16時24分"), Some(time(16, 24, 0, 0)));
        assert_eq!(parse_time("午前0時"), Some(time(0, 0, 0, 0)));
        assert_eq!(parse_time("13:10"), Some(time(13, 10, 0, 0)));
        assert_eq!(parse_time("８：３０"), Some(time(8, 30, 0, 0)));
        assert_eq!(parse_time("9時半"), Some(time(9, 30, 0, 0)));
        assert_eq!(parse_time_range("午前0時～8時30分"), Some((time(0, 0, 0, 0), time(8, 30, 0, 0))));
        assert_eq!(parse_time_range("13時30分~17時09分"), Some((time(13, 30, 0, 0), time(17, 9, 0, 0))));
        assert_eq!(parse_time("25時"), None);
        let found: Vec<_> = find_times("8時50分 市民より。10時4分 公開").iter().map(|t| t.time).collect();
        assert_eq!(found, [time(8, 50, 0, 0), time(10, 4, 0, 0)]);
    }
}
