//! What the pages say, in Japanese (the default) and English, and how they write dates: western
//! (2024-01-29, the default: the ISO form of CONTRACTS.md) or 和暦 (令和6年1月29日). Every string of
//! the interface is in the one table below; templates ask for it by key (`m.t("case.facts")`).
//!
//! The choice is remembered per browser in a cookie set by a small form (`POST /preferences`); a
//! middleware reads it once per request, so that handlers, templates and error pages share it.

use axum::extract::Request;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use jiff::civil::Date;
use todoke_core::OffsetTime;

/// The preference cookie (`__Host-`: Secure, Path=/, no Domain). It holds no personal data.
pub const COOKIE: &str = "__Host-todoke-prefs";

/// The language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 日本語 (the default).
    #[default]
    Ja,
    /// English.
    En,
}

/// How dates are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dates {
    /// 2024-01-29 (the default).
    #[default]
    Western,
    /// 令和6年1月29日.
    Wareki,
}

/// An amount however deeply a template borrowed it (`i64`, `&i64`, `&&i64`).
pub trait Amount {
    /// The amount.
    fn value(&self) -> i64;
}

impl Amount for i64 {
    fn value(&self) -> i64 {
        *self
    }
}

impl<T: Amount + ?Sized> Amount for &T {
    fn value(&self) -> i64 {
        (**self).value()
    }
}

/// A browser's display preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Prefs {
    /// The language.
    pub lang: Lang,
    /// The way dates are written.
    pub dates: Dates,
}

tokio::task_local! {
    static PREFS: Prefs;
}

/// Reads the preference cookie and serves the request with it.
pub async fn scope(request: Request, next: Next) -> Response {
    let prefs = Prefs::from_headers(request.headers());
    PREFS.scope(prefs, next.run(request)).await
}

macro_rules! messages {
    ($($key:literal => $ja:literal, $en:literal;)*) => {
        /// Every key of the table (for the tests).
        #[cfg(test)]
        const KEYS: &[&str] = &[$($key),*];

        fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
            match key {
                $($key => Some(($ja, $en)),)*
                _ => None,
            }
        }
    };
}

