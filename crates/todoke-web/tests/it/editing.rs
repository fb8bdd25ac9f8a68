//! Editing a fact re-assesses the case and shows the deadline move; reports are filed with their
//! timeliness frozen; only those allowed may do either.

use crate::{App, csrf_in};
use axum::http::StatusCode;

fn facts_form(csrf: &str, malicious: &str) -> String {
    format!("csrf={csrf}&persons=18950&cause=vendor_incident&malicious={malicious}&sensitive=&suspected=on")
}

#[tokio::test]
async fn editing_a_fact_moves_the_deadline_and_says_so() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    let page = format!("/cases/{}", app.demo_case);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("2024-04-01"), "day 60 for 春日部市 (malicious)");
    assert!(body.contains("<svg"), "the deadline chart is drawn");
    let csrf = csrf_in(&body);

    // The cause is now a vendor incident found not malicious: 春日部市's final report moves to day 30.
    let (status, headers, _) = app.post_form(&format!("{page}/facts"), Some(&cookie), &facts_form(&csrf, "no")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), page);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("直近の変更による影響"), "the changes are shown");
    assert!(
        body.contains("春日部市ほか31団体：確報の期限 2024-04-01 → 2024-03-01"),
        "{}",
        &body[body.find("直近").unwrap_or(0)..][..600.min(body.len())]
    );
    assert!(body.contains("確報は60日目から30日目へ"));

    // Without the CSRF token, nothing changes.
    let (status, _, _) = app.post_form(&format!("{page}/facts"), Some(&cookie), &facts_form("forged", "yes")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad value is named.
    let (status, _, body) = app
        .post_form(
            &format!("{page}/facts"),
            Some(&cookie),
            &format!("csrf={csrf}&persons=many&cause=ransomware&malicious=&sensitive="),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("本人の数"), "{body}");
}

#[tokio::test]
async fn consignors_cannot_edit_facts_but_file_their_own_reports() {
    let app = App::new().await;
    let cookie = app.sign_in("kasukabe").await;
    let page = format!("/cases/{}", app.demo_case);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(!body.contains("事実の更新"), "no facts form for a consignor");
    let csrf = csrf_in(&body);
    let (status, _, _) = app.post_form(&format!("{page}/facts"), Some(&cookie), &facts_form(&csrf, "no")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // 春日部市 filed its final report on 2024-04-03, two days after its due date.
    let form = format!(
        "csrf={csrf}&party=%E6%98%A5%E6%97%A5%E9%83%A8%E5%B8%82&kind=final&submitted_on=2024-04-03&receipt=R6-123"
    );
    let (status, _, _) = app.post_form(&format!("{page}/reports"), Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("R6-123") && body.contains("期限超過"), "filed late, frozen");

    // Not for another city.
    let form = format!("csrf={csrf}&party=%E8%B6%8A%E8%B0%B7%E5%B8%82&kind=final&submitted_on=2024-04-03");
    let (status, _, _) = app.post_form(&format!("{page}/reports"), Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
