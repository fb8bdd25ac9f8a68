//! Every route × every kind of user × the demo case and another organization's case. A case shows
//! to its owner's staff in full, to a party's organization only as far as it concerns that party,
//! and to nobody else at all; each change is allowed exactly to the roles that may make it.
//!
//! The table below names every route of `todoke_web::router`, and a test holds it to the router's
//! source, so a new route cannot be added without saying who may use it.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use std::collections::BTreeSet;
use todoke_app::testkit::SmtpReceiver;
use todoke_core::{AffectedPerson, IncidentId, NoticeChannel, ReportKind, Task, TaskKind, TaskStatus};
use todoke_store::testkit::actor;
use todoke_store::{CaseRecordStore, IncidentStore, NotificationStore, PersonStore};

/// What a request is answered with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// 303 to the sign-in page (pages) or 401 (API).
    SignIn,
    /// 303 to the two-factor enrollment (pages) or 403 (API): an administrator without it.
    Enroll,
    /// 403.
    Forbidden,
    /// 404: not theirs, not told apart from missing.
    Nothing,
    /// Done: 200 or 201, or 303 back to where the change was made.
    Done,
    /// 400: what the request names is wrong for this user (the same answer as for what does not exist).
    Invalid,
    /// 200, showing every party of the demo case.
    Full,
    /// 200, showing this party only.
    Only(&'static str),
}

use Answer::*;

/// The users, one column each: anonymous, the foundation's staff, two consignor cities' officers,
/// the foundation's call center and auditor, and the administrator before enrolling two-factor.
const USERS: [Option<&str>; 7] =
    [None, Some("foundation"), Some("kasukabe"), Some("koshigaya"), Some("callcenter"), Some("auditor"), Some("admin")];

