//! Dates and times in running text, as notices write them: complete dates in every common form
//! (`令和6年1月29日(月)`, `2024年1月29日`, `2023 年 9 月 27 日`, `2023/9/29`, `R6.1.29`), partial dates
//! whose year comes from context (`1月29日(月)`, `同5月16日`), and the relative forms `同日`, `翌日`,
//! `前日` and `翌28日`, which refer to the date mentioned last. Times: `16時24分`, `午前0時`, `13:10`,
//! ranges `午前0時～8時30分`.
//!
//! The year of a partial date is the year of the last complete date (or year and month) before it;
//! before any, the first year written anywhere later in the text; before that, the caller's default.
//! With none of them a partial date is not reported: a date is never guessed. A month and day
//! that would lie most of a year from the date mentioned last, while the same day a year earlier
//! or later lies close to it, is across the year end (`令和7年1月10日` … `12月28日に発覚` is
//! 2024-12-28). A fiscal year (`令和5年度`, `2023年度`) is never a date; before any year, it dates
//! April–December in its year and January–March in the next. Times may be written in kanji
//! numerals (`午後三時`, `十六時二十四分`, `正午`, `午前零時`).

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
    YearMonth(i16, u64, usize),
    /// A fiscal year (`令和5年度`, `2023年度`): context only, April to March.
    FiscalYear(i16, usize),
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
            if let Some(r) = text.get(p + sep.len_utf8()..).and_then(|r| r.strip_prefix('度')) {
                return Some(Hit::FiscalYear(year, text.len() - r.len()));
            }
            let q = skip_spaces(text, p + sep.len_utf8());
            if let Some((m, q2, _)) = num_then(text, q, &['月']) {
                let q2s = skip_spaces(text, q2);
                if let Some((d, end, _)) = num_then(text, q2s, &['日']) {
                    return make(year, m, d).map(|date| Hit::Date(date, end));
                }
                return (1..=12).contains(&m).then_some(Hit::YearMonth(year, m, q2));
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
                if let Some(r) = text.get(p + sep.len_utf8()..).and_then(|r| r.strip_prefix('度')) {
                    return Some(Hit::FiscalYear(year, text.len() - r.len()));
                }
                let q = skip_spaces(text, p + sep.len_utf8());
                let (m, q2, _) = num_then(text, q, &['月'])?;
                let q2s = skip_spaces(text, q2);
                if let Some((d, end, _)) = num_then(text, q2s, &['日']) {
                    return make(year, m, d).map(|date| Hit::Date(date, end));
                }
                return (1..=12).contains(&m).then_some(Hit::YearMonth(year, m, q2));
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

/// The first year written in the text (a complete date, or a year and month taken as its first
/// day), for partial dates that come before any.
fn first_anchor(text: &str) -> Option<Date> {
    let mut at = 0;
    while at < text.len() {
        match read_at(text, at) {
            Some(Hit::Date(d, _)) => return Some(d),
            Some(Hit::YearMonth(y, m, _)) => return make(y, m, 1),
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
    // A fiscal year (令和5年度) before any year: January to March belong to the next year.
    let mut fiscal: Option<i16> = None;
    let mut last: Option<Date> = None;
    let mut lookahead: Option<Option<Date>> = None;
    let mut at = 0;
    while at < text.len() {
        let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else { break };
        let hit = read_at(text, at);
        let dated = |found: &[DateMention]| found.iter().any(|m| m.form == DateForm::Complete);
        let (mention, next) = match hit {
            Some(Hit::Date(date, end)) => {
                year = Some(date.year());
                fiscal = None;
                (Some((date, DateForm::Complete)), end)
            }
            Some(Hit::YearMonth(y, _, end)) => {
                // A year and month sets the year only before any complete date: `2023年10月頃から
                // 同年12月にかけて…を2月20日に確認` is told in a text already dated.
                if !dated(&found) {
                    year = Some(y);
                    fiscal = None;
                }
                (None, end)
            }
            Some(Hit::FiscalYear(y, end)) => {
                if !dated(&found) && year.is_none() {
                    fiscal = Some(y);
                }
                (None, end)
            }
            Some(Hit::MonthDay(m, d, end)) => {
                let date = if let Some(fy) = fiscal {
                    make(if m <= 3 { fy.saturating_add(1) } else { fy }, m, d)
                } else {
                    let (y, anchor) = match year {
                        Some(y) => (Some(y), last),
                        None => {
                            match *lookahead.get_or_insert_with(|| first_anchor(text.get(at..).unwrap_or_default())) {
                                Some(a) => (Some(a.year()), Some(a)),
                                None => (default_year, None),
                            }
                        }
                    };
                    y.and_then(|y| make(y, m, d)).map(|date| anchor.map_or(date, |a| across_year_end(date, a)))
                };
                (date.map(|date| (date, DateForm::MonthDay)), end)
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

/// A month and day read in the year of the context, but nearly a year away from `anchor` (the date
/// mentioned last) while the same day of the year before or after lies close to it, is across the
/// year end: a notice dated 令和7年1月10日 that says `12月28日に発覚` means the December before, and
/// a timeline at `12月27日` that goes on with `1月6日` the January after.
fn across_year_end(date: Date, anchor: Date) -> Date {
    let days = |other: Date| anchor.until(other).map_or(0, |s| s.get_days());
    if days(date).abs() <= 200 {
        return date;
    }
    [-1i16, 1]
        .into_iter()
        .filter_map(|n| Date::new(date.year().checked_add(n)?, date.month(), date.day()).ok())
        .find(|other| days(*other).abs() <= 90)
        .unwrap_or(date)
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

/// An hour or minute: one or two ASCII digits, or kanji numerals up to 59 (`十六`, `二十四`, `零`).
fn clock_number(text: &str) -> Option<(i8, usize)> {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        return (digits <= 2).then(|| Some((text.get(..digits)?.parse().ok()?, digits))).flatten();
    }
    let len: usize = text.chars().take_while(|c| "〇零一二三四五六七八九十".contains(*c)).map(char::len_utf8).sum();
    let (n, read) = read_number(text.get(..len)?)?;
    (read == len && n < 60).then_some((i8::try_from(n).ok()?, len))
}

/// Reads a time at `at`: `16時24分`, `8時`, `午前0時`, `午後3時30分`, `13:10`, `8：30`, and in kanji
/// numerals `午後三時`, `十六時二十四分`, `午前零時`, `正午`. `2時間` is a length of time, not a time.
fn time_at(text: &str, at: usize) -> Option<(Time, usize)> {
    let rest = text.get(at..)?;
    if !rest.starts_with(|c: char| c.is_ascii_digit() || "午正〇零一二三四五六七八九十".contains(c)) {
        return None;
    }
    if let Some(r) = rest.strip_prefix("正午") {
        return Some((Time::new(12, 0, 0, 0).ok()?, at + (rest.len() - r.len())));
    }
    let (pm, p) = if let Some(r) = rest.strip_prefix("午前") {
        (Some(false), at + (rest.len() - r.len()))
    } else if let Some(r) = rest.strip_prefix("午後") {
        (Some(true), at + (rest.len() - r.len()))
    } else {
        (None, at)
    };
    let r = text.get(p..)?;
    let (h, hlen) = clock_number(r)?;
    let kanji = !r.starts_with(|c: char| c.is_ascii_digit());
    let after = r.get(hlen..)?;
    let (minute, end) = if let Some(m) = after.strip_prefix('時') {
        if m.starts_with('間') {
            return None;
        }
        let q = p + hlen + '時'.len_utf8();
        match clock_number(m) {
            Some((min, mlen)) if m.get(mlen..).is_some_and(|t| t.starts_with('分')) => {
                (min, q + mlen + '分'.len_utf8())
            }
            _ if m.starts_with('半') => (30, q + '半'.len_utf8()),
            // 一時的, 一時停止: a lone kanji hour is a time only after 午前/午後 or with 十 (十六時).
            _ if kanji && pm.is_none() && !r.get(..hlen)?.contains('十') => return None,
            _ => (0, q),
        }
    } else if let Some(m) = after.strip_prefix([':', '：']) {
        let mlen = m.chars().take_while(char::is_ascii_digit).count();
        if mlen != 2 || kanji {
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
        if !prev.is_some_and(|p| p.is_ascii_digit() || "〇零一二三四五六七八九十第".contains(p))
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
    fn partial_dates_across_the_year_end() {
        // A notice dated in January speaks of the December before.
        assert_eq!(
            dates("令和7年1月10日\n12月28日に発覚しました。同日、警察に届け出ました。翌日に調査を開始。", None),
            [date(2025, 1, 10), date(2024, 12, 28), date(2024, 12, 28), date(2024, 12, 29)]
        );
        assert_eq!(
            dates("令和7年1月10日\n12月30日に紛失し、翌2日に発覚。1月5日に報告", None),
            [date(2025, 1, 10), date(2024, 12, 30), date(2025, 1, 2), date(2025, 1, 5)]
        );
        assert_eq!(
            dates("12月31日に発覚し、翌日に報告。令和7年1月10日公表", None),
            [date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 10)]
        );
        // A timeline that runs into January.
        assert_eq!(
            dates("2024年12月27日 発覚\n12月28日 警察へ相談\n1月6日 公表", None),
            [date(2024, 12, 27), date(2024, 12, 28), date(2025, 1, 6)]
        );
        // Months apart in one year stay in that year.
        assert_eq!(dates("2024年9月30日公表。3月15日に発生", None), [date(2024, 9, 30), date(2024, 3, 15)]);
        assert_eq!(dates("2023年9月12日に確認し、同5月16日以降", None), [date(2023, 9, 12), date(2023, 5, 16)]);
    }

    #[test]
    fn fiscal_years_are_no_dates() {
        assert!(dates("令和5年度の検診受診者、2023年度、R5年度、平成元年度", None).is_empty());
        // A fiscal year before any date: January to March are in the next calendar year.
        assert_eq!(
            dates("令和5年度乳がん検診\n5月10日から2月28日まで実施", None),
            [date(2023, 5, 10), date(2024, 2, 28)]
        );
        // After a complete date the fiscal year is only what the text is about.
        assert_eq!(
            dates("令和6年2月1日\n2023年度の受診者について、1月29日に発覚", None),
            [date(2024, 2, 1), date(2024, 1, 29)]
        );
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
        assert_eq!(parse_time("2時間"), None);
    }

    #[test]
    fn kanji_numeral_times() {
        assert_eq!(parse_time("午後三時"), Some(time(15, 0, 0, 0)));
        assert_eq!(parse_time("十六時二十四分"), Some(time(16, 24, 0, 0)));
        assert_eq!(parse_time("正午"), Some(time(12, 0, 0, 0)));
        assert_eq!(parse_time("午前零時"), Some(time(0, 0, 0, 0)));
        assert_eq!(parse_time("午前〇時三十分"), Some(time(0, 30, 0, 0)));
        assert_eq!(parse_time("午後零時"), Some(time(12, 0, 0, 0)));
        assert_eq!(parse_time("一時三十分"), Some(time(1, 30, 0, 0)));
        assert_eq!(parse_time("二十三時五十九分"), Some(time(23, 59, 0, 0)));
        assert_eq!(parse_time_range("午前零時～午前八時三十分"), Some((time(0, 0, 0, 0), time(8, 30, 0, 0))));
        assert_eq!(parse_time("二十五時"), None);
        assert_eq!(parse_time("三時間"), None);
        // 一時 is "for a while", not one o'clock.
        let found: Vec<_> = find_times("一時的に停止し、一時保管した。十時十五分に再開、正午に復旧。第三時限")
            .iter()
            .map(|t| t.time)
            .collect();
        assert_eq!(found, [time(10, 15, 0, 0), time(12, 0, 0, 0)]);
        let found: Vec<_> = find_times("8時50分 市民より。10時4分 公開").iter().map(|t| t.time).collect();
        assert_eq!(found, [time(8, 50, 0, 0), time(10, 4, 0, 0)]);
    }
}
