//! Every route × every kind of user × organizations: a case shows to its owner in full, to a
//! party's organization only as far as it concerns that party, and to nobody else at all.

use crate::App;
use axum::http::StatusCode;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Sees {
    /// 303/401: sign in first.
    SignIn,
    /// 404: not theirs (not told apart from missing).
    Nothing,
    /// 403.
    Forbidden,
    /// 200, with all parties.
    Full,
    /// 200, with only the named party.
    Only(&'static str),
    /// 200.
    Ok,
    /// 303 to the two-factor enrollment (pages) or 403 (API): an administrator without it.
    Enroll,
}

#[tokio::test]
async fn the_authorization_matrix() {
    let app = App::new().await;
    let demo = app.demo_case.clone();
    let other = app.other_case.clone();
    let routes: Vec<(String, bool)> = vec![
        ("/".into(), false),
        (format!("/cases/{demo}"), false),
        (format!("/cases/{other}"), false),
        ("/audit".into(), false),
        ("/api/v1/cases".into(), true),
        (format!("/api/v1/cases/{demo}"), true),
        (format!("/api/v1/cases/{demo}/assessment"), true),
        (format!("/api/v1/cases/{other}"), true),
        (format!("/api/v1/cases/{other}/assessment"), true),
        ("/api/v1/session".into(), true),
        (format!("/api/v1/cases/{demo}/parties"), true),
        (format!("/api/v1/cases/{demo}/timeline"), true),
        (format!("/api/v1/cases/{demo}/tasks"), true),
        (format!("/api/v1/cases/{demo}/reports"), true),
        (format!("/api/v1/cases/{other}/parties"), true),
        (format!("/api/v1/cases/{other}/timeline"), true),
        (format!("/api/v1/cases/{other}/tasks"), true),
        (format!("/api/v1/cases/{other}/reports"), true),
        (format!("/cases/{demo}/lookup"), false),
        (format!("/cases/{other}/lookup"), false),
        (format!("/cases/{demo}/inquiries"), false),
        (format!("/cases/{other}/inquiries"), false),
        (format!("/cases/{demo}/campaign"), false),
        (format!("/cases/{other}/campaign"), false),
    ];
    use Sees::*;
    // One row per user; one column per route above.
    let matrix: Vec<(Option<&str>, [Sees; 24])> = vec![
        (None, [SignIn; 24]),
        (
            Some("foundation"),
            [
                Ok, Full, Nothing, Forbidden, Ok, Full, Full, Nothing, Nothing, Ok, Full, Ok, Ok, Ok, Nothing, Nothing,
                Nothing, Nothing, Ok, Nothing, Ok, Nothing, Full, Nothing,
            ],
        ),
        (
            Some("kasukabe"),
            [
                Ok,
                Only("春日部市"),
                Nothing,
                Forbidden,
                Ok,
                Only("春日部市"),
                Only("春日部市"),
                Nothing,
                Nothing,
                Ok,
                Only("春日部市"),
                Forbidden,
                Forbidden,
                Ok,
                Nothing,
                Nothing,
                Nothing,
                Nothing,
                Ok,
                Nothing,
                Ok,
                Nothing,
                Ok,
                Nothing,
            ],
        ),
        (
            Some("koshigaya"),
            [
                Ok,
                Only("越谷市"),
                Nothing,
                Forbidden,
                Ok,
                Only("越谷市"),
                Only("越谷市"),
                Nothing,
                Nothing,
                Ok,
                Only("越谷市"),
                Forbidden,
                Forbidden,
                Ok,
                Nothing,
                Nothing,
                Nothing,
                Nothing,
                Ok,
                Nothing,
                Ok,
                Nothing,
                Ok,
                Nothing,
            ],
        ),
        (Some("admin"), [Enroll; 24]),
    ];
    for (login, expected) in matrix {
        let cookie = match login {
            Some(l) => Some(app.sign_in(l).await),
            None => None,
        };
        for ((route, api), want) in routes.iter().zip(expected) {
            let (status, _, body) = app.get(route, cookie.as_deref()).await;
            let who = login.unwrap_or("anonymous");
            match want {
                SignIn => assert_eq!(
                    status,
                    if *api { StatusCode::UNAUTHORIZED } else { StatusCode::SEE_OTHER },
                    "{who} {route}"
                ),
                Nothing => assert_eq!(status, StatusCode::NOT_FOUND, "{who} {route}"),
                Enroll => assert_eq!(
                    status,
                    if *api { StatusCode::FORBIDDEN } else { StatusCode::SEE_OTHER },
                    "{who} {route}"
                ),
                Forbidden => assert_eq!(status, StatusCode::FORBIDDEN, "{who} {route}"),
                Ok => assert_eq!(status, StatusCode::OK, "{who} {route}"),
                Full => {
                    assert_eq!(status, StatusCode::OK, "{who} {route}");
                    assert!(body.contains("春日部市") && body.contains("越谷市"), "{who} {route} sees every party");
                }
                Only(mine) => {
                    assert_eq!(status, StatusCode::OK, "{who} {route}");
                    let other_city = if mine == "春日部市" { "越谷市" } else { "春日部市" };
                    if route.starts_with("/cases/") {
                        assert!(body.contains(&format!("<h3>{mine} ")), "{who} {route} sees its own obligations");
                        assert!(
                            !body.contains(&format!("<h3>{other_city} ")),
                            "{who} {route} must not see {other_city}'s obligations"
                        );
                        assert!(
                            !body.contains("<h2>時系列</h2>"),
                            "{who} {route}: the handler's timeline is not a consignor's"
                        );
                    } else {
                        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let names: Vec<&str> = match json.get("facts") {
                            Some(facts) => facts["parties"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|p| p["name"].as_str().unwrap())
                                .collect(),
                            None => json["parties"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|p| p["party"].as_str().or_else(|| p["party"]["name"].as_str()).unwrap())
                                .collect(),
                        };
                        assert!(
                            !names.is_empty() && names.iter().all(|n| *n == mine),
                            "{who} {route} sees only {mine}: {names:?}"
                        );
                        if let Some(facts) = json.get("facts") {
                            assert!(
                                facts["timeline"].as_array().unwrap().is_empty(),
                                "{who} {route}: no handler timeline"
                            );
                        }
                    }
                }
            }
        }
    }
    // The case list of a consignor names only its own case.
    let cookie = app.sign_in("kasukabe").await;
    let (_, _, body) = app.get("/api/v1/cases", Some(&cookie)).await;
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);
    assert_eq!(list["cases"][0]["only_parties"], serde_json::json!(["春日部市"]));
}

