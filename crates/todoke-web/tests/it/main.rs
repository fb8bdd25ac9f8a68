//! The web application in-process (tower `oneshot`): sign-in and sessions (`sign_in`), headers and
//! errors (`security`), who may see what on every route (`authorization`), facts and filed reports
//! (`editing`), the working record from the case page — timeline, tasks, drafts, charts, display
//! switch — (`records`), the JSON API's working record (`api`), and the browser (`browser`).

mod account;
mod api;
mod authorization;
mod browser;
mod campaign;
mod costs;
mod editing;
mod inquiries;
mod lookup;
mod new_case;
mod people;
mod portal;
mod records;
mod security;
mod sign_in;
mod webdriver;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use std::sync::Arc;
use todoke_app::DemoUser;
use todoke_store::testkit::{actor, sqlite_store};
use todoke_store::{IncidentStore, SqliteDb, Store};
use todoke_web::{AppState, router};
use tower::ServiceExt as _;

pub struct App {
    pub router: Router,
    pub store: Store<SqliteDb>,
    pub users: Vec<DemoUser>,
    /// The demo case (the foundation's ransomware).
    pub demo_case: String,
    /// The administrator's TOTP secret, once enrolled.
    pub admin_secret: std::sync::Mutex<Vec<u8>>,
    /// A case of an organization none of the demo users belongs to.
    pub other_case: String,
    _dir: tempfile::TempDir,
}

impl App {
    pub async fn new() -> Self {
        Self::new_with(|state| state).await
    }

    /// An application whose state is set up further by `setup` (an SMTP server …).
    pub async fn new_with(setup: impl FnOnce(AppState<SqliteDb>) -> AppState<SqliteDb>) -> Self {
        let (store, dir) = sqlite_store().await;
        let mut users = todoke_app::load_demo(&store, &actor()).await.unwrap();
        users.extend(todoke_app::ensure_admin(&store, &actor()).await.unwrap());
        let demo_case = store.incidents().await.unwrap()[0].id.to_string();
        let other =
            todoke_core::facts::parse_facts(include_str!("../../../../examples/ecc-unauthorized-access.toml")).unwrap();
        let other_case = store.create_incident(&actor(), &other).await.unwrap().to_string();
        let state = setup(AppState::new(store.clone(), Arc::new(todoke_core::SystemClock)).unwrap());
        Self { router: router(state), store, users, demo_case, admin_secret: Default::default(), other_case, _dir: dir }
    }

    pub fn password(&self, login: &str) -> String {
        self.users.iter().find(|u| u.login == login).unwrap().password.clone()
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(path);
        if let Some(c) = cookie {
            request = request.header(header::COOKIE, c);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: Option<&str>, form: &str) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            request = request.header(header::COOKIE, c);
        }
        self.send(request.body(Body::from(form.to_string())).unwrap()).await
    }

    /// A same-origin request with any method, body and extra headers.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            request = request.header(header::COOKIE, c);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(body.into()).unwrap()).await
    }

    /// A JSON API change with the session's CSRF token.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        csrf: &str,
        json: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let (status, _, body) = self
            .request(
                method,
                path,
                Some(cookie),
                &[("content-type", "application/json"), ("x-csrf-token", csrf)],
                json.to_string(),
            )
            .await;
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// The CSRF token the API takes, from `GET /api/v1/session`.
    pub async fn api_csrf(&self, cookie: &str) -> String {
        let (_, _, body) = self.get("/api/v1/session", Some(cookie)).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        json["csrf_token"].as_str().unwrap().to_string()
    }

    /// A form with a file (`multipart/form-data`).
    pub async fn post_file(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: &str,
        file: &[u8],
    ) -> (StatusCode, HeaderMap, String) {
        let boundary = "----todoke-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"timeline.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.request("POST", path, cookie, &[("content-type", &content_type)], body).await
    }

    /// Signs in and returns the `Cookie` header value of the session.
    pub async fn sign_in(&self, login: &str) -> String {
        let (status, headers, body) =
            self.post_form("/sign-in", None, &format!("login={login}&password={}", self.password(login))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(flag), "{set}");
        }
        set.split(';').next().unwrap().to_string()
    }

    /// The CSRF token the dashboard's forms carry.
    pub async fn csrf(&self, cookie: &str) -> String {
        let (_, _, body) = self.get("/", Some(cookie)).await;
        csrf_in(&body)
    }

    /// Signs the administrator in and enrolls two-factor sign-in; returns the session cookie and
    /// keeps the secret for later sign-ins.
    pub async fn enroll_admin(&self) -> String {
        let cookie = self.sign_in("admin").await;
        let (status, headers, _) = self.get("/", Some(&cookie)).await;
        assert_eq!(
            (status, headers.get("location").unwrap().to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/two-factor")
        );
        let (_, _, page) = self.get("/two-factor", Some(&cookie)).await;
        assert!(page.contains("<svg"), "a QR code is shown");
        let secret = base32_decode(page.split("<code class=\"secret\">").nth(1).unwrap().split('<').next().unwrap());
        let code = todoke_app::totp::code_at(&secret, todoke_app::totp::step_of(jiff::Timestamp::now().as_second()));
        let (status, headers, _) =
            self.post_form("/two-factor", Some(&cookie), &format!("csrf={}&code=000000", csrf_in(&page))).await;
        assert_eq!(
            (status, headers.get("location").unwrap().to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/two-factor?retry=1")
        );
        let (status, headers, _) =
            self.post_form("/two-factor", Some(&cookie), &format!("csrf={}&code={code}", csrf_in(&page))).await;
        assert_eq!((status, headers.get("location").unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/"));
        *self.admin_secret.lock().unwrap() = secret;
        cookie
    }
}

pub fn csrf_in(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    body[at..].split('"').next().unwrap().to_string()
}

pub fn base32_decode(text: &str) -> Vec<u8> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {text}"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}
