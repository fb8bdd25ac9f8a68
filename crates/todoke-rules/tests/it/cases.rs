//! The worked cases of RULES.md §10 and the boundaries of §10 case 18.

use crate::{cats, due, entry, run, run_with};
use todoke_rules::ObligationKind::*;
use todoke_rules::{Options, Status};

fn one_party(head: &str, party: &str) -> String {
    format!("title = \"t\"\nevent = \"leak\"\n{head}\n\n[[parties]]\n{party}\n")
}

#[test]
fn case_1_foundation_ransomware() {
    let a = run(&one_party(
        r#"cause = "ransomware"
suspected = true
data_items = ["X線画像", "超音波画像", "問診", "今回の所見と判定", "氏名", "生年月日", "性別", "検査日", "ID"]"#,
        r#"name = "財団"
type = "business"
role = "handler"
known_on = 2024-01-29"#,
    ));
    let p = entry(&a, "財団", "jp-appi-business");
    assert!(p.reportable);
    assert_eq!(cats(p), ["sensitive", "malicious"]);
    let pre = p.obligations.iter().find(|o| o.kind == PreliminaryReport).unwrap();
    let w = pre.window.unwrap();
    assert_eq!((w.from.to_string(), w.to.to_string()), ("2024-01-31".into(), "2024-02-02".into()));
    assert_eq!(due(p, FinalReport).as_deref(), Some("2024-03-28"));
    assert_eq!(due(p, NotifyIndividuals), None);
    assert!(p.explanation.iter().any(|e| e.contains("本人の数が不明")), "{:?}", p.explanation);
    assert!(p.explanation.iter().any(|e| e.contains("要配慮個人情報：データ項目")), "derived and said so");
}

#[test]
fn case_2_city_cache_121_people() {
    let text = one_party(
        r#"cause = "web_misconfiguration"
data_items = ["氏名", "住所", "電話番号", "年齢"]
persons = 121"#,
        r#"name = "春日部市"
type = "public_body"
role = "handler"
known_on = 2024-04-30"#,
    );
    let a = run(&text);
    let p = entry(&a, "春日部市", "jp-appi-public");
    assert!(p.reportable);
    assert_eq!(cats(p), ["count_over_threshold"]);
    let w = p.obligations.iter().find(|o| o.kind == PreliminaryReport).unwrap().window.unwrap();
    assert_eq!((w.from.to_string(), w.to.to_string()), ("2024-05-02".into(), "2024-05-04".into()));
    assert_eq!(due(p, FinalReport).as_deref(), Some("2024-05-29"));
    let fin = p.obligations.iter().find(|o| o.kind == FinalReport).unwrap();
    assert!(fin.assumptions.iter().any(|a| a.contains("第44条")), "the public holiday rule is an assumption");
    assert_eq!(fin.basis, "規則第44条");

    // The same facts at a business: not reportable.
    let a = run(&text.replace("type = \"public_body\"", "type = \"business\""));
    let p = entry(&a, "春日部市", "jp-appi-business");
    assert!(!p.reportable);
    assert!(p.obligations.is_empty());
}

