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

/// Served for real (the client's address known), one address may try to sign in
/// `SIGN_INS_PER_MINUTE` times a minute, whatever the attempts were; then it is told to wait.
#[tokio::test]
async fn one_address_may_try_only_so_often() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (store, _dir) = todoke_store::testkit::sqlite_store().await;
    let state = todoke_web::AppState::new(store, std::sync::Arc::new(todoke_core::SystemClock)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(todoke_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let attempt = || async move {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        // From another site: a refused attempt (403), cheap to make, that counts all the same.
        let body = "login=someone&password=guess";
        let request = format!(
            "POST /sign-in HTTP/1.1\r\nHost: {address}\r\nOrigin: https://evil.example\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response.get(9..12).unwrap_or_default().to_string()
    };
    for i in 0..todoke_web::SIGN_INS_PER_MINUTE {
        assert_eq!(attempt().await, "403", "attempt {i}");
    }
    assert_eq!(attempt().await, "429", "one too many");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

/// Session fixation: a session id planted in the browser before sign-in is never the one signed
/// in; signing in always issues a fresh random token, and the planted one opens nothing.
#[tokio::test]
async fn signing_in_never_adopts_a_planted_session() {
    let app = App::new().await;
    let planted = "__Host-todoke=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string();
    let form = format!("login=kasukabe&password={}", app.password("kasukabe"));
    let (status, headers, _) = app.post_form("/sign-in", Some(&planted), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issued = headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(issued, planted, "a fresh token, not the planted one");
    assert_eq!(app.get("/", Some(&planted)).await.0, StatusCode::SEE_OTHER, "the planted id opens nothing");
    assert_eq!(app.get("/", Some(&issued)).await.0, StatusCode::OK);
    // Two sign-ins of one user are two sessions with different tokens.
    assert_ne!(app.sign_in("kasukabe").await, issued);
}
