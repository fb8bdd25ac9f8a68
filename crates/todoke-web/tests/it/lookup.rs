//! "Am I affected?": found through the blind index for the parties the asker sees, refused to
//! others, rate-limited, audited without the name or the date.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use serde_json::json;
use todoke_core::AffectedPerson;
use todoke_store::{AuditStore, IncidentStore, PersonStore};

/// Puts 高橋花子 on 春日部市's list and 鈴木一郎 on 越谷市's, in the demo case.
async fn lists(app: &App) {
    let id = app.demo_case.parse().unwrap();
    let parties = app.store.parties(id).await.unwrap();
    let party = |name: &str| parties.iter().find(|p| p.party.name == name).unwrap().id;
    let person = |name: &str, kana: &str| AffectedPerson {
        name: name.into(),
        name_kana: Some(kana.into()),
        birth_date: Some(jiff::civil::date(1970, 3, 1)),
        ..Default::default()
    };
    let actor = todoke_store::testkit::actor();
    app.store.add_people(&actor, id, party("春日部市"), &[person("高橋花子", "タカハシ ハナコ")]).await.unwrap();
    app.store.add_people(&actor, id, party("越谷市"), &[person("鈴木一郎", "スズキ イチロウ")]).await.unwrap();
}

async fn ask(app: &App, login: &str, kana: &str) -> (StatusCode, serde_json::Value) {
    let cookie = app.sign_in(login).await;
    let csrf = app.api_csrf(&cookie).await;
    let path = format!("/api/v1/cases/{}/lookup", app.demo_case);
    app.api("POST", &path, &cookie, &csrf, json!({ "name_kana": kana, "birth_date": "1970-03-01" })).await
}

#[tokio::test]
async fn each_asker_learns_only_about_the_lists_it_sees() {
    let app = App::new().await;
    lists(&app).await;
    let (status, answer) = ask(&app, "foundation", "たかはしはなこ").await;
    assert_eq!((status, answer), (StatusCode::OK, json!({ "affected": true, "parties": ["春日部市"] })));
    let (_, answer) = ask(&app, "kasukabe", "ﾀｶﾊｼ ﾊﾅｺ").await;
    assert_eq!(answer, json!({ "affected": true, "parties": ["春日部市"] }));
    // The birth date as callers say it, in 和暦.
    let cookie = app.sign_in("kasukabe").await;
    let csrf = app.api_csrf(&cookie).await;
    let mine = format!("/api/v1/cases/{}/lookup", app.demo_case);
    let (_, answer) = app
        .api("POST", &mine, &cookie, &csrf, json!({ "name_kana": "タカハシハナコ", "birth_date": "昭和45年3月1日" }))
        .await;
    assert_eq!(answer, json!({ "affected": true, "parties": ["春日部市"] }));
    // 越谷市 does not learn that a person is on 春日部市's list.
    let (_, answer) = ask(&app, "koshigaya", "タカハシハナコ").await;
    assert_eq!(answer, json!({ "affected": false, "parties": [] }));
    let (_, answer) = ask(&app, "koshigaya", "スズキイチロウ").await;
    assert_eq!(answer, json!({ "affected": true, "parties": ["越谷市"] }));

    // Another organization's case is not found; a bad date is named.
    let cookie = app.sign_in("kasukabe").await;
    let csrf = app.api_csrf(&cookie).await;
    let other = format!("/api/v1/cases/{}/lookup", app.other_case);
    let (status, _) = app
        .api("POST", &other, &cookie, &csrf, json!({ "name_kana": "タカハシハナコ", "birth_date": "1970-03-01" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) =
        app.api("POST", &mine, &cookie, &csrf, json!({ "name_kana": "タカハシハナコ", "birth_date": "昭和" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("birth_date"), "{body}");

    // Each answered question is in the audit log, without the name or the date.
    let log = app.store.audit_entries(0, 10_000).await.unwrap();
    let lookups: Vec<_> = log.iter().filter(|e| e.action == "people.lookup").collect();
    assert_eq!(lookups.len(), 5);
    assert!(lookups.iter().all(|e| !e.object.contains("ハナコ") && !e.object.contains("1970")));
}

#[tokio::test]
async fn the_page_answers_and_the_rate_limit_stops_trying_names() {
    let app = App::new().await;
    lists(&app).await;
    let cookie = app.sign_in("kasukabe").await;
    let page = format!("/cases/{}/lookup", app.demo_case);
    let (status, _, body) = app.get(&page, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_in(&body);
    let (status, _, body) = app
        .post_form(&page, Some(&cookie), &format!("csrf={csrf}&name_kana=タカハシハナコ&birth_date=1970-03-01"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"lookup-result\">対象者です。該当する名簿: 春日部市"), "{body}");
    assert!(!body.contains("タカハシハナコ"), "the name asked about is not shown again");
    let (_, _, body) =
        app.post_form(&page, Some(&cookie), &format!("csrf={csrf}&name_kana=ヤマダタロウ&birth_date=1970-03-01")).await;
    assert!(body.contains("照会できる名簿には該当がありません"), "{body}");
    // The case page links to it.
    let (_, _, case) = app.get(&format!("/cases/{}", app.demo_case), Some(&cookie)).await;
    assert!(case.contains(&format!("href=\"/cases/{}/lookup\"", app.demo_case)));

    // Without the session's token nothing is answered.
    let (status, _, _) =
        app.post_form(&page, Some(&cookie), "csrf=wrong&name_kana=タカハシハナコ&birth_date=1970-03-01").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Two answered so far; the limit stops the rest of the minute's questions.
    let limit = todoke_web::LOOKUPS_PER_MINUTE;
    let mut refused = 0;
    for i in 2..limit + 5 {
        let form = format!("csrf={csrf}&name_kana=ヤマダタロウ{i}&birth_date=1970-03-01");
        let (status, _, _) = app.post_form(&page, Some(&cookie), &form).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(status, StatusCode::OK);
        }
    }
    assert_eq!(refused, 5, "questions beyond {limit} a minute are refused");
    // Another user has a count of their own.
    let (status, _) = ask(&app, "koshigaya", "スズキイチロウ").await;
    assert_eq!(status, StatusCode::OK);
}