#[test]
fn case_3_public_hospital_usb_under_business_rules() {
    let text = format!(
        "{}\n[[parties]]\nname = \"医療事務受託業者\"\ntype = \"business\"\nrole = \"consignee\"\nknown_on = 2023-08-04\n",
        one_party(
            r#"cause = "loss"
data_items = ["氏名", "性別", "生年月日", "傷病名", "保険者番号"]
persons = 2013"#,
            r#"name = "病院"
type = "public_hospital"
role = "consignor"
known_on = 2023-08-04"#,
        )
    );
    let a = run(&text);
    let p = entry(&a, "病院", "jp-appi-business");
    assert_eq!(cats(p), ["sensitive", "count_over_threshold"]);
    assert_eq!(due(p, FinalReport).as_deref(), Some("2023-09-04"), "day 30 is a Saturday");
    let fin = p.obligations.iter().find(|o| o.kind == FinalReport).unwrap();
    assert!(
        fin.assumptions.iter().any(|a| a.contains("2023-09-03")),
        "the literal reading is given: {:?}",
        fin.assumptions
    );

    // The contractor has not notified the hospital: it must, and still reports until it does.
    let c = entry(&a, "医療事務受託業者", "jp-appi-business");
    let notify = c.obligations.iter().find(|o| o.kind == NotifyConsignor).unwrap();
    assert_eq!(notify.window.unwrap().to.to_string(), "2023-08-08");
    assert!(c.obligations.iter().find(|o| o.kind == FinalReport).unwrap().relieved_by.is_none());

    // Once it notified (Rules Art. 9), it is relieved — and still lists the obligations.
    let notified = text.replace(
        "role = \"consignee\"\nknown_on = 2023-08-04",
        "role = \"consignee\"\nknown_on = 2023-08-04\nnotified_consignor_on = 2023-08-07",
    );
    let a = run(&notified);
    let c = entry(&a, "医療事務受託業者", "jp-appi-business");
    assert!(c.obligations.iter().all(|o| o.kind != NotifyConsignor));
    for kind in [PreliminaryReport, FinalReport, NotifyIndividuals] {
        let o = c.obligations.iter().find(|o| o.kind == kind).unwrap();
        assert!(o.relieved_by.as_deref().unwrap().contains("2023-08-07"), "{kind:?}");
    }
    // Variant K = 2023-08-08.
    let a = run(&text.replace("known_on = 2023-08-04\n", "known_on = 2023-08-08\n"));
    assert_eq!(due(entry(&a, "病院", "jp-appi-business"), FinalReport).as_deref(), Some("2023-09-06"));
}

#[test]
fn case_4_cc_bug_679_is_not_reportable() {
    let text = one_party(
        r#"cause = "bug"
data_items = ["メールアドレス"]
persons = 679"#,
        r#"name = "Hajimari"
type = "business"
role = "handler"
known_on = 2023-09-01"#,
    );
    let p = entry(&run(&text), "Hajimari", "jp-appi-business").clone();
    assert!(!p.reportable && !p.voluntary);
    assert!(p.categories.is_empty() && p.obligations.is_empty());
    assert!(
        p.explanation.iter().any(|e| e.contains("報告対象事態に当たらない")),
        "the verdict is kept with its reasons"
    );
    // Variant 4b: 1,317 people.
    let p = entry(&run(&text.replace("persons = 679", "persons = 1317")), "Hajimari", "jp-appi-business").clone();
    assert_eq!(cats(&p), ["count_over_threshold"]);
    assert_eq!(due(&p, FinalReport).as_deref(), Some("2023-10-02"));
}

#[test]
fn case_5_emotet_2019_is_voluntary_without_alarms() {
    let text = one_party(
        r#"cause = "malware"
data_items = ["メールアドレス", "患者情報等が記載されたメール"]"#,
        r#"name = "公社"
type = "business"
role = "handler"
known_on = 2019-05-20"#,
    );
    let a = run_with(&text, Options { as_of: Some(jiff::civil::date(2026, 11, 23)), ..Options::default() });
    let p = entry(&a, "公社", "jp-voluntary-2017");
    assert!(p.voluntary && !p.reportable);
    assert_eq!(cats(p), ["sensitive", "malicious"], "today's categories are shown as a counterfactual");
    assert!(p.obligations.iter().all(|o| o.due.is_none() && o.status.is_none()), "no deadlines, no overdue alarms");
    // Counterfactual under today's law.
    assert_eq!(
        todoke_rules::final_report_due(jiff::civil::date(2019, 5, 20), 60, false).unwrap().to_string(),
        "2019-07-18"
    );
}

#[test]
fn case_7_unauthorized_access_1249_students() {
    let a = run(&one_party(
        r#"cause = "unauthorized_access"
data_items = ["氏名", "ID", "一部受講情報"]
persons = 1249"#,
        r#"name = "ECC"
type = "business"
role = "handler"
known_on = 2023-09-12"#,
    ));
    let p = entry(&a, "ECC", "jp-appi-business");
    assert_eq!(cats(p), ["malicious", "count_over_threshold"]);
    assert_eq!(due(p, FinalReport).as_deref(), Some("2023-11-10"));
}

