//! The JSON API's working record of a case: parties, timeline, tasks and reports, each read and
//! changed as the pages allow, with the CSRF header on every change; and its OpenAPI description
//! naming every route.

use crate::App;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn parties_timeline_and_tasks_for_the_owner_only() {
    let app = App::new().await;
    let case = app.demo_case.clone();
    let cookie = app.sign_in("foundation").await;
    let csrf = app.api_csrf(&cookie).await;

    let (status, _, body) = app.get(&format!("/api/v1/cases/{case}/parties"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let parties: serde_json::Value = serde_json::from_str(&body).unwrap();
    let stored = todoke_store::IncidentStore::parties(&app.store, case.parse().unwrap()).await.unwrap();
    assert_eq!(parties["parties"].as_array().unwrap().len(), stored.len(), "every party");
    assert!(stored.len() > 30);
    assert!(parties["parties"][0]["id"].is_string() && parties["parties"][0]["party"]["name"].is_string());

    // Timeline: read, add one event, import CSV (all or nothing).
    let (_, _, body) = app.get(&format!("/api/v1/cases/{case}/timeline"), Some(&cookie)).await;
    let before = serde_json::from_str::<serde_json::Value>(&body).unwrap()["events"].as_array().unwrap().len();
    assert!(before > 5);
    let event = json!({ "at": "2024-01-28T19:05:00+09:00", "kind": "attack", "text": "暗号化", "technique": "T1486" });
    let (status, added) =
        app.api("POST", &format!("/api/v1/cases/{case}/timeline"), &cookie, &csrf, event.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["event"]["technique"], "T1486");
    let (status, bad) = app
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/timeline"),
            &cookie,
            &csrf,
            json!({ "at": "2024-01-28 19:05", "kind": "attack", "text": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["error"].as_str().unwrap().contains("at:") && bad["request_id"].is_string(), "{bad}");
    let (status, _) =
        app.api("POST", &format!("/api/v1/cases/{case}/timeline"), &cookie, "forged", event.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no change without the CSRF header");
    let (status, _, _) = app
        .request(
            "POST",
            &format!("/api/v1/cases/{case}/timeline"),
            Some(&cookie),
            &[("x-csrf-token", &csrf), ("content-type", "text/plain")],
            event.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "JSON only");
    let csv = "at,kind,text\n2024-01-29T10:00:00+09:00,containment,切り離し\nbad,other,x\n";
    let import = format!("/api/v1/cases/{case}/timeline/import");
    let (status, _, body) = app
        .request("POST", &import, Some(&cookie), &[("x-csrf-token", &csrf), ("content-type", "text/csv")], csv)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let problems: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problems["problems"][0]["line"], 3, "{problems}");
    let good = "at,kind,text\n2024-01-29T10:00:00+09:00,containment,切り離し\n";
    let (status, _, body) = app
        .request("POST", &import, Some(&cookie), &[("x-csrf-token", &csrf), ("content-type", "text/csv")], good)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, _, body) = app.get(&format!("/api/v1/cases/{case}/timeline"), Some(&cookie)).await;
    let events = serde_json::from_str::<serde_json::Value>(&body).unwrap()["events"].as_array().unwrap().len();
    assert_eq!(events, before + 2, "one event added, one imported, none of the bad file");

    // Tasks: add, then move on with evidence.
    let (status, task) = app
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/tasks"),
            &cookie,
            &csrf,
            json!({ "kind": "action", "title": "コールセンター開設", "due": "2024-02-05" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let task_id = task["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/cases/{case}/tasks/{task_id}");
    let (status, _) = app.api("PATCH", &path, &cookie, &csrf, json!({ "status": "done" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "done needs evidence");
    let (status, moved) =
        app.api("PATCH", &path, &cookie, &csrf, json!({ "status": "done", "evidence": "開設案内 2024-02-02" })).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!((moved["status"].as_str(), moved["evidence"].as_str()), (Some("done"), Some("開設案内 2024-02-02")));
    let (_, _, body) = app.get(&format!("/api/v1/cases/{case}/tasks"), Some(&cookie)).await;
    assert!(body.contains("コールセンター開設"));

    // A consignor: its own party only, no owner timeline or tasks, no changes to them.
    let kasukabe = app.sign_in("kasukabe").await;
    let k_csrf = app.api_csrf(&kasukabe).await;
    let (_, _, body) = app.get(&format!("/api/v1/cases/{case}/parties"), Some(&kasukabe)).await;
    let parties: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(parties["parties"].as_array().unwrap().len(), 1);
    assert_eq!(parties["parties"][0]["party"]["name"], "春日部市");
    for path in [format!("/api/v1/cases/{case}/timeline"), format!("/api/v1/cases/{case}/tasks")] {
        assert_eq!(app.get(&path, Some(&kasukabe)).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, _) = app.api("POST", &format!("/api/v1/cases/{case}/timeline"), &kasukabe, &k_csrf, event).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/tasks"),
            &kasukabe,
            &k_csrf,
            json!({ "kind": "action", "title": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.api("PATCH", &path, &kasukabe, &k_csrf, json!({ "status": "open" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another organization's case: not found, whatever the route.
    let other = app.other_case.clone();
    for path in ["parties", "timeline", "tasks", "reports"] {
        assert_eq!(app.get(&format!("/api/v1/cases/{other}/{path}"), Some(&cookie)).await.0, StatusCode::NOT_FOUND);
    }
    // A task of this case is not found under another case.
    let (status, _) = app
        .api("PATCH", &format!("/api/v1/cases/{other}/tasks/{task_id}"), &cookie, &csrf, json!({ "status": "open" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reports_are_drafted_and_submitted_per_party() {
    let app = App::new().await;
    let case = app.demo_case.clone();
    let kasukabe = app.sign_in("kasukabe").await;
    let csrf = app.api_csrf(&kasukabe).await;
    let reports = format!("/api/v1/cases/{case}/reports");

    let (status, draft) = app
        .api("POST", &reports, &kasukabe, &csrf, json!({ "party": "春日部市", "kind": "final", "draft": true }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["draft"], true);
    assert!(draft["content"].as_str().unwrap().contains("## 9. その他参考となる事項"), "the nine items");
    let id = draft["id"].as_str().unwrap().to_string();
    let (status, done) = app
        .api(
            "POST",
            &format!("{reports}/{id}/submit"),
            &kasukabe,
            &csrf,
            json!({ "submitted_on": "2024-03-29", "receipt_number": "R6-77" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["receipt_number"].as_str(), done["on_time"].as_bool(), done["draft"].as_bool()),
        (Some("R6-77"), Some(true), Some(false))
    );
    let (status, _) = app
        .api("POST", &format!("{reports}/{id}/submit"), &kasukabe, &csrf, json!({ "submitted_on": "2024-04-29" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "frozen");
    // Recorded directly as submitted: late, frozen as late.
    let (status, late) = app
        .api(
            "POST",
            &reports,
            &kasukabe,
            &csrf,
            json!({ "party": "春日部市", "kind": "preliminary", "submitted_on": "2024-03-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    assert_eq!(late["on_time"], false);
    let (status, _) =
        app.api("POST", &reports, &kasukabe, &csrf, json!({ "party": "春日部市", "kind": "final" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a draft or a submission, not neither");

    // Not for another city, and another city sees none of it.
    let (status, _) =
        app.api("POST", &reports, &kasukabe, &csrf, json!({ "party": "越谷市", "kind": "final", "draft": true })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let koshigaya = app.sign_in("koshigaya").await;
    let (_, _, body) = app.get(&reports, Some(&koshigaya)).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["reports"], json!([]));
    let k_csrf = app.api_csrf(&koshigaya).await;
    let (status, _) = app
        .api("POST", &format!("{reports}/{id}/submit"), &koshigaya, &k_csrf, json!({ "submitted_on": "2024-03-29" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The owner sees every party's reports.
    let foundation = app.sign_in("foundation").await;
    let (_, _, body) = app.get(&reports, Some(&foundation)).await;
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["reports"].as_array().unwrap().len(), 2);
    assert!(list["reports"].as_array().unwrap().iter().all(|r| r["party_name"] == "春日部市"));
    // Without a session: 401.
    assert_eq!(app.get(&reports, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_description_names_every_api_route() {
    let app = App::new().await;
    let (_, _, body) = app.get("/api/v1/openapi.json", None).await;
    let spec: serde_json::Value = serde_json::from_str(&body).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    // Every API route of the router's source, with each of its methods.
    let source = include_str!("../../src/lib.rs");
    let mut described = 0;
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap();
        if !path.starts_with("/api/v1") {
            continue;
        }
        let handlers = chunk.split(".route(").next().unwrap();
        for method in
            ["get", "post", "patch", "put", "delete"].into_iter().filter(|m| handlers.contains(&format!("{m}(")))
        {
            assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is described");
            described += 1;
        }
    }
    assert!(described >= 17, "the router's API routes were read: {described}");
    // Every `$ref` points at something that is there.
    let text = body.clone();
    for piece in text.split("\"$ref\": \"#/").skip(1) {
        let target = piece.split('"').next().unwrap();
        let mut node = &spec;
        for part in target.split('/') {
            node = node.get(part).unwrap_or_else(|| panic!("dangling $ref #/{target}"));
        }
    }
}

#[tokio::test]
async fn a_case_is_opened_through_the_api_for_the_callers_organization() {
    let app = App::new().await;
    let city = app.sign_in("kasukabe").await;
    let csrf = app.api_csrf(&city).await;
    let case = json!({
        "title": "健診結果の誤送付",
        "event": "leak",
        "cause": "misdelivery_post",
        "data_items": ["氏名", "健診結果"],
        "sensitive": true,
        "persons": 3,
        "known_on": "令和6年5月1日",
        "consignors": [{ "name": "県立病院", "type": "public_hospital", "known_on": "2024-05-07" }]
    });
    let (status, body) = app.api("POST", "/api/v1/cases", &city, &csrf, case.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["owner"], "春日部市");
    let id = body["id"].as_str().unwrap();
    let (_, _, assessment) = app.get(&format!("/api/v1/cases/{id}/assessment"), Some(&city)).await;
    assert!(assessment.contains("県立病院") && assessment.contains("2024-05-30"), "{assessment}");

    // What is wrong is named; an unknown key is refused; another organization cannot be named.
    let mut wrong = case.clone();
    wrong["consignors"][0]["type"] = json!("guild");
    let (status, body) = app.api("POST", "/api/v1/cases", &city, &csrf, wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("consignors[0].type"), "{body}");
    let mut unknown = case.clone();
    unknown["severity"] = json!("high");
    assert_eq!(app.api("POST", "/api/v1/cases", &city, &csrf, unknown).await.0, StatusCode::BAD_REQUEST);
    let foundation_org =
        todoke_store::IncidentStore::incident(&app.store, app.demo_case.parse().unwrap()).await.unwrap().owner;
    let mut theirs = case.clone();
    theirs["organization"] = json!(foundation_org.to_string());
    assert_eq!(app.api("POST", "/api/v1/cases", &city, &csrf, theirs).await.0, StatusCode::NOT_FOUND);
    // Without the token, nothing.
    assert_eq!(app.api("POST", "/api/v1/cases", &city, "wrong", case).await.0, StatusCode::FORBIDDEN);
}
