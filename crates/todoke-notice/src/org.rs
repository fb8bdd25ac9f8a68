//! Who the notice is about: organization names found by their legal form (株式会社…, 公益財団法人…)
//! or by what they are (…市, …病院, …センター), and the one the incident belongs to — the sender in
//! the header, the body that calls itself 当市 / 当院 / 弊社, or the subject of the first sentences —
//! never the contractor it names.

use crate::text::{WordSet, any, lines, prefix_chars};
use std::sync::LazyLock;

/// Legal forms written before the name.
const PREFIX_FORMS: &[&str] = &[
    "地方独立行政法人",
    "独立行政法人",
    "国立大学法人",
    "公立大学法人",
    "国立研究開発法人",
    "公益財団法人",
    "一般財団法人",
    "公益社団法人",
    "一般社団法人",
    "社会福祉法人",
    "社会医療法人",
    "宗教法人",
    "更生保護法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "学校法人",
    "特定非営利活動法人",
    "NPO法人",
    "社会保険労務士法人",
    "税理士法人",
    "弁護士法人",
    "株式会社",
    "有限会社",
    "合同会社",
];

/// Legal forms written after the name.
const SUFFIX_FORMS: &[&str] = &["株式会社", "有限会社", "合同会社", "ホールディングス"];

/// What institutions' names end with.
const KIND_SUFFIXES: &[&str] = &[
    "教育委員会",
    "医療センター",
    "総合病院",
    "病院",
    "クリニック",
    "診療所",
    "医院",
    "歯科",
    "薬局",
    "大学",
    "高等学校",
    "中学校",
    "小学校",
    "義務教育学校",
    "特別支援学校",
    "学園",
    "幼稚園",
    "保育園",
    "こども園",
    "事業団",
    "公社",
    "協会",
    "組合",
    "連合会",
    "銀行",
    "信用金庫",
    "センター",
    "機構",
    "研究所",
    "役場",
    "市役所",
    "区役所",
];

/// Municipalities: the name is a run of kanji before the suffix.
const MUNICIPAL: &[char] = &['市', '町', '村', '区'];

/// Words that make a following or preceding name a self-reference, not a name (当院, 同社).
const DEICTIC: &[char] =
    &['当', '本', '同', '弊', '貴', '各', '該', '全', '他', '当', '御', '両', '近', '隣', '都', '府', '県'];

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々' || c == 'ヶ' || c == 'ケ'
}

fn is_katakana(c: char) -> bool {
    ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

fn is_name_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c) || c.is_ascii_alphanumeric() || c == '&' || c == '・'
}

/// Hiragana that may sit inside a name (健康づくり) but not particles or verb endings.
fn is_name_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{3096}').contains(&c) && !"のがはをにでとへもやかしするたいてっれらなこそ".contains(c)
}

/// An organization name in the text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMention {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// The name as written.
    pub name: String,
}

/// Reads name characters forward from `at` (after a prefix form).
fn forward_name(text: &str, at: usize) -> usize {
    // A name that starts in hiragana (一般社団法人みらい観光協会): the whole run, when a name
    // character or the end of the name follows it.
    let rest = text.get(at..).unwrap_or_default();
    let run: usize = rest.chars().take_while(|c| ('\u{3041}'..='\u{3096}').contains(c)).map(char::len_utf8).sum();
    let run_chars = rest.get(..run).map_or(0, |r| r.chars().count());
    let next = rest.get(run..).and_then(|r| r.chars().next());
    let particle_first = rest.starts_with(|c: char| "のがはをにでとへもや".contains(c));
    let named = next.is_some_and(is_name_char);
    let ends = next.is_none_or(|n| n.is_whitespace() || "、。」）)".contains(n));
    if run > 0 && run_chars <= 8 && (named || ends && run_chars >= 2 && !particle_first) {
        let tail = forward_name_inner(text, at + run);
        return tail.max(at + run);
    }
    forward_name_inner(text, at)
}

/// A legal form that opens a short line of its own (the sender's line of a notice): the name runs
/// to the first space or the end of the line, particles and all (あおぞら子ども食堂ネットワーク).
/// Returns `at` when the line is not such a line.
fn header_line_name(text: &str, form_start: usize, at: usize) -> usize {
    let line_start = text.get(..form_start).and_then(|b| b.rfind('\n')).map_or(0, |n| n + 1);
    if !text.get(line_start..form_start).is_some_and(|b| b.trim().is_empty()) {
        return at;
    }
    let rest = text.get(at..).unwrap_or_default();
    let line = rest.split('\n').next().unwrap_or_default();
    let name = line.split([' ', '\u{3000}']).next().unwrap_or_default();
    let prose = ["について", "における", "による", "に関する", "のお", "から", "より", "です", "ます", "より"];
    let clean = name.chars().all(|c| is_name_char(c) || ('\u{3041}'..='\u{3096}').contains(&c));
    let n = name.chars().count();
    let ends_named = name.chars().next_back().is_some_and(is_name_char);
    let particle = name.contains(['が', 'を', 'は']);
    if (2..=25).contains(&n) && clean && ends_named && !particle && !any(name, &prose) { at + name.len() } else { at }
}