messages! {
    "brand" => "todoke 届け", "todoke";
    "common.as_of" => "基準日", "As of";
    "common.jst" => "（日本時間 JST）", "(Japan Standard Time, JST)";
    "common.all" => "全体", "all";
    "common.items" => "件", " items";
    "common.save" => "追加", "Add";
    "common.none" => "なし", "none";
    "prefs.label" => "表示", "Display";
    "prefs.lang" => "言語", "Language";
    "prefs.dates" => "日付", "Dates";
    "prefs.western" => "西暦（2024-01-29）", "Western (2024-01-29)";
    "prefs.wareki" => "和暦（令和6年1月29日）", "Japanese era (令和6年1月29日)";
    "prefs.apply" => "切り替え", "Apply";
    "nav.sign_out" => "サインアウト", "Sign out";
    "nav.sign_out_everywhere" => "すべての端末でサインアウト", "Sign out everywhere";
    "nav.audit" => "監査ログ", "Audit log";
    "nav.account" => "アカウント", "Account";
    "nav.users" => "ユーザー管理", "Users";
    "users.title" => "ユーザー管理", "Users";
    "users.created" => "アカウントを作りました。パスワードはこの一度だけ表示します。本人に安全な方法で伝えてください:", "The account is made. Its password is shown this once; pass it on safely:";
    "users.name" => "表示名", "Name";
    "users.role" => "役割", "Role";
    "users.org" => "組織", "Organization";
    "users.add" => "アカウントの追加", "Add an account";
    "users.submit" => "追加する", "Add";
    "users.remove" => "組織から外す", "Remove";
    "users.help" => "ログイン名は a-z、0-9、「.」「-」「_」。管理者は最初のサインインで2段階認証を設定します。パスワードを忘れたときは todoke user password LOGIN。", "Logins use a-z, 0-9, '.', '-' and '_'. Administrators set up two-factor sign-in at their first sign-in. A forgotten password: todoke user password LOGIN.";
    "case.timeline.export" => "時系列表（CSV、取り込みと同じ列）:", "Timeline as CSV (the columns the import reads):";
    "common.yes" => "はい", "yes";
    "common.no" => "いいえ", "no";
    "dashboard.new_case" => "事案を登録する", "Open a case";
    "new_case.title" => "事案の登録", "Open a case";
    "new_case.intro" => "分かっていることだけで登録できます。後から事実を直すと、期限と義務は計算し直されます。各質問の下に、それが報告の要否や期限にどう効くかを書いています。", "Open it with what is known now: when facts change later, the deadlines and obligations are computed again. Under each question: how it bears on whether and when to report.";
    "new_case.what" => "何が起きたか", "What happened";
    "new_case.org" => "発生元（自組織）", "Where it happened (your organization)";
    "new_case.case_title" => "事案名", "Case name";
    "new_case.summary" => "概要", "Summary";
    "new_case.event" => "事態", "Event";
    "new_case.suspected" => "発生したおそれ（確証はまだない）", "Only suspected (not yet proven)";
    "new_case.suspected_why" => "確証がなくても、漏えい等が「発生したおそれ」がある段階で報告の対象になります（規則7条）。", "A breach only suspected must be reported too (Rules Art. 7).";
    "new_case.cause" => "原因", "Cause";
    "new_case.cause_why" => "不正アクセス、ランサムウェア、盗難など不正の目的によるおそれがあると、1人分でも報告の対象で、確報は60日目までです（規則7条3号）。", "An act possibly done with wrongful intent (unauthorized access, ransomware, theft…) makes even one person reportable, with the final report due on day 60 (Rules Art. 7(iii)).";
    "new_case.when" => "いつ知ったか", "When it was known";
    "new_case.known_on" => "知った日", "Day it was known";
    "new_case.known_on_why" => "知った日を1日目として数えます。速報は速やかに（目安は3〜5日以内）、確報は30日目（不正の目的によるおそれがあれば60日目）まで。期限が土日祝日・年末年始にあたれば翌開庁日です。和暦でも入力できます。", "Day 1 is the day it was known. Preliminary report promptly (3–5 days as a guide), final report by day 30 (day 60 for wrongful intent), moved to the next working day past weekends, holidays and the New Year break. 和暦 dates are read too.";
    "new_case.data" => "どのような情報か", "What data";
    "new_case.data_items" => "情報の項目（改行または読点で区切る）", "Data items (one a line, or separated by commas)";
    "new_case.from_items" => "項目から判断", "judge from the items";
    "new_case.sensitive" => "要配慮個人情報を含む", "Sensitive data (要配慮個人情報)";
    "new_case.sensitive_why" => "病歴、健診結果、犯罪の経歴などの要配慮個人情報が含まれると、1人分でも報告の対象です（規則7条1号）。", "Medical history, health-check results, criminal records… make even one person reportable (Rules Art. 7(i)).";
    "new_case.financial_risk" => "財産的被害のおそれ", "Risk of financial damage";
    "new_case.financial_risk_why" => "クレジットカード番号やネットバンキングの認証情報など、不正に使われると財産的被害が生じるおそれがあれば、1人分でも報告の対象です（規則7条2号）。", "Card numbers, banking credentials… make even one person reportable (Rules Art. 7(ii)).";
    "new_case.encrypted" => "高度な暗号化等で秘匿され、鍵は漏れていない", "Strongly encrypted, the key not compromised";
    "new_case.encrypted_why" => "高度な暗号化等の保護がされていれば、報告を要しない場合があります（規則7条1号括弧書）。", "Data protected by strong encryption may need no report (Rules Art. 7(i), parenthesis).";
    "new_case.my_number" => "マイナンバー（特定個人情報）を含む", "My Number (特定個人情報) involved";
    "new_case.who" => "誰の情報か", "Whose data";
    "new_case.persons" => "本人の数（最大。分からなければ空欄）", "Number of people (at most; empty when unknown)";
    "new_case.persons_why" => "1,000人を超えると、それだけで報告の対象です（規則7条4号）。", "More than 1,000 people is reportable by itself (Rules Art. 7(iv)).";
    "new_case.consignors" => "委託元（1行に1団体：名前, 種別, 知った日）", "Consignors (one a line: name, kind, day known)";
    "new_case.consignors_why" => "委託を受けて扱っていた情報なら、委託元もそれぞれ自らの報告義務を負い、知った日から数えます（省くと発生元と同じ日）。種別は 事業者・行政機関等・公的病院（省くと事業者）。委託先から通知を受けた委託元との連名報告は、登録後に設定できます。", "For data handled on behalf of others, each consignor has its own duty, counted from the day it knew (the same day as yours if left out). Kind: 事業者, 行政機関等 or 公的病院 (事業者 if left out). Joint reports are set after opening.";
    "new_case.checklist" => "標準の対応項目を追加する", "Start with the usual response checklist";
    "new_case.checklist_why" => "被害の拡大防止、報告（期限つき）、委託元と本人への通知、問合せ窓口、公表の判断、原因に応じた再発防止策を、対応項目として登録します。", "Containment, the reports (with their dates), the notices to consignors and individuals, the inquiry desk, the publication decision and the prevention measures the cause calls for, as tasks.";
    "new_case.submit" => "登録して期限を確認する", "Open it and see the deadlines";
    "account.title" => "アカウント", "Your account";
    "account.login" => "ログイン名", "Login";
    "account.reminders" => "期限のお知らせ", "Deadline reminders";
    "account.reminders_help" => "担当する当事者の期限（確報など）の7日前・3日前・前日・当日と、期限を過ぎたときに、このアドレスへメールでお知らせします。報告の提出を記録すると止まります。空にすると送りません。", "Reminders of your party's deadlines (the final report and others) come to this address 7, 3 and 1 days before, on the day and once after; they stop when the report is recorded as filed. Leave it empty for none.";
    "account.email" => "メールアドレス", "E-mail address";
    "account.save" => "保存", "Save";
    "account.saved" => "保存しました。", "Saved.";
    "nav.dashboard" => "ダッシュボードへ", "To the dashboard";
    "sign_in.title" => "サインイン", "Sign in";
    "sign_in.failed" => "サインインできませんでした。ログイン名とパスワードを確認してください。続けて失敗するとしばらくサインインできなくなります。", "Could not sign in. Check your login and password. After repeated failures, signing in is blocked for a while.";
    "sign_in.login" => "ログイン名", "Login";
    "sign_in.password" => "パスワード", "Password";
    "sign_in.code" => "認証コード（2段階認証を設定した方）", "Authenticator code (with two-factor sign-in)";
    "two_factor.title" => "2段階認証", "Two-factor sign-in";
    "two_factor.done" => "2段階認証は設定済みです。サインインの際に認証アプリのコードを入力してください。", "Two-factor sign-in is set up. Enter the code of your authenticator app when you sign in.";
    "two_factor.howto" => "認証アプリ（Google Authenticator、Microsoft Authenticator など）でQRコードを読み取り、表示された6桁のコードを入力してください。管理者は設定するまで他の画面を使えません。", "Scan the QR code with an authenticator app (Google Authenticator, Microsoft Authenticator…) and enter the 6-digit code it shows. Administrators reach no other page until this is set up.";
    "two_factor.retry" => "コードが一致しませんでした。もう一度入力してください。", "The code did not match. Please try again.";
    "two_factor.key" => "QRコードを読み取れないときは次のキーを入力:", "If the QR code cannot be scanned, enter this key:";
    "two_factor.code" => "確認コード", "Code";
    "two_factor.submit" => "設定する", "Set up";
    "error.title" => "エラー", "Error";
    "error.quote" => "問い合わせの際は次のリクエストIDをお伝えください:", "When you ask for help, quote this request id:";
    "error.back" => "ダッシュボードへ戻る", "Back to the dashboard";
    "error.sign_in" => "サインインしてください", "Please sign in";
    "error.enroll" => "管理者は2段階認証を設定してください", "Administrators must set up two-factor sign-in";
    "error.not_found" => "見つかりません（または閲覧の権限がありません）", "Not found (or not yours to see)";
    "error.forbidden" => "この操作の権限がありません", "You may not do this";
    "error.invalid" => "入力を確認してください", "Please check your input";
    "error.conflict" => "この操作はできません", "This cannot be done";
    "error.too_many" => "短時間に何度も試みられました。1分ほど待ってからお試しください", "Too many attempts in a short time; please wait a minute and try again";
    "inquiries.title" => "問い合わせ対応記録", "Inquiry log";
    "inquiries.link" => "問い合わせ対応記録", "Inquiry log";
    "inquiries.add" => "問い合わせを記録", "Log an inquiry";
    "inquiries.party" => "窓口", "Desk";
    "inquiries.received" => "受付日時", "Received";
    "inquiries.channel" => "受付方法", "Channel";
    "inquiries.caller" => "相手", "Caller";
    "inquiries.topic" => "内容", "Topic";
    "inquiries.damage" => "二次被害の申出あり", "Secondary damage reported";
    "inquiries.damage_mark" => "二次被害の申出", "secondary damage reported";
    "inquiries.answer" => "回答", "Answer";
    "inquiries.escalated" => "上位者・担当課へ引継ぎ", "Passed on";
    "inquiries.escalated_mark" => "（引継ぎ）", "(passed on)";
    "inquiries.submit" => "記録する", "Log";
    "inquiries.daily" => "日別・内容別の件数", "Per day and topic";
    "inquiries.day" => "日付", "Day";
    "inquiries.total" => "計", "Total";
    "inquiries.none" => "問い合わせの記録はまだありません。", "No inquiry logged yet.";
    "inquiries.log" => "記録（新しい順）", "Log (newest first)";
    "scripts.title" => "想定問答（回答例）", "Answer scripts";
    "scripts.none" => "想定問答はまだありません。", "No answer script yet.";
    "scripts.version" => "第", "version ";
    "scripts.version_suffix" => "版", "";
    "scripts.older" => "以前の版", "Earlier versions";
    "scripts.add" => "想定問答を追加・改訂", "Add or revise a script";
    "scripts.body" => "回答", "Answer";
    "scripts.submit" => "新しい版として保存", "Save as a new version";
    "people.title" => "対象者名簿", "Affected people";
    "campaign.title" => "本人通知の送付", "Notices to individuals";
    "campaign.link" => "本人通知の送付", "Notices";
    "campaign.howto" => "当事者ごとに、名簿の対象者への通知を計画し（「対象者名簿」の振り分けと同じ規則：メール、郵送、掲示、代替措置）、メールの通知を送ります。送信済みの通知は二度と送りません。送信中に中断された通知は、届いたか分からないため自動では再送しません。", "Per party, plans a notice to each person on its list (the channel rule of the people plan: e-mail, post, bulletin, substitute) and sends the e-mail ones. A notice sent is never sent again; one interrupted while sending may have arrived and is not resent automatically.";
    "campaign.channel" => "方法", "Channel";
    "campaign.status" => "状況", "Status";
    "campaign.count" => "件数", "Count";
    "campaign.none" => "まだ計画されていません。", "Nothing planned yet.";
    "campaign.start" => "メールで送付する", "Send the e-mail notices";
    "campaign.plan" => "通知を計画する（名簿から）", "Plan the notices (from the list)";
    "campaign.no_smtp" => "このサーバーには SMTP サーバーが設定されていません（todoke serve --smtp-host …）。", "This server has no SMTP server set (todoke serve --smtp-host …).";
    "campaign.running" => "送付中です。再読み込みで進み具合を表示します。", "Sending; reload to see the progress.";
    "campaign.finished" => "前回の送付", "Last run";
    "campaign.sent" => "送信", "sent";
    "campaign.bounced" => "不達", "bounced";
    "campaign.failed" => "失敗", "failed";
    "campaign.unknown" => "送信不明", "unknown";
    "campaign.stopped" => "中断", "stopped";
    "campaign.error" => "エラー", "error";
    "campaign.fig.sent" => "送付", "Sent";
    "campaign.fig.delivered" => "到達確認", "Delivered";
    "campaign.fig.returned" => "返戻", "Returned";
    "campaign.fig.remailed" => "再送", "Re-mailed";
    "campaign.fig.substitute" => "代替措置", "Substitute";
    "campaign.fig.unreachable" => "未達", "Unreachable";
    "campaign.chart" => "本人通知の推移", "Notices over time";
    "campaign.item6" => "確報 6. 本人への対応の実施状況", "Final report item 6 (notices to individuals)";
    "campaign.publications" => "代替措置（公表）の掲載", "Substitute notice publications";
    "campaign.posted_on" => "投函日", "Posted on";
    "campaign.posted" => "郵送の通知を投函済みにする", "Record the letters as posted";
    "campaign.problems" => "返戻・不達の通知", "Returned or undelivered notices";
    "campaign.notice" => "通知ID", "Notice id";
    "campaign.reason" => "返戻理由", "Reason";
    "campaign.address" => "訂正後の住所", "Corrected address";
    "campaign.remail" => "訂正住所へ再送", "Re-mail";
    "campaign.to_substitute" => "代替措置へ移す", "Move to substitute notice";
    "campaign.place" => "掲載場所（URL・場所）", "Where (URL or place)";
    "campaign.from" => "掲載開始日", "From";
    "campaign.to" => "掲載終了日", "To";
    "campaign.publish" => "掲載を記録", "Record the publication";
    "campaign.returns" => "返戻の記録", "Returned letters";
    "campaign.returns_help" => "返戻された郵便を1通ずつ、または一覧（CSV：通知IDまたはMessage-ID、返戻理由、返戻日。UTF-8またはShift_JIS）で記録します。一覧に誤りが1つでもあれば何も記録しません。", "Record returned letters one by one or as a list (CSV: notice id or Message-ID, reason, date; UTF-8 or Shift_JIS). A list with any error records nothing.";
    "campaign.returned_on" => "返戻日", "Returned on";
    "campaign.record_return" => "返戻を記録", "Record the return";
    "campaign.returns_file" => "返戻一覧（CSV）", "List of returns (CSV)";
    "campaign.upload_returns" => "一覧を取り込む", "Upload the list";
    "people.link" => "対象者名簿", "Affected people";
    "costs.title" => "費用請求", "Cost claims";
    "costs.link" => "費用請求", "Cost claims";
    "costs.howto" => "委託元ごとの費用の内訳です。本人通知の郵送料・電子通知の費用は送付済みの件数と単価（郵送150円、電子50円）から計算し、印刷・コールセンターなどは手入力します。委託元が提出し、委託先（事案の所有者）が承認・差戻し・支払済の記録をします。", "Each consignor's costs. Postage and electronic notices are computed from the notices sent at the agreed unit costs (post 150 yen, e-mail 50 yen); printing, the call center and the rest are entered by hand. The consignor submits; the handler (the case's owner) approves, returns or records the payment.";
    "costs.grand_total" => "全委託元の合計", "All consignors";
    "costs.yen" => "円", "yen";
    "costs.paid_on" => "支払日", "Paid on";
    "costs.note" => "差戻しの理由", "Reason for return";
    "costs.none" => "明細はまだありません。", "No lines yet.";
    "costs.category" => "区分", "Category";
    "costs.description" => "内容", "Description";
    "costs.quantity" => "数量", "Quantity";
    "costs.unit" => "単価（円）", "Unit (yen)";
    "costs.amount" => "金額（円）", "Amount (yen)";
    "costs.from_campaign" => "（送付件数から計算）", "(from the notices sent)";
    "costs.remove" => "削除", "Remove";
    "costs.total" => "合計", "Total";
    "costs.invoice" => "請求書を表示", "Show the invoice";
    "costs.download" => "請求書をダウンロード", "Download the invoice";
    "costs.refresh" => "送付件数から通知費用を計算", "Compute the notice costs from the notices sent";
    "costs.add" => "明細を追加", "Add a line";
    "costs.submit" => "提出する", "Submit";
    "costs.approve" => "承認する", "Approve";
    "costs.return" => "差し戻す", "Return for correction";
    "costs.pay" => "支払済にする", "Mark paid";
    "portal.joint" => "連名報告", "Joint report (連名)";
    "portal.joint_yes" => "連名で報告します（報告はこの相手がまとめて提出します）", "reported jointly (this party files the report for both)";
    "portal.joint_no" => "単独で報告します", "reported alone";
    "portal.joint_join" => "連名報告に参加する", "Join the joint report";
    "portal.joint_own" => "単独で報告する", "File our own report";
    "portal.title" => "委託元ポータル", "Consignor portal";
    "portal.link" => "委託元ポータル", "Consignor portal";
    "portal.obligations" => "義務と期限", "Obligations and deadlines";
    "portal.reports" => "報告（連名報告を含む）", "Reports (joint reports included)";
    "portal.no_reports" => "提出・作成された報告はまだありません。", "No report filed or drafted yet.";
    "portal.work" => "対象者・通知・問い合わせ・費用", "People, notices, inquiries, costs";
    "people.imported" => "取り込み結果", "Imported";
    "people.added" => "登録", "stored";
    "people.present" => "登録済み", "already stored";
    "people.rejected" => "使えない行", "rejected rows";
    "people.revealed" => "個人情報の表示（監査ログに記録しました）", "Shown in full (recorded in the audit log)";
    "people.name" => "氏名", "Name";
    "people.address" => "住所", "Address";
    "people.upload" => "名簿の取り込み", "Upload a list";
    "people.upload_howto" => "CSV（UTF-8 または Shift_JIS）か Excel（.xlsx）の名簿を取り込みます。同じ名簿を再度取り込んでも二重には登録されません。使えない行はファイル・行・理由を表示します。", "Uploads a list as CSV (UTF-8 or Shift_JIS) or Excel (.xlsx). Uploading the same list again stores nobody twice. Rows that cannot be used are listed with file, line and reason.";
    "people.file" => "名簿ファイル", "List file";
    "people.upload_submit" => "取り込む", "Upload";
    "campaign.handoff" => "印刷業者への引渡しデータ（投函待ちの通知）", "Hand-off file for the print vendor (letters waiting to be posted)";
    "campaign.letters" => "通知文書（PDF）", "Letters (PDF)";
    "campaign.letters_help" => "投函待ちの通知の手紙を、窓あき封筒用のPDFにします。大きな件数は500通ずつ裏で作られ、止まっても続きから再開します。進み具合はこのページを再読み込みして確かめてください。", "Prints the letters waiting to be posted as PDF for window envelopes. Large jobs run in the background, 500 letters a file, and resume where they stopped. Reload this page to follow the progress.";
    "campaign.letters_start" => "手紙のPDFを作る", "Print the letters";
    "campaign.letters_no_fonts" => "このサーバーにはPDF用のフォントがありません（fonts-ipaexfont-mincho, fonts-ipaexfont-gothic）。", "This server has no fonts for PDF (fonts-ipaexfont-mincho, fonts-ipaexfont-gothic).";
    "campaign.letters_job" => "作成開始", "Started";
    "campaign.letters_printed" => "作成済み", "Printed";
    "campaign.letters_resume" => "再開する", "Resume";
    "campaign.letters_state.running" => "作成中", "printing";
    "campaign.letters_state.done" => "完了", "done";
    "campaign.letters_state.failed" => "停止", "stopped";
    "people.upload_sending" => "送信中", "Sending";
    "people.upload_reading" => "名簿を読み込んで登録しています…", "Reading and storing the list…";
    "people.upload_failed" => "送信できませんでした。もう一度お試しください", "The upload failed; please try again";
    "people.count" => "人", " people";
    "people.reveal" => "表示", "Show";
    "lookup.title" => "対象者照会（自分は対象か）", "Am I affected?";
    "lookup.link" => "対象者照会", "Am I affected?";
    "lookup.howto" => "お問い合わせの方の氏名のフリガナと生年月日で、通知対象者の名簿に含まれるかを確認します。名簿の内容は表示されません。照会は監査ログに記録されます。", "Checks by the reading (kana) of the caller's name and their birth date whether they are on a list of affected people. Nothing of the lists is shown; each question is recorded in the audit log.";
    "lookup.kana" => "氏名（フリガナ）", "Name (kana)";
    "lookup.birth" => "生年月日", "Birth date";
    "lookup.submit" => "照会する", "Check";
    "lookup.found" => "対象者です。該当する名簿", "Affected. On the list of";
    "lookup.not_found" => "照会できる名簿には該当がありません", "Not on any list you may check";
    "lookup.back" => "事案へ戻る", "Back to the case";
    "error.internal" => "内部エラーが発生しました", "Something failed inside";
    "audit.title" => "監査ログ", "Audit log";
    "audit.intact" => "改ざんは検出されませんでした", "No tampering found";
    "audit.head" => "先頭ハッシュ", "head hash";
    "audit.failed" => "検証に失敗しました", "Verification failed";
    "audit.entry" => "エントリ", "entry";
    "audit.at" => "日時 (UTC)", "Time (UTC)";
    "audit.actor" => "実行者", "Actor";
    "audit.action" => "操作", "Action";
    "audit.object" => "対象", "Object";
    "dashboard.title" => "ダッシュボード", "Dashboard";
    "dashboard.heading" => "事案", "Cases";
    "dashboard.none" => "閲覧できる事案はありません。", "There is no case you may see.";
    "dashboard.case" => "事案", "Case";
    "dashboard.owner" => "発生元", "Owner";
    "dashboard.share" => "範囲", "Share";
    "dashboard.next" => "次の期限", "Next deadline";
    "dashboard.left" => "残り", "Left";
    "dashboard.overdue" => "期限超過", "Overdue";
    "case.share" => "表示範囲", "Showing";
    "case.share_parties" => "に関する部分のみ", "only";
    "case.facts" => "事実", "Facts";
    "case.event" => "事態", "Event";
    "case.suspected" => "（おそれ）", " (suspected)";
    "case.cause" => "原因", "Cause";
    "case.items" => "項目", "Data items";
    "case.persons" => "本人の数", "People";
    "case.occurred" => "発生期間", "Occurred";
    "case.unknown" => "不明", "unknown";
    "case.changes" => "直近の変更による影響", "What the last change did";
    "case.edit" => "事実の更新", "Change the facts";
    "case.edit.persons" => "本人の数（最大の可能性のある数、不明なら空欄） ", "People (the maximum possible; empty when unknown) ";
    "case.edit.malicious" => "不正の目的のおそれ", "Wrongful intent may be involved";
    "case.edit.from_cause" => "原因から判断", "as the cause says";
    "case.edit.yes" => "あり", "yes";
    "case.edit.no" => "なし", "no";
    "case.edit.sensitive" => "要配慮個人情報", "Sensitive data (要配慮個人情報)";
    "case.edit.from_items" => "項目から判断", "as the data items say";
    "case.edit.included" => "含む", "included";
    "case.edit.not_included" => "含まない", "not included";
    "case.edit.suspected" => "発生したおそれ（未確定）", "Suspected (not yet proven)";
    "case.edit.encrypted" => "高度な暗号化（鍵は漏えいしていない）", "Strongly encrypted (key not compromised)";
    "case.edit.submit" => "更新して再評価", "Update and re-assess";
    "case.charts" => "期限と義務", "Deadlines and obligations";
    "case.chart.deadlines" => "期限の時間軸", "Deadlines on a time axis";
    "case.chart.obligations" => "当事者ごとの義務", "Obligations per party";
    "case.parties" => "当事者と義務", "Parties and their obligations";
    "case.matched" => "該当", "Categories";
    "case.obligation" => "義務", "Obligation";
    "case.recipient" => "相手", "To";
    "case.due" => "期限", "Due";
    "case.left" => "残り", "Left";
    "case.basis" => "根拠", "Basis";
    "case.reasons" => "判断の理由", "Why";
    "case.timeline" => "時系列", "Timeline";
    "case.timeline.at" => "日時", "Time";
    "case.timeline.kind" => "種別", "Kind";
    "case.timeline.text" => "内容", "What happened";
    "case.timeline.source" => "出典", "Source";
    "case.timeline.add" => "出来事を追加", "Add an event";
    "case.timeline.zone" => "時差", "UTC offset";
    "case.timeline.import" => "CSVから取り込む", "Import from CSV";
    "case.timeline.import_help" => "見出し行: at,kind,text,source,technique（UTF-8 / BOM付き / Shift_JIS）。1行でも誤りがあれば何も取り込みません。", "Header: at,kind,text,source,technique (UTF-8 with or without BOM, or Shift_JIS). One bad row and nothing is imported.";
    "case.timeline.file" => "ファイル", "File";
    "case.timeline.import_submit" => "取り込む", "Import";
    "case.tasks" => "タスク・再発防止策", "Tasks and recurrence prevention (再発防止策)";
    "case.tasks.kind" => "種別", "Kind";
    "case.tasks.title" => "内容", "Task";
    "case.tasks.owner" => "担当", "Owner";
    "case.tasks.status" => "状況", "Status";
    "case.tasks.due" => "期限", "Due";
    "case.tasks.evidence" => "根拠・証跡", "Evidence";
    "case.tasks.add" => "タスクを追加", "Add a task";
    "case.tasks.move" => "更新", "Update";
    "case.reports" => "報告", "Reports";
    "case.reports.party" => "当事者", "Party";
    "case.reports.kind" => "種別", "Kind";
    "case.reports.submitted_on" => "提出日", "Submitted on";
    "case.reports.receipt" => "受付番号", "Receipt number";
    "case.reports.timeliness" => "期限", "Deadline";
    "case.reports.record" => "提出を記録", "Record a submission";
    "case.reports.none" => "報告はまだありません。", "No report yet.";
    "case.reports.draft" => "下書き", "Draft";
    "case.reports.make_draft" => "下書きを作成", "Make a draft";
    "case.reports.draft_help" => "事案の事実から個人情報保護委員会への報告（規則第8条の9項目）の下書きを作ります。", "Drafts the report to the PPC (the nine items of Rules Art. 8) from the facts of the case.";
    "case.reports.drafts" => "下書き", "Drafts";
    "case.reports.submit" => "提出済みにする", "Mark submitted";
    "case.reports.on_time" => "期限内", "on time";
    "case.reports.late" => "期限超過", "late";
    "case.reports.relieved" => "免除", "relieved";
    "case.reports.today" => "本日", "today";
    "chart.today" => "今日", "today";
    "chart.overdue" => "期限超過", "overdue";
    "chart.open" => "期限あり", "dated";
    "chart.undated" => "速やかに", "promptly";
    "chart.done" => "提出済み", "filed";
    "chart.relieved" => "免除", "relieved";
    "obligation.promptly" => "速やかに", "promptly";
    "obligation.guidance" => "（目安）", " (guidance)";
    "obligation.relieved" => "免除", "Relieved";
    "obligation.joint" => "連名", "Jointly with";
    "obligation.assumption" => "前提", "Assumes";
    "verdict.voluntary" => "努力義務", "voluntary";
    "verdict.reportable" => "報告対象", "reportable";
    "verdict.not_reportable" => "報告対象外", "not reportable";
}

