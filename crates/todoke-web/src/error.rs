//! One place maps failures to HTTP: the user sees what to do and a request id, never internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

tokio::task_local! {
    /// The id of the request being served, for error pages and logs.
    pub static REQUEST_ID: String;
}

fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// The id of the request being served (empty outside a request).
pub fn current_request_id() -> String {
    request_id()
}

/// A failure of an HTML page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// 303 to the sign-in page: no valid session.
    #[error("sign-in required")]
    SignIn,
    /// 303 to the two-factor enrollment: an administrator without a second factor.
    #[error("two-factor enrollment required")]
    EnrollTwoFactor,
    /// 404: not found, or not the user's to see (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// 400: a form value is not what was expected (the text names the field).
    #[error("{0}")]
    Invalid(String),
    /// 403: the user may not do this.
    #[error("forbidden")]
    Forbidden,
    /// 409: the change conflicts with what is stored (a submitted report is frozen).
    #[error("conflict")]
    Conflict,
    /// 429: too many requests of this kind; try again later.
    #[error("too many requests")]
    TooMany,
    /// 500: something failed inside; logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<todoke_store::StoreError> for WebError {
    fn from(e: todoke_store::StoreError) -> Self {
        match e {
            todoke_store::StoreError::NotFound(_) => Self::NotFound,
            todoke_store::StoreError::Conflict(_) => Self::Conflict,
            todoke_store::StoreError::Invalid(why) => Self::Invalid(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<todoke_app::AppError> for WebError {
    fn from(e: todoke_app::AppError) -> Self {
        match e {
            todoke_app::AppError::Store(s) => s.into(),
            todoke_app::AppError::NoSuchParty(_) => Self::NotFound,
            todoke_app::AppError::Invalid(why) => Self::Invalid(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<todoke_rules::AssessError> for WebError {
    fn from(e: todoke_rules::AssessError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::SignIn | Self::EnrollTwoFactor => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        let m = crate::i18n::Prefs::current();
        match self {
            Self::SignIn => m.t("error.sign_in").into(),
            Self::EnrollTwoFactor => m.t("error.enroll").into(),
            Self::NotFound => m.t("error.not_found").into(),
            Self::Forbidden => m.t("error.forbidden").into(),
            Self::Conflict => m.t("error.conflict").into(),
            Self::Invalid(why) => format!("{}: {why}", m.t("error.invalid")),
            Self::TooMany => m.t("error.too_many").into(),
            Self::Internal(_) => m.t("error.internal").into(),
        }
    }

    fn log(&self) {
        if let Self::Internal(detail) = self {
            tracing::error!(request_id = %request_id(), "{detail}");
        }
    }

    /// The same failure as JSON, for the API.
    pub fn json(self) -> Response {
        self.log();
        let status = match self {
            Self::SignIn => StatusCode::UNAUTHORIZED,
            Self::EnrollTwoFactor => StatusCode::FORBIDDEN,
            _ => self.status(),
        };
        let body =
            serde_json::json!({ "error": self.message(), "status": status.as_u16(), "request_id": request_id() });
        (status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        match self {
            Self::SignIn => return Redirect::to("/sign-in").into_response(),
            Self::EnrollTwoFactor => return Redirect::to("/two-factor").into_response(),
            _ => {}
        }
        let page = crate::views::ErrorPage {
            m: crate::i18n::Prefs::current(),
            message: self.message(),
            request_id: request_id(),
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| self.message());
        (self.status(), axum::response::Html(body)).into_response()
    }
}

/// A failure of an API call: the same failures, as JSON.
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.json()
    }
}
