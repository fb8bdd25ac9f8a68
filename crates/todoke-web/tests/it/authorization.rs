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
    ];
    use Sees::*;
    // One row per user; one column per route above.
    let matrix: Vec<(Option<&str>, [Sees; 9])> = vec![
        (None, [SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn, SignIn]),
        (Some("foundation"), [Ok, Full, Nothing, Forbidden, Ok, Full, Full, Nothing, Nothing]),
        (
            Some("kasukabe"),
            [Ok, Only("春日部市"), Nothing, Forbidden, Ok, Only("春日部市"), Only("春日部市"), Nothing, Nothing],
        ),
        (
            Some("koshigaya"),
            [Ok, Only("越谷市"), Nothing, Forbidden, Ok, Only("越谷市"), Only("越谷市"), Nothing, Nothing],
        ),
        (Some("admin"), [Enroll, Enroll, Enroll, Enroll, Enroll, Enroll, Enroll, Enroll, Enroll]),
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
                                .map(|p| p["party"].as_str().unwrap())
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
