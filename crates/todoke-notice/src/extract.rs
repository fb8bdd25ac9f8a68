//! The facts of one incident from its text. Each field has its own small reader built on how
//! Japanese notices are written — the verbs that mark discovery (判明・発覚・確認), occurrence
//! (侵入・感染・紛失・誤送信), publication (公表・掲載) and reports (個人情報保護委員会へ報告), the
//! headings that open a list of data items or measures — so that a notice never seen before reads
//! the same way. A field the text does not settle stays unknown.

use crate::facts::{IncidentDates, NoticeFacts};
use crate::org::{org_type, pick_organization};
use crate::text::{
    WordSet, any, is_bullet, is_heading, lines, prefix_chars, sentences, strip_marks, suffix_chars, word_set,
};
use jiff::civil::Date;
use std::sync::{LazyLock, OnceLock};
use todoke_ja::{DateMention, find_counts, find_dates, find_times};

/// What an incident's text is read with.
pub struct Segment<'a> {
    /// The incident's text (width-folded).
    pub text: &'a str,
    /// The whole notice (width-folded), for names and years the incident's text leaves out.
    pub doc: &'a str,
    /// The organization named in a compilation entry's header.
    pub header_org: Option<&'a str>,
    /// The dates of the incident's text (partial dates in the year of the notice when the text
    /// names none).
    pub dates: &'a [DateMention],
}

struct Sentence<'a> {
    start: usize,
    text: &'a str,
}

struct Reader<'a> {
    seg: &'a Segment<'a>,
    sentences: Vec<Sentence<'a>>,
    dates: &'a [DateMention],
}

/// Reads one incident.
pub fn read(seg: &Segment<'_>) -> NoticeFacts {
    let sentences = sentences(seg.text)
        .into_iter()
        .filter_map(|(s, e)| Some(Sentence { start: s, text: seg.text.get(s..e)? }))
        .collect();
    let r = Reader { seg, sentences, dates: seg.dates };
    let organization = pick_organization(seg.text, seg.header_org, seg.doc);
    let org_type = organization.as_deref().map(|o| org_type(o, seg.text));
    let vendor = r.vendor_involved();
    let (cause, attack) = r.cause(vendor);
    let data_items = r.data_items();
    let (discovered, discovered_at) = r.discovered();
    let (mut occurred_from, mut occurred_to) = r.occurred(discovered_at, cause.as_deref());
    if occurred_from.is_none()
        && occurred_to.is_none()
        && matches!(cause.as_deref(), Some("loss" | "theft"))
        && let Some(day) = discovered
    {
        (occurred_from, occurred_to) = r.gone_between(day, discovered_at);
    }
    let (count, unit) = r.affected_count();
    let (ppc_reported, ppc_report_dates) = r.ppc();
    NoticeFacts {
        org_type,
        organization,
        incident_dates: IncidentDates {
            discovered: discovered.map(|d| d.to_string()),
            occurred_from: occurred_from.map(|d| d.to_string()),
            occurred_to: occurred_to.map(|d| d.to_string()),
            published: r.published().map(|d| d.to_string()),
        },
        malicious: cause.as_ref().map(|_| attack),
        cause,
        vendor_involved: Some(vendor),
        affected_count: count,
        count_unit: unit,
        sensitive: Some(r.sensitive(&data_items)),
        financial_risk: Some(r.financial(&data_items)),
        data_items,
        ppc_reported,
        ppc_report_dates: ppc_report_dates.iter().map(ToString::to_string).collect(),
        individual_notice: r.individual_notice(),
        prevention_measures: r.prevention(),
        source: String::new(),
        span: [0, 0],
    }
}

/// A sentence that says what was not concerned.
const DENIAL: &[&str] = &["含まれておりません", "含まれていません", "含まれません", "ありません", "対象外"];

/// A verb that says the organization learned of the incident.
const DISCOVERY: &[&str] = &[
    "判明",
    "発覚",
    "発見",
    "確認",
    "把握",
    "気付",
    "気づ",
    "認識",
    "報告を受",
    "報告があ",
    "連絡を受",
    "連絡があ",
    "連絡を受領",
    "通報を受",
    "指摘を受",
    "ご指摘",
    "検知",
    "知った",
    "申し出",
];
/// What makes a discovery verb say the opposite.
const NEGATION: &[&str] = &[
    "おりません",
    "ていません",
    "ていない",
    "なかった",
    "できない",
    "できませ",
    "されず",
    "ありません",
    "中です",
    "中であ",
    "していく",
    "してまい",
    "て参り",
    "の上",
    "ください",
    "予定",
];
/// What happening looks like.
const OCCURRENCE: &[&str] = &[
    "不正アクセス",
    "不正ログイン",
    "フィッシング",
    "表示され",
    "侵入",
    "偵察",
    "攻撃",
    "感染",
    "暗号化",
    "改ざん",
    "窃取",
    "流出",
    "漏えい",
    "漏洩",
    "紛失",
    "盗難",
    "盗ま",
    "誤送信",
    "誤送付",
    "誤配",
    "誤って",
    "送付され",
    "送信され",
    "開封",
    "閲覧可能",
    "閲覧できる",
    "閲覧され",
    "発生",
    "持ち出",
    "置き忘れ",
    "ランサム",
    "なりすまし",
    "不正に送信",
    "不正利用",
];
/// What telling, investigating and reporting look like (dates of these are not when it happened).
const COMMUNICATION: &[&str] = &[
    "対策",
    "実施",
    "完了",
    "復旧",
    "再開",
    "回収",
    "を訪問",
    "訪問し",
    "謝罪",
    "削除",
    "停止",
    "回答",
    "公表",
    "掲載",
    "発表",
    "報告",
    "連絡",
    "通知",
    "お詫び",
    "調査を",
    "調査の",
    "調査会社",
    "調査機関",
    "調査に",
    "調査し",
    "把握",
    "確認",
    "判明",
    "発覚",
    "届",
    "時点",
    "現在",
    "依頼",
    "相談",
    "説明",
    "送付し",
    "発送",
    "問い合わせ",
    "問合せ",
];

/// Words that name each cause, most specific first in [`Reader::cause`]'s order.
const CAUSE_RULES: &[(&str, &[&str])] = &[
    ("ransomware", &["ランサムウェア", "ランサムウエア", "身代金"]),
    (
        "malware",
        &[
            "マルウェア",
            "マルウエア",
            "ウイルス感染",
            "ウィルス感染",
            "コンピュータウイルス",
            "Emotet",
            "エモテット",
            "ウイルスに感染",
            "ウィルスに感染",
            "トロイの木馬",
        ],
    ),
    (
        "insider",
        &[
            "元従業員",
            "元社員",
            "元職員",
            "従業員が不正",
            "職員が不正",
            "社員が不正",
            "不正に持ち出",
            "無断で持ち出",
            "不正に取得",
            "私的に",
            "不正に閲覧",
            "内部不正",
            "懲戒",
            "目的外",
            "業務上知り得た",
            "投稿していた",
            "SNSに投稿",
            "無断で閲覧",
            "のぞき見",
        ],
    ),
    ("theft", &["盗難", "盗まれ", "窃盗", "車上荒らし", "ひったくり", "置き引き", "空き巣"]),
    (
        "loss",
        &[
            "紛失",
            "置き忘れ",
            "所在不明",
            "見当たら",
            "無いことが判明",
            "ないことが判明",
            "滅失",
            "誤廃棄",
            "誤って廃棄",
        ],
    ),
    (
        "misdelivery_email",
        &[
            "誤送信",
            "メールの誤送",
            "BCCで送信すべき",
            "BCC",
            "宛先を誤",
            "メールアドレスが表示",
            "他の受信者のメールアドレス",
            "別の方へ送信",
            "別のお客様へ送信",
            "誤ったメールアドレス",
        ],
    ),
    (
        "misdelivery_post",
        &[
            "誤送付",
            "誤配送",
            "誤配達",
            "誤って郵送",
            "封入誤り",
            "誤封入",
            "別人に送付",
            "別の方に送付",
            "別の方へ送付",
            "他人宛",
            "他の方の書類",
            "誤って別の",
            "誤交付",
            "誤って交付",
            "誤って送付",
            "誤配布",
        ],
    ),
    ("bug", &["不具合", "バグ", "プログラムの誤り", "プログラムに誤り", "システムの設定誤り", "仕様"]),
    (
        "web_misconfiguration",
        &[
            "閲覧可能",
            "閲覧できる状態",
            "閲覧できる状況",
            "公開設定",
            "アクセス制限",
            "キャッシュ",
            "設定ミス",
            "設定誤り",
            "設定に誤り",
            "設定の誤り",
            "設定不備",
            "外部から閲覧",
            "誰でも閲覧",
            "インターネット上で閲覧",
        ],
    ),
    (
        "unauthorized_access",
        &[
            "不正アクセス",
            "不正ログイン",
            "サイバー攻撃",
            "改ざん",
            "なりすまし",
            "乗っ取",
            "不正に送信",
            "リスト型攻撃",
            "脆弱性を悪用",
            "不正侵入",
            "侵害",
        ],
    ),
];
const ADVICE: usize = 10;
const CAUSE_WORD: usize = 11;
const MEASURE_TALK: usize = 12;
const DENIED: usize = 13;
const FAX: usize = 14;
const MISTAKE: usize = 15;
const EMAIL: usize = 16;