/// What a request carries. Its text may hold the placeholders `fill` replaces.
#[derive(Debug, Clone, Copy)]
enum Body {
    Empty,
    Form(&'static str),
    /// A form with a file: other fields (`name=value&…`), then the file.
    File(&'static str, &'static str),
    Json(&'static str),
    Csv(&'static str),
}

/// One route: method, path (placeholders as in the router: `{id}` the case …), body, and the
/// answer of each user on the demo case.
struct Route(&'static str, &'static str, Body, [Answer; 7]);

const KASUKABE: &str = "春日部市";
const KOSHIGAYA: &str = "越谷市";
const FOUNDATION: &str = "公益財団法人埼玉県健康づくり事業団";

const ANYONE: [Answer; 7] = [Done; 7];
const SIGNED_IN: [Answer; 7] = [SignIn, Done, Done, Done, Done, Done, Enroll];
/// The foundation's staff only.
const EDITORS: [Answer; 7] = [SignIn, Done, Forbidden, Forbidden, Forbidden, Forbidden, Enroll];
/// The foundation's staff, and 春日部市 for its own share.
const FILERS: [Answer; 7] = [SignIn, Done, Done, Nothing, Forbidden, Forbidden, Enroll];
/// Everyone of the case but the auditor.
const DESKS: [Answer; 7] = [SignIn, Done, Done, Done, Done, Forbidden, Enroll];
const CASE_READERS: [Answer; 7] = [SignIn, Done, Done, Done, Done, Done, Enroll];

fn routes() -> Vec<Route> {
    let csv = "at,kind,text\n2024-01-29T10:00:00+09:00,other,x\n";
    let people = "委託元,氏名,フリガナ,生年月日,郵便番号,住所\r\n春日部市,高橋 花子,タカハシ ハナコ,1970-03-01,344-0067,埼玉県春日部市中央6-2\r\n";
    vec![
        // Open to anyone: the sign-in page, the static files, the health check, the API's description.
        Route("GET", "/sign-in", Body::Empty, ANYONE),
        Route("GET", "/static/app.css", Body::Empty, ANYONE),
        Route("GET", "/static/upload.js", Body::Empty, ANYONE),
        Route("GET", "/healthz", Body::Empty, ANYONE),
        Route("GET", "/api/v1/openapi.json", Body::Empty, ANYONE),
        // The display switch: anyone, with the session's token when signed in.
        Route("POST", "/preferences", Body::Form("csrf={csrf}&lang=en&dates=wareki"), ANYONE),
        // The session. A wrong password is asked again, whoever asks.
        Route("POST", "/sign-in", Body::Form("login=nobody&password=wrong"), [SignIn; 7]),
        Route("POST", "/sign-out", Body::Form("csrf={csrf}"), [SignIn, Done, Done, Done, Done, Done, Done]),
        Route("POST", "/sign-out-everywhere", Body::Form("csrf={csrf}"), [SignIn, Done, Done, Done, Done, Done, Done]),
        Route("GET", "/two-factor", Body::Empty, [SignIn, Done, Done, Done, Done, Done, Done]),
        // A wrong code: the administrator enrolling is asked again; nobody else has an enrollment.
        Route(
            "POST",
            "/two-factor",
            Body::Form("csrf={csrf}&code=000000"),
            [SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Enroll],
        ),
        // The dashboard, the deployment's audit log and the session's API.
        Route("GET", "/", Body::Empty, SIGNED_IN),
        Route("GET", "/audit", Body::Empty, [SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Enroll]),
        Route("GET", "/api/v1/cases", Body::Empty, SIGNED_IN),
        Route(
            "POST",
            "/api/v1/cases",
            Body::Json(r#"{"title":"x","event":"leak","cause":"loss","data_items":["氏名"],"known_on":"2024-05-01"}"#),
            [SignIn, Done, Done, Done, Forbidden, Forbidden, Enroll],
        ),
        Route("GET", "/api/v1/session", Body::Empty, SIGNED_IN),
        // Accounts: for administrators (the demo's has to enroll first; see the test below).
        Route("GET", "/users", Body::Empty, [SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Enroll]),
        Route(
            "POST",
            "/users",
            Body::Form("csrf={csrf}&org={party}&login=newcomer&name=x&role=auditor"),
            [SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Enroll],
        ),
        Route(
            "POST",
            "/users/remove",
            Body::Form("csrf={csrf}&org={party}&login=koshigaya"),
            [SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Enroll],
        ),
        // One's own account: anyone signed in, for themselves.
        Route("GET", "/account", Body::Empty, SIGNED_IN),
        Route("POST", "/account/reminders", Body::Form("csrf={csrf}&email=me%40example.jp"), SIGNED_IN),
        // Opening a case: for those who work cases, for their own organization.
        Route("GET", "/cases/new", Body::Empty, [SignIn, Done, Done, Done, Forbidden, Forbidden, Enroll]),
        Route(
            "POST",
            "/cases",
            Body::Form("csrf={csrf}&title=x&event=leak&cause=loss&data_items=氏名&known_on=2024-05-01"),
            [SignIn, Done, Done, Done, Forbidden, Forbidden, Enroll],
        ),
        // The case page and its changes.
        Route("GET", "/cases/{id}", Body::Empty, [SignIn, Full, Only(KASUKABE), Only(KOSHIGAYA), Full, Full, Enroll]),
        Route(
            "POST",
            "/cases/{id}/facts",
            Body::Form("csrf={csrf}&persons=18950&cause=ransomware&malicious=&sensitive="),
            EDITORS,
        ),
        Route(
            "POST",
            "/cases/{id}/timeline",
            Body::Form("csrf={csrf}&at=2024-01-29T10:00&offset=%2B09%3A00&kind=other&text=x"),
            EDITORS,
        ),
        Route("POST", "/cases/{id}/timeline/import", Body::File("csrf={csrf}", csv), EDITORS),
        Route("POST", "/cases/{id}/tasks", Body::Form("csrf={csrf}&kind=action&title=x"), EDITORS),
        Route("POST", "/cases/{id}/tasks/{task}/status", Body::Form("csrf={csrf}&status=in_progress"), EDITORS),
        Route("POST", "/cases/{id}/reports/draft", Body::Form("csrf={csrf}&party=春日部市&kind=final"), FILERS),
        Route(
            "POST",
            "/cases/{id}/reports/{report}/submit",
            Body::Form("csrf={csrf}&submitted_on=2024-03-01&receipt=R"),
            FILERS,
        ),
        Route(
            "POST",
            "/cases/{id}/reports",
            Body::Form("csrf={csrf}&party=春日部市&kind=final&submitted_on=2024-03-01"),
            [SignIn, Done, Done, Forbidden, Forbidden, Forbidden, Enroll],
        ),
        // The JSON API of a case.
        Route(
            "GET",
            "/api/v1/cases/{id}",
            Body::Empty,
            [SignIn, Full, Only(KASUKABE), Only(KOSHIGAYA), Full, Full, Enroll],
        ),
        Route(
            "GET",
            "/api/v1/cases/{id}/assessment",
            Body::Empty,
            [SignIn, Full, Only(KASUKABE), Only(KOSHIGAYA), Full, Full, Enroll],
        ),
        Route(
            "GET",
            "/api/v1/cases/{id}/parties",
            Body::Empty,
            [SignIn, Full, Only(KASUKABE), Only(KOSHIGAYA), Full, Full, Enroll],
        ),
        Route(
            "GET",
            "/api/v1/cases/{id}/timeline",
            Body::Empty,
            [SignIn, Done, Forbidden, Forbidden, Done, Done, Enroll],
        ),
        Route("GET", "/api/v1/cases/{id}/tasks", Body::Empty, [SignIn, Done, Forbidden, Forbidden, Done, Done, Enroll]),
        // The timeline as a file: the owner's, as on the case page.
        Route("GET", "/cases/{id}/timeline.csv", Body::Empty, [SignIn, Done, Forbidden, Forbidden, Done, Done, Enroll]),
        Route("GET", "/api/v1/cases/{id}/reports", Body::Empty, CASE_READERS),
        Route(
            "POST",
            "/api/v1/cases/{id}/timeline",
            Body::Json(r#"{"at":"2024-01-29T10:00:00+09:00","kind":"other","text":"x"}"#),
            EDITORS,
        ),
        Route("POST", "/api/v1/cases/{id}/timeline/import", Body::Csv(csv), EDITORS),
        Route("POST", "/api/v1/cases/{id}/tasks", Body::Json(r#"{"kind":"action","title":"x"}"#), EDITORS),
        Route("PATCH", "/api/v1/cases/{id}/tasks/{task}", Body::Json(r#"{"status":"in_progress"}"#), EDITORS),
        Route(
            "POST",
            "/api/v1/cases/{id}/reports",
            Body::Json(r#"{"party":"春日部市","kind":"final","draft":true}"#),
            FILERS,
        ),
        Route(
            "POST",
            "/api/v1/cases/{id}/reports/{report}/submit",
            Body::Json(r#"{"submitted_on":"2024-03-01"}"#),
            FILERS,
        ),
        Route(
            "POST",
            "/api/v1/cases/{id}/lookup",
            Body::Json(r#"{"name_kana":"カスカベ サブロウ","birth_date":"1960-04-01"}"#),
            DESKS,
        ),
        // The call center's desk.
        Route("GET", "/cases/{id}/lookup", Body::Empty, DESKS),
        Route(
            "POST",
            "/cases/{id}/lookup",
            Body::Form("csrf={csrf}&name_kana=カスカベ サブロウ&birth_date=1960-04-01"),
            DESKS,
        ),
        Route("GET", "/cases/{id}/inquiries", Body::Empty, DESKS),
        Route(
            "POST",
            "/cases/{id}/inquiries",
            Body::Form(
                "csrf={csrf}&party=春日部市&received_at=2024-07-01T09:30&offset=%2B09:00&channel=phone&caller=本人&topic=事実確認&answer=x",
            ),
            [SignIn, Done, Done, Nothing, Done, Forbidden, Enroll],
        ),
        Route("POST", "/cases/{id}/inquiries/scripts", Body::Form("csrf={csrf}&topic=事実確認&body=x"), EDITORS),
        // The affected people: the lists are for those who keep them; each city keeps its own.
        Route("GET", "/cases/{id}/people", Body::Empty, [SignIn, Done, Done, Done, Forbidden, Forbidden, Enroll]),
        Route("POST", "/cases/{id}/people", Body::File("csrf={csrf}&party=春日部市", people), FILERS),
        Route("POST", "/cases/{id}/people/{person}/reveal", Body::Form("csrf={csrf}"), FILERS),
        // The notification campaign.
        Route("GET", "/cases/{id}/campaign", Body::Empty, CASE_READERS),
        Route("POST", "/cases/{id}/campaign", Body::Form("csrf={csrf}&party=春日部市"), FILERS),
        Route("POST", "/cases/{id}/campaign/plan", Body::Form("csrf={csrf}&party=春日部市"), FILERS),
        Route("POST", "/cases/{id}/campaign/posted", Body::Form("csrf={csrf}&party=春日部市&date=2024-05-20"), FILERS),
        Route("GET", "/cases/{id}/campaign/handoff.csv?party=春日部市", Body::Empty, FILERS),
        Route("POST", "/cases/{id}/campaign/letters", Body::Form("csrf={csrf}&party=春日部市"), FILERS),
        Route("POST", "/cases/{id}/campaign/letters/{job}/resume", Body::Form("csrf={csrf}"), FILERS),
        Route("GET", "/cases/{id}/campaign/letters/{job}/{batch}", Body::Empty, FILERS),
        Route(
            "POST",
            "/cases/{id}/campaign/returns",
            Body::Form("csrf={csrf}&notice={sent}&reason=moved-unknown&date=2024-05-24"),
            FILERS,
        ),
        // 越谷市 may upload its own returns; a line naming 春日部市's notice is a bad line to it.
        Route(
            "POST",
            "/cases/{id}/campaign/returns/upload",
            Body::File("csrf={csrf}", "{sent},あて所に尋ねあたりません,2024-05-25\n"),
            [SignIn, Done, Done, Invalid, Forbidden, Forbidden, Enroll],
        ),
        Route(
            "POST",
            "/cases/{id}/campaign/remail",
            Body::Form("csrf={csrf}&notice={returned}&postal_code=344-8577&address=埼玉県春日部市中央七丁目2番地1"),
            FILERS,
        ),
        Route("POST", "/cases/{id}/campaign/substitute", Body::Form("csrf={csrf}&notice={returned}"), FILERS),
        Route(
            "POST",
            "/cases/{id}/campaign/publications",
            Body::Form(
                "csrf={csrf}&party=春日部市&place=https://www.city.kasukabe.lg.jp/notice&from=2024-06-01&to=2024-08-31",
            ),
            FILERS,
        ),
        // Costs and the consignor portal.
        Route("GET", "/cases/{id}/costs", Body::Empty, CASE_READERS),
        Route(
            "POST",
            "/cases/{id}/costs/lines",
            Body::Form("csrf={csrf}&party={party}&category=printing&description=x&quantity=1&unit_yen=20"),
            FILERS,
        ),
        Route("POST", "/cases/{id}/costs/lines/remove", Body::Form("csrf={csrf}&party={party}&line={line}"), FILERS),
        Route("POST", "/cases/{id}/costs/refresh", Body::Form("csrf={csrf}&party={party}"), FILERS),
        Route(
            "POST",
            "/cases/{id}/costs/move",
            Body::Form("csrf={csrf}&party={party}&from=draft&to=submitted"),
            FILERS,
        ),
        Route(
            "GET",
            "/cases/{id}/costs/{party}/invoice",
            Body::Empty,
            [SignIn, Done, Done, Nothing, Done, Done, Enroll],
        ),
        Route("GET", "/cases/{id}/portal", Body::Empty, CASE_READERS),
        Route(
            "POST",
            "/cases/{id}/portal/joint",
            Body::Form("csrf={csrf}&party=春日部市&with={foundation}&choice=join"),
            FILERS,
        ),
        // The audit view of one case has no route of its own: it is the deployment's (above).
    ]
}

/// The demo case's objects a route names: a task, a report draft, a person, a letters job, a
/// notice posted and one returned, 春日部市's party id and a line of its cost claim.
struct Fixture {
    case: String,
    party: String,
    task: String,
    report: String,
    person: String,
    job: String,
    sent: String,
    returned: String,
    line: String,
}

impl Fixture {
    /// Makes them in the demo case of `app`, through the store and (where a city does it) the pages.
    async fn new(app: &App) -> Self {
        let id: IncidentId = app.demo_case.parse().unwrap();
        let kasukabe = app.store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == KASUKABE).unwrap();
        let people: Vec<AffectedPerson> = ["サブロウ", "シロウ", "ゴロウ"]
            .iter()
            .enumerate()
            .map(|(n, kana)| AffectedPerson {
                name: format!("春日 {kana}"),
                name_kana: Some(format!("カスカベ {kana}")),
                birth_date: Some(jiff::civil::date(1960 + n as i16, 4, 1)),
                postal_code: Some("344-0000".into()),
                address: Some("埼玉県春日部市旧住所1-1".into()),
                ..Default::default()
            })
            .collect();
        app.store.add_people(&actor(), id, kasukabe.id, &people).await.unwrap();
        let stored = app.store.people(id, Some(kasukabe.id)).await.unwrap();
        let planned: Vec<_> = stored
            .iter()
            .map(|p| todoke_store::PlannedNotice { party: kasukabe.id, person: p.id, channel: NoticeChannel::Post })
            .collect();
        app.store.plan_notifications(&actor(), id, &planned).await.unwrap();
        let notices: Vec<String> = app
            .store
            .notifications(id, Some(kasukabe.id), None)
            .await
            .unwrap()
            .iter()
            .map(|n| n.id.to_string())
            .collect();
        // A job of the letters still waiting, printed; then the city posts them and records a return.
        let job =
            todoke_app::campaign::start_letters(&app.store, &actor(), id, &kasukabe, "# お知らせ", 500).await.unwrap();
        let fonts = std::sync::Arc::new(todoke_app::fonts::system_fonts().unwrap());
        todoke_app::campaign::print_letters(&app.store, &actor(), id, job, fonts, &|_| ()).await.unwrap();
        let city = app.sign_in("kasukabe").await;
        let csrf = app.csrf(&city).await;
        let base = format!("/cases/{}/campaign", app.demo_case);
        for form in [
            format!("csrf={csrf}&party={KASUKABE}&date=2024-05-20"),
            format!("csrf={csrf}&notice={}&reason=moved-unknown&date=2024-05-24", notices[0]),
        ] {
            let path = if form.contains("notice=") { format!("{base}/returns") } else { format!("{base}/posted") };
            let (status, _, body) = app.post_form(&path, Some(&city), &form).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
        }
        let publication = format!(
            "csrf={csrf}&party={KASUKABE}&place=https://www.city.kasukabe.lg.jp/notice&from=2024-06-01&to=2024-08-31"
        );
        assert_eq!(
            app.post_form(&format!("{base}/publications"), Some(&city), &publication).await.0,
            StatusCode::SEE_OTHER
        );
        // One more letter waiting to go, and a line on the city's cost claim.
        let waiting = AffectedPerson {
            name: "春日 六郎".into(),
            name_kana: Some("カスカベ ロクロウ".into()),
            ..people[0].clone()
        };
        app.store.add_people(&actor(), id, kasukabe.id, &[waiting]).await.unwrap();
        let all = app.store.people(id, Some(kasukabe.id)).await.unwrap();
        let last = all.iter().find(|p| !stored.iter().any(|s| s.id == p.id)).unwrap();
        let planned =
            [todoke_store::PlannedNotice { party: kasukabe.id, person: last.id, channel: NoticeChannel::Post }];
        app.store.plan_notifications(&actor(), id, &planned).await.unwrap();
        let costs = format!("/cases/{}/costs", app.demo_case);
        let line =
            format!("csrf={csrf}&party={}&category=printing&description=封筒&quantity=1&unit_yen=20", kasukabe.id);
        assert_eq!(app.post_form(&format!("{costs}/lines"), Some(&city), &line).await.0, StatusCode::SEE_OTHER);
        let page = app.get(&costs, Some(&city)).await.2;
        let line = page.split("name=\"line\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let task = Task {
            kind: TaskKind::Action,
            title: "matrix".into(),
            owner: None,
            due: None,
            status: TaskStatus::Open,
            evidence: None,
        };
        let task = app.store.add_task(&actor(), id, &task).await.unwrap();
        let (report, _) =
            todoke_app::case_records::save_draft(&app.store, &actor(), id, KASUKABE, ReportKind::Final, "# draft")
                .await
                .unwrap();
        Self {
            case: app.demo_case.clone(),
            party: kasukabe.id.to_string(),
            task: task.to_string(),
            report: report.to_string(),
            person: stored[0].id.to_string(),
            job: job.to_string(),
            sent: notices[1].clone(),
            returned: notices[0].clone(),
            line,
        }
    }

    /// The text with its placeholders replaced, on the case `case`.
    fn fill(&self, text: &str, case: &str, csrf: &str) -> String {
        text.replace("{id}", case)
            .replace("{csrf}", csrf)
            .replace("{task}", &self.task)
            .replace("{report}", &self.report)
            .replace("{person}", &self.person)
            .replace("{job}", &self.job)
            .replace("{batch}", "0.pdf")
            .replace("{party}", &self.party)
            .replace("{sent}", &self.sent)
            .replace("{returned}", &self.returned)
            .replace("{line}", &self.line)
            .replace("{foundation}", FOUNDATION)
    }
}

/// An application with fonts (letters) and an SMTP receiver (e-mail), and its fixture.
async fn app_with_fixture(smtp: &SmtpReceiver) -> (App, Fixture) {
    let port = smtp.port;
    let app = App::new_with(move |state| {
        state.with_fonts(todoke_app::fonts::system_fonts().unwrap()).with_smtp(todoke_app::campaign::SmtpConfig {
            port,
            ..todoke_app::campaign::SmtpConfig::new(
                "127.0.0.1",
                todoke_app::campaign::Security::None,
                "notice@todoke.example.jp",
            )
        })
    })
    .await;
    let fixture = Fixture::new(&app).await;
    (app, fixture)
}

/// A user's session in one application: its cookie and the tokens its forms and the API carry.
struct Session {
    cookie: Option<String>,
    form: String,
    api: String,
}

async fn session(app: &App, login: Option<&str>) -> Session {
    let cookie = match login {
        Some(l) => Some(app.sign_in(l).await),
        None => None,
    };
    let (form, api) = match &cookie {
        // The administrator without two-factor sign-in has the enrollment page only.
        Some(c) if login == Some("admin") => (csrf_in(&app.get("/two-factor", Some(c)).await.2), "none".to_string()),
        Some(c) => (app.csrf(c).await, app.api_csrf(c).await),
        None => ("none".to_string(), "none".to_string()),
    };
    Session { cookie, form, api }
}

/// Tries one route as one user on one case; returns the answer, or a description of an answer
/// none of `Answer` is.
async fn try_route(app: &App, fixture: &Fixture, route: &Route, case: &str, who: &Session) -> Result<Answer, String> {
    let Route(method, path, body, _) = route;
    let path = fixture.fill(path, case, &who.form);
    let api = path.starts_with("/api/");
    let (content_type, bytes) = match body {
        Body::Empty => (None, Vec::new()),
        Body::Form(text) => {
            (Some("application/x-www-form-urlencoded".to_string()), fixture.fill(text, case, &who.form).into_bytes())
        }
        Body::Json(text) => (Some("application/json".to_string()), fixture.fill(text, case, &who.form).into_bytes()),
        Body::Csv(text) => (Some("text/csv".to_string()), text.as_bytes().to_vec()),
        Body::File(fields, file) => {
            let mut parts = String::new();
            for field in fixture.fill(fields, case, &who.form).split('&') {
                let (name, value) = field.split_once('=').unwrap();
                parts += &format!("--matrix\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            }
            let file = encoding_rs::SHIFT_JIS.encode(&fixture.fill(file, case, &who.form)).0.into_owned();
            let mut bytes = format!(
                "{parts}--matrix\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\n\r\n"
            )
            .into_bytes();
            bytes.extend_from_slice(&file);
            bytes.extend_from_slice(b"\r\n--matrix--\r\n");
            (Some("multipart/form-data; boundary=matrix".to_string()), bytes)
        }
    };
    let mut headers = Vec::new();
    if let Some(t) = &content_type {
        headers.push(("content-type", t.as_str()));
    }
    if api && *method != "GET" {
        headers.push(("x-csrf-token", who.api.as_str()));
    }
    let (status, h, text) = app.request(method, &path, who.cookie.as_deref(), &headers, bytes).await;
    let location = h.get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    let signing_out = path.starts_with("/sign-out");
    Ok(match (status.as_u16(), api) {
        (303, false) if location == "/sign-in" && signing_out && who.cookie.is_some() => {
            // Signed out: the session opens nothing any more.
            let (after, h, _) = app.get("/", who.cookie.as_deref()).await;
            match (after.as_u16(), h.get("location").map(|l| l.to_str().unwrap())) {
                (303, Some("/sign-in")) => Done,
                _ => return Err(format!("{method} {path}: still signed in after signing out")),
            }
        }
        (303, false) if location == "/sign-in" => SignIn,
        (303, false) if location.starts_with("/two-factor") => Enroll,
        (303, false) => Done,
        (401, _) => SignIn,
        (403, true) if who.api == "none" && who.cookie.is_some() => Enroll,
        (200 | 201, _) => Done,
        (400, _) => Invalid,
        (403, _) => Forbidden,
        (404, _) => Nothing,
        _ => {
            return Err(format!("{method} {path}: {status} {location} {}", text.chars().take(300).collect::<String>()));
        }
    }
    .checked(&text, route))
}

trait Checked {
    fn checked(self, text: &str, route: &Route) -> Self;
}

impl Checked for Answer {
    /// A 200 of a route whose table answer is `Full` or `Only` is that, if the body shows it.
    fn checked(self, text: &str, route: &Route) -> Answer {
        if self != Done || !route.3.iter().any(|a| matches!(a, Full | Only(_))) {
            return self;
        }
        let shows = |party: &str| {
            if route.1.starts_with("/api/") {
                text.contains(&format!("\"{party}\""))
            } else {
                text.contains(&format!("<h3>{party} "))
            }
        };
        match (shows(KASUKABE), shows(KOSHIGAYA)) {
            (true, true) => Full,
            (true, false) => Only(KASUKABE),
            (false, true) => Only(KOSHIGAYA),
            (false, false) => Done,
        }
    }
}

/// The answer every user gets on a case of another organization: nothing, whatever the route.
fn elsewhere(on_demo: Answer) -> Answer {
    match on_demo {
        SignIn | Enroll => on_demo,
        _ => Nothing,
    }
}

/// Runs the routes `which` selects for every user on the demo case and on another organization's
/// case. A change that is made gets an application of its own, so that no change by one user stands
/// in the way of the next; everything else shares one. All differences are reported at once.
async fn run_matrix(which: impl Fn(&Route) -> bool) {
    let smtp = SmtpReceiver::start().await;
    let (shared, fixture) = app_with_fixture(&smtp).await;
    let mut sessions = Vec::new();
    for login in USERS {
        sessions.push(session(&shared, login).await);
    }
    let mut wrong = Vec::new();
    for route in routes().iter().filter(|r| which(r)) {
        for (column, login) in USERS.into_iter().enumerate() {
            let want = route.3[column];
            let on_demo = if route.0 != "GET" && want == Done {
                let (app, fixture) = app_with_fixture(&smtp).await;
                let who = session(&app, login).await;
                try_route(&app, &fixture, route, &fixture.case, &who).await
            } else {
                try_route(&shared, &fixture, route, &fixture.case, &sessions[column]).await
            };
            let mut answers = vec![("the demo case", want, on_demo)];
            if route.1.contains("{id}") {
                let elsewhere_got = try_route(&shared, &fixture, route, &shared.other_case, &sessions[column]).await;
                answers.push(("another organization's case", elsewhere(want), elsewhere_got));
            }
            for (case, want, got) in answers {
                if got.as_ref() != Ok(&want) {
                    let who = login.unwrap_or("anonymous");
                    wrong.push(format!("{who} {} {} on {case}: want {want:?}, got {got:?}", route.0, route.1));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} of the matrix differ:\n{}", wrong.len(), wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix_of_pages() {
    run_matrix(|r| r.0 == "GET").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix_of_changes_to_the_case() {
    run_matrix(|r| r.0 != "GET" && !r.1.contains("/campaign") && !r.1.contains("/costs") && !r.1.contains("/people"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_matrix_of_people_campaign_and_costs() {
    run_matrix(|r| r.0 != "GET" && (r.1.contains("/campaign") || r.1.contains("/costs") || r.1.contains("/people")))
        .await;
}

/// The table names every route of the router, with each of its methods, and nothing else.
#[test]
fn the_matrix_names_every_route() {
    let source = include_str!("../../src/lib.rs");
    let mut served = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap();
        let handlers = chunk.split(".route(").next().unwrap();
        for method in ["get", "post", "patch", "put", "delete"] {
            if handlers.contains(&format!("{method}(")) {
                served.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    let named: BTreeSet<(String, String)> =
        routes().iter().map(|r| (r.0.to_string(), r.1.split('?').next().unwrap().to_string())).collect();
    assert!(served.len() > 50, "the router's routes were read: {served:?}");
    let missing: Vec<_> = served.difference(&named).collect();
    let stale: Vec<_> = named.difference(&served).collect();
    assert!(missing.is_empty() && stale.is_empty(), "not in the matrix: {missing:?}; not routes: {stale:?}");
}

/// A consignor's case list names only its own case, with only its own party.
#[tokio::test]
async fn a_consignor_lists_its_own_case_only() {
    let app = App::new().await;
    let cookie = app.sign_in("kasukabe").await;
    let (_, _, body) = app.get("/api/v1/cases", Some(&cookie)).await;
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);
    assert_eq!(list["cases"][0]["only_parties"], serde_json::json!(["春日部市"]));
}

/// The administrator, once enrolled, reads the deployment's audit log, manages accounts and opens
/// no case at all.
#[tokio::test]
async fn an_enrolled_administrator_sees_the_audit_log_and_no_case() {
    let app = App::new().await;
    let cookie = app.enroll_admin().await;
    for (route, want) in [("/".to_string(), StatusCode::OK), ("/audit".to_string(), StatusCode::OK)] {
        assert_eq!(app.get(&route, Some(&cookie)).await.0, want, "{route}");
    }
    for route in routes().iter().filter(|r| r.0 == "GET" && r.1.contains("{id}")) {
        let path = route.1.replace("{id}", &app.demo_case);
        assert_eq!(app.get(&path, Some(&cookie)).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, _, body) = app.get("/audit", Some(&cookie)).await;
    assert!(body.contains("改ざんは検出されませんでした"), "{body}");

    // It manages every organization's accounts: a new officer for 越谷市 signs in with the
    // password shown once.
    let (status, _, page) = app.get("/users", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h2>越谷市</h2>") && page.contains("<td>koshigaya</td>"), "{page}");
    let org = page
        .split("<option value=\"")
        .find_map(|o| o.split_once("\">").filter(|(_, label)| label.starts_with("越谷市</option>")).map(|(id, _)| id))
        .unwrap();
    let form = format!("csrf={}&org={org}&login=koshigaya-2&name=越谷市+担当2&role=consignor_officer", csrf_in(&page));
    let (status, _, page) = app.post_form("/users", Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let password = page.split("<code class=\"password\">").nth(1).unwrap().split('<').next().unwrap();
    let (status, _, _) = app.post_form("/sign-in", None, &format!("login=koshigaya-2&password={password}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the new account signs in");
    let (status, _, body) = app.post_form("/users", Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("is taken"), "{body}");

    // Taken out of 越谷市, koshigaya's session ends and signing in again opens no case.
    let koshigaya = app.sign_in("koshigaya").await;
    let remove = format!("csrf={}&org={org}&login=koshigaya", csrf_in(&page));
    let (status, _, page) = app.post_form("/users/remove", Some(&cookie), &remove).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<td>koshigaya</td>") && page.contains("<td>koshigaya-2</td>"), "{page}");
    assert_eq!(app.get("/", Some(&koshigaya)).await.0, StatusCode::SEE_OTHER, "signed out");
    let again = app.sign_in("koshigaya").await;
    assert_eq!(app.get(&format!("/cases/{}", app.demo_case), Some(&again)).await.0, StatusCode::NOT_FOUND);
    let (status, _, body) = app.post_form("/users/remove", Some(&cookie), &remove).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not a member any more: {body}");
    // A handler's staff member and its auditor are no deployment auditors.
    for login in ["foundation", "auditor"] {
        let staff = app.sign_in(login).await;
        assert_eq!(app.get("/audit", Some(&staff)).await.0, StatusCode::FORBIDDEN, "{login}");
    }
}

/// What a consignor sees of the case is its own share only: its obligations, no handler timeline.
#[tokio::test]
async fn a_consignor_sees_its_share_of_the_case_only() {
    let app = App::new().await;
    let cookie = app.sign_in("kasukabe").await;
    let (_, _, page) = app.get(&format!("/cases/{}", app.demo_case), Some(&cookie)).await;
    assert!(page.contains("<h3>春日部市 ") && !page.contains("<h3>越谷市 "), "its own obligations only");
    assert!(!page.contains("<h2>時系列</h2>"), "the handler's timeline is not a consignor's");
    let (_, _, body) = app.get(&format!("/api/v1/cases/{}", app.demo_case), Some(&cookie)).await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> =
        json["facts"]["parties"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["春日部市"]);
    assert!(json["facts"]["timeline"].as_array().unwrap().is_empty(), "no handler timeline");
    for route in ["costs", "portal", "campaign", "people", "inquiries"] {
        let (_, _, page) = app.get(&format!("/cases/{}/{route}", app.demo_case), Some(&cookie)).await;
        assert!(!page.contains("越谷市"), "/{route} shows nothing of 越谷市");
    }
}
