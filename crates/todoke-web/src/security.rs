//! Headers every response carries, and the request id.

use crate::error::REQUEST_ID;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style, nothing from elsewhere, never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A year of https only. Sent only by a server that terminates TLS itself: browsers ignore it over
/// plain HTTP, and behind a TLS proxy it is the proxy's to send.
const HSTS: &str = "max-age=31536000";

/// Sets the security headers and a request id on every response; HSTS when `tls` is true.
pub async fn headers(State(tls): State<bool>, request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: with no referrer at all, browsers send `Origin: null` on form
    // posts, and the origin check could no longer tell our own forms from a forgery.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::header;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn hsts(tls: bool) -> Option<String> {
        let app = axum::Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(tls, super::headers));
        let response = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        response.headers().get(header::STRICT_TRANSPORT_SECURITY).map(|v| v.to_str().unwrap().to_string())
    }

    #[tokio::test]
    async fn hsts_only_when_this_server_terminates_tls() {
        assert_eq!(hsts(true).await.as_deref(), Some("max-age=31536000"));
        // Over plain HTTP, on localhost or behind a proxy, browsers must not be pinned to https here.
        assert_eq!(hsts(false).await, None);
    }
}