impl Prefs {
    /// An amount of yen with thousands separators (`18,863`); negative amounts keep their sign.
    pub fn yen(&self, amount: impl Amount) -> String {
        let amount = amount.value();
        let digits = todoke_ja::format_number(amount.unsigned_abs());
        if amount < 0 { format!("-{digits}") } else { digits }
    }

    /// The preferences of the request being served (the defaults outside a request).
    pub fn current() -> Self {
        PREFS.try_with(|p| *p).unwrap_or_default()
    }

    /// Reads the preference cookie; anything unreadable is the default.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| Self::parse(value))
            .unwrap_or_default()
    }

    /// `ja.western`, `en.wareki`…: the cookie's value.
    pub fn cookie_value(self) -> String {
        format!("{}.{}", self.lang_key(), self.dates_key())
    }

    fn parse(value: &str) -> Self {
        let (lang, dates) = value.split_once('.').unwrap_or((value, ""));
        Self { lang: Self::lang_from(lang).unwrap_or_default(), dates: Self::dates_from(dates).unwrap_or_default() }
    }

    /// The language with this key (`ja`, `en`).
    pub fn lang_from(key: &str) -> Option<Lang> {
        match key {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The date style with this key (`western`, `wareki`).
    pub fn dates_from(key: &str) -> Option<Dates> {
        match key {
            "western" => Some(Dates::Western),
            "wareki" => Some(Dates::Wareki),
            _ => None,
        }
    }

    /// `ja` or `en` (also the page's `lang` attribute).
    pub fn lang_key(self) -> &'static str {
        match self.lang {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// `western` or `wareki`.
    pub fn dates_key(self) -> &'static str {
        match self.dates {
            Dates::Western => "western",
            Dates::Wareki => "wareki",
        }
    }

    /// Whether the interface speaks Japanese.
    pub fn ja(self) -> bool {
        self.lang == Lang::Ja
    }

    /// The text of `key` in the chosen language; an unknown key shows as itself (a test keeps the
    /// templates' keys in the table).
    pub fn t(self, key: &str) -> &str {
        match lookup(key) {
            Some((ja, en)) => {
                if self.ja() {
                    ja
                } else {
                    en
                }
            }
            None => key,
        }
    }

    /// A day as the browser wants it.
    pub fn date(self, day: Date) -> String {
        match self.dates {
            Dates::Western => day.to_string(),
            Dates::Wareki => todoke_ja::format_wareki(day).unwrap_or_else(|| day.to_string()),
        }
    }

    /// A text that starts with an ISO date (a due date, perhaps with a time): the date rewritten,
    /// the rest kept.
    pub fn date_text(self, text: &str) -> String {
        match text.get(..10).and_then(|d| d.parse::<Date>().ok()) {
            Some(day) => {
                let rest = text.get(10..).unwrap_or_default();
                match rest.strip_prefix('T') {
                    Some(time) => format!("{} {time}", self.date(day)),
                    None => format!("{}{rest}", self.date(day)),
                }
            }
            None => text.to_string(),
        }
    }

    /// A time with the offset it was observed in: `2024-01-28 02:10 (+09:00)`.
    pub fn time(self, at: &OffsetTime) -> String {
        let z = at.zoned();
        let seconds = at.offset.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        format!(
            "{} {:02}:{:02} (UTC{sign}{:02}:{:02})",
            self.date(z.date()),
            z.hour(),
            z.minute(),
            minutes / 60,
            minutes % 60
        )
    }

    /// "あと3日" / "3 days left".
    pub fn days_left(self, days: i64) -> String {
        match (self.lang, days) {
            (_, 0) => self.t("case.reports.today").to_string(),
            (Lang::Ja, d) => format!("あと{d}日"),
            (Lang::En, 1) => "1 day left".into(),
            (Lang::En, d) => format!("{d} days left"),
        }
    }

    /// "2日超過" / "2 days overdue".
    pub fn days_over(self, days: i64) -> String {
        match (self.lang, days) {
            (Lang::Ja, d) => format!("{d}日超過"),
            (Lang::En, 1) => "1 day overdue".into(),
            (Lang::En, d) => format!("{d} days overdue"),
        }
    }

    /// The name of an enum value of the domain: its Japanese label, or its key in English.
    pub fn label(self, key: &str, ja: &'static str) -> String {
        if self.ja() { ja.to_string() } else { key.replace('_', " ") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_uses_is_in_the_table() {
        let templates = [
            include_str!("../templates/base.html"),
            include_str!("../templates/prefs.html"),
            include_str!("../templates/signed_in.html"),
            include_str!("../templates/sign_in.html"),
            include_str!("../templates/two_factor.html"),
            include_str!("../templates/error.html"),
            include_str!("../templates/audit.html"),
            include_str!("../templates/dashboard.html"),
            include_str!("../templates/case.html"),
        ];
        let mut used = 0;
        for text in templates {
            for piece in text.split("m.t(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                assert!(lookup(key).is_some(), "`{key}` is not in the message table");
                used += 1;
            }
        }
        assert!(used > 50, "the templates take their words from the table");
        let mut sorted = KEYS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KEYS.len(), "no key is defined twice");
    }

    #[test]
    fn dates_in_both_styles() {
        let day: Date = "2024-01-29".parse().unwrap();
        let wareki = Prefs { lang: Lang::Ja, dates: Dates::Wareki };
        assert_eq!(wareki.date(day), "令和6年1月29日");
        assert_eq!(Prefs::default().date(day), "2024-01-29");
        assert_eq!(wareki.date_text("2019-05-01T10:00:00+09:00"), "令和元年5月1日 10:00:00+09:00");
        assert_eq!(wareki.date_text("速やかに"), "速やかに");
        let at: OffsetTime = "2024-01-28T02:10:00+09:00".parse().unwrap();
        assert_eq!(Prefs::default().time(&at), "2024-01-28 02:10 (UTC+09:00)");
    }

    #[test]
    fn the_cookie_round_trips_and_junk_is_the_default() {
        let p = Prefs { lang: Lang::En, dates: Dates::Wareki };
        assert_eq!(Prefs::parse(&p.cookie_value()), p);
        assert_eq!(Prefs::parse("xx.<script>"), Prefs::default());
        assert_eq!(Prefs { lang: Lang::En, dates: Dates::Western }.t("case.facts"), "Facts");
        assert_eq!(Prefs::default().t("case.facts"), "事実");
        assert_eq!(Prefs::default().t("no.such.key"), "no.such.key");
    }
}