#[test]
fn case_8_city_as_consignor_flags_the_open_point() {
    let text = format!(
        "{}\n[[parties]]\nname = \"財団\"\ntype = \"business\"\nrole = \"handler\"\nknown_on = 2024-01-29\n",
        one_party(
            r#"cause = "ransomware"
data_items = ["乳部X線画像", "今回の所見と判定"]
persons = 18950"#,
            r#"name = "春日部市"
type = "public_body"
role = "consignor"
known_on = 2024-02-01"#,
        )
    );
    let a = run(&text);
    let p = entry(&a, "春日部市", "jp-appi-public");
    assert_eq!(cats(p), ["sensitive", "malicious", "count_over_threshold"]);
    assert_eq!(due(p, FinalReport).as_deref(), Some("2024-04-01"), "day 60 is a Sunday");
    let fin = p.obligations.iter().find(|o| o.kind == FinalReport).unwrap();
    assert!(
        fin.assumptions.iter().any(|a| a.contains("2024-03-01")),
        "the alternative is given: {:?}",
        fin.assumptions
    );

    let alt = run_with(&text, Options { public_consignee_attack: false, ..Options::default() });
    let p = entry(&alt, "春日部市", "jp-appi-public");
    assert_eq!(cats(p), ["sensitive", "count_over_threshold"]);
    assert_eq!(due(p, FinalReport).as_deref(), Some("2024-03-01"));

    // The handler, with consignors and no Art. 9 notice yet, must notify them.
    let f = entry(&a, "財団", "jp-appi-business");
    assert!(f.obligations.iter().any(|o| o.kind == NotifyConsignor));
}

#[test]
fn case_11_encrypted_laptop_is_exempt() {
    let text = one_party(
        r#"cause = "theft"
data_items = ["氏名", "住所"]
persons = 5000
encrypted = true"#,
        r#"name = "社"
type = "business"
role = "handler"
known_on = 2024-06-03"#,
    );
    let p = entry(&run(&text), "社", "jp-appi-business").clone();
    assert!(!p.reportable && p.obligations.is_empty());
    assert!(p.explanation.iter().any(|e| e.contains("高度な暗号化")));
    let p = entry(&run(&text.replace("encrypted = true", "encrypted = false")), "社", "jp-appi-business").clone();
    assert_eq!(cats(&p), ["malicious", "count_over_threshold"]);
}

#[test]
fn case_15_gdpr_strict_72_hours() {
    let text = format!(
        "{}\n[gdpr]\naware_at = 2024-05-03T10:00:00+09:00\nrisk = \"risk\"\n",
        one_party(
            r#"cause = "unauthorized_access"
data_items = ["氏名", "注文履歴"]"#,
            r#"name = "社"
type = "business"
role = "handler"
known_on = 2024-05-03"#,
        )
    );
    let a = run(&text);
    let g = entry(&a, "社", "eu-gdpr");
    assert!(g.reportable);
    assert_eq!(due(g, GdprAuthority).as_deref(), Some("2024-05-06T10:00:00+09:00"));
    assert!(g.obligations.iter().any(|o| o.kind == GdprRecord));
    assert!(g.obligations.iter().all(|o| o.kind != GdprDataSubjects), "Art. 34 only for high risk");
    assert_eq!(due(entry(&a, "社", "jp-appi-business"), FinalReport).as_deref(), Some("2024-07-01"));
    let high = run(&text.replace("risk = \"risk\"", "risk = \"high\""));
    assert!(entry(&high, "社", "eu-gdpr").obligations.iter().any(|o| o.kind == GdprDataSubjects));
    let none = run(&text.replace("risk = \"risk\"", "risk = \"none\""));
    let g = entry(&none, "社", "eu-gdpr");
    assert!(!g.reportable);
    assert_eq!(g.obligations.iter().map(|o| o.kind).collect::<Vec<_>>(), [GdprRecord], "Art. 33(5) regardless");
}

fn count_case(org_type: &str, persons: u64, extra: &str) -> String {
    one_party(
        &format!("cause = \"bug\"\ndata_items = [\"氏名\"]\npersons = {persons}\n{extra}"),
        &format!("name = \"p\"\ntype = \"{org_type}\"\nrole = \"handler\"\nknown_on = 2024-06-03"),
    )
}

