//! The consignor portal's answer to the joint-report request: a city joins the report of the
//! foundation or files its own, the case is re-assessed, and another city cannot answer for it.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use todoke_core::IncidentId;
use todoke_store::{AuditStore, IncidentStore};

const FOUNDATION: &str = "公益財団法人埼玉県健康づくり事業団";

#[tokio::test]
async fn a_city_joins_the_joint_report_or_files_its_own_and_another_cannot_answer_for_it() {
    let app = App::new().await;
    let id: IncidentId = app.demo_case.parse().unwrap();
    let portal = format!("/cases/{}/portal", app.demo_case);
    let answer = format!("{portal}/joint");
    let city = app.sign_in("kasukabe").await;
    let page = app.get(&portal, Some(&city)).await.2;
    assert!(page.contains("data-joint=\"false\"") && page.contains("portal-joint-form"), "{page}");
    let token = csrf_in(&page);
    let other = app.sign_in("koshigaya").await;
    let other_token = csrf_in(&app.get(&portal, Some(&other)).await.2);
    let form = |t: &str, party: &str, choice: &str| format!("csrf={t}&party={party}&with={FOUNDATION}&choice={choice}");
    let joint_of = |facts: &todoke_core::Incident| {
        facts.parties.iter().find(|p| p.name == "春日部市").unwrap().joint_report_with.clone()
    };

    let (status, _, _) = app.post_form(&answer, Some(&other), &form(&other_token, "春日部市", "join")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another city cannot answer for 春日部市");
    let (status, _, _) = app.post_form(&answer, Some(&city), &form("wrong", "春日部市", "join")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = app.post_form(&answer, Some(&city), &form(&token, "春日部市", "maybe")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("choice"), "{body}");
    assert!(joint_of(&app.store.incident(id).await.unwrap().facts).is_empty());

    let (status, _, body) = app.post_form(&answer, Some(&city), &form(&token, "春日部市", "join")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(joint_of(&app.store.incident(id).await.unwrap().facts), [FOUNDATION]);
    let page = app.get(&portal, Some(&city)).await.2;
    assert!(page.contains("data-joint=\"true\""), "{page}");
    // The re-assessment names the foundation as the report's co-filer (連名) for the city.
    let assessment = app.get(&format!("/api/v1/cases/{}/assessment", app.demo_case), Some(&city)).await.2;
    assert!(assessment.contains("joint_with") && assessment.contains(FOUNDATION), "{assessment}");
    // 越谷市's answer is its own: it still reports alone.
    assert!(app.get(&portal, Some(&other)).await.2.contains("data-joint=\"false\""));

    let (status, _, _) = app.post_form(&answer, Some(&city), &form(&token, "春日部市", "own")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(joint_of(&app.store.incident(id).await.unwrap().facts).is_empty());
    let audit = app.store.audit_entries(0, 1_000_000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "incident.update").count(), 2, "each answer is audited");
}