fn forward_name_inner(text: &str, at: usize) -> usize {
    let mut end = at;
    let mut chars = text.get(at..).unwrap_or_default().char_indices().peekable();
    let mut count = 0;
    while let Some((i, c)) = chars.next() {
        let hira = ('\u{3041}'..='\u{3096}').contains(&c);
        // Hiragana inside a name (ひまわりトラベル, 健康づくり) but not a particle after it.
        let ok = is_name_char(c)
            || (hira
                && (count == 0 || is_name_hiragana(c))
                && chars.peek().is_some_and(|(_, n)| is_name_char(*n) || ('\u{3041}'..='\u{3096}').contains(n)));
        if !ok || count >= 30 {
            break;
        }
        count += 1;
        end = at + i + c.len_utf8();
    }
    end
}

/// Reads name characters backward from `end` (before a suffix form). A run of hiragana belongs to
/// the name when the text before it is a boundary (start, space, punctuation: ひばり町, はなまる雑貨),
/// when it follows 市立 / 県立 … (市立みなと病院), or when it holds no particle (健康づくり).
fn backward_name(text: &str, end: usize, max: usize) -> usize {
    let before = text.get(..end).unwrap_or_default();
    let mut start = end;
    let mut count = 0;
    let mut chars = before.char_indices().rev().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if count >= max {
            break;
        }
        if is_name_char(c) {
            start = i;
            count += 1;
            chars.next();
            continue;
        }
        if !('\u{3041}'..='\u{3096}').contains(&c) {
            break;
        }
        // A hiragana run: read it whole, then decide.
        let mut run_start = i;
        let mut particle = false;
        while let Some(&(j, h)) = chars.peek() {
            if !('\u{3041}'..='\u{3096}').contains(&h) {
                break;
            }
            particle |= !is_name_hiragana(h);
            run_start = j;
            chars.next();
        }
        let prev = before.get(..run_start).and_then(|b| b.chars().next_back());
        let boundary = prev.is_none_or(|p| !is_name_char(p) && !('\u{3041}'..='\u{3096}').contains(&p));
        let after_ritsu = prev == Some('立');
        let run_len = before.get(run_start..start).map_or(0, |r| r.chars().count());
        if boundary && run_len <= 8 || after_ritsu || !particle && run_len <= 4 && prev.is_some_and(is_name_char) {
            start = run_start;
            count += run_len;
            if boundary {
                break;
            }
            continue;
        }
        break;
    }
    start
}

/// Where each of the name-marking words (legal forms, kinds) occurs, found in one pass over the
/// text, in the order of the text (and at one place, in the order of the lists: all the words have
/// two characters or more).
fn marks(text: &str) -> Vec<(usize, &'static str)> {
    static WORDS: LazyLock<WordSet> = LazyLock::new(|| {
        let mut words: Vec<&'static str> = Vec::new();
        for w in PREFIX_FORMS.iter().chain(SUFFIX_FORMS).chain(KIND_SUFFIXES) {
            if !words.contains(w) {
                words.push(w);
            }
        }
        WordSet::new(&[&words])
    });
    let mut found = Vec::new();
    WORDS.each_match(text, |at, w, _| found.push((at, w)));
    found
}

