//! Opening a case in the browser through the guided form.

use crate::{App, csrf_in};
use axum::http::StatusCode;

fn form(csrf: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&title=健診結果の誤送付&event=leak&cause=misdelivery_post&data_items=氏名%0D%0A健診結果\
         &persons=1,200&known_on=令和6年5月1日&checklist=on{extra}"
    )
}

#[tokio::test]
async fn a_city_opens_its_own_case_and_sees_its_deadlines() {
    let app = App::new().await;
    let city = app.sign_in("kasukabe").await;
    let dashboard = app.get("/", Some(&city)).await.2;
    assert!(dashboard.contains("href=\"/cases/new\""), "the dashboard leads to the form");
    let (status, _, page) = app.get("/cases/new", Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<option value=") && page.contains("春日部市") && page.contains("規則7条1号"), "{page}");
    let csrf = csrf_in(&page);

    // What is wrong is named by its field; nothing is stored.
    let before = app.get("/api/v1/cases", Some(&city)).await.2;
    let bad_day = form(&csrf, "").replace("令和6年5月1日", "いつか");
    let (status, _, body) = app.post_form("/cases", Some(&city), &bad_day).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("known_on"), "{body}");
    let (status, _, body) = app.post_form("/cases", Some(&city), &form(&csrf, "&consignors=某社, 謎の団体")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("consignors line 1") && body.contains("謎の団体"), "{body}");
    assert_eq!(app.get("/api/v1/cases", Some(&city)).await.2, before);
    let (status, _, _) = app.post_form("/cases", Some(&city), &form("wrong", "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no case");

    // Opened: the city owns it; sensitive data of 1,200 people is reportable, the final report on day 30.
    let (status, headers, body) = app
        .post_form("/cases", Some(&city), &form(&csrf, "&sensitive=yes&consignors=県立病院, 公的病院, 2024-05-07"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let case = headers.get("location").unwrap().to_str().unwrap().to_string();
    let (status, _, page) = app.get(&case, Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("健診結果の誤送付") && page.contains("<h3>春日部市 ") && page.contains("<h3>県立病院 "),
        "{page}"
    );
    assert!(page.contains("確報"), "{page}");
    let id = case.trim_start_matches("/cases/");
    let (_, _, json) = app.get(&format!("/api/v1/cases/{id}/assessment"), Some(&city)).await;
    let assessment: serde_json::Value = serde_json::from_str(&json).unwrap();
    let city_final = assessment["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["party"] == "春日部市")
        .flat_map(|p| p["obligations"].as_array().unwrap().clone())
        .find(|o| o["kind"] == "final_report")
        .unwrap();
    assert_eq!(city_final["due"], "2024-05-30", "day 30 from 2024-05-01: {city_final}");

    // It starts with the usual checklist, the final report dated.
    assert!(
        page.contains("確報を個人情報保護委員会へ提出") && page.contains("封入・発送時の確認手順の見直し"),
        "{page}"
    );

    // The city works its own case: it edits the facts.
    let facts = format!("csrf={csrf}&persons=1300&cause=misdelivery_post&malicious=&sensitive=yes");
    let (status, _, body) = app.post_form(&format!("{case}/facts"), Some(&city), &facts).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Another city and the foundation's people do not see it; the call center may not open cases.
    for login in ["koshigaya", "foundation"] {
        let other = app.sign_in(login).await;
        assert_eq!(app.get(&case, Some(&other)).await.0, StatusCode::NOT_FOUND, "{login}");
    }
    let callcenter = app.sign_in("callcenter").await;
    assert!(!app.get("/", Some(&callcenter)).await.2.contains("href=\"/cases/new\""));
    assert_eq!(app.get("/cases/new", Some(&callcenter)).await.0, StatusCode::FORBIDDEN);
}