#[tokio::test]
async fn an_enrolled_administrator_sees_the_audit_log_and_no_case() {
    let app = App::new().await;
    let cookie = app.enroll_admin().await;
    for (route, want) in [
        ("/".to_string(), StatusCode::OK),
        ("/audit".to_string(), StatusCode::OK),
        (format!("/cases/{}", app.demo_case), StatusCode::NOT_FOUND),
        (format!("/api/v1/cases/{}", app.demo_case), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(app.get(&route, Some(&cookie)).await.0, want, "{route}");
    }
    let (_, _, body) = app.get("/audit", Some(&cookie)).await;
    assert!(body.contains("改ざんは検出されませんでした"), "{body}");
    // A handler's staff member is no deployment auditor.
    let staff = app.sign_in("foundation").await;
    assert_eq!(app.get("/audit", Some(&staff)).await.0, StatusCode::FORBIDDEN);
}

/// What a change (a form post or an API call) is answered with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// 303 to the sign-in page (forms) or 401 (API).
    SignIn,
    /// 303 to the two-factor enrollment (forms) or 403 (API).
    Enroll,
    /// Done: 303 back (forms), 200 or 201 (API).
    Done,
    /// 403.
    Forbidden,
    /// 404.
    Nothing,
}

/// Every route that changes something × every kind of user × the demo case and another
/// organization's case. Tokens are each user's own; tasks and drafts are made fresh for each try.
#[tokio::test]
async fn the_authorization_matrix_of_changes() {
    use Answer::*;
    use todoke_store::{CaseRecordStore, IncidentStore};
    let app = App::new().await;
    let users: [Option<&str>; 5] = [None, Some("foundation"), Some("kasukabe"), Some("koshigaya"), Some("admin")];
    // Columns: anonymous, foundation (owner's staff), kasukabe, koshigaya (consignor officers), admin (no 2FA yet).
    let owner_only = [SignIn, Done, Forbidden, Forbidden, Enroll];
    let kasukabe_share = [SignIn, Done, Done, Nothing, Enroll];
    let elsewhere = [SignIn, Nothing, Nothing, Nothing, Enroll];
    let csv = "at,kind,text\n2024-01-29T10:00:00+09:00,other,x\n";
    let kasukabe = "%E6%98%A5%E6%97%A5%E9%83%A8%E5%B8%82";
    for (column, login) in users.into_iter().enumerate() {
        let cookie = match login {
            Some(l) => Some(app.sign_in(l).await),
            None => None,
        };
        let signed_in = cookie.is_some() && login != Some("admin");
        let (form_csrf, api_csrf) = match &cookie {
            Some(c) if signed_in => (app.csrf(c).await, app.api_csrf(c).await),
            _ => ("none".to_string(), "none".to_string()),
        };
        for (case, on_demo) in [(app.demo_case.clone(), true), (app.other_case.clone(), false)] {
            let id: todoke_core::IncidentId = case.parse().unwrap();
            let actor = todoke_store::testkit::actor();
            let task = Task {
                kind: TaskKind::Action,
                title: "matrix".into(),
                owner: None,
                due: None,
                status: TaskStatus::Open,
                evidence: None,
            };
            let task = app.store.add_task(&actor, id, &task).await.unwrap();
            let party = if on_demo {
                "春日部市".to_string()
            } else {
                app.store.parties(id).await.unwrap()[0].party.name.clone()
            };
            let draft = |_: ()| async {
                todoke_app::case_records::save_draft(&app.store, &actor, id, &party, ReportKind::Final, "# draft")
                    .await
                    .unwrap()
                    .0
            };
            let party_enc = if on_demo { kasukabe.to_string() } else { "x".to_string() };
            // (method, path, content type, body, api, expected per user on the demo case)
            let mut tries: Vec<Try> = vec![
                (
                    "POST",
                    format!("/cases/{case}/facts"),
                    form(),
                    format!("csrf={form_csrf}&persons=18950&cause=ransomware&malicious=&sensitive=").into_bytes(),
                    false,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/cases/{case}/timeline"),
                    form(),
                    format!("csrf={form_csrf}&at=2024-01-29T10:00&offset=%2B09%3A00&kind=other&text=x").into_bytes(),
                    false,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/cases/{case}/timeline/import"),
                    MULTIPART.into(),
                    multipart(&form_csrf, csv),
                    false,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/cases/{case}/tasks"),
                    form(),
                    format!("csrf={form_csrf}&kind=action&title=x").into_bytes(),
                    false,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/cases/{case}/tasks/{task}/status"),
                    form(),
                    format!("csrf={form_csrf}&status=in_progress").into_bytes(),
                    false,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/cases/{case}/reports/draft"),
                    form(),
                    format!("csrf={form_csrf}&party={party_enc}&kind=final").into_bytes(),
                    false,
                    kasukabe_share,
                ),
                (
                    "POST",
                    format!("/cases/{case}/reports/{}/submit", draft(()).await),
                    form(),
                    format!("csrf={form_csrf}&submitted_on=2024-03-01&receipt=R").into_bytes(),
                    false,
                    kasukabe_share,
                ),
                (
                    "POST",
                    format!("/cases/{case}/reports"),
                    form(),
                    format!("csrf={form_csrf}&party={party_enc}&kind=final&submitted_on=2024-03-01").into_bytes(),
                    false,
                    [SignIn, Done, Done, Forbidden, Enroll],
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case}/timeline"),
                    JSON.into(),
                    br#"{"at":"2024-01-29T10:00:00+09:00","kind":"other","text":"x"}"#.to_vec(),
                    true,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case}/timeline/import"),
                    "text/csv".into(),
                    csv.as_bytes().to_vec(),
                    true,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case}/tasks"),
                    JSON.into(),
                    br#"{"kind":"action","title":"x"}"#.to_vec(),
                    true,
                    owner_only,
                ),
                (
                    "PATCH",
                    format!("/api/v1/cases/{case}/tasks/{task}"),
                    JSON.into(),
                    br#"{"status":"in_progress"}"#.to_vec(),
                    true,
                    owner_only,
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case}/reports"),
                    JSON.into(),
                    format!(r#"{{"party":"{party}","kind":"final","draft":true}}"#).into_bytes(),
                    true,
                    kasukabe_share,
                ),
                (
                    "POST",
                    format!("/api/v1/cases/{case}/reports/{}/submit", draft(()).await),
                    JSON.into(),
                    br#"{"submitted_on":"2024-03-01"}"#.to_vec(),
                    true,
                    kasukabe_share,
                ),
            ];
            if !on_demo {
                for t in &mut tries {
                    t.5 = elsewhere;
                }
            }
            for (method, path, content_type, body, api, expected) in tries {
                let want = expected[column];
                let mut headers = vec![("content-type", content_type.as_str())];
                if api {
                    headers.push(("x-csrf-token", api_csrf.as_str()));
                }
                let (status, h, text) = app.request(method, &path, cookie.as_deref(), &headers, body).await;
                let location = h.get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
                let who = login.unwrap_or("anonymous");
                let got = match (status.as_u16(), api) {
                    (303, false) if location == "/sign-in" => SignIn,
                    (303, false) if location == "/two-factor" => Enroll,
                    (303, false) if location.starts_with(&format!("/cases/{case}")) => Done,
                    (401, true) => SignIn,
                    (403, true) if login == Some("admin") => Enroll,
                    (200 | 201, true) => Done,
                    (403, _) => Forbidden,
                    (404, _) => Nothing,
                    _ => panic!("{who} {method} {path}: unexpected {status} {location} {text}"),
                };
                assert_eq!(got, want, "{who} {method} {path}: {status} {text}");
            }
        }
        // The display switch: anyone on this site, with the session's token when signed in.
        let (status, h, _) =
            app.post_form("/preferences", cookie.as_deref(), &format!("csrf={form_csrf}&lang=en&dates=wareki")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{login:?} /preferences");
        assert!(h.get("set-cookie").is_some());
    }
}