/// Every organization name in `text`.
pub fn find_orgs(text: &str) -> Vec<OrgMention> {
    let mut found: Vec<OrgMention> = Vec::new();
    let push = |start: usize, end: usize, found: &mut Vec<OrgMention>| {
        let Some(name) = text.get(start..end) else { return };
        let name = name.trim_matches(['・', ' ']);
        if name.chars().count() < 2 {
            return;
        }
        if found.iter().any(|m| m.start <= start && end <= m.end) {
            return;
        }
        found.retain(|m| !(start <= m.start && m.end <= end));
        found.push(OrgMention { start, end, name: name.to_string() });
    };
    let marks = marks(text);
    let at =
        |words: &'static [&'static str]| marks.iter().filter(move |(_, w)| words.contains(w)).map(|(i, w)| (*i, *w));
    for (i, form) in at(PREFIX_FORMS) {
        let end = forward_name(text, i + form.len()).max(header_line_name(text, i, i + form.len()));
        if end > i + form.len() {
            // 株式会社X株式会社 is not a thing; X株式会社 before is handled below.
            push(i, end, &mut found);
        }
    }
    for (i, form) in at(SUFFIX_FORMS) {
        let before = text.get(..i).unwrap_or_default();
        if PREFIX_FORMS.iter().any(|p| before.ends_with(p)) {
            continue;
        }
        let start = backward_name(text, i, 20);
        if start < i {
            push(start, i + form.len(), &mut found);
        }
    }
    for (i, suffix) in at(KIND_SUFFIXES) {
        let start = backward_name(text, i, 20);
        let Some(head) = text.get(start..i) else { continue };
        let first = head.chars().next();
        let local = ["市内", "町内", "村内", "区内", "県内", "都内", "府内", "院内", "社内", "学内", "国内", "域内"];
        if head.chars().count() < 2
            || first.is_some_and(|c| DEICTIC.contains(&c)) && head.chars().count() < 3
            || local.iter().any(|l| head.starts_with(l))
        {
            continue;
        }
        // Generic words are not names (情報センター is a department, 委託先病院 is a role).
        if any(head, &["情報", "委託", "受託", "調査", "専門", "サポート", "コール", "お客様", "相談", "問い合わせ"])
        {
            continue;
        }
        push(start, i + suffix.len(), &mut found);
    }
    for (i, c) in text.char_indices() {
        if !MUNICIPAL.contains(&c) {
            continue;
        }
        let after = text.get(i + c.len_utf8()..).and_then(|s| s.chars().next());
        // 市町村, 市内, 町内会, 区分 are words, not names.
        if after.is_some_and(|a| "町村内外民区分域場長立有議営政".contains(a) && !(c == '市' && a == '長'))
        {
            continue;
        }
        // 埼玉県市長会: a prefecture right before 市 is no municipality's name.
        if text.get(..i).and_then(|b| b.chars().next_back()).is_some_and(|p| "県都府道".contains(p)) {
            continue;
        }
        let mut start = i;
        let mut count = 0;
        for (j, k) in text.get(..i).unwrap_or_default().char_indices().rev() {
            if !is_kanji(k) || count >= 6 || "県都府道".contains(k) && count > 0 {
                break;
            }
            start = j;
            count += 1;
        }
        if count == 0 {
            // ひばり町: a hiragana name standing at a boundary.
            let b = backward_name(text, i, 8);
            let prev = text.get(..b).and_then(|t| t.chars().next_back());
            let hira = text.get(b..i).unwrap_or_default();
            if b < i
                && prev.is_none_or(|p| !is_name_char(p))
                && hira.chars().count() >= 2
                && hira.chars().all(|c| ('\u{3041}'..='\u{3096}').contains(&c))
                && !hira.starts_with(|c: char| "のがをにでへ".contains(c))
            {
                start = b;
            }
        }
        let Some(head) = text.get(start..i) else { continue };
        let n = head.chars().count();
        let first = head.chars().next();
        if !(1..=6).contains(&n)
            || first.is_some_and(|f| DEICTIC.contains(&f))
            || any(head, &["各", "同", "当", "本", "他", "全", "市", "町", "村", "区"])
        {
            continue;
        }
        push(start, i + c.len_utf8(), &mut found);
    }
    found.sort_by_key(|m| m.start);
    found
}

/// Whether the mention names a contractor: 委託している X, X（以下「業者」）, 委託先 X.
fn is_vendor_mention(text: &str, m: &OrgMention) -> bool {
    let before = text.get(..m.start).unwrap_or_default();
    let near = crate::text::suffix_chars(before, 14);
    let after = prefix_chars(text.get(m.end..).unwrap_or_default(), 14);
    any(
        near,
        &[
            "委託している",
            "委託しており",
            "委託先",
            "委託業者",
            "受託者",
            "受託業者",
            "委託先である",
            "再委託",
            "委託する",
            "委託した",
            "運営を委託",
        ],
    ) || any(after, &["(以下「業者", "（以下「業者", "(以下「委託", "（以下「委託", "(以下「受託", "（以下「受託"])
}

