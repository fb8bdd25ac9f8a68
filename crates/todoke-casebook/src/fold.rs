//! What relates notices of one incident: the same organization writing again (第2報, 続報), or a
//! consignor's notice that names the handler whose system was attacked.

use jiff::civil::Date;
use todoke_core::NoticeProfile;
use todoke_notice::NoticeFacts;

/// Legal forms left out of an organization's key: 「公益財団法人埼玉県健康づくり事業団」 and
/// 「埼玉県健康づくり事業団」 are one organization. Longest first, so that 医療法人社団 goes whole.
const LEGAL_FORMS: &[&str] = &[
    "地方独立行政法人",
    "特定非営利活動法人",
    "医療法人社団",
    "医療法人財団",
    "国立大学法人",
    "公立大学法人",
    "独立行政法人",
    "公益財団法人",
    "一般財団法人",
    "公益社団法人",
    "一般社団法人",
    "社会福祉法人",
    "学校法人",
    "医療法人",
    "財団法人",
    "社団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "NPO法人",
    "(公財)",
    "(一財)",
    "(公社)",
    "(一社)",
    "(株)",
    "(有)",
];

/// Days within which two notices that name each other, or one organization's notices of one cause,
/// are taken to concern the same incident.
const SAME_INCIDENT_DAYS: i64 = 60;
/// A notice that calls itself a follow-up (第2報) may come months after the first.
const FOLLOW_UP_DAYS: i64 = 180;

/// The key two spellings of one organization share: width and variant kanji folded, spaces and
/// legal forms removed.
///
/// ```
/// use todoke_casebook::org_key;
/// assert_eq!(org_key("公益財団法人 埼玉県健康づくり事業団"), org_key("埼玉県健康づくり事業団"));
/// assert_eq!(org_key("（株）ＥＣＣ"), org_key("株式会社ECC"));
/// ```
pub fn org_key(name: &str) -> String {
    let folded: String = todoke_ja::normalize_text(name).chars().filter(|c| !c.is_whitespace()).collect();
    let mut key = folded.clone();
    for form in LEGAL_FORMS {
        key = key.replace(form, "");
    }
    if key.chars().count() < 2 { folded } else { key }
}

fn day(text: Option<&str>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}

/// Whether the notice's heading says it follows an earlier notice: 第2報 (or later), 続報, 最終報.
fn says_follow_up(body: &str) -> bool {
    let head: String = todoke_ja::normalize_text(&body.chars().take(300).collect::<String>());
    if head.contains("続報") || head.contains("最終報") {
        return true;
    }
    let mut rest = head.as_str();
    while let Some(at) = rest.find('第') {
        let after = rest.get(at + '第'.len_utf8()..).unwrap_or_default();
        if let Some((n, used)) = todoke_ja::read_number(after)
            && n >= 2
            && after.get(used..).is_some_and(|t| t.starts_with('報'))
        {
            return true;
        }
        rest = after;
    }
    false
}

/// The profile of a notice read into `facts` from `body`.
pub fn profile(facts: &NoticeFacts, body: &str) -> NoticeProfile {
    let dates = &facts.incident_dates;
    let anchor = day(dates.discovered.as_deref())
        .or_else(|| day(dates.occurred_from.as_deref()))
        .or_else(|| day(dates.published.as_deref()));
    let month = anchor.or_else(|| day(dates.published.as_deref())).map(|d| format!("{:04}-{:02}", d.year(), d.month()));
    let key = facts.organization.as_deref().map(org_key);
    let mut mentions: Vec<String> = todoke_notice::find_orgs(body)
        .into_iter()
        .map(|m| org_key(&m.name))
        .filter(|k| k.chars().count() >= 2 && Some(k) != key.as_ref())
        .collect();
    mentions.sort();
    mentions.dedup();
    NoticeProfile {
        org_key: key,
        org_type: facts.org_type.clone(),
        cause: facts.cause.clone(),
        anchor,
        month,
        follow_up: says_follow_up(body),
        vendor: facts.vendor_involved == Some(true) || facts.cause.as_deref() == Some("vendor_incident"),
        mentions,
    }
}

/// Whether two notices concern one incident. Never a guess from a name alone: the same organization
/// must agree on the cause and be close in time (or one must call itself a follow-up), and a notice
/// that names another organization must involve a vendor and be close in time.
pub fn related(a: &NoticeProfile, b: &NoticeProfile) -> bool {
    let days = match (a.anchor, b.anchor) {
        (Some(x), Some(y)) => x.since(y).ok().map(|span| i64::from(span.get_days()).abs()),
        _ => None,
    };
    let within = |limit: i64| days.is_some_and(|d| d <= limit);
    if a.org_key.is_some() && a.org_key == b.org_key {
        if a.follow_up || b.follow_up {
            return days.is_none_or(|d| d <= FOLLOW_UP_DAYS);
        }
        let causes_agree = match (&a.cause, &b.cause) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
        return causes_agree && within(SAME_INCIDENT_DAYS);
    }
    let names = |x: &NoticeProfile, y: &NoticeProfile| y.org_key.as_ref().is_some_and(|k| x.mentions.contains(k));
    (names(a, b) || names(b, a)) && (a.vendor || b.vendor) && within(SAME_INCIDENT_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn p(org: &str, cause: &str, anchor: Option<Date>) -> NoticeProfile {
        NoticeProfile { org_key: Some(org_key(org)), cause: Some(cause.into()), anchor, ..NoticeProfile::default() }
    }

    #[test]
    fn follow_up_headings_are_recognized() {
        assert!(says_follow_up("【第2報】不正アクセスによる個人情報漏えいについて"));
        assert!(says_follow_up("（第三報）ランサムウェア被害について"));
        assert!(says_follow_up("弊社サーバへの不正アクセスについて（続報）"));
        assert!(!says_follow_up("【第1報】不正アクセスについて"));
        assert!(!says_follow_up("第2条に基づき報告します"));
    }

    #[test]
    fn one_organization_one_cause_close_in_time_is_one_incident() {
        let first = p("株式会社ECC", "unauthorized_access", Some(date(2023, 9, 12)));
        let later = p("（株）ＥＣＣ", "unauthorized_access", Some(date(2023, 9, 30)));
        assert!(related(&first, &later));
        let other_cause = p("株式会社ECC", "misdelivery_email", Some(date(2023, 9, 20)));
        assert!(!related(&first, &other_cause), "a different cause is a different incident");
        let next_year = p("株式会社ECC", "unauthorized_access", Some(date(2024, 9, 12)));
        assert!(!related(&first, &next_year));
        let undated = p("株式会社ECC", "unauthorized_access", None);
        assert!(!related(&first, &undated), "no date, no fold");
        let follow_up = NoticeProfile { follow_up: true, ..p("株式会社ECC", "other", Some(date(2023, 12, 1))) };
        assert!(related(&first, &follow_up), "第2報 may name a cause the 第1報 did not know");
    }

    #[test]
    fn a_consignor_naming_its_handler_joins_the_handlers_incident() {
        let handler = p("公益財団法人埼玉県健康づくり事業団", "ransomware", Some(date(2024, 1, 29)));
        let mut city = p("春日部市", "vendor_incident", Some(date(2024, 2, 1)));
        city.mentions = vec![org_key("埼玉県健康づくり事業団")];
        assert!(!related(&handler, &city), "naming alone is not enough without a vendor");
        city.vendor = true;
        assert!(related(&handler, &city));
        assert!(related(&city, &handler));
        let months_later = NoticeProfile { anchor: Some(date(2024, 4, 30)), ..city.clone() };
        assert!(!related(&handler, &months_later));
    }
}