#[test]
fn case_18_boundaries() {
    let business = |n| entry(&run(&count_case("business", n, "")), "p", "jp-appi-business").reportable;
    assert!(!business(1000));
    assert!(business(1001));
    let public = |n| entry(&run(&count_case("public_body", n, "")), "p", "jp-appi-public").reportable;
    assert!(!public(100));
    assert!(public(101));
    let my_number =
        |n| entry(&run(&count_case("business", n, "my_number = true")), "p", "jp-mynumber").categories.clone();
    assert!(my_number(100).is_empty());
    assert_eq!(my_number(101), [todoke_rules::CategoryId::MynumberCount]);

    let hipaa = |states: &str| {
        let text = format!(
            "{}\n[hipaa]\ndiscovered_on = 2024-02-15\nindividuals_by_state = {{ {states} }}\n",
            count_case("business", 10, "")
        );
        entry(&run(&text), "p", "us-hipaa").obligations.iter().map(|o| o.kind).collect::<Vec<_>>()
    };
    let exactly_500 = hipaa("CA = 500");
    assert!(exactly_500.contains(&HipaaHhs) && !exactly_500.contains(&HipaaMedia));
    let over = hipaa("CA = 520, NV = 80");
    assert!(over.contains(&HipaaHhs) && over.contains(&HipaaMedia));
    let small = hipaa("CA = 20");
    assert!(small.contains(&HipaaHhsAnnualLog) && !small.contains(&HipaaHhs));
}

#[test]
fn hipaa_dates_and_substitute_notice() {
    let text = format!(
        "{}\n[hipaa]\ndiscovered_on = 2024-02-15\nindividuals_by_state = {{ CA = 20 }}\nunreachable = 12\n",
        count_case("business", 10, "")
    );
    let a = run(&text);
    let h = entry(&a, "p", "us-hipaa");
    assert_eq!(due(h, HipaaIndividuals).as_deref(), Some("2024-04-15"));
    assert_eq!(due(h, HipaaHhsAnnualLog).as_deref(), Some("2025-03-01"));
    let sub = h.obligations.iter().find(|o| o.kind == SubstituteNotice).unwrap();
    assert!(sub.basis.contains("(d)(2)(ii)"));
}

#[test]
fn as_of_marks_overdue_and_days_left() {
    let text = count_case("business", 1001, "");
    let a = run_with(&text, Options { as_of: Some(jiff::civil::date(2024, 7, 1)), ..Options::default() });
    let fin = entry(&a, "p", "jp-appi-business").obligations.iter().find(|o| o.kind == FinalReport).unwrap().clone();
    assert_eq!(fin.due.as_deref(), Some("2024-07-02"));
    assert_eq!((fin.days_left, fin.status), (Some(1), Some(Status::Open)));
    let a = run_with(&text, Options { as_of: Some(jiff::civil::date(2024, 7, 10)), ..Options::default() });
    let fin = entry(&a, "p", "jp-appi-business").obligations.iter().find(|o| o.kind == FinalReport).unwrap().clone();
    assert_eq!((fin.days_left, fin.status), (Some(-8), Some(Status::Overdue)));
}

#[test]
fn category_3_reaches_data_being_acquired_only_from_april_2024() {
    let text = |k: &str| {
        one_party(
            "cause = \"unauthorized_access\"\ndata_items = [\"氏名\"]\nacquiring = true",
            &format!("name = \"EC\"\ntype = \"business\"\nrole = \"handler\"\nknown_on = {k}"),
        )
    };
    assert!(!entry(&run(&text("2024-03-29")), "EC", "jp-appi-business").reportable);
    assert_eq!(cats(entry(&run(&text("2024-04-01")), "EC", "jp-appi-business")), ["malicious"]);
}