fn cause_words() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut lists: Vec<&[&'static str]> = CAUSE_RULES.iter().map(|(_, w)| *w).collect();
        lists.push(&[
            "リスク",
            "ご注意",
            "注意喚起",
            "開封せず",
            "開封しない",
            "削除して",
            "クリック",
            "お気をつけ",
            "一般的に",
            "とは",
        ]);
        lists.push(&["原因"]);
        lists.push(&["再発防止", "今後は", "今後、", "防止策", "徹底いたします", "徹底します", "努めてまいります"]);
        lists.push(&["含まれておりません", "含まれていません", "含まれません"]);
        lists.push(&["ファクシミリ", "ファクス", "ファックス", "FAX", "Fax"]);
        // A human error or a mishandling that names how it happened: a cause, even when it is
        // none of the named ones (a question answered to the wrong person, a document mislaid
        // in a file, a wrong entry).
        lists.push(&[
            "取り違え",
            "取違え",
            "誤認",
            "口頭で",
            "誤掲載",
            "誤って掲載",
            "誤公開",
            "誤表示",
            "誤掲示",
            "誤登録",
            "誤入力",
            "誤記載",
            "誤印刷",
            "誤って",
            "誤った",
            "手順を省略",
            "確認不足",
            "確認を怠",
            "不適切な取扱い",
            "不適切な取り扱い",
            "第三者に回答",
            "第三者に開示",
            "第三者に提供",
            "漏らし",
        ]);
        lists.push(&["メール", "E-mail", "Eメール", "e-mail"]);
        WordSet::new(&lists)
    })
}

