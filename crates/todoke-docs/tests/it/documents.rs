//! Every kind of document in Markdown and HTML, on the example cases: the facts are in, unknowns
//! are marked, the PPC report's nine items come in the form's order and wording.

use crate::html_check::check;
use crate::{assessment, day, example};
use todoke_docs::{Case, ChannelCounts, DocKind, Format, Profile, Recipient, Rendered, Templates, diff_markdown};

fn case<'a>(
    incident: &'a todoke_core::Incident,
    assessment: &'a todoke_rules::Assessment,
    party: &'a str,
    profile: &'a Profile,
) -> Case<'a> {
    Case {
        incident,
        assessment: Some(assessment),
        party,
        profile,
        today: day("2024-02-21"),
        edition: 1,
        counts: None,
        recipient: None,
    }
}

fn md(kind: DocKind, case: &Case<'_>) -> String {
    todoke_docs::render_markdown(kind, case, &Templates::default()).unwrap()
}

fn html(kind: DocKind, case: &Case<'_>) -> String {
    match todoke_docs::render(kind, case, &Templates::default(), Format::Html, None).unwrap() {
        Rendered::Text(t) => t,
        Rendered::Bytes(_) => panic!("HTML is text"),
    }
}

const NINE_ITEMS_PUBLIC: [&str; 9] = [
    "## 1. 概要",
    "## 2. 漏えい等が発生し、又は発生したおそれがある保有個人情報の項目",
    "## 3. 漏えい等が発生し、又は発生したおそれがある保有個人情報に係る本人の数",
    "## 4. 原因",
    "## 5. 二次被害又はそのおそれの有無及びその内容",
    "## 6. 本人への対応の実施状況",
    "## 7. 公表の実施状況",
    "## 8. 再発防止のための措置",
    "## 9. その他参考となる事項",
];

fn in_order(text: &str, parts: &[&str]) {
    let mut from = 0;
    for p in parts {
        let at = text[from..].find(p).unwrap_or_else(|| panic!("{p} missing or out of order in:\n{text}"));
        from += at + p.len();
    }
}

#[test]
fn every_kind_renders_valid_html_for_every_example_party() {
    let profile = Profile::default();
    for name in ["saitama-foundation-ransomware.toml", "kasukabe-voucher-cache.toml", "shimonita-hospital-usb.toml"] {
        let incident = example(name);
        let a = assessment(&incident);
        for party in incident.parties.iter().take(3) {
            let c = case(&incident, &a, &party.name, &profile);
            for kind in DocKind::ALL {
                let page = html(*kind, &c);
                check(&page).unwrap_or_else(|e| panic!("{name} {} {}: {e}\n{page}", party.name, kind.key()));
                assert!(
                    page.contains(&incident.title)
                        || kind.key().starts_with("joint")
                        || *kind == DocKind::NoticeLetter
                        || *kind == DocKind::Invoice
                        || page.contains(incident.cause.label_ja()),
                    "{name} {}",
                    kind.key()
                );
            }
        }
    }
}

