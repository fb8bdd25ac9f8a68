//! Sign-in, lockout, CSRF and sign-out.

use crate::App;
use axum::http::StatusCode;

#[tokio::test]
async fn signing_in_and_out() {
    let app = App::new().await;
    let (status, _, body) = app.post_form("/sign-in", None, "login=kasukabe&password=wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("サインインできませんでした"));
    let (status, _, _) = app.post_form("/sign-in", None, "login=nobody&password=x").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an unknown login gets the same answer");

    let cookie = app.sign_in("kasukabe").await;
    let (status, _, body) = app.get("/", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("X線画像読影システムへのランサムウェア攻撃"), "{body}");

    // Sign-out needs the session's CSRF token.
    let (status, _, _) = app.post_form("/sign-out", Some(&cookie), "csrf=forged").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = app.csrf(&cookie).await;
    let (status, headers, _) = app.post_form("/sign-out", Some(&cookie), &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    let (status, headers, _) = app.get("/", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the old cookie opens nothing");
    assert_eq!(headers.get("location").unwrap(), "/sign-in");
}

#[tokio::test]
async fn five_failures_lock_the_account() {
    let app = App::new().await;
    for _ in 0..5 {
        let (status, _, _) = app.post_form("/sign-in", None, "login=foundation&password=guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let right = format!("login=foundation&password={}", app.password("foundation"));
    let (status, _, _) = app.post_form("/sign-in", None, &right).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "locked even with the right password");
    let c = todoke_store::AuthStore::credentials(&app.store, "foundation").await.unwrap().unwrap();
    assert!(c.locked_until.is_some());
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = App::new().await;
    let laptop = app.sign_in("foundation").await;
    let phone = app.sign_in("foundation").await;
    assert_ne!(laptop, phone);
    let csrf = app.csrf(&laptop).await;
    let (status, _, _) = app.post_form("/sign-out-everywhere", Some(&laptop), &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", Some(&phone)).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = App::new().await;
    let request = axum::http::Request::post("/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::from(format!("login=kasukabe&password={}", app.password("kasukabe"))))
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::FORBIDDEN);
    let request = axum::http::Request::post("/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:8080")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::from(format!("login=kasukabe&password={}", app.password("kasukabe"))))
        .unwrap();
    assert_eq!(app.send(request).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_factor_sign_in_takes_each_code_once() {
    let app = App::new().await;
    app.enroll_admin().await;
    let secret = app.admin_secret.lock().unwrap().clone();
    let password = app.password("admin");
    let (status, _, _) = app.post_form("/sign-in", None, &format!("login=admin&password={password}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the password alone is not enough");
    // The enrollment used the current step; the next one is accepted (one step of drift), once.
    let next = todoke_app::totp::code_at(&secret, todoke_app::totp::step_of(jiff::Timestamp::now().as_second()) + 1);
    let form = format!("login=admin&password={password}&code={next}");
    let (status, _, _) = app.post_form("/sign-in", None, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = app.post_form("/sign-in", None, &form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works only once");
}