impl Reader<'_> {
    fn text(&self) -> &str {
        self.seg.text
    }

    fn dates_in(&self, start: usize, end: usize) -> impl Iterator<Item = &DateMention> {
        self.dates.iter().filter(move |d| d.start >= start && d.end <= end)
    }

    /// The clause after a date, up to the next comma or stop, without times.
    fn clause_after(&self, d: &DateMention) -> &str {
        let rest = self.text().get(d.end..).unwrap_or_default();
        let end = rest.find(['、', '。', '\n', ',']).unwrap_or(rest.len());
        prefix_chars(rest.get(..end).unwrap_or_default(), 60)
    }

    /// The first sentence that says the organization learned of it, and the date that goes with the
    /// verb (the nearest before it; for a line with only a time, the day last mentioned).
    fn discovered(&self) -> (Option<Date>, Option<usize>) {
        for s in &self.sentences {
            let Some(verb) = discovery_verb(s.text) else { continue };
            let verb_at = s.start + verb;
            let end = s.start + s.text.len();
            let in_sentence: Vec<&DateMention> =
                self.dates_in(s.start, end).filter(|d| !self.clause_after(d).starts_with(['時', '現', '付'])).collect();
            // A range's ends (…から / …までに) say when, not when it was learned.
            let point = |d: &&&DateMention| {
                let after = self.text().get(d.end..).unwrap_or_default();
                !(after.starts_with("から")
                    || after.starts_with("まで")
                    || after.starts_with('～')
                    || after.starts_with('~'))
            };
            let before = in_sentence
                .iter()
                .rev()
                .filter(point)
                .find(|d| d.end <= verb_at)
                .or_else(|| in_sentence.iter().find(point));
            if let Some(d) = before {
                if self.clause_after(d).contains("時点") {
                    continue;
                }
                return (Some(d.date), Some(d.start));
            }
            if !find_times(s.text).is_empty()
                && let Some(last) = self.dates.iter().rev().find(|d| d.end <= s.start)
            {
                return (Some(last.date), None);
            }
        }
        (None, None)
    }

    /// When it happened: ranges (`A～B`, `A から B まで`, times within one day), `A以降`, and the
    /// dates whose clause says what happened; the earliest and the latest of them.
    fn occurred(&self, discovered_at: Option<usize>, cause: Option<&str>) -> (Option<Date>, Option<Date>) {
        let text = self.text();
        let misdelivery = matches!(cause, Some("misdelivery_email" | "misdelivery_post"));
        // These run on every sentence and date: word sets scan each text once, not once per word.
        let occurs = |s: &str| {
            word_set!(OCCURRENCE).any_in(s)
                || misdelivery && word_set!(&["発送", "送付", "送信", "郵送", "配信", "交付"]).any_in(s)
        };
        let communicates = |s: &str| {
            let comm = word_set!(COMMUNICATION).any_in(s);
            // For a misdelivery, sending is what happened.
            let telling = word_set!(&[
                "公表",
                "掲載",
                "発表",
                "報告",
                "連絡",
                "謝罪",
                "回収",
                "訪問",
                "お詫び",
                "判明",
                "確認",
                "把握"
            ]);
            comm && (!misdelivery || telling.any_in(s))
        };
        let negated = |s: &str| word_set!(NEGATION).any_in(s);
        let mut days: Vec<Date> = Vec::new();
        let mut open_from: Option<Date> = None;
        let all_lines: Vec<(usize, &str)> = lines(text).collect();
        // The last non-blank line that ends before the sentence (its heading, if it is one).
        // Sentences come in order, so one walk down the lines serves them all.
        let (mut next_line, mut heading) = (0, "");
        let tampered = text.contains("改ざん");
        for s in &self.sentences {
            let scope = word_set!(&[
                "受診",
                "撮影",
                "対象者",
                "年度",
                "契約",
                "登録",
                "在籍",
                "利用した",
                "申し込ん",
                "購入",
                "決済をされた",
            ])
            .any_in(s.text);
            // The heading above a bare range (発生期間 / 発生日時) says what the range is.
            while let Some((at, l)) = all_lines.get(next_line)
                && *at + l.len() < s.start
            {
                if !l.trim().is_empty() {
                    heading = l;
                }
                next_line += 1;
            }
            let happening = occurs(s.text)
                || s.text.contains("の間")
                || (is_heading(heading) && any(heading, &["発生", "期間", "日時"]));
            // Card data skimmed from a tampered payment page: the window of payments is when it
            // happened.
            let skimmed = s.text.contains("決済") && tampered;
            if (scope || !happening) && !skimmed {
                continue;
            }
            let ds: Vec<&DateMention> = self.dates_in(s.start, s.start + s.text.len()).collect();
            for (i, d) in ds.iter().enumerate() {
                let after = skip_times(text.get(d.end..).unwrap_or_default());
                if (after.starts_with("以降") || after.starts_with("以後") || after.starts_with("頃から"))
                    && occurs(s.text)
                {
                    open_from = Some(open_from.map_or(d.date, |o: Date| o.min(d.date)));
                    continue;
                }
                let Some(rest) = strip_range_mark(after) else { continue };
                let rest = rest.trim_start();
                if let Some(next) = ds.get(i + 1)
                    && text.get(d.end..next.start).is_some_and(|between| between.chars().count() <= 20)
                {
                    days.push(d.date);
                    days.push(next.date);
                } else if rest.starts_with(|c: char| c.is_ascii_digit() || c == '午')
                    && !find_times(prefix_chars(rest, 8)).is_empty()
                {
                    days.push(d.date);
                }
            }
        }
        for d in self.dates {
            if Some(d.start) == discovered_at {
                continue;
            }
            let clause = skip_times(self.clause_after(d)).trim_start_matches(['に', '頃', 'ご', 'ろ', ' ']);
            if any(prefix_chars(clause, 3), &["時点", "付", "現在", "まで", "から", "以降"])
                || clause.starts_with(|c: char| c.is_ascii_digit())
            {
                continue;
            }
            let is_header =
                lines(text).take(3).any(|(at, l)| at <= d.start && d.start < at + l.len() && !l.contains('。'));
            if is_header || negated(clause) {
                continue;
            }
            let strong = OCCURRENCE.iter().any(|w| clause.starts_with(w));
            let attack = if strong {
                true
            } else if communicates(clause) {
                false
            } else if occurs(clause) {
                true
            } else {
                // A date that opens its sentence (令和5年7月12日、…): the rest of the sentence, up
                // to the next date.
                let next_date = self.dates.iter().find(|n| n.start >= d.end).map_or(text.len(), |n| n.start);
                let rest = text.get(d.end..next_date).unwrap_or_default();
                let sentence = rest.split('。').next().unwrap_or_default();
                let sentence = sentence.split('\n').next().unwrap_or_default();
                occurs(sentence) && !communicates(sentence) && !negated(sentence)
            };
            if attack {
                days.push(d.date);
            }
        }
        let from = days.iter().min().copied();
        match open_from {
            Some(o) if from.is_none_or(|f| o <= f) && days.iter().all(|d| *d <= o) => (Some(o), None),
            Some(o) => (Some(from.map_or(o, |f| f.min(o))), days.iter().max().copied()),
            None => (from, days.iter().max().copied()),
        }
    }

    /// When a thing lost or stolen went missing, for a notice that does not date the loss itself:
    /// from the last time it was seen (`2月5日に持ち帰り`, `12月2日に使用したことは確認`,
    /// `3月2日に施錠して退出した時点では異常はなく`) to the day its absence was found, or that day
    /// alone when the sentence of finding names the act (`置き忘れたことに気付いた`).
    fn gone_between(&self, discovered: Date, discovered_at: Option<usize>) -> (Option<Date>, Option<Date>) {
        const SEEN: &[&str] = &[
            "持ち帰",
            "持ち出し",
            "使用した",
            "使用して",
            "使用し、",
            "施錠し",
            "異常はありませんでした",
            "異常はなかった",
            "最後に確認",
            "所在を確認",
            "保管を確認",
            "確認できて",
            "退出",
        ];
        let text = self.text();
        let mut seen: Option<Date> = None;
        for s in &self.sentences {
            for w in SEEN {
                let Some(i) = s.text.find(w) else { continue };
                let at = s.start + i;
                if let Some(d) = self.dates_in(s.start, at).filter(|d| d.date < discovered).last()
                    && text.get(d.end..at).is_some_and(|between| between.chars().count() <= 40)
                {
                    seen = Some(seen.map_or(d.date, |x: Date| x.max(d.date)));
                }
            }
        }
        if let Some(from) = seen {
            return (Some(from), Some(discovered));
        }
        let act = ["置き忘れ", "盗まれ", "盗難に遭", "紛失し", "落とし"];
        let finding =
            discovered_at.and_then(|at| self.sentences.iter().find(|s| s.start <= at && at < s.start + s.text.len()));
        if finding.is_some_and(|s| any(s.text, &act)) {
            return (Some(discovered), Some(discovered));
        }
        (None, None)
    }

    /// First publication: a date right before 公表 / 掲載 / 発表, a date opening a sentence that
    /// says 公表, or the date in the notice's header; the earliest.
    fn published(&self) -> Option<Date> {
        let text = self.text();
        let mut found: Vec<Date> = Vec::new();
        for s in &self.sentences {
            for d in self.dates_in(s.start, s.start + s.text.len()) {
                let after = prefix_chars(text.get(d.end..).unwrap_or_default(), 24);
                let upto = after.split(['。', '\n']).next().unwrap_or_default();
                let clause = upto.split('、').next().unwrap_or_default();
                let publish_words = ["公表", "掲載", "報道発表", "発表", "公開し", "プレスリリース"];
                let direct = any(clause, &publish_words) && !any(clause, &["発生", "予定", "受け"]);
                let opening = d.start == s.start + (s.text.len() - s.text.trim_start().len())
                    && upto.starts_with('、')
                    && (s.text.contains("公表し") || s.text.contains("発表し"));
                if direct || opening {
                    found.push(d.date);
                }
            }
        }
        // A date on one of the first short lines: the date of the notice.
        for (n, (at, line)) in lines(text).filter(|(_, l)| !l.trim().is_empty()).enumerate() {
            if n >= 8 {
                break;
            }
            if line.contains('。') || line.chars().count() > 90 {
                continue;
            }
            if let Some(d) = self.dates_in(at, at + line.len()).next()
                && !any(line, DISCOVERY)
                && !any(line, &["発生", "受付", "更新"])
            {
                found.push(d.date);
                break;
            }
        }
        found.into_iter().min()
    }

    fn vendor_involved(&self) -> bool {
        const VENDOR: &[&str] = &[
            "委託先",
            "委託業者",
            "受託業者",
            "受託者",
            "受託事業者",
            "委託事業者",
            "再委託",
            "委託会社",
            "委託している",
            "委託しており",
            "委託していた",
            "業務委託",
            "委託する",
        ];
        self.sentences.iter().any(|s| {
            let found = word_set!(VENDOR).any_in(s.text);
            // 委託元 (the organization is itself the contractor) and an investigation handed to
            // experts are not a contractor taking part in the incident.
            found && !any(s.text, &["調査を委託", "専門機関に委託", "調査会社に委託", "委託元として公表"])
                || s.text.contains("委託元") && any(s.text, &["として", "管理監督"]) && self.seg.text.contains("受託")
        })
    }

    /// The cause, and whether it was malicious: the most specific cause the text names outside
    /// advice, denials and measures.
    fn cause(&self, vendor: bool) -> (Option<String>, bool) {
        let mut hits: Vec<&str> = Vec::new();
        let title_weight = 3;
        let mut score = |cause: &'static str, n: usize| {
            for _ in 0..n {
                hits.push(cause);
            }
        };
        let title_end =
            lines(self.text()).filter(|(_, l)| !l.trim().is_empty()).take(3).last().map_or(0, |(at, l)| at + l.len());
        let set = cause_words();
        let (mut fax, mut email, mut mistake) = (0, 0, false);
        for s in &self.sentences {
            let found = set.lists_in(s.text);
            // Advice to readers (do not open, beware) names risks, not what happened.
            if found & (1 << ADVICE) != 0 && found & (1 << CAUSE_WORD) == 0 {
                continue;
            }
            // Measures name what is to be prevented; denials what did not happen.
            if found & (1 << MEASURE_TALK | 1 << DENIED) != 0 {
                continue;
            }
            let weight = if s.start < title_end { title_weight } else { 1 };
            fax += usize::from(found & (1 << FAX) != 0) * weight;
            email += usize::from(found & (1 << EMAIL) != 0) * weight;
            mistake |= found & (1 << MISTAKE) != 0;
            for (i, (cause, _)) in CAUSE_RULES.iter().enumerate() {
                if found & (1 << i) != 0 {
                    score(cause, weight);
                }
            }
        }
        let count = |c: &str| hits.iter().filter(|h| **h == c).count();
        // A specific cause outranks the generic 不正アクセス that notices write beside it.
        let order = [
            "ransomware",
            "malware",
            "insider",
            "theft",
            "misdelivery_email",
            "misdelivery_post",
            "bug",
            "web_misconfiguration",
            "loss",
            "unauthorized_access",
        ];
        let mut cause = order.iter().copied().find(|c| count(c) > 0);
        // Misconfiguration words are weak beside a stronger human cause named more often.
        if cause == Some("bug") && count("misdelivery_email") > count("bug") {
            cause = Some("misdelivery_email");
        }
        if cause == Some("bug") && count("web_misconfiguration") > count("bug") {
            cause = Some("web_misconfiguration");
        }
        if cause == Some("loss") && count("theft") > 0 {
            cause = Some("theft");
        }
        // A FAX sent to the wrong number is a document gone to the wrong recipient, like post.
        if cause == Some("misdelivery_email") && fax > email {
            cause = Some("misdelivery_post");
        }
        // A stated mistake that fits none of the named causes is `other`; no stated cause is unknown.
        let Some(cause) = cause.or(mistake.then_some("other")) else { return (None, false) };
        let attack = matches!(cause, "ransomware" | "malware" | "unauthorized_access" | "theft" | "insider");
        // An attack on a contractor's system is a vendor incident for the organization.
        if vendor && matches!(cause, "ransomware" | "malware" | "unauthorized_access") && self.attack_at_vendor() {
            return (Some("vendor_incident".into()), true);
        }
        (Some(cause.into()), attack)
    }

    fn attack_at_vendor(&self) -> bool {
        let vendor = word_set!(&[
            "委託業者",
            "委託先",
            "委託している",
            "委託しており",
            "受託業者",
            "再委託",
            "委託会社",
            "委託事業者",
            "受託事業者",
        ]);
        let attack = word_set!(&["不正アクセス", "ランサム", "サイバー攻撃", "ウイルス", "ウィルス", "マルウ"]);
        self.sentences.iter().any(|s| vendor.any_in(s.text) && attack.any_in(s.text))
    }

    /// The number of records or persons concerned: the first count whose words say it is what
    /// leaked, not an inquiry, a notice sent or an attack counted.
    fn affected_count(&self) -> (Option<u64>, Option<String>) {
        let text = self.text();
        let mut messages: Option<(u64, &str)> = None;
        for s in &self.sentences {
            let mut best: Option<(u64, &str)> = None;
            for m in find_counts(s.text) {
                let unit = match m.count.unit {
                    '件' | '通' | '枚' | '冊' => "records",
                    '人' | '名' => "persons",
                    _ => continue,
                };
                let abs = s.start + m.start;
                // The heading above the figure (件数, 対象者数) belongs to its context.
                let before_all = text.get(..abs).unwrap_or_default();
                let before = suffix_chars(before_all, 40);
                // What rules a figure out is said in its own sentence or heading, not the last.
                let own = before.rsplit_once('。').map_or(before, |(_, b)| b);
                let after_full = s.text.get(m.end..).unwrap_or_default();
                let after = prefix_chars(after_full, 16);
                let clause_after = after_full.split(['、', '。']).next().unwrap_or_default();
                let in_sentence = suffix_chars(s.text.get(..m.start).unwrap_or_default(), 40);
                if any(in_sentence, &["問い合わせ", "問合せ", "お問い合わせ", "返還", "年間", "相談", "苦情", "計画"])
                    || any(own, &["スパム", "攻撃", "時点", "問い合わせ", "問合せ"])
                    || any(
                        after,
                        &[
                            "の問い合わせ",
                            "問合せ",
                            "に通知",
                            "に送付",
                            "に発送",
                            "の返",
                            "台",
                            "攻撃",
                            "返還",
                            "に健康診断",
                            "の方に",
                        ],
                    )
                    || any(clause_after, &["確認されておりません", "確認されていません", "ありません"])
                {
                    continue;
                }
                let context_words = word_set!(&[
                    "漏えい",
                    "漏洩",
                    "流出",
                    "紛失",
                    "盗難",
                    "閲覧",
                    "誤送",
                    "誤交付",
                    "写し",
                    "書類",
                    "文書",
                    "明細",
                    "対象",
                    "影響",
                    "件数",
                    "人数",
                    "可能性",
                    "個人情報",
                    "情報",
                    "患者",
                    "会員",
                    "顧客",
                    "名簿",
                    "記録",
                    "分の",
                    "保存",
                    "含まれ",
                    "記載",
                    "アドレス",
                    "データ",
                ]);
                // メール計1,146通: messages, which hold the persons a later figure counts.
                if m.count.unit == '通' && suffix_chars(in_sentence, 4).contains("メール") {
                    messages = messages.or(Some((m.count.value, unit)));
                    continue;
                }
                if context_words.any_in(before) || context_words.any_in(after) {
                    // Several figures in one sentence (カード情報2,318件及び個人情報5,907件): the largest.
                    let best = best.get_or_insert((m.count.value, unit));
                    if m.count.value > best.0 {
                        *best = (m.count.value, unit);
                    }
                }
            }
            if let Some((n, unit)) = best {
                return (Some(n), Some(unit.to_string()));
            }
        }
        messages.map_or((None, None), |(n, unit)| (Some(n), Some(unit.to_string())))
    }

    /// The data items: lists under a heading that names them, and lists in sentences that say what
    /// information was concerned. Lines that deny (含まれておりません) are skipped.
    fn data_items(&self) -> Vec<String> {
        let mut items: Vec<String> = Vec::new();
        let all: Vec<(usize, &str)> = lines(self.text()).collect();
        // Every line is tested for a heading that names data: word sets scan each line once.
        let heading_words = word_set!(&[
            "項目",
            "個人情報の内容",
            "情報の内容",
            "漏えいした",
            "漏洩した",
            "流出した",
            "紛失した",
            "対象となる情報",
            "対象となる個人情報",
            "対象となるデータ",
            "保存されていた",
            "含まれる情報",
            "記載されていた",
            "記録されていた",
            "誤送付した",
            "誤送信した",
            "可能性のある情報",
            "可能性のある個人情報",
            "おそれのある情報",
            "対象情報",
            "記載内容",
        ]);
        let data_nouns = word_set!(&["情報", "項目", "内容", "データ"]);
        let data_verbs = word_set!(&[
            "漏",
            "流出",
            "紛失",
            "盗",
            "閲覧",
            "表示",
            "誤送",
            "誤交付",
            "誤配",
            "送付",
            "記載",
            "保存",
            "対象",
            "含まれ",
            "持ち出",
            "おそれ",
            "可能性",
        ]);
        let other_sections = word_set!(&[
            "件数",
            "人数",
            "原因",
            "経緯",
            "対応",
            "防止",
            "問い合わせ",
            "問合せ",
            "お願い",
            "報告",
            "概要",
            "について",
            "お詫び",
            "お知らせ",
            "に関する",
        ]);
        let mut i = 0;
        while i < all.len() {
            let line = all.get(i).map_or("", |l| l.1);
            let t = strip_marks(line);
            let names_data = |t: &str| heading_words.any_in(t) || data_nouns.any_in(t) && data_verbs.any_in(t);
            let heading = is_heading(line) && names_data(t) && !other_sections.any_in(t);
            if heading {
                // A heading with two cells (項目 内容) opens a table.
                let mut table = t.split_whitespace().count() == 2;
                // The heading's own list after a colon: 【項目】氏名、住所
                if let Some(after) = t.split_once(['：', ':']).map(|(_, a)| a).filter(|a| !a.trim().is_empty()) {
                    push_all(&mut items, split_items(after));
                }
                let mut taken = 0;
                // The last line taken was one short item (an HTML list's <li>): the next short
                // line is another item, not the next heading, unless it looks like one.
                let mut one_per_line = false;
                let mut j = i + 1;
                while let Some((_, next)) = all.get(j) {
                    j += 1;
                    let n = next.trim();
                    if n.is_empty() {
                        if taken > 0 && all.get(j).is_some_and(|(_, l)| is_heading(l) && !is_bullet(l)) {
                            break;
                        }
                        continue;
                    }
                    if taken > 0
                        && is_heading(n)
                        && !is_bullet(n)
                        && !n.contains('、')
                        && (!one_per_line || section_heading(n))
                    {
                        break;
                    }
                    if starts_numbered(n) && taken > 0 {
                        break;
                    }
                    if n.starts_with(['※', '注', '#']) || n.starts_with("(注") {
                        if n.starts_with('#') && taken > 0 {
                            break;
                        }
                        continue;
                    }
                    let without_denial = strip_denied_brackets(n);
                    let n = without_denial.as_str();
                    if !n.contains('。') && word_set!(DENIAL).any_in(n) {
                        continue;
                    }
                    let body = strip_marks(n);
                    // (1) 原因: a sub-heading; a date line; a table's header row (対象 項目).
                    if starts_numbered(n) && !n.contains('、') {
                        if taken > 0 {
                            break;
                        }
                        continue;
                    }
                    if !body.contains('。')
                        && find_dates(body, Some(2000))
                            .first()
                            .is_some_and(|d| d.start == 0 && d.end + 12 >= body.len())
                    {
                        continue;
                    } // 1年生及び2年生の生徒 計312名分: who and how many, not what.
                    let cells: Vec<&str> = body.split_whitespace().collect();
                    let counted = find_counts(body).iter().any(|m| matches!(m.count.unit, '名' | '人' | '件'));
                    if !body.contains('、') && !body.contains('。') && counted {
                        // A table row whose count sits beside the item (ユーザーID 最大 521,884件).
                        if table
                            && let Some(first) = cells.first().filter(|c| cells.len() >= 2 && find_counts(c).is_empty())
                        {
                            push_all(&mut items, vec![(*first).to_string()]);
                            taken += 1;
                            one_per_line = true;
                        }
                        continue;
                    }
                    // …のうち、最大1,208名分の以下の情報 / お客様 約2,300名分の: the line that
                    // announces the list below, not an item.
                    if !body.contains('。')
                        && (counted || any(body, &["以下", "下記", "次の"]))
                        && (body.ends_with('の') || body.ends_with("情報") || body.ends_with("項目"))
                    {
                        continue;
                    }
                    if taken == 0
                        && cells.len() == 2
                        && cells.iter().all(|c| c.chars().count() <= 8 && !c.contains('、'))
                    {
                        table = true;
                        continue;
                    }
                    if body.contains('。') {
                        // Prose: only the lists its sentences announce (情報は、… / 情報(氏名、…)).
                        for (a, b) in sentences(body) {
                            let sentence = body.get(a..b).unwrap_or_default();
                            if any(sentence, DENIAL) {
                                continue;
                            }
                            if let Some(list) = list_in_sentence(sentence).or_else(|| holder_list(sentence)) {
                                push_all(&mut items, split_items(list));
                            }
                        }
                    } else if let Some((key, value)) = table_row(body, table) {
                        // A table row: the item and what it holds (画像付帯情報 氏名、年齢).
                        if key.ends_with("情報") || key.ends_with("項目") {
                            push_all(&mut items, split_items(value));
                        } else {
                            push_all(&mut items, vec![key.to_string()]);
                            if let Some((_, listed)) = value.split_once("情報は") {
                                push_all(&mut items, split_items(listed));
                            }
                        }
                    } else {
                        push_all(&mut items, split_items(cut_list_end(body)));
                    }
                    one_per_line = !body.contains('、') && body.chars().count() <= 20;
                    taken += 1;
                    if taken >= 8 {
                        break;
                    }
                }
                i = j.max(i + 1);
                continue;
            }
            i += 1;
        }
        if items.is_empty() {
            for s in &self.sentences {
                if word_set!(DENIAL).any_in(s.text) {
                    continue;
                }
                if any(s.text, &["情報", "項目", "データ"])
                    && let Some(list) = list_in_sentence(s.text)
                {
                    push_all(&mut items, split_items(list));
                }
            }
        }
        if items.is_empty() {
            // …には、A、B、Cが保存されていた: lists no word announces, only when nothing else names items.
            for s in &self.sentences {
                if !word_set!(DENIAL).any_in(s.text)
                    && let Some(list) = list_before_verb(s.text)
                {
                    push_all(&mut items, split_items(list));
                }
            }
        }
        if items.is_empty() {
            // 「メールアドレス等の個人情報の流出」: the item before 等の個人情報.
            for s in &self.sentences {
                for (i, _) in s.text.match_indices("等の個人情報") {
                    let before = s.text.get(..i).unwrap_or_default();
                    let start = before
                        .rfind(['、', '(', '「', ' ', '，', 'る', 'た', 'の'])
                        .map_or(0, |p| p + before.get(p..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8));
                    let item = before.get(start..).unwrap_or_default();
                    if (2..=12).contains(&item.chars().count()) {
                        push_all(&mut items, vec![item.to_string()]);
                    }
                }
            }
        }
        items
    }

    fn sensitive(&self, items: &[String]) -> bool {
        const SENSITIVE: &[&str] = &[
            "病歴",
            "傷病",
            "病名",
            "診療",
            "診察",
            "検査結果",
            "健診",
            "検診",
            "健康診断",
            "X線",
            "レントゲン",
            "所見",
            "問診",
            "処方",
            "薬剤",
            "服薬",
            "カルテ",
            "障害",
            "障がい",
            "要介護",
            "介護認定",
            "犯罪",
            "前科",
            "信条",
            "宗教",
            "人種",
            "病状",
            "既往歴",
            "妊娠",
            "遺伝",
            "画像",
            "心身",
            "手帳",
            "生活保護",
            "診断",
        ];
        if items.iter().any(|i| any(i, SENSITIVE)) {
            return true;
        }
        let text = self.text();
        let affirmed = text.match_indices("要配慮個人情報").any(|(i, _)| {
            let after = prefix_chars(text.get(i..).unwrap_or_default(), 25);
            !any(after, &["含まれておりません", "含まれていません", "含まれません", "ありません", "該当しません"])
        });
        affirmed
            || word_set!(&["患者情報", "診療情報", "診療記録", "病歴", "傷病名", "健診結果", "検査結果", "カルテ"])
                .any_in(text)
    }

    fn financial(&self, items: &[String]) -> bool {
        items.iter().any(|i| {
            any(
                i,
                &[
                    "クレジットカード",
                    "カード番号",
                    "口座番号",
                    "銀行口座",
                    "暗証番号",
                    "セキュリティコード",
                    "口座情報",
                    "カード情報",
                ],
            )
        })
    }

    /// Whether (and when) the PPC was told: a sentence that says 個人情報保護委員会 and reports,
    /// or a heading that does, with the report dates under it.
    fn ppc(&self) -> (Option<bool>, Vec<Date>) {
        let text = self.text();
        let all: Vec<(usize, &str)> = lines(text).collect();
        let mut reported = None;
        let mut dates: Vec<Date> = Vec::new();
        let verbs = [
            "報告を行",
            "報告し",
            "報告いた",
            "報告済",
            "報告が完了",
            "報告を完了",
            "報告を実施",
            "届け出",
            "届出",
            "提出",
            "速報",
            "確報",
            "へ報告",
            "に報告",
            "報告を行う",
            "報告しています",
            "報告しております",
            "報告を",
            "報告",
        ];
        for (n, (at, line)) in all.iter().enumerate() {
            // 保護委員会 is in 個人情報保護委員会: one search finds either.
            if !line.contains("保護委員会") {
                continue;
            }
            for (s, e) in sentences(line) {
                let sentence = line.get(s..e).unwrap_or_default();
                if !any(sentence, &["保護委員会"]) {
                    continue;
                }
                let from = sentence.find("保護委員会").unwrap_or(0);
                let tail = sentence.get(from..).unwrap_or_default();
                let planned =
                    any(tail, &["必要", "予定", "検討", "義務", "求められ", "対象とな", "してください", "お願い"]);
                if any(sentence, &verbs) && !planned {
                    reported = Some(true);
                    for d in self.dates.iter().filter(|d| d.start >= at + s && d.end <= at + e) {
                        if !dates.contains(&d.date) {
                            dates.push(d.date);
                        }
                    }
                }
                if any(sentence, &verbs) && !planned && is_heading(line) {
                    // Report dates listed under the heading: 速報：令和6年2月21日
                    for (k, (lat, next)) in all.iter().enumerate().skip(n + 1).take(12) {
                        let t = next.trim();
                        if t.is_empty() {
                            continue;
                        }
                        if k > n + 1 && (starts_numbered(t) || t.chars().count() > 40) {
                            break;
                        }
                        if any(t, &["報", "届", "提出", "報告"]) || t.contains('：') || t.contains(':') {
                            for d in self.dates.iter().filter(|d| d.start >= *lat && d.end <= lat + next.len()) {
                                if !dates.contains(&d.date) {
                                    dates.push(d.date);
                                }
                            }
                        }
                    }
                }
            }
        }
        (reported, dates)
    }

    fn individual_notice(&self) -> Option<bool> {
        const EXPLICIT: &[&str] = &[
            "本人への通知",
            "本人通知",
            "個人あて通知",
            "個人宛通知",
            "個人宛て通知",
            "個別に通知",
            "個別にご連絡",
            "個別に連絡",
            "個別にお知らせ",
            "本人あて",
            "ご本人様へ",
            "ご本人様に",
            "本人に対し",
            "本人へ連絡",
            "本人に連絡",
            "個別に謝罪",
            "個別にお詫び",
            "本人に謝罪",
            "本人へ謝罪",
            "本人に説明",
            "本人へ説明",
            "本人に連絡",
        ];
        const NOUN: &[&str] = &["通知", "お詫び", "謝罪", "ご連絡", "連絡", "ご説明", "説明", "お知らせ", "ご案内"];
        const DELIVERY: &[&str] = &[
            "送付",
            "お送り",
            "発送",
            "郵送",
            "配付",
            "配布",
            "メールにて",
            "メールで",
            "メールを送信",
            "文書にて",
            "書面にて",
            "お電話",
            "電話",
            "直接",
            "お会い",
            "家庭訪問",
            "面談",
            "メール及び電話",
            "電話で",
            "電話にて",
            "電話を",
            "書面",
            "文書で",
            "個別",
            "を行う",
            "を行いました",
            "を行って",
            "させていただいて",
            "させていただきま",
            "開始",
            "を行い",
            "実施",
            "を訪問",
            "訪問し",
            "謝罪し",
            "謝罪いたし",
            "説明し",
            "連絡をいたし",
            "ご連絡いたし",
            "ご連絡し",
        ];
        const TARGET: &[&str] = &[
            "に対し",
            "対象の",
            "参加者",
            "の方",
            "本人",
            "対象者",
            "対象となる",
            "該当する",
            "該当の",
            "影響範囲",
            "患者",
            "お客様",
            "会員",
            "利用者",
            "受診者",
            "児童",
            "生徒",
            "保護者",
            "従業員",
            "稼働者",
            "被保険者",
            "申請者",
            "応募者",
            "受験者",
            "対象の方",
            "関係者の方",
            "方々",
            "された方",
            "受信者",
            "皆様へ",
            "登録者",
            "の皆様には",
        ];
        static SET: OnceLock<WordSet> = OnceLock::new();
        let set = SET.get_or_init(|| {
            WordSet::new(&[
                EXPLICIT,
                NOUN,
                DELIVERY,
                TARGET,
                &["取引先", "関係機関", "警察", "予定はありません", "いたしません", "行っておりません"],
            ])
        });
        for s in &self.sentences {
            let found = set.lists_in(s.text);
            if found & 0b10000 != 0 {
                continue;
            }
            if found & 0b1 != 0 || found & 0b1110 == 0b1110 {
                return Some(true);
            }
        }
        None
    }

    /// Measures against recurrence: the lines under a heading that says 再発防止 (each bullet one
    /// measure; prose cut at its commas), or the measure phrases of sentences that promise them.
    fn prevention(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let all: Vec<(usize, &str)> = lines(self.text()).collect();
        let mut i = 0;
        let mut under_heading = false;
        while i < all.len() {
            let line = all.get(i).map_or("", |l| l.1);
            let t = strip_marks(line);
            if is_heading(line)
                && any(t, &["再発防止", "今後の対策", "防止策", "再発防止策", "今後の対策", "対策について"])
                && !any(t, &["原因"])
            {
                under_heading = true;
                let mut j = i + 1;
                let mut taken = 0;
                while let Some((_, next)) = all.get(j) {
                    j += 1;
                    let n = next.trim();
                    if n.is_empty() {
                        continue;
                    }
                    if (taken > 0 || !n.contains('。')) && top_level_heading(n) {
                        j -= 1;
                        break;
                    }
                    // (1) 技術的な対応: a sub-heading inside the measures.
                    if starts_numbered(n) && !n.contains('。') {
                        continue;
                    }
                    // A short line without a full stop is a list item (HTML <li>); a numbered
                    // line ((1) …する。) is one measure, like a bullet.
                    if n.chars().all(|c| c.is_ascii() || c.is_whitespace() || c == '©') {
                        continue;
                    }
                    if is_bullet(n) || !n.contains('。') || starts_numbered(n) && n.matches('。').count() == 1 {
                        push_all(&mut out, measure_of_bullet(strip_marks(n)));
                    } else {
                        for (s, e) in sentences(n) {
                            push_all(&mut out, measures_of_prose(n.get(s..e).unwrap_or_default(), true));
                        }
                    }
                    taken += 1;
                    if taken >= 15 {
                        break;
                    }
                }
                i = j;
                continue;
            }
            i += 1;
        }
        if !under_heading {
            for s in &self.sentences {
                let promises = s.text.contains("再発防止")
                    || (any(s.text, &["今後", "引き続き"]) && any(s.text, &["強化", "徹底", "見直し", "導入"]));
                if promises {
                    push_all(&mut out, measures_of_prose(s.text, false));
                }
            }
        }
        out
    }
}

