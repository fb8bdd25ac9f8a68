//! Security headers and error bodies.

use crate::App;
use axum::http::StatusCode;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    for (path, cookie) in [
        ("/sign-in", None),
        ("/", Some(cookie.as_str())),
        ("/nowhere", None),
        ("/api/v1/cases", None),
        ("/static/app.css", None),
    ] {
        let (_, headers, _) = app.get(path, cookie).await;
        let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin", "{path}");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY", "{path}");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store", "{path}");
        assert_eq!(headers.get("cross-origin-opener-policy").unwrap(), "same-origin", "{path}");
        assert_eq!(headers.get("x-request-id").unwrap().len(), 32, "{path}");
    }
}

#[tokio::test]
async fn errors_carry_the_request_id_and_no_internals() {
    let app = App::new().await;
    let (status, headers, body) = app.get("/nowhere", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(body.contains(id), "the page quotes the request id");
    let (status, headers, body) = app.get("/api/v1/cases", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["request_id"], headers.get("x-request-id").unwrap().to_str().unwrap());
    assert_eq!(json["status"], 401);
}

#[tokio::test]
async fn pages_escape_what_users_wrote() {
    let app = App::new().await;
    let mut facts =
        todoke_core::facts::parse_facts(include_str!("../../../../examples/kasukabe-voucher-cache.toml")).unwrap();
    facts.title = "<script>alert(1)</script>".into();
    facts.parties[0].name = "財団法人".into();
    facts.parties[0].role = todoke_core::PartyRole::Consignor;
    facts
        .parties
        .push(todoke_core::Party {
            name: "公益財団法人埼玉県健康づくり事業団".into(), ..facts.parties[0].clone()
        });
    let id = todoke_store::IncidentStore::create_incident(&app.store, &todoke_store::testkit::actor(), &facts)
        .await
        .unwrap();
    let cookie = app.sign_in("foundation").await;
    let (status, _, body) = app.get(&format!("/cases/{id}"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<script>alert(1)</script>") && body.contains("&#60;script&#62;"), "escaped");
}

#[tokio::test]
async fn the_openapi_description_is_served() {
    let app = App::new().await;
    let (status, _, body) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let spec: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/api/v1/cases/{id}/assessment"].is_object());
}
