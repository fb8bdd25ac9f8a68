//! The Japanese administrative calendar: national holidays under 祝日法 (国民の祝日, 振替休日,
//! 国民の休日), the closed days of 行政機関の休日に関する法律 (Saturdays, Sundays, holidays and
//! 12/29–1/3), and the JP-DAYS roll of a deadline past them (RULES.md §1.4, §7).
//!
//! Holidays are computed from the law for 1980–2099. 春分/秋分 come from the usual approximation, which
//! matches the official 暦要項 wherever published; a year whose 暦要項 is not yet published (it appears
//! on 1 February of the preceding year) is *provisional*.

use jiff::civil::{Date, Weekday, date};

/// The years the calendar knows.
pub const FIRST_YEAR: i16 = 1980;
/// The last year the calendar knows.
pub const LAST_YEAR: i16 = 2099;

/// A date outside the years the calendar knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no holiday data for {0}: todoke knows Japanese holidays for {FIRST_YEAR}–{LAST_YEAR}")]
pub struct OutOfRange(pub Date);

fn check(d: Date) -> Result<(), OutOfRange> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) { Ok(()) } else { Err(OutOfRange(d)) }
}

/// The n-th Monday (1-based) of a month.
fn nth_monday(year: i16, month: i8, n: i8) -> Date {
    let first = date(year, month, 1);
    let offset = (7 + 1 - first.weekday().to_monday_one_offset()) % 7;
    date(year, month, 1 + offset + 7 * (n - 1))
}

/// 春分日 and 秋分日 by the approximation valid for 1980–2099.
fn equinoxes(year: i16) -> (Date, Date) {
    let y = f64::from(year - 1980);
    let leap = (y / 4.0).floor();
    let spring = (20.8431 + 0.242194 * y - leap).floor() as i8;
    let autumn = (23.2488 + 0.242194 * y - leap).floor() as i8;
    (date(year, 3, spring), date(year, 9, autumn))
}

/// The 国民の祝日 (and the one-off days treated as such) of a year, with their names.
fn national_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let d = |m, day| date(year, m, day);
    let mut h = vec![(d(1, 1), "元日"), (d(2, 11), "建国記念の日"), (d(5, 3), "憲法記念日"), (d(5, 5), "こどもの日")];
    h.push(if year < 2000 { (d(1, 15), "成人の日") } else { (nth_monday(year, 1, 2), "成人の日") });
    match year {
        ..=1988 => h.push((d(4, 29), "天皇誕生日")),
        1989..=2018 => h.push((d(12, 23), "天皇誕生日")),
        2019 => {}
        _ => h.push((d(2, 23), "天皇誕生日")),
    }
    let (spring, autumn) = equinoxes(year);
    h.push((spring, "春分の日"));
    h.push((autumn, "秋分の日"));
    match year {
        1989..=2006 => h.push((d(4, 29), "みどりの日")),
        2007.. => {
            h.push((d(4, 29), "昭和の日"));
            h.push((d(5, 4), "みどりの日"));
        }
        _ => {}
    }
    match year {
        1996..=2002 => h.push((d(7, 20), "海の日")),
        2020 => h.push((d(7, 23), "海の日")),
        2021 => h.push((d(7, 22), "海の日")),
        2003.. => h.push((date(year, 7, 1).nth_weekday_of_month(3, Weekday::Monday).unwrap_or(d(7, 20)), "海の日")),
        _ => {}
    }
    match year {
        2020 => h.push((d(8, 10), "山の日")),
        2021 => h.push((d(8, 8), "山の日")),
        2016.. => h.push((d(8, 11), "山の日")),
        _ => {}
    }
    h.push(if year < 2003 {
        (d(9, 15), "敬老の日")
    } else {
        (date(year, 9, 1).nth_weekday_of_month(3, Weekday::Monday).unwrap_or(d(9, 15)), "敬老の日")
    });
    match year {
        ..=1999 => h.push((d(10, 10), "体育の日")),
        2000..=2019 => h.push((nth_monday(year, 10, 2), "体育の日")),
        2020 => h.push((d(7, 24), "スポーツの日")),
        2021 => h.push((d(7, 23), "スポーツの日")),
        _ => h.push((nth_monday(year, 10, 2), "スポーツの日")),
    }
    h.push((d(11, 3), "文化の日"));
    h.push((d(11, 23), "勤労感謝の日"));
    // One-off holidays by special laws.
    h.extend(match year {
        1989 => vec![(d(2, 24), "昭和天皇の大喪の礼")],
        1990 => vec![(d(11, 12), "即位礼正殿の儀")],
        1993 => vec![(d(6, 9), "皇太子徳仁親王の結婚の儀")],
        2019 => vec![(d(5, 1), "天皇の即位の日"), (d(10, 22), "即位礼正殿の儀")],
        _ => vec![],
    });
    h.sort();
    h
}