fn discovery_verb(sentence: &str) -> Option<usize> {
    // Which of the verbs the sentence holds, in one scan: most sentences hold none.
    static VERBS: LazyLock<WordSet> = LazyLock::new(|| WordSet::per_word(DISCOVERY));
    let held = VERBS.lists_in(sentence);
    let mut best: Option<usize> = None;
    for (n, v) in DISCOVERY.iter().enumerate() {
        if held & (1 << n) == 0 {
            continue;
        }
        for (i, _) in sentence.match_indices(v) {
            let after = prefix_chars(sentence.get(i + v.len()..).unwrap_or_default(), 10);
            if any(after, NEGATION) || after.starts_with(['中', '後']) {
                continue;
            }
            // 確認 of something the organization did (確認の電話, 確認を行) is not learning of it.
            if *v == "確認" && (after.starts_with("の電話") || after.starts_with("を行") || after.starts_with("して"))
            {
                continue;
            }
            // 本人確認, 確認を怠った, 確認不足: a check the organization failed to make.
            let before = sentence.get(..i).unwrap_or_default();
            if *v == "確認"
                && (before.ends_with("本人")
                    || before.ends_with("宛先")
                    || ["を十分", "を怠", "不足", "手順", "せず", "しないまま", "を行わ"]
                        .iter()
                        .any(|w| after.starts_with(w)))
            {
                continue;
            }
            best = Some(best.map_or(i, |b| b.min(i)));
            break;
        }
    }
    best
}