#[test]
fn local_bodies_before_april_2023_are_under_their_ordinance() {
    let a = run(&count_case("public_body", 500, "").replace("known_on = 2024-06-03", "known_on = 2023-03-31"));
    let p = entry(&a, "p", "jp-local-ordinance");
    assert!(p.voluntary && !p.reportable);
    let national =
        count_case("public_body", 500, "").replace("known_on = 2024-06-03", "known_on = 2022-06-01\nnational = true");
    assert!(entry(&run(&national), "p", "jp-appi-public").reportable);
}

#[test]
fn english_explanations() {
    let a = run_with(&count_case("business", 1001, ""), Options { japanese: false, ..Options::default() });
    let p = entry(&a, "p", "jp-appi-business");
    assert!(p.explanation.iter().any(|e| e.contains("More than 1,000 individuals")), "{:?}", p.explanation);
}

#[test]
fn joint_reports_are_marked_on_both_parties() {
    let text = format!(
        "{}\njoint_report_with = [\"市\"]\n\n[[parties]]\nname = \"市\"\ntype = \"public_body\"\nrole = \"consignor\"\nknown_on = 2024-06-04\n",
        count_case("business", 2000, "")
    );
    let a = run(&text);
    let fin = |party: &str, regime: &str| {
        entry(&a, party, regime).obligations.iter().find(|o| o.kind == FinalReport).unwrap().joint_with.clone()
    };
    assert_eq!(fin("p", "jp-appi-business"), ["市"]);
    assert_eq!(fin("市", "jp-appi-public"), ["p"]);
}

#[test]
fn a_change_of_facts_shows_what_changed() {
    let before = run(&count_case("business", 900, ""));
    let after = run(&count_case("business", 1200, ""));
    let lines = todoke_rules::changes(&before, &after, true);
    assert!(lines.iter().any(|l| l.contains("報告対象外 → 報告対象")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("count_over_threshold")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("確報 が必要になった")), "{lines:?}");

    // The cause is found malicious: day 30 → day 60.
    let malicious = run(&count_case("business", 1200, "malicious = true"));
    let lines = todoke_rules::changes(&after, &malicious, false);
    assert!(lines.iter().any(|l| l.contains("final report moved from day 30 to day 60")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("final report due 2024-07-02 → 2024-08-01")), "{lines:?}");

    // A consignor joins.
    let joined = format!(
        "{}\n[[parties]]\nname = \"市\"\ntype = \"public_body\"\nrole = \"consignor\"\nknown_on = 2024-06-04\n",
        count_case("business", 1200, "malicious = true")
    );
    let lines = todoke_rules::changes(&malicious, &run(&joined), true);
    assert!(lines.iter().any(|l| l.starts_with("市：jp-appi-public")), "{lines:?}");
    assert!(todoke_rules::changes(&joined_again(&joined), &run(&joined), true).is_empty(), "no change, no lines");
}

fn joined_again(text: &str) -> todoke_rules::Assessment {
    // A stored assessment read back from its JSON compares equal.
    serde_json::from_str(&serde_json::to_string(&run(text)).unwrap()).unwrap()
}

#[test]
fn the_public_holiday_roll_is_an_assumption_with_its_alternative() {
    let text = count_case("public_body", 500, "").replace("known_on = 2024-06-03", "known_on = 2024-05-03");
    // Day 30 = 2024-06-01 (Saturday) → 2024-06-03 (Monday).
    let a = run(&text);
    let fin = entry(&a, "p", "jp-appi-public").obligations.iter().find(|o| o.kind == FinalReport).unwrap().clone();
    assert_eq!(fin.due.as_deref(), Some("2024-06-03"));
    assert!(fin.assumptions.iter().any(|x| x.contains("2024-06-01")), "{:?}", fin.assumptions);
    let alt = run_with(&text, Options { public_holiday_roll: false, ..Options::default() });
    assert_eq!(due(entry(&alt, "p", "jp-appi-public"), FinalReport).as_deref(), Some("2024-06-01"));
    // Businesses are not affected by the flag.
    let business = run_with(
        &count_case("business", 1500, "").replace("known_on = 2024-06-03", "known_on = 2024-05-03"),
        Options { public_holiday_roll: false, ..Options::default() },
    );
    assert_eq!(due(entry(&business, "p", "jp-appi-business"), FinalReport).as_deref(), Some("2024-06-03"));
}
