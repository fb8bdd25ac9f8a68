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

/// The dates of one notice read from text: discovered, occurred from, occurred to, published.
fn dates_of(text: &str) -> [Option<String>; 4] {
    let r = read_text(text, "t.txt").remove(0);
    let d = r.incident_dates;
    [d.discovered, d.occurred_from, d.occurred_to, d.published]
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn a_fiscal_year_is_no_date() {
    let text = "令和6年5月20日\nみどり市\n\n検診結果の誤送付について\n\n令和5年度の検診受診者のうち3名に、別の方の結果を誤って郵送しました。5月16日に受診者からの連絡で判明しました。2023年度分の他の通知に誤りはありません。";
    let [discovered, from, to, published] = dates_of(text);
    assert_eq!(discovered, some("2024-05-16"));
    assert_eq!(published, some("2024-05-20"));
    for d in [from, to].into_iter().flatten() {
        assert!(d.starts_with("2024-"), "{d}: 年度 is not a day");
    }
}

#[test]
fn partial_dates_roll_over_the_year_end() {
    let text = "令和7年1月10日\nさくら町\n\n書類の紛失について\n\n12月28日に書類がないことが判明しました。同日、警察に遺失届を提出しました。12月20日に使用したことは確認できております。";
    let [discovered, from, to, published] = dates_of(text);
    assert_eq!(discovered, some("2024-12-28"));
    assert_eq!(from, some("2024-12-20"));
    assert_eq!(to, some("2024-12-28"));
    assert_eq!(published, some("2025-01-10"));
}

#[test]
fn a_loss_found_later_is_dated_apart_from_its_finding() {
    let text = "令和6年12月9日\nあおば協会\n\n名簿の紛失について\n\n名簿は12月1日頃に紛失したものと思われ、12月5日に事務所で所在が分からないことに気付き、紛失が発覚しました。";
    let [discovered, from, to, _] = dates_of(text);
    assert_eq!(discovered, some("2024-12-05"));
    assert_eq!((from, to), (some("2024-12-01"), some("2024-12-01")));
}

#[test]
fn a_stated_cause_outside_the_named_ones_is_other_and_none_is_null() {
    let other = "令和6年8月9日\nやまぶき町\n\n税務情報の漏えいについて\n\n8月5日、職員が電話の相手を納税者本人と取り違え、課税額を口頭で回答しました。8月6日に判明しました。";
    let r = read_text(other, "t.txt").remove(0);
    assert_eq!(r.cause.as_deref(), Some("other"));
    assert_eq!(r.malicious, Some(false));
    let none = "令和6年8月9日\nやまぶき町\n\n個人情報の取扱いについて\n\n8月6日、個人情報の漏えいが判明しました。詳細は調査中です。";
    let r = read_text(none, "t.txt").remove(0);
    assert_eq!(r.cause, None);
    assert_eq!(r.malicious, None);
}

#[test]
fn a_fax_to_the_wrong_number_is_a_document_misdelivered() {
    let text = "令和6年8月9日\nときわ県\n\nファクシミリの誤送信について\n\n8月5日、職員が個人情報を含む文書を番号を誤ってファクシミリで送信しました。";
    assert_eq!(read_text(text, "t.txt").remove(0).cause.as_deref(), Some("misdelivery_post"));
}