fn skip_times(s: &str) -> &str {
    let mut rest = s.trim_start();
    loop {
        let before = rest;
        if let Some(t) = find_times(prefix_chars(rest, 10)).first().filter(|t| t.start == 0 || rest.starts_with("午"))
        {
            rest = rest.get(t.end..).unwrap_or_default().trim_start();
        }
        rest = rest.trim_start_matches(['頃', ' ']);
        if rest == before {
            return rest;
        }
    }
}

/// A line that opens the next part of a notice: numbered or marked (`4. 今後の対応`, `■ 対応`,
/// `【原因】`), or named like one (対応, 再発防止, 経緯, お問い合わせ).
fn section_heading(line: &str) -> bool {
    starts_numbered(line)
        || line.trim_start().starts_with(['■', '【', '◆', '◇', '●', '□', '［', '[', '＜', '<', '〔'])
        || any(
            line,
            &[
                "対応",
                "防止",
                "経緯",
                "原因",
                "問い合わせ",
                "問合せ",
                "お願い",
                "今後",
                "概要",
                "について",
                "窓口",
                "以上",
            ],
        )
}

fn strip_range_mark(s: &str) -> Option<&str> {
    ["～", "〜", "~", "－", "から", "ー", "-"].iter().find_map(|m| s.strip_prefix(m))
}

