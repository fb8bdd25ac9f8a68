//! Complete calendar dates in the forms Japanese records use: ISO (`1970-03-01`), slashes
//! (`1970/3/1`), eight digits (`19700301`), kanji (`1970年3月1日`) and the Japanese calendar in every
//! common spelling (`昭和45年3月1日`, `S45.3.1`, `S45/03/01`, `昭45.3.1`, `令和元年5月1日`), full-width
//! digits included.

use jiff::civil::{Date, date};
use unicode_normalization::UnicodeNormalization;

/// An era of the Japanese calendar (元号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 明治.
    Meiji,
    /// 大正.
    Taisho,
    /// 昭和.
    Showa,
    /// 平成.
    Heisei,
    /// 令和.
    Reiwa,
}

impl Era {
    /// Every era, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// The first day of the era.
    pub fn first_day(self) -> Date {
        match self {
            Era::Meiji => date(1868, 1, 25),
            Era::Taisho => date(1912, 7, 30),
            Era::Showa => date(1926, 12, 25),
            Era::Heisei => date(1989, 1, 8),
            Era::Reiwa => date(2019, 5, 1),
        }
    }

    /// The last day of the era, or `None` for the current one.
    pub fn last_day(self) -> Option<Date> {
        let next = Self::ALL.iter().skip_while(|e| **e != self).nth(1)?;
        next.first_day().yesterday().ok()
    }

    /// The era's name in kanji.
    pub fn kanji(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The era's letter (M, T, S, H, R).
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The era in effect on `day`, if any.
    pub fn of(day: Date) -> Option<Era> {
        Self::ALL.iter().rev().copied().find(|e| e.first_day() <= day)
    }

    /// The Gregorian year of the era's year `n` (1 = 元年).
    pub fn gregorian_year(self, n: i16) -> i16 {
        self.first_day().year() + n - 1
    }

    /// Reads an era at the start of `text` (kanji name, one kanji, or letter); returns it and the rest.
    pub(crate) fn strip_prefix(text: &str) -> Option<(Era, &str)> {
        for era in Self::ALL {
            let name = era.kanji();
            let one_kanji = &name[..name.char_indices().nth(1).map_or(name.len(), |(i, _)| i)];
            for prefix in [name, one_kanji] {
                if let Some(rest) = text.strip_prefix(prefix) {
                    return Some((era, rest));
                }
            }
            let mut chars = text.chars();
            if chars.next().is_some_and(|c| c.to_ascii_uppercase() == era.letter()) {
                return Some((era, chars.as_str()));
            }
        }
        None
    }
}

/// Writes a date in the Japanese calendar the way official documents do: `令和6年1月29日`,
/// `令和元年5月1日` for the first year of an era. `None` before 明治.
///
/// ```
/// use jiff::civil::date;
/// assert_eq!(todoke_ja::format_wareki(date(2019, 5, 1)).as_deref(), Some("令和元年5月1日"));
/// assert_eq!(todoke_ja::format_wareki(date(2024, 1, 29)).as_deref(), Some("令和6年1月29日"));
/// ```
pub fn format_wareki(day: Date) -> Option<String> {
    let era = Era::of(day)?;
    let n = day.year() - era.first_day().year() + 1;
    let year = if n == 1 { "元".to_string() } else { n.to_string() };
    Some(format!("{}{year}年{}月{}日", era.kanji(), day.month(), day.day()))
}

/// The Japanese fiscal year (年度) `year` runs from April 1 of that year to March 31 of the next.
pub fn fiscal_year_range(year: i16) -> Option<(Date, Date)> {
    Some((Date::new(year, 4, 1).ok()?, Date::new(year.checked_add(1)?, 3, 31).ok()?))
}

/// Parses a fiscal year written as `令和5年度`, `R5年度`, `2023年度` or `平成元年度`: the first and last
/// day of that 年度. Only text that says 年度 is a fiscal year.
///
/// ```
/// use jiff::civil::date;
/// assert_eq!(todoke_ja::parse_fiscal_year("令和5年度"), Some((date(2023, 4, 1), date(2024, 3, 31))));
/// ```
pub fn parse_fiscal_year(text: &str) -> Option<(Date, Date)> {
    let text: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let body = text.strip_suffix("年度")?;
    let year = if let Some((era, rest)) = Era::strip_prefix(body) {
        let n = if rest == "元" { 1 } else { rest.parse::<i16>().ok().filter(|n| (1..=99).contains(n))? };
        era.gregorian_year(n)
    } else {
        body.parse::<i16>().ok().filter(|y| (1000..=9999).contains(y))?
    };
    fiscal_year_range(year)
}

/// Parses a complete date in any common form; `None` when the text is no date, or names a day that
/// does not exist (`2023-02-29`) or lies outside its era (`平成31年5月1日`, `R1.4.30`).
pub fn parse_date(text: &str) -> Option<Date> {
    let text: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    if let Some((era, rest)) = Era::strip_prefix(&text) {
        let [year, month, day] = three_numbers(rest, true)?;
        let day =
            Date::new(era.gregorian_year(i16::try_from(year).ok()?), month.try_into().ok()?, day.try_into().ok()?)
                .ok()?;
        let in_era = era.first_day() <= day && era.last_day().is_none_or(|last| day <= last);
        return in_era.then_some(day);
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<i32>().ok());
        return Date::new(n(0..4)?.try_into().ok()?, n(4..6)?.try_into().ok()?, n(6..8)?.try_into().ok()?).ok();
    }
    let [year, month, day] = three_numbers(&text, false)?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    Date::new(year.try_into().ok()?, month.try_into().ok()?, day.try_into().ok()?).ok()
}

