//! The inquiry log: each desk logs and sees its own calls, the owner sees all, with daily counts.

use crate::{App, csrf_in};
use axum::http::StatusCode;

async fn log(app: &App, login: &str, party: &str, at: &str, topic: &str) -> (StatusCode, String) {
    let cookie = app.sign_in(login).await;
    let page = format!("/cases/{}/inquiries", app.demo_case);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    let form = format!(
        "csrf={}&party={party}&received_at={at}&offset=%2B09:00&channel=phone&caller=本人&topic={topic}&damage=on&answer=通知の内容を説明",
        csrf_in(&body)
    );
    let (status, headers, body) = app.post_form(&page, Some(&cookie), &form).await;
    (status, headers.get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or(body))
}

#[tokio::test]
async fn each_desk_logs_and_sees_its_own_calls_and_the_owner_sees_all() {
    let app = App::new().await;
    let page = format!("/cases/{}/inquiries", app.demo_case);
    assert_eq!(
        log(&app, "kasukabe", "春日部市", "2024-07-01T09:30", "事実確認").await,
        (StatusCode::SEE_OTHER, page.clone())
    );
    assert_eq!(log(&app, "kasukabe", "春日部市", "2024-07-01T14:00", "二次被害").await.0, StatusCode::SEE_OTHER);
    assert_eq!(log(&app, "koshigaya", "越谷市", "2024-07-02T10:00", "事実確認").await.0, StatusCode::SEE_OTHER);
    // A city cannot log for another city's desk (to it, that desk is not there); a bad time is named.
    let (status, body) = log(&app, "koshigaya", "春日部市", "2024-07-02T10:00", "事実確認").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = log(&app, "kasukabe", "春日部市", "yesterday", "事実確認").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("received_at"), "{body}");

    let cookie = app.sign_in("koshigaya").await;
    let (status, _, body) = app.get(&page, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("通知の内容を説明").count(), 1, "越谷市 sees its own call only");
    assert!(!body.contains("<option>春日部市</option>"), "and logs only for its own desk");

    let cookie = app.sign_in("foundation").await;
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert_eq!(body.matches("通知の内容を説明").count(), 3);
    // Daily counts by topic: 07-01 事実確認 1, 二次被害 1; 07-02 事実確認 1.
    assert!(body.contains("<tr><td>2024-07-01</td><td>1</td><td>1</td><td>2</td></tr>"), "{body}");
    assert!(body.contains("<tr><td>2024-07-02</td><td>1</td><td>0</td><td>1</td></tr>"), "{body}");

    // Another organization's case is not found.
    let (status, _, _) = app.get(&format!("/cases/{}/inquiries", app.other_case), Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn answer_scripts_are_versioned_and_written_by_the_owner_only() {
    let app = App::new().await;
    let page = format!("/cases/{}/inquiries", app.demo_case);
    let scripts = format!("{page}/scripts");
    let cookie = app.sign_in("foundation").await;
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    let csrf = csrf_in(&body);
    for answer in ["第1版の回答", "第2版の回答"] {
        let (status, headers, _) =
            app.post_form(&scripts, Some(&cookie), &format!("csrf={csrf}&topic=事実確認&body={answer}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers.get("location").unwrap(), &format!("{page}#scripts"));
    }
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    let latest = body.find("第2版の回答").unwrap();
    assert!(body.contains("第2版 · "), "the version in force is numbered");
    assert!(latest < body.find("第1版の回答").unwrap(), "the earlier version follows, folded away");

    // A city's desk reads the scripts but does not write them.
    let cookie = app.sign_in("kasukabe").await;
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("第2版の回答") && !body.contains("script-form"), "read-only for a party");
    let (status, _, _) =
        app.post_form(&scripts, Some(&cookie), &format!("csrf={}&topic=事実確認&body=x", csrf_in(&body))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