/// How a text refers to itself, and what kind of name that points to.
const SELF_REFERENCES: &[(&[&str], &[&str])] = &[
    (&["当市", "本市", "市長", "我が市"], &["市"]),
    (&["当町", "本町", "町長"], &["町"]),
    (&["当村", "本村", "村長"], &["村"]),
    (&["当区", "本区", "区長"], &["区"]),
    (&["当院", "当病院", "本院"], &["病院", "医療センター", "クリニック", "診療所", "医院"]),
    (&["当センター", "本センター"], &["センター"]),
    (&["当事業団"], &["事業団"]),
    (&["当公社"], &["公社"]),
    (&["当協会", "本協会"], &["協会"]),
    (&["当機構", "本機構"], &["機構"]),
    (&["本学", "当大学", "本大学"], &["大学"]),
    (&["本校", "当校"], &["学校"]),
    (&["当法人", "本法人"], &["法人", "会"]),
    (&["当社", "弊社", "当グループ", "弊グループ"], &["株式会社", "有限会社", "合同会社", "ホールディングス"]),
];

/// The organization an incident belongs to. `header` is the name given in a compilation's entry
/// header, when there is one; `doc` is the whole notice, for names the incident's own text leaves
/// out (a council report whose items say only 当市).
pub fn pick_organization(seg: &str, header: Option<&str>, doc: &str) -> Option<String> {
    pick(seg, header, doc).map(|name| entity(&name).to_string())
}

/// The body a name stands for: a town's office (やまぶき町役場, さくら市役所) is the town.
fn entity(name: &str) -> &str {
    for office in ["役場", "役所"] {
        if let Some(town) = name.strip_suffix(office)
            && town.ends_with(MUNICIPAL)
            && town.chars().count() >= 2
        {
            return town;
        }
    }
    name
}

fn pick(seg: &str, header: Option<&str>, doc: &str) -> Option<String> {
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        return Some(h.to_string());
    }
    let orgs: Vec<OrgMention> = find_orgs(seg).into_iter().filter(|m| !is_vendor_mention(seg, m)).collect();
    // A line near the top that holds a name as a token of its own: the sender.
    for (n, (_, line)) in lines(seg).filter(|(_, l)| !l.trim().is_empty()).enumerate() {
        if n >= 12 {
            break;
        }
        // Prose and table rows (伊奈町 胃がん検診、乳がん検診) are not the sender's line.
        if line.contains('。') || line.contains('、') {
            continue;
        }
        if line.contains('。') || line.chars().count() > 70 {
            continue;
        }
        for token in line.split([' ', '\u{3000}']) {
            let token = token.trim();
            if token.chars().count() >= 3 && orgs.iter().any(|m| m.name == token) {
                return Some(token.to_string());
            }
        }
    }
    // The body calls itself 当市 / 当院 / 弊社: the name of that kind it uses most.
    static SELVES: LazyLock<WordSet> =
        LazyLock::new(|| WordSet::new(&SELF_REFERENCES.iter().map(|(words, _)| *words).collect::<Vec<_>>()));
    let selves = SELVES.lists_in(seg);
    for (n, (_, kinds)) in SELF_REFERENCES.iter().enumerate() {
        if selves & (1 << n) == 0 {
            continue;
        }
        for scope in [seg, doc] {
            let pool: Vec<OrgMention> = if std::ptr::eq(scope, seg) {
                orgs.clone()
            } else {
                find_orgs(scope).into_iter().filter(|m| !is_vendor_mention(scope, m)).collect()
            };
            if let Some(name) = most_frequent(pool.iter().filter(|m| {
                kinds.iter().any(|k| m.name.ends_with(k) || PREFIX_FORMS.contains(k) && m.name.starts_with(k))
            })) {
                return Some(name);
            }
        }
    }
    // The subject of a sentence: X は、 / X において / X では / X が運営 …
    for m in &orgs {
        let after = prefix_chars(seg.get(m.end..).unwrap_or_default(), 6);
        if ["は、", "は,", "において", "では", "が運営", "が保有", "が管理", "は最近", "は本日"]
            .iter()
            .any(|p| after.starts_with(p))
        {
            return Some(m.name.clone());
        }
    }
    // Names of things only a Latin token gives (NHK は…).
    most_frequent(orgs.iter()).or_else(|| latin_subject(seg))
}

