//! One's own account page: the address deadline reminders reach one at.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use todoke_store::{AuditStore, ReminderStore, UserStore};

#[tokio::test]
async fn a_city_officer_sets_and_removes_the_reminder_address() {
    let app = App::new().await;
    let cookie = app.sign_in("kasukabe").await;
    let dashboard = app.get("/", Some(&cookie)).await.2;
    assert!(dashboard.contains("<a href=\"/account\">"), "the header leads to the account");
    let (status, _, page) = app.get("/account", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<code>kasukabe</code>") && page.contains("name=\"email\" value=\"\""), "{page}");
    let csrf = csrf_in(&page);

    let (status, _, body) =
        app.post_form("/account/reminders", Some(&cookie), &format!("csrf={csrf}&email=not+an+address")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("email"), "the field is named: {body}");
    let (status, _, _) =
        app.post_form("/account/reminders", Some(&cookie), "csrf=wrong&email=kenko%40city.kasukabe.example.jp").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no change");

    let form = format!("csrf={csrf}&email=kenko%40city.kasukabe.example.jp");
    let (status, headers, _) = app.post_form("/account/reminders", Some(&cookie), &form).await;
    assert_eq!(
        (status, headers.get("location").unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/account?saved=1")
    );
    let user = app.store.user_by_login("kasukabe").await.unwrap().unwrap();
    assert_eq!(app.store.user_email(user.id).await.unwrap().as_deref(), Some("kenko@city.kasukabe.example.jp"));
    let page = app.get("/account?saved=1", Some(&cookie)).await.2;
    assert!(page.contains("value=\"kenko@city.kasukabe.example.jp\"") && page.contains("role=\"status\""), "{page}");

    // Empty: no more reminders. Both changes are in the audit log, without the address.
    app.post_form("/account/reminders", Some(&cookie), &format!("csrf={csrf}&email=")).await;
    assert_eq!(app.store.user_email(user.id).await.unwrap(), None);
    let log = app.store.audit_entries(0, 100_000).await.unwrap();
    let changes: Vec<_> = log.iter().filter(|e| e.action.starts_with("user.email")).collect();
    assert_eq!(changes.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["user.email.set", "user.email.remove"]);
    assert!(changes.iter().all(|e| e.object == format!("user:{}", user.id)));
}