fn starts_numbered(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().nth(1).is_some_and(|c| matches!(c, ' ' | '.' | '．' | '、') || c.is_ascii_digit())
        || t.starts_with(['【', '＜', '<', '#', '第'])
        || t.starts_with(['(', '（']) && t.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

fn top_level_heading(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().nth(1).is_some_and(|c| matches!(c, ' ' | '.' | '．' | '、')))
        || t.starts_with(['【', '＜', '<', '#', '第', '■'])
}

/// `情報は、LIST`, `情報には、LIST`, `個人情報(LIST)`: the list part of a sentence.
fn list_in_sentence(sentence: &str) -> Option<&str> {
    const TRIGGERS: &[&str] = &[
        "情報には、",
        "情報は、",
        "情報は以下",
        "項目は、",
        "情報としては、",
        "情報として、",
        "データには、",
        "データは、",
        "内容は、",
        "情報:",
        "情報：",
        "項目:",
        "項目：",
    ];
    // Which triggers the sentence holds, in one scan; the others need no search.
    static HELD: LazyLock<WordSet> = LazyLock::new(|| WordSet::per_word(TRIGGERS));
    let held = HELD.lists_in(sentence);
    for (n, t) in TRIGGERS.iter().enumerate() {
        if held & (1 << n) == 0 {
            continue;
        }
        if let Some(i) = sentence.find(t) {
            let before = sentence.get(..i).unwrap_or_default();
            if !any(
                suffix_chars(before, 20),
                &[
                    "漏",
                    "流出",
                    "紛失",
                    "可能性",
                    "おそれ",
                    "恐れ",
                    "対象",
                    "含まれ",
                    "記載",
                    "保存",
                    "閲覧",
                    "送付",
                    "送信",
                    "盗",
                ],
            ) {
                continue;
            }
            let rest = sentence.get(i + t.len()..)?;
            return Some(cut_list_end(rest));
        }
    }
    // 個人情報(氏名、ID、一部受講情報)
    for t in ["個人情報(", "個人情報（", "情報(", "情報（"] {
        if let Some(i) = sentence.find(t) {
            let open = i + t.len() - t.chars().last().map_or(1, char::len_utf8);
            let rest = sentence.get(open..)?;
            let close = matching_paren(rest)?;
            let inner = rest.get(1..close)?;
            if inner.contains('、')
                && any(sentence, &["漏", "流出", "紛失", "可能性", "おそれ", "含まれ", "保存", "閲覧", "盗"])
            {
                return Some(inner);
            }
        }
    }
    None
}