/// Every 休日 of a year under 祝日法 Art. 3: the 国民の祝日, 振替休日 and 国民の休日, in date order.
pub fn holidays(year: i16) -> Result<Vec<(Date, &'static str)>, OutOfRange> {
    check(date(year, 1, 1))?;
    Ok(table().get(usize::try_from(year - FIRST_YEAR).unwrap_or(0)).cloned().unwrap_or_default())
}

/// The holidays of every known year, computed once: deadlines are computed by the hundred thousand.
fn table() -> &'static Vec<Vec<(Date, &'static str)>> {
    static TABLE: std::sync::OnceLock<Vec<Vec<(Date, &'static str)>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (FIRST_YEAR..=LAST_YEAR).map(compute_holidays).collect())
}

fn compute_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let national = national_holidays(year);
    let is_national = |d: Date| national.iter().any(|(h, _)| *h == d);
    let mut all = national.clone();
    for (day, _) in &national {
        if day.weekday() != Weekday::Sunday {
            continue;
        }
        // Art. 3(2): from 2007 the nearest following day that is no 国民の祝日; before, the Monday.
        let mut sub = day.tomorrow().unwrap_or(*day);
        if year >= 2007 {
            while is_national(sub) {
                sub = sub.tomorrow().unwrap_or(sub);
            }
        }
        if !is_national(sub) && sub.year() == year {
            all.push((sub, "振替休日"));
        }
    }
    // Art. 3(3) (from 1986): a day between two 国民の祝日 that is none itself.
    if year >= 1986 {
        for (day, _) in &national {
            let (Ok(next), Ok(after)) = (day.tomorrow(), day.checked_add(jiff::Span::new().days(2))) else { continue };
            let taken = all.iter().any(|(d, _)| *d == next);
            if is_national(after) && !taken && next.weekday() != Weekday::Sunday {
                all.push((next, "国民の休日"));
            }
        }
    }
    all.sort();
    all.dedup_by_key(|(d, _)| *d);
    all
}

/// The holiday's name, if `day` is a 休日 under 祝日法.
pub fn holiday_name(day: Date) -> Result<Option<&'static str>, OutOfRange> {
    check(day)?;
    let year = table().get(usize::try_from(day.year() - FIRST_YEAR).unwrap_or(0));
    Ok(year.and_then(|h| h.binary_search_by_key(&day, |(d, _)| *d).ok().and_then(|i| h.get(i))).map(|(_, name)| *name))
}

/// Whether `day` is a 行政機関の休日: Saturday, Sunday, a 休日 under 祝日法, or 12/29–1/3.
pub fn is_closed_day(day: Date) -> Result<bool, OutOfRange> {
    if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        return Ok(true);
    }
    let (m, d) = (day.month(), day.day());
    if (m == 12 && d >= 29) || (m == 1 && d <= 3) {
        return Ok(true);
    }
    Ok(holiday_name(day)?.is_some())
}

/// JP-DAYS: the first day on or after `day` that is not a 行政機関の休日.
pub fn roll_forward(day: Date) -> Result<Date, OutOfRange> {
    let mut d = day;
    while is_closed_day(d)? {
        d = d.tomorrow().map_err(|_| OutOfRange(d))?;
    }
    Ok(d)
}

/// Day `n` counting `known` as day 1.
pub fn day_n(known: Date, n: i32) -> Date {
    known.checked_add(jiff::Span::new().days(i64::from(n - 1))).unwrap_or(known)
}

/// Whether the holidays of `year` are still provisional on `today`: the 暦要項 that fixes 春分/秋分
/// is published on 1 February of the preceding year.
pub fn is_provisional(year: i16, today: Date) -> bool {
    today < date(year - 1, 2, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roll_skips_weekends_holidays_and_the_new_year_closure() {
        assert_eq!(roll_forward(date(2023, 9, 2)).unwrap(), date(2023, 9, 4), "Sat → Mon");
        assert_eq!(roll_forward(date(2024, 3, 31)).unwrap(), date(2024, 4, 1), "Sun → Mon");
        assert_eq!(roll_forward(date(2024, 12, 28)).unwrap(), date(2025, 1, 6), "Sat + 12/29–1/3 + weekend");
        assert_eq!(roll_forward(date(2019, 4, 27)).unwrap(), date(2019, 5, 7), "the 2019 ten-day holiday");
        assert_eq!(roll_forward(date(2024, 3, 28)).unwrap(), date(2024, 3, 28), "an open day stays");
    }

    #[test]
    fn day_n_counts_the_known_day_as_day_one() {
        assert_eq!(day_n(date(2024, 1, 29), 60), date(2024, 3, 28));
        assert_eq!(day_n(date(2024, 4, 30), 30), date(2024, 5, 29));
    }

    #[test]
    fn years_outside_the_table_are_refused() {
        assert_eq!(is_closed_day(date(1979, 12, 31)), Ok(true), "the new-year closure needs no holiday table");
        assert!(holiday_name(date(2100, 1, 1)).is_err());
        assert!(roll_forward(date(2100, 1, 4)).is_err());
    }

    #[test]
    fn provisional_years() {
        assert!(!is_provisional(2027, date(2026, 11, 23)));
        assert!(is_provisional(2028, date(2026, 11, 23)));
    }
}