/// A change to try: method, path, content type, body, whether it is the API, and the answer each
/// kind of user gets on the demo case.
type Try = (&'static str, String, String, Vec<u8>, bool, [Answer; 5]);

const JSON: &str = "application/json";
const MULTIPART: &str = "multipart/form-data; boundary=matrix";

fn form() -> String {
    "application/x-www-form-urlencoded".into()
}

fn multipart(csrf: &str, file: &str) -> Vec<u8> {
    format!(
        "--matrix\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--matrix\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n\r\n{file}\r\n--matrix--\r\n"
    )
    .into_bytes()
}

use todoke_core::{ReportKind, Task, TaskKind, TaskStatus};

/// The cost claims and the consignor portal: the owner's staff see every consignor, a city its own
/// share, the other organization's case nobody here.
#[tokio::test]
async fn the_authorization_matrix_of_costs_and_the_portal() {
    let app = App::new().await;
    let (demo, other) = (app.demo_case.clone(), app.other_case.clone());
    let routes = [
        format!("/cases/{demo}/costs"),
        format!("/cases/{other}/costs"),
        format!("/cases/{demo}/portal"),
        format!("/cases/{other}/portal"),
    ];
    let rows: [(&str, [StatusCode; 4]); 3] = [
        ("foundation", [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::OK, StatusCode::NOT_FOUND]),
        ("kasukabe", [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::OK, StatusCode::NOT_FOUND]),
        ("koshigaya", [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::OK, StatusCode::NOT_FOUND]),
    ];
    for route in &routes {
        assert_eq!(app.get(route, None).await.0, StatusCode::SEE_OTHER, "anonymous {route}");
    }
    for (login, expected) in rows {
        let cookie = app.sign_in(login).await;
        for (route, want) in routes.iter().zip(expected) {
            let (status, _, body) = app.get(route, Some(&cookie)).await;
            assert_eq!(status, want, "{login} {route}");
            if status == StatusCode::OK && login != "foundation" {
                let other_city = if login == "kasukabe" { "越谷市" } else { "春日部市" };
                assert!(!body.contains(other_city), "{login} {route} must not see {other_city}");
            }
        }
    }
}