/// Reads `Y<sep>M<sep>D[日]`, where the separators are `年 月`, `.`, `/` or `-` (one kind, or 年/月).
fn three_numbers(text: &str, era_year: bool) -> Option<[i32; 3]> {
    let (year, rest) =
        if era_year && text.starts_with('元') { (1, text.get('元'.len_utf8()..)?) } else { number(text)? };
    let (sep, rest) = separator(rest)?;
    let (month, rest) = number(rest)?;
    let (sep2, rest) = separator(rest)?;
    let (day, rest) = number(rest)?;
    let kanji = sep == '年' && sep2 == '月';
    let same = sep == sep2 && matches!(sep, '.' | '/' | '-');
    let tail_ok = if kanji { rest.is_empty() || rest == "日" } else { rest.is_empty() };
    (tail_ok && (kanji || same)).then_some([year, month, day])
}

fn number(text: &str) -> Option<(i32, &str)> {
    let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    if end == 0 || end > 4 {
        return None;
    }
    Some((text.get(..end)?.parse().ok()?, text.get(end..)?))
}

fn separator(text: &str) -> Option<(char, &str)> {
    let c = text.chars().next()?;
    matches!(c, '年' | '月' | '.' | '/' | '-').then(|| (c, &text[c.len_utf8()..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn wareki_and_iso_round_trip(days in 0i32..(2100 - 1868) * 366) {
            let Ok(day) = date(1868, 1, 25).checked_add(jiff::Span::new().days(days)) else { return Ok(()) };
            let text = format_wareki(day).unwrap();
            prop_assert_eq!(parse_date(&text), Some(day), "{}", text);
            let iso = day.to_string();
            prop_assert_eq!(parse_date(&iso), Some(day));
        }
    }

    #[test]
    fn fiscal_years() {
        assert_eq!(parse_fiscal_year("平成29年度"), Some((date(2017, 4, 1), date(2018, 3, 31))));
        assert_eq!(parse_fiscal_year("令和元年度"), Some((date(2019, 4, 1), date(2020, 3, 31))));
        assert_eq!(parse_fiscal_year("２０２３年度"), Some((date(2023, 4, 1), date(2024, 3, 31))));
        assert_eq!(parse_fiscal_year("R5年度"), Some((date(2023, 4, 1), date(2024, 3, 31))));
        assert_eq!(parse_fiscal_year("令和5年"), None);
    }

    #[test]
    fn every_common_form_of_one_day() {
        let want = date(1970, 3, 1);
        for text in [
            "1970-03-01",
            "1970/3/1",
            "1970.3.1",
            "19700301",
            "1970年3月1日",
            "昭和45年3月1日",
            "昭和４５年３月１日",
            "S45.3.1",
            "s45.3.1",
            "S45/03/01",
            "昭45.3.1",
            "Ｓ４５．３．１",
            " 1970 / 3 / 1 ",
        ] {
            assert_eq!(parse_date(text), Some(want), "{text}");
        }
    }

    #[test]
    fn era_boundaries_and_first_years() {
        assert_eq!(parse_date("H31.4.30"), Some(date(2019, 4, 30)));
        assert_eq!(parse_date("R1.5.1"), Some(date(2019, 5, 1)));
        assert_eq!(parse_date("令和元年5月1日"), Some(date(2019, 5, 1)));
        assert_eq!(parse_date("平成元年1月8日"), Some(date(1989, 1, 8)));
        assert_eq!(parse_date("昭和64年1月7日"), Some(date(1989, 1, 7)));
        assert_eq!(parse_date("大正15年12月24日"), Some(date(1926, 12, 24)));
        assert_eq!(parse_date("明治45年7月29日"), Some(date(1912, 7, 29)));
        assert_eq!(parse_date("令和6年1月29日"), Some(date(2024, 1, 29)));
        // Days outside their era do not exist.
        assert_eq!(parse_date("平成31年5月1日"), None);
        assert_eq!(parse_date("R1.4.30"), None);
        assert_eq!(parse_date("昭和64年1月8日"), None);
    }

    #[test]
    fn what_is_no_date() {
        for text in ["", "不明", "2023-02-29", "1970/3", "1970-3/1", "19701301", "70/3/1", "S45.3.1日", "昭和"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn eras_know_their_days() {
        assert_eq!(Era::of(date(2019, 4, 30)), Some(Era::Heisei));
        assert_eq!(Era::of(date(2019, 5, 1)), Some(Era::Reiwa));
        assert_eq!(Era::Heisei.last_day(), Some(date(2019, 4, 30)));
        assert_eq!(Era::Reiwa.last_day(), None);
        assert_eq!(Era::Showa.gregorian_year(45), 1970);
    }
}