/// Brackets that deny (（氏名、住所等は含まれておりません）) removed from a line.
fn strip_denied_brackets(line: &str) -> String {
    let mut out = line.to_string();
    while let Some(open) = out.find(['(', '（']) {
        let rest = out.get(open..).unwrap_or_default();
        let Some(close) = matching_paren(rest) else { break };
        let inner = rest.get(..close).unwrap_or_default();
        if !any(inner, DENIAL) {
            break;
        }
        let end = open + close + rest.get(close..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
        out.replace_range(open..end.min(out.len()), "");
    }
    out
}

/// `…には、A、B、Cが保存されていた` / `A、B、Cが外部に流出した可能性`: the list before the verb.
fn list_before_verb(sentence: &str) -> Option<&str> {
    const VERBS: &[&str] = &[
        "が記載",
        "が保存",
        "が含まれ",
        "が記録",
        "が流出",
        "が漏",
        "が外部に",
        "が閲覧",
        "が表示",
        "が盗",
        "が持ち出",
        "を記載した",
        "を記載して",
        "を保存した",
        "を保存して",
        "を含む",
        "を記録した",
    ];
    // Which verbs the sentence holds, in one scan: most hold none.
    static HELD: LazyLock<WordSet> = LazyLock::new(|| WordSet::per_word(VERBS));
    let held = HELD.lists_in(sentence);
    let end =
        VERBS.iter().enumerate().filter(|(n, _)| held & (1 << n) != 0).filter_map(|(_, v)| sentence.find(v)).min()?;
    let head = sentence.get(..end)?;
    let start = ["には、", "は、", "には"].iter().filter_map(|t| head.rfind(t).map(|i| i + t.len())).max().unwrap_or(0);
    let list = head.get(start..)?;
    let counted = any(list, &["人の", "名の", "件の", "名分の", "人分の", "件分の"]);
    if !list.contains('、') && !counted
        || !any(
            sentence,
            &["漏", "流出", "紛失", "可能性", "おそれ", "保存", "記載", "閲覧", "表示", "盗", "持ち出", "記録"],
        )
    {
        return None;
    }
    Some(list)
}

/// A sentence whose list hangs on a word ending in 情報 / 項目: `X線画像(…)と画像に付帯する情報(氏名、…)`.
fn holder_list(sentence: &str) -> Option<&str> {
    let i = sentence.find("情報(").or_else(|| sentence.find("情報（"))?;
    let rest = sentence.get(i..)?;
    let open = rest.find(['(', '（'])?;
    let close = matching_paren(rest.get(open..)?)? + open;
    let inner = rest.get(open..close)?;
    if !inner.contains('、') {
        return None;
    }
    // From the start of the sentence through the holder's closing bracket.
    sentence.get(..i + close + rest.get(close..)?.chars().next()?.len_utf8())
}

/// `KEY VALUE` in a table under a two-cell heading.
fn table_row(line: &str, table: bool) -> Option<(&str, &str)> {
    if !table {
        return None;
    }
    let (key, value) = line.split_once(' ')?;
    let (key, value) = (key.trim(), value.trim());
    (!key.is_empty() && !value.is_empty() && !key.contains('、')).then_some((key, value))
}

fn cut_list_end(s: &str) -> &str {
    let mut end = s.len();
    for stop in
        ["が含まれ", "を含む", "である", "です", "となります", "でした", "。", "が記載", "が保存", "が流出", "が漏"]
    {
        if let Some(i) = s.find(stop) {
            end = end.min(i);
        }
    }
    s.get(..end).unwrap_or(s)
}

/// Byte index of the bracket closing the one `s` opens with.
fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Items that are names of people's data, not wording.
const BASE_ITEMS: &[&str] = &[
    "メールアドレス",
    "氏名",
    "住所",
    "電話番号",
    "生年月日",
    "性別",
    "年齢",
    "ID",
    "パスワード",
    "口座番号",
    "クレジットカード番号",
];

/// Splits a written list into items: at 、 / ， / ／ and 及び / 並びに; at と / や only when no
/// 、 separates the list (so 所見と判定 stays whole); `情報(A、B)` opens into A and B.
pub fn split_items(list: &str) -> Vec<String> {
    let list = list.trim().trim_end_matches(['。', '、']);
    let has_comma = top_level_contains(list, &['、', ',', '，']);
    let mut pieces: Vec<&str> = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut iter = list.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        match c {
            '(' | '（' | '「' | '『' => depth += 1,
            ')' | '）' | '」' | '』' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            let rest = list.get(i..).unwrap_or_default();
            let mut cut: Option<usize> = None;
            let digits_around =
                prev.is_some_and(|p| p.is_ascii_digit()) && rest.chars().nth(1).is_some_and(|n| n.is_ascii_digit());
            let middle_dot = c == '・'
                && !prev.is_some_and(|p| p.is_ascii_digit())
                && rest.chars().nth(1).is_some_and(|n| !n.is_ascii_digit());
            if matches!(c, '、' | '，' | '／' | '/') || c == ',' && !digits_around || middle_dot {
                cut = Some(c.len_utf8());
            } else if let Some(w) =
                ["及び", "および", "並びに", "ならびに", "又は", "または"].iter().find(|w| rest.starts_with(**w))
            {
                cut = Some(w.len());
            } else if (c == 'と' || c == 'や')
                && !has_comma
                && prev.is_some_and(|p| !('\u{3041}'..='\u{3096}').contains(&p))
                && i > start
            {
                cut = Some(c.len_utf8());
            }
            if let Some(len) = cut {
                pieces.push(list.get(start..i).unwrap_or_default());
                start = i + len;
                for _ in 1..rest.get(..len).map_or(1, |w| w.chars().count()) {
                    iter.next();
                }
                prev = None;
                continue;
            }
        }
        prev = Some(c);
    }
    pieces.push(list.get(start..).unwrap_or_default());
    let mut out = Vec::new();
    for p in pieces {
        let p = p.trim().trim_start_matches(['・', '-', '•', ' ']);
        if let Some(open) = p.find(['(', '（']) {
            let base = p.get(..open).unwrap_or_default().trim();
            let rest = p.get(open..).unwrap_or_default();
            let inner = matching_paren(rest)
                .and_then(|c| rest.get(rest.chars().next().map_or(1, char::len_utf8)..c))
                .unwrap_or_default();
            let holder = base.ends_with("情報")
                || base.ends_with("項目")
                || base.ends_with("データ")
                || base.ends_with('等')
                || base.ends_with("内容");
            if holder && top_level_contains(inner, &['、', ',', '，']) {
                out.extend(split_items(inner));
                continue;
            }
            push_clean(&mut out, base);
            continue;
        }
        push_clean(&mut out, p);
    }
    out
}

fn top_level_contains(s: &str, seps: &[char]) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' | '（' | '「' => depth += 1,
            ')' | '）' | '」' => depth -= 1,
            _ if depth == 0 && seps.contains(&c) => return true,
            _ => {}
        }
    }
    false
}