fn most_frequent<'a>(mentions: impl Iterator<Item = &'a OrgMention>) -> Option<String> {
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    for m in mentions {
        match counts.iter_mut().find(|(n, _, _)| *n == m.name) {
            Some(entry) => entry.1 += 1,
            None => counts.push((m.name.clone(), 1, m.start)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    counts.into_iter().next().map(|(n, _, _)| n)
}

/// `NHKは、` at the start of a sentence.
fn latin_subject(seg: &str) -> Option<String> {
    for (_, line) in lines(seg) {
        let t = line.trim();
        let word: String = t.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit()).collect();
        let rest = t.get(word.len()..).unwrap_or_default();
        if word.len() >= 2 && (rest.starts_with('は') || rest.starts_with('、')) {
            return Some(word);
        }
    }
    None
}

/// The organization type of CONTRACTS.md §2 from the name and how the text speaks.
pub fn org_type(name: &str, seg: &str) -> String {
    let medical = any(name, &["病院", "医療センター", "診療所", "クリニック", "医院", "医療"]);
    let public_mark = any(
        name,
        &[
            "市立",
            "町立",
            "村立",
            "県立",
            "都立",
            "府立",
            "道立",
            "国立",
            "公立",
            "組合立",
            "厚生",
            "市民病院",
            "公社",
            "機構",
            "独立行政法人",
            "大学病院",
            "赤十字",
        ],
    );
    if medical && public_mark {
        return "hospital_public".into();
    }
    if any(name, &["株式会社", "有限会社", "合同会社", "ホールディングス", "(株)", "（株）"]) {
        return "business".into();
    }
    let last = name.chars().last().unwrap_or(' ');
    if MUNICIPAL.contains(&last)
        || "県都府".contains(last)
        || any(
            name,
            &["教育委員会", "役所", "役場", "県庁", "都庁", "府庁", "国立大学法人", "公立大学法人", "独立行政法人"],
        )
        || (any(name, &["市立", "町立", "村立", "県立", "都立", "府立"]) && any(name, &["学校", "図書館", "センター"]))
    {
        return "public_body".into();
    }
    if any(
        name,
        &[
            "財団法人",
            "社団法人",
            "医療法人",
            "社会福祉法人",
            "学校法人",
            "特定非営利活動法人",
            "NPO法人",
            "士法人",
            "協同組合",
            "信用金庫",
            "銀行",
            "事業団",
            "協会",
            "組合",
            "連合会",
        ],
    ) {
        return "business".into();
    }
    // 当センター / 当機構 speak as an institution; ご利用 / お客様 / 弊社 as a business.
    if any(seg, &["当センター", "本センター", "当機構", "当協会", "当法人"]) {
        return "other".into();
    }
    if medical || any(seg, &["弊社", "当社", "弊グループ", "ご利用", "お客様", "ご愛顧"]) {
        return "business".into();
    }
    "other".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        find_orgs(text).into_iter().map(|m| m.name).collect()
    }

    #[test]
    fn names_by_form_and_kind() {
        assert_eq!(names("公益財団法人埼玉県健康づくり事業団が保有する"), ["公益財団法人埼玉県健康づくり事業団"]);
        assert_eq!(names("行っている埼玉県健康づくり事業団は、"), ["埼玉県健康づくり事業団"]);
        assert_eq!(names("株式会社ECC 不正アクセス"), ["株式会社ECC"]);
        assert_eq!(names("みどり商事株式会社は"), ["みどり商事株式会社"]);
        assert_eq!(names("埼玉県春日部市の市内"), ["春日部市"]);
        assert_eq!(names("当院では、下仁田厚生病院において"), ["下仁田厚生病院"]);
        assert!(names("市町村、当市、市内、各市").is_empty());
        // The sender's own line: the name runs to its end, particles and all.
        assert_eq!(
            names("特定非営利活動法人あおぞら子ども食堂ネットワーク\n令和6年12月9日"),
            ["特定非営利活動法人あおぞら子ども食堂ネットワーク"]
        );
    }

    #[test]
    fn a_town_office_is_the_town() {
        assert_eq!(entity("やまぶき町役場"), "やまぶき町");
        assert_eq!(entity("さくら市役所"), "さくら市");
        assert_eq!(entity("市立みなと総合病院"), "市立みなと総合病院");
    }

    #[test]
    fn the_incident_belongs_to_the_sender_not_the_contractor() {
        let seg =
            "業務を委託している公益財団法人埼玉県健康づくり事業団（以下「業者」と記す）より報告を受ける。市長へ報告。";
        assert_eq!(pick_organization(seg, None, "春日部市プレミアム付商品券。春日部市"), Some("春日部市".into()));
    }

    #[test]
    fn organization_types() {
        assert_eq!(org_type("株式会社ECC", ""), "business");
        assert_eq!(org_type("春日部市", ""), "public_body");
        assert_eq!(org_type("下仁田厚生病院", ""), "hospital_public");
        assert_eq!(org_type("公益財団法人東京都保健医療公社", ""), "hospital_public");
        assert_eq!(org_type("公益財団法人埼玉県健康づくり事業団", ""), "business");
        assert_eq!(org_type("日本国際協力センター", "当センター"), "other");
    }
}