#[test]
fn the_public_body_report_has_the_nine_items_of_art_44_in_the_forms_order() {
    let incident = example("saitama-foundation-ransomware.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let text = md(DocKind::PreliminaryReport, &case(&incident, &a, "春日部市", &profile));
    in_order(&text, &NINE_ITEMS_PUBLIC);
    assert!(text.contains("# 漏えい等報告（速報）"), "{text}");
    assert!(text.contains("個人情報の保護に関する法律第68条第1項"), "{text}");
    assert!(text.contains("施行規則第44条"), "{text}");
    assert!(text.contains("18,950人"), "{text}");
    assert!(text.contains("規則第43条第1号（要配慮個人情報が含まれる保有個人情報の漏えい等）"), "{text}");
    assert!(text.contains("委託元として報告（委託先：公益財団法人埼玉県健康づくり事業団）"), "{text}");
    assert!(text.contains("| 発覚日 | 令和6年2月1日 |"), "{text}");
    assert!(text.contains("X線画像、超音波画像、氏名"), "{text}");
    // Secondary damage as the example records it from seed 000.
    let item5 = text.split("## 5.").nth(1).unwrap().split("## 6.").next().unwrap();
    assert!(item5.contains("データの不正使用等の二次被害は確認されていない"), "{item5}");
    // Recurrence prevention split into done and planned.
    let item8 = text.split("## 8.").nth(1).unwrap().split("## 9.").next().unwrap();
    in_order(
        item8,
        &[
            "### 実施済みの措置",
            "個人情報の管理体制に関する報告書",
            "### 今後実施予定の措置",
            "今後の契約書に必要な事項を明記",
        ],
    );
    assert!(item8.contains("令和6年12月31日までに実施予定"), "{item8}");
    // The timeline is in, in time order, with times.
    in_order(&text, &["令和6年1月27日 16:24", "令和6年1月28日 18:36", "令和6年2月1日 13:10"]);
}

#[test]
fn the_business_report_follows_art_8_and_marks_the_unknown_count() {
    let incident = example("saitama-foundation-ransomware.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let text = md(DocKind::FinalReport, &case(&incident, &a, "公益財団法人埼玉県健康づくり事業団", &profile));
    assert!(text.contains("# 漏えい等報告（確報）"), "{text}");
    assert!(text.contains("個人情報の保護に関する法律第26条第1項"), "{text}");
    assert!(text.contains("施行規則第8条"), "{text}");
    assert!(text.contains("## 2. 漏えい等が発生し、又は発生したおそれがある個人データの項目"), "{text}");
    assert!(text.contains("規則第7条第3号"), "{text}");
    let item3 = text.split("## 3.").nth(1).unwrap().split("## 4.").next().unwrap();
    assert!(item3.contains("【不明・調査中】"), "{item3}");
    assert!(text.contains("委託元あり（春日部市、伊奈町"), "{text}");
}

#[test]
fn the_final_report_can_be_compared_with_the_preliminary() {
    let mut incident = example("kasukabe-voucher-cache.toml");
    let profile = Profile::default();
    // At the 速報 the count was not known yet.
    let mut early = incident.clone();
    early.persons = None;
    for p in &mut early.parties {
        p.persons = None;
    }
    early.tasks.clear();
    let a_early = assessment(&early);
    let prelim = md(DocKind::PreliminaryReport, &case(&early, &a_early, "春日部市", &profile));
    incident.tasks.push(todoke_core::Task {
        kind: todoke_core::TaskKind::Prevention,
        title: "公開前にキャッシュ設定を確認する手順を追加".into(),
        owner: Some("春日部市".into()),
        due: None,
        status: todoke_core::TaskStatus::Done,
        evidence: None,
    });
    let a = assessment(&incident);
    let fin = md(DocKind::FinalReport, &case(&incident, &a, "春日部市", &profile));
    let diff = diff_markdown("速報からの変更点", &prelim, &fin);
    assert!(diff.contains("### 3. 漏えい等が発生し、又は発生したおそれがある保有個人情報に係る本人の数"), "{diff}");
    assert!(diff.contains("【追加】121人"), "{diff}");
    assert!(diff.contains("【追加】公開前にキャッシュ設定を確認する手順を追加"), "{diff}");
    assert!(diff.contains("【削除】漏えい等報告（速報）") || diff.contains("【削除】# 漏えい等報告（速報）"), "{diff}");
}

#[test]
fn letters_invoices_and_status_reports() {
    let incident = example("saitama-foundation-ransomware.toml");
    let a = assessment(&incident);
    let profile = Profile::from_toml(
        r#"
[sender]
name = "公益財団法人埼玉県健康づくり事業団"
[sender.desk]
name = "専用お問い合わせ窓口"
phone = "0120-000-000"
hours = "平日9時〜17時"
[parties."春日部市"]
department = "健康保険部健康課"
signature = "春日部市長　岩谷　一弘"
head = "春日部市長"
[[invoice.other]]
label = "コールセンター運営費"
unit_cost = 100000
[[invoice.other]]
label = "郵便料金（切手）"
quantity = 10
unit_cost = 110
taxable = false
"#,
    )
    .unwrap();
    let counts = ChannelCounts { channels: [("post".to_string(), 100), ("email".to_string(), 20)].into() };
    let person = Recipient {
        name: "山田　花子".into(),
        postal_code: Some("344-8577".into()),
        address: Some("埼玉県春日部市中央七丁目2番地1".into()),
        reference: None,
    };
    let mut c = case(&incident, &a, "春日部市", &profile);
    c.counts = Some(&counts);
    c.recipient = Some(&person);

    let letter = md(DocKind::NoticeLetter, &c);
    assert!(letter.starts_with("令和6年2月21日"), "{letter}");
    assert!(letter.contains("春日部市長　岩谷　一弘"), "{letter}");
    assert!(letter.contains("0120-000-000（受付時間：平日9時〜17時）"), "{letter}");
    assert!(letter.contains("委託先である公益財団法人埼玉県健康づくり事業団において発生"), "{letter}");
    assert!(letter.contains("心より深くお詫び申し上げます"), "{letter}");
    let page = html(DocKind::NoticeLetter, &c);
    assert!(page.contains("山田　花子 様") && page.contains("〒344-8577"), "{page}");

    let invoice = md(DocKind::Invoice, &c);
    // 100 × 150 + 20 × 50 + 100,000 = 116,000 taxable → 11,600 tax; 1,100 exempt.
    assert!(invoice.contains("| 本人通知（郵送） | 100 | 150 | 15,000 | 課税 |"), "{invoice}");
    assert!(invoice.contains("| 郵便料金（切手） | 10 | 110 | 1,100 | 対象外 |"), "{invoice}");
    assert!(invoice.contains("| 消費税（10%、課税対象 116,000円） |  |  | 11,600 |  |"), "{invoice}");
    assert!(invoice.contains("ご請求金額　128,700円（税込）"), "{invoice}");

    c.edition = 2;
    let status = md(DocKind::StatusReport, &c);
    assert!(status.contains("# 重大事象発生報告書（第2報）"), "{status}");
    assert!(status.contains("春日部市長　様"), "{status}");
    assert!(status.contains("| 確報 | 個人情報保護委員会 | 令和6年4月1日 |"), "{status}");
    assert!(status.contains("| 令和6年1月28日 18:36 | 攻撃 |"), "{status}");

    let notice = md(DocKind::PublicNotice, &c);
    assert!(notice.contains("（第2報）") && notice.contains("郵送 100件"), "{notice}");
    let joint = md(DocKind::JointRequest, &c);
    assert!(joint.starts_with("令和6年2月21日\n\n春日部市　御中"), "{joint}");
    assert!(joint.contains("連名で行うこと"), "{joint}");
    let reply = md(DocKind::JointReply, &c);
    assert!(reply.contains("公益財団法人埼玉県健康づくり事業団　御中") && reply.contains("連名で報告する"), "{reply}");
}

#[test]
fn markup_in_facts_is_text_in_html() {
    let mut incident = example("kasukabe-voucher-cache.toml");
    incident.title = "<script>alert('x')</script> & \"q\"".into();
    incident.summary = Some("<img src=x onerror=alert(1)>\n\n# 見出しではない".into());
    let a = assessment(&incident);
    let profile = Profile::default();
    let c = case(&incident, &a, "春日部市", &profile);
    for kind in DocKind::ALL {
        let page = html(*kind, &c);
        check(&page).unwrap_or_else(|e| panic!("{}: {e}\n{page}", kind.key()));
        assert!(!page.contains("<script>") && !page.contains("<img"), "{}", kind.key());
    }
}

#[test]
fn an_unknown_party_is_a_clear_error() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let err =
        todoke_docs::render_markdown(DocKind::Invoice, &case(&incident, &a, "越谷市", &profile), &Templates::default())
            .unwrap_err();
    assert!(err.to_string().contains("春日部市"), "{err}");
}

#[test]
fn an_organizations_template_replaces_the_default() {
    let incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let t = Templates::with_overrides(vec![(
        "notice_letter.md".into(),
        "# お知らせ\n\n{{ incident.title }}について、{{ today_wareki }}付けでお知らせします。\n".into(),
    )])
    .unwrap();
    let out =
        todoke_docs::render_markdown(DocKind::NoticeLetter, &case(&incident, &a, "春日部市", &profile), &t).unwrap();
    assert!(out.ends_with("付けでお知らせします。\n") && out.contains("令和6年2月21日"), "{out}");
}

#[test]
fn secondary_damage_is_printed_when_known_and_marked_unknown_otherwise() {
    let mut incident = example("kasukabe-voucher-cache.toml");
    let a = assessment(&incident);
    let profile = Profile::default();
    let unknown = md(DocKind::PreliminaryReport, &case(&incident, &a, "春日部市", &profile));
    in_order(&unknown, &["## 5. 二次被害又はそのおそれの有無及びその内容", "【不明・調査中】", "## 6."]);

    let damage = "なりすましによる不審な電話が2件確認されています";
    incident.secondary_damage = Some(damage.to_string());
    let c = case(&incident, &a, "春日部市", &profile);
    let report = md(DocKind::PreliminaryReport, &c);
    in_order(&report, &["## 5. 二次被害又はそのおそれの有無及びその内容", damage, "## 6."]);
    for kind in [DocKind::NoticeLetter, DocKind::PublicNotice, DocKind::PressRelease] {
        let text = md(kind, &c);
        assert!(text.contains(damage), "{} lacks the secondary damage:\n{text}", kind.key());
        assert!(!text.contains("確認中です") && !text.contains("調査を継続"), "{}:\n{text}", kind.key());
        check(&html(kind, &c)).unwrap();
    }
}