fn push_clean(out: &mut Vec<String>, piece: &str) {
    let mut p = piece.trim();
    for suffix in ["などの情報", "等の情報", "など", "等", "の一部", "(一部)", "である", "です"] {
        if let Some(s) = p.strip_suffix(suffix) {
            p = s.trim();
        }
    }
    for prefix in ["その他", "個人情報は"] {
        if let Some(s) = p.strip_prefix(prefix) {
            p = s.trim();
        }
    }
    // 漏えいした可能性のある情報:カード名義人名 → カード名義人名
    if let Some((_, after)) = p.split_once([':', '：'])
        && !after.trim().is_empty()
    {
        p = after.trim();
    }
    // 応募した方の氏名 → 氏名; 承認者様メールアドレス → メールアドレス
    for marker in ["様の", "者の", "方の", "様・", "者様"] {
        if let Some(i) = p.rfind(marker) {
            let after = p.get(i + marker.len()..).unwrap_or_default().trim();
            if !after.is_empty() && (marker.ends_with('の') || BASE_ITEMS.iter().any(|b| after.ends_with(b))) {
                p = after;
            }
        }
    }
    if let Some(base) = BASE_ITEMS.iter().find(|b| p.ends_with(**b) && p.contains('様')) {
        p = base;
    }
    // 申請者47人の氏名, 会員一千二百三十四名の氏名: who, then what.
    for marker in ["名分の", "人分の", "件分の", "名の", "人の", "件の", "分の"] {
        if let Some(i) = p.rfind(marker) {
            let who = p.get(..i).unwrap_or_default();
            let after = p.get(i + marker.len()..).unwrap_or_default();
            if !after.is_empty()
                && who.chars().last().is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十百千万".contains(c))
            {
                p = after;
                break;
            }
        }
    }
    // …に保存されていた学生: a clause, not an item.
    if p.chars().count() > 14 && any(p, &["された", "されていた", "ている", "ていた"])
        || any(p, &["により", "ところ", "いたし", "ました", "以降", "において", "について"])
        || ["この", "その", "当該"].iter().any(|w| p.starts_with(w))
    {
        return;
    }
    // Who the data is about (当社従業員, 退職者) is not an item of data.
    if ["従業員", "職員", "社員", "退職者", "生徒", "児童", "患者", "会員", "顧客", "利用者", "お客様", "受診者"]
        .iter()
        .any(|w| p.ends_with(w))
    {
        return;
    }
    let p = p.trim_matches(['「', '」', '『', '』', ' ', '・']);
    let n = p.chars().count();
    if n == 0 || n > 25 || p.contains('。') || p.starts_with(|c: char| "のがはをにでとへもや".contains(c)) {
        return;
    }
    let dated = p.chars().any(|c| c.is_ascii_digit()) && (p.contains('年') || p.contains('月')) && p.contains('日');
    if dated
        || ["個人情報", "情報", "以下", "一部", "など", "等", "その他"].contains(&p)
        || p.chars().all(|c| c.is_ascii_digit() || "名人件通,".contains(c))
    {
        return;
    }
    out.push(p.to_string());
}

fn push_all(out: &mut Vec<String>, items: Vec<String>) {
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
}

/// What marks a phrase as a measure.
const MEASURE: &[&str] = &[
    "使用",
    "保管",
    "強化",
    "徹底",
    "導入",
    "見直し",
    "整備",
    "教育",
    "研修",
    "再構築",
    "検討",
    "監視",
    "変更",
    "修正",
    "確認",
    "実施",
    "明記",
    "依頼",
    "制限",
    "対策",
    "点検",
    "改善",
    "周知",
    "策定",
    "設置",
    "廃止",
    "暗号化",
    "多要素",
    "ダブルチェック",
    "チェック",
    "更新",
    "禁止",
    "開催",
    "作成",
];

const TAILS: &[&str] = &[
    "に努めていくとの立場を明らかにしました",
    "に取り組んでまいりますので",
    "に取り組んでまいります",
    "に取り組んで参ります",
    "に取り組みます",
    "に取り組み",
    "に努めてまいります",
    "に努めて参ります",
    "に努めます",
    "に努め",
    "を実施いたしました",
    "を実施いたします",
    "を実施しました",
    "を実施します",
    "を実施し",
    "を講じました",
    "を講じます",
    "を図りました",
    "を図ります",
    "を図る",
    "を図り",
    "を行いました",
    "を行います",
    "を行う",
    "を行い",
    "してまいります",
    "して参ります",
    "していきます",
    "していく",
    "いたしました",
    "いたします",
    "しました",
    "します",
    "しており",
    "しております",
    "する",
    "した",
    "完了",
    "等の再発防止",
    "の再発防止",
    "など",
    "等",
    "を予定しております",
    "を予定",
    "予定",
    "ことといたしました",
    "こととしました",
    "こととします",
    "こと",
    "てまいります",
    "とします",
    "とする",
    "とした",
    "を求めます",
    "を求める",
    "とともに",
    "と",
];

fn trim_measure(s: &str) -> String {
    let mut p = s.trim().trim_end_matches(['。', '、', ' ']).to_string();
    // A trailing note in brackets (対応時期目安:9月末) is not the measure.
    if (p.ends_with(')') || p.ends_with('）'))
        && let Some(open) = p.rfind(['(', '（'])
    {
        p.truncate(open);
    }
    loop {
        let before = p.clone();
        for t in TAILS {
            if let Some(s) = p.strip_suffix(t)
                && s.chars().count() >= 4
            {
                p = s.trim_end_matches(['、', ' ']).to_string();
                break;
            }
        }
        if p == before {
            break;
        }
    }
    // 強化し / 徹底し: a verb stem; 見直し is a noun.
    if p.ends_with('し')
        && !p.ends_with("直し")
        && !p.ends_with("対し")
        && p.chars().rev().nth(1).is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    {
        p.pop();
    }
    for lead in [
        "再発防止に向けた",
        "再発防止に向け",
        "再発防止策として",
        "再発防止のため",
        "今後は",
        "今後、",
        "また、",
        "また",
        "引き続き",
        "さらに、",
        "さらに",
        "及び",
        "および",
        "加えて",
    ] {
        if let Some(s) = p.strip_prefix(lead) {
            p = s.trim_start_matches(['、', ' ']).to_string();
        }
    }
    p.replace(['、', ' '], "")
}

fn measure_of_bullet(line: &str) -> Vec<String> {
    let p = trim_measure(line.split('。').next().unwrap_or_default());
    if p.chars().count() >= 4 && !p.contains("以下") { vec![p] } else { Vec::new() }
}

fn measures_of_prose(sentence: &str, under_heading: bool) -> Vec<String> {
    let mut out = Vec::new();
    // 再発防止：…: an inline heading.
    let sentence = match sentence.split_once(['：', ':']) {
        Some((head, rest)) if head.chars().count() <= 10 => rest,
        _ => sentence,
    };
    // Under a heading, a clause that only sets the scene (設定変更時は、… / 委託業者に対し、…)
    // belongs to the measure after it.
    let mut carried = String::new();
    for piece in sentence.split(['、', '。']) {
        let joined;
        let piece = if carried.is_empty() {
            piece.trim()
        } else {
            joined = std::mem::take(&mut carried) + piece.trim();
            joined.as_str()
        };
        if piece.is_empty()
            || piece.ends_with('が')
            || piece.ends_with("ましたが")
            || any(piece, &["以下", "お願い", "ご理解", "お詫び"])
        {
            continue;
        }
        let p = trim_measure(piece);
        // Addressing readers (皆様には…ご連絡) or a clause that only sets the scene (…に対し, …には)
        // is no measure.
        let scene = ["に対し", "に対", "には", "においても", "において", "受け止め", "は", "を", "も"]
            .iter()
            .any(|t| p.ends_with(t));
        if scene || any(&p, &["ご連絡", "ご迷惑", "お詫び", "皆様", "ご心配", "ご理解", "ご説明"]) {
            if scene && under_heading && !any(&p, &["皆様", "受け止め", "事態", "今後"]) {
                carried = piece.to_string();
            }
            continue;
        }
        if p.chars().count() < 4
            || !under_heading && !any(&p, MEASURE)
            // 再発防止 as the aim (再発防止に努め…), not as a thing asked for (再発防止策の提出).
            || p.contains("再発防止") && !p.contains("再発防止策の")
            || p.starts_with("対策")
        {
            continue;
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_at_their_own_separator() {
        assert_eq!(
            split_items(
                "X線画像(胸部、胃部、乳部)及び超音波画像(腹部、乳部)と画像に付帯する情報(氏名、年齢、今回の所見と判定)"
            ),
            ["X線画像", "超音波画像", "氏名", "年齢", "今回の所見と判定"]
        );
        assert_eq!(split_items("氏名、住所、電話番号(一部)等"), ["氏名", "住所", "電話番号"]);
        assert_eq!(split_items("住所や電話番号"), ["住所", "電話番号"]);
        assert_eq!(split_items("「ITプロパートナーズ」利用企業様の承認者様メールアドレス"), ["メールアドレス"]);
        assert_eq!(split_items("氏名・住所・電話番号"), ["氏名", "住所", "電話番号"]);
        assert_eq!(split_items("氏名、住所・電話番号"), ["氏名", "住所", "電話番号"]);
    }

    #[test]
    fn measures_lose_their_verbs() {
        assert_eq!(
            measures_of_prose(
                "再発防止に向けたセキュリティ対策の強化に取り組んでまいりますので、ご理解賜りますようお願い申し上げます。",
                false
            ),
            ["セキュリティ対策の強化"]
        );
        assert_eq!(
            measure_of_bullet("メール送信機能の宛先の見直し(対応時期目安:9月末)"),
            ["メール送信機能の宛先の見直し"]
        );
    }
}
