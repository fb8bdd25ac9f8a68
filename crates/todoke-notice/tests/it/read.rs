//! What `read_notice` returns: one result per incident, spans into the decoded text, the same facts
//! from UTF-8 and Shift_JIS, HTML read as text, the JSON keys of CONTRACTS.md §2.

use crate::{read, seeds_dir};
use todoke_notice::{read_notice, read_text};

#[test]
fn compilations_split_into_one_result_per_incident() {
    assert_eq!(read(&seeds_dir().join("001_6d293d262affd9a2.txt")).len(), 3);
    assert_eq!(read(&seeds_dir().join("003_2a5b10656e0c6fb2.txt")).len(), 8);
    assert_eq!(read(&seeds_dir().join("000_8519adf0452adda5.txt")).len(), 1);
    assert_eq!(
        read(&seeds_dir().join("002_bc47c842c047418b.txt")).len(),
        1,
        "a list of municipalities is not a compilation"
    );
}

#[test]
fn spans_point_at_each_incident_in_the_decoded_text() {
    let path = seeds_dir().join("003_2a5b10656e0c6fb2.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let results = read(&path);
    let mut last_end = 0;
    for r in &results {
        let [start, end] = r.span;
        assert!(start >= last_end && start < end && end <= text.len());
        assert!(text[start..end].starts_with("【セキュリティ事件簿#"), "{}", &text[start..start + 40]);
        assert!(text[start..end].contains(r.organization.as_deref().unwrap()));
        last_end = end;
    }
}

#[test]
fn shift_jis_full_width_and_utf8_read_alike() {
    let text = "株式会社テスト商事\n令和６年３月１日\n\n顧客情報の紛失について\n\n令和６年２月２６日、顧客１２名分の氏名、住所を記載した書類を紛失したことが判明しました。";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let a = read_notice(&sjis, "a.txt");
    let b = read_notice(text.as_bytes(), "a.txt");
    assert_eq!(a.len(), 1);
    let strip = |mut f: todoke_notice::NoticeFacts| {
        f.span = [0, 0];
        f
    };
    assert_eq!(strip(a[0].clone()), strip(b[0].clone()));
    let f = &a[0];
    assert_eq!(f.organization.as_deref(), Some("株式会社テスト商事"));
    assert_eq!(f.incident_dates.discovered.as_deref(), Some("2024-02-26"));
    assert_eq!(f.cause.as_deref(), Some("loss"));
    assert_eq!(f.affected_count, Some(12));
    assert_eq!(f.data_items, ["氏名", "住所"]);
}

#[test]
fn html_is_read_as_its_text() {
    let html = "<html><body><h1>個人情報の漏えいについて</h1><p>2024年5月1日</p><p>みどり市</p>\
        <p>2024年4月30日、職員が住民3名分の氏名、住所を記載したメールを誤送信したことが判明しました。</p></body></html>";
    let r = read_notice(html.as_bytes(), "x.html");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].organization.as_deref(), Some("みどり市"));
    assert_eq!(r[0].org_type.as_deref(), Some("public_body"));
    assert_eq!(r[0].cause.as_deref(), Some("misdelivery_email"));
    assert_eq!(r[0].incident_dates.published.as_deref(), Some("2024-05-01"));
}

#[test]
fn unknown_is_null_never_a_guess() {
    let r = read_text("お知らせ\n\nこのたびはご迷惑をおかけしました。", "x.txt");
    assert_eq!(r.len(), 1);
    let f = &r[0];
    assert_eq!(f.organization, None);
    assert_eq!(f.cause, None);
    assert_eq!(f.malicious, None, "no cause, no malice");
    assert_eq!(f.incident_dates, Default::default());
    assert_eq!(f.affected_count, None);
    assert!(f.data_items.is_empty() && f.prevention_measures.is_empty() && f.ppc_report_dates.is_empty());
    assert_eq!(f.ppc_reported, None);
    assert_eq!(f.individual_notice, None);
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let r = read(&seeds_dir().join("000_8519adf0452adda5.txt"));
    let v = serde_json::to_value(&r[0]).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = vec![
        "organization",
        "org_type",
        "incident_dates",
        "cause",
        "vendor_involved",
        "affected_count",
        "count_unit",
        "data_items",
        "sensitive",
        "financial_risk",
        "malicious",
        "ppc_reported",
        "ppc_report_dates",
        "individual_notice",
        "prevention_measures",
        "source",
        "span",
    ];
    let mut got = keys.clone();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    let dates: Vec<&str> = v["incident_dates"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(dates.len(), 4);
    for k in ["discovered", "occurred_from", "occurred_to", "published"] {
        assert!(dates.contains(&k), "{k}");
    }
    assert_eq!(v["source"], "000_8519adf0452adda5.txt");
}
