//! Holidays against an independent fixture (1980–2099) and RULES.md §7.2; deadline properties.

use jiff::civil::{Date, date};
use proptest::prelude::*;
use todoke_rules::calendar::{self, holidays, is_closed_day};
use todoke_rules::final_report_due;

#[test]
fn holidays_match_the_fixture_for_1980_to_2099() {
    let text = include_str!("../fixtures/holidays-1980-2099.tsv");
    let expected: Vec<Date> =
        text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').next().unwrap().parse().unwrap()).collect();
    let mut ours = Vec::new();
    for year in 1980..=2099 {
        ours.extend(holidays(year).unwrap().into_iter().map(|(d, _)| d));
    }
    // The fixture counts 5/4 of 1982–1985 as 国民の休日, but that day only became one by the amendment
    // of 1985-12-27 (first in effect on 1988-05-04): those four dates are the fixture's error.
    let fixture_errors: Vec<Date> = (1982..=1985).map(|y| date(y, 5, 4)).collect();
    let missing: Vec<_> = expected.iter().filter(|d| !ours.contains(d) && !fixture_errors.contains(d)).collect();
    let extra: Vec<_> = ours.iter().filter(|d| !expected.contains(d)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    assert_eq!(ours.len(), 2080 - fixture_errors.len());
}

/// RULES.md §7.2, verified there against the official lists.
const RULES_TABLE: &str = "
2019: 01-01 01-14 02-11 03-21 04-29 04-30 05-01 05-02 05-03 05-04 05-05 05-06 07-15 08-11 08-12 09-16 09-23 10-14 10-22 11-03 11-04 11-23
2020: 01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 05-06 07-23 07-24 08-10 09-21 09-22 11-03 11-23
2021: 01-01 01-11 02-11 02-23 03-20 04-29 05-03 05-04 05-05 07-22 07-23 08-08 08-09 09-20 09-23 11-03 11-23
2022: 01-01 01-10 02-11 02-23 03-21 04-29 05-03 05-04 05-05 07-18 08-11 09-19 09-23 10-10 11-03 11-23
2023: 01-01 01-02 01-09 02-11 02-23 03-21 04-29 05-03 05-04 05-05 07-17 08-11 09-18 09-23 10-09 11-03 11-23
2024: 01-01 01-08 02-11 02-12 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-15 08-11 08-12 09-16 09-22 09-23 10-14 11-03 11-04 11-23
2025: 01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 05-06 07-21 08-11 09-15 09-23 10-13 11-03 11-23 11-24
2026: 01-01 01-12 02-11 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-20 08-11 09-21 09-22 09-23 10-12 11-03 11-23
2027: 01-01 01-11 02-11 02-23 03-21 03-22 04-29 05-03 05-04 05-05 07-19 08-11 09-20 09-23 10-11 11-03 11-23
";

#[test]
fn holidays_match_the_rules_table_2019_to_2027() {
    let mut count = 0;
    for line in RULES_TABLE.trim().lines() {
        let (year, days) = line.split_once(':').unwrap();
        let year: i16 = year.parse().unwrap();
        let want: Vec<Date> = days.split_whitespace().map(|md| format!("{year}-{md}").parse().unwrap()).collect();
        let got: Vec<Date> = holidays(year).unwrap().into_iter().map(|(d, _)| d).collect();
        assert_eq!(got, want, "{year}");
        count += want.len();
    }
    assert_eq!(count, 165, "RULES.md counts 165 dates");
}

#[test]
fn substitute_and_citizens_holidays_are_named() {
    assert_eq!(calendar::holiday_name(date(2024, 2, 12)).unwrap(), Some("振替休日"));
    assert_eq!(calendar::holiday_name(date(2026, 9, 22)).unwrap(), Some("国民の休日"));
    assert_eq!(calendar::holiday_name(date(2019, 5, 1)).unwrap(), Some("天皇の即位の日"));
    assert_eq!(calendar::holiday_name(date(2024, 2, 13)).unwrap(), None);
}

fn any_known_day() -> impl Strategy<Value = Date> {
    (0i64..(365 * 115)).prop_map(|n| date(1981, 1, 1).checked_add(jiff::Span::new().days(n)).unwrap())
}

proptest! {
    #[test]
    fn a_due_date_is_never_a_closed_day(k in any_known_day(), sixty in any::<bool>()) {
        let n = if sixty { 60 } else { 30 };
        let due = final_report_due(k, n, false).unwrap();
        prop_assert!(!is_closed_day(due).unwrap());
        prop_assert!(due >= calendar::day_n(k, n));
    }

    #[test]
    fn due_dates_never_move_earlier_when_k_moves_later(k in any_known_day(), later in 1i64..40, sixty in any::<bool>()) {
        let n = if sixty { 60 } else { 30 };
        let k2 = k.checked_add(jiff::Span::new().days(later)).unwrap();
        prop_assert!(final_report_due(k2, n, false).unwrap() >= final_report_due(k, n, false).unwrap());
    }
}
