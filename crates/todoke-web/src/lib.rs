//! todoke's web application: the HTML pages people work in and the JSON API under `/api/v1`.
//!
//! Every request is authorized against the organizations it touches: a case is shown to the members
//! of the organization that owns it, and to each party's members only as far as it concerns that
//! party. Sessions are cookies holding a random token (the store keeps only its hash); forms carry a
//! synchronizer token and cross-site requests are refused; every response carries security headers
//! and a request id. Pages are askama templates, escaped by default; no inline script or style.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod access;
mod account;
mod api;
mod cache;
mod campaign;
mod campaign_chart;
mod campaign_letters;
mod campaign_returns;
mod campaign_view;
mod chart;
mod costs;
mod edit;
mod error;
mod i18n;
mod inquiries;
mod lookup;
mod new_case;
mod people;
mod portal;
mod ratelimit;
mod records;
mod reminders;
mod security;
mod session;
mod state;
mod timeline_csv;
mod upload;
mod users;
mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use std::future::Future;
use todoke_store::Db;

/// The largest list a form may upload: 100,000 rows of a city's list are about 15 MB.
const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub use campaign_letters::resume_letter_jobs;
pub use reminders::{REMINDER_INTERVAL, start_reminders};
pub use state::{AppState, LOOKUPS_PER_MINUTE, Organization, SIGN_INS_PER_MINUTE};

/// Every route of the application.
pub fn router<D: Db>(state: AppState<D>) -> Router {
    let tls = state.tls;
    Router::new()
        .route("/", get(views::dashboard::<D>))
        .route("/sign-in", get(views::sign_in_page).post(session::sign_in::<D>))
        .route("/sign-out", post(session::sign_out::<D>))
        .route("/sign-out-everywhere", post(session::sign_out_everywhere::<D>))
        .route("/two-factor", get(views::two_factor_page::<D>).post(session::enroll_two_factor::<D>))
        .route("/cases", post(new_case::create::<D>))
        .route("/cases/new", get(new_case::page::<D>))
        .route("/cases/{id}", get(views::case_page::<D>))
        .route("/cases/{id}/facts", post(edit::update_facts::<D>))
        .route("/cases/{id}/reports", post(edit::file_report::<D>))
        .route("/cases/{id}/reports/draft", post(records::draft_form::<D>))
        .route("/cases/{id}/reports/{report}/submit", post(records::submit_form::<D>))
        .route("/cases/{id}/timeline", post(records::add_event_form::<D>))
        .route("/cases/{id}/timeline/import", post(records::import_events_form::<D>))
        .route("/cases/{id}/timeline.csv", get(records::export_timeline::<D>))
        .route("/cases/{id}/tasks", post(records::add_task_form::<D>))
        .route("/cases/{id}/tasks/{task}/status", post(records::task_status_form::<D>))
        .route("/cases/{id}/inquiries", get(inquiries::page::<D>).post(inquiries::add_form::<D>))
        .route("/cases/{id}/inquiries/scripts", post(inquiries::add_script_form::<D>))
        .route(
            "/cases/{id}/people",
            get(people::page::<D>).post(people::upload::<D>).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases/{id}/people/{person}/reveal", post(people::reveal::<D>))
        .route("/cases/{id}/lookup", get(lookup::page::<D>).post(lookup::ask_form::<D>))
        .route("/cases/{id}/campaign", get(campaign::page::<D>).post(campaign::start::<D>))
        .route("/cases/{id}/portal/joint", post(portal::joint::<D>))
        .route("/cases/{id}/campaign/plan", post(campaign::plan::<D>))
        .route("/cases/{id}/campaign/posted", post(campaign_returns::posted::<D>))
        .route("/cases/{id}/campaign/handoff.csv", get(campaign_returns::handoff::<D>))
        .route("/cases/{id}/campaign/letters", post(campaign_letters::start::<D>))
        .route("/cases/{id}/campaign/letters/{job}/resume", post(campaign_letters::resume::<D>))
        .route("/cases/{id}/campaign/letters/{job}/{batch}", get(campaign_letters::download::<D>))
        .route("/cases/{id}/campaign/returns", post(campaign_returns::returned::<D>))
        .route(
            "/cases/{id}/campaign/returns/upload",
            post(campaign_returns::upload::<D>).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/cases/{id}/campaign/remail", post(campaign_returns::remail::<D>))
        .route("/cases/{id}/campaign/substitute", post(campaign_returns::substitute::<D>))
        .route("/cases/{id}/campaign/publications", post(campaign_returns::publication::<D>))
        .route("/cases/{id}/costs", get(costs::page::<D>))
        .route("/cases/{id}/costs/lines", post(costs::add_line::<D>))
        .route("/cases/{id}/costs/lines/remove", post(costs::remove_line::<D>))
        .route("/cases/{id}/costs/refresh", post(costs::refresh::<D>))
        .route("/cases/{id}/costs/move", post(costs::move_claim::<D>))
        .route("/cases/{id}/costs/{party}/invoice", get(costs::invoice::<D>))
        .route("/cases/{id}/portal", get(portal::page::<D>))
        .route("/preferences", post(records::set_preferences::<D>))
        .route("/account", get(account::page::<D>))
        .route("/users", get(users::page::<D>).post(users::add::<D>))
        .route("/users/remove", post(users::remove::<D>))
        .route("/account/reminders", post(account::set_email::<D>))
        .route("/audit", get(views::audit_page::<D>))
        .route("/static/app.css", get(views::stylesheet))
        .route("/static/upload.js", get(views::upload_script))
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/cases", get(api::cases::<D>).post(api::open_case::<D>))
        .route("/api/v1/cases/{id}", get(api::case::<D>))
        .route("/api/v1/cases/{id}/assessment", get(api::assessment::<D>))
        .route("/api/v1/session", get(api::session))
        .route("/api/v1/cases/{id}/parties", get(api::parties::<D>))
        .route("/api/v1/cases/{id}/timeline", get(api::timeline::<D>).post(api::add_event::<D>))
        .route("/api/v1/cases/{id}/timeline/import", post(api::import_events::<D>))
        .route("/api/v1/cases/{id}/tasks", get(api::tasks::<D>).post(api::add_task::<D>))
        .route("/api/v1/cases/{id}/tasks/{task}", patch(api::task_status::<D>))
        .route("/api/v1/cases/{id}/reports", get(api::reports::<D>).post(api::add_report::<D>))
        .route("/api/v1/cases/{id}/reports/{report}/submit", post(api::submit_report::<D>))
        .route("/api/v1/cases/{id}/lookup", post(api::lookup::<D>))
        .fallback(views::not_found)
        .layer(axum::middleware::from_fn(i18n::scope))
        .layer(axum::middleware::from_fn_with_state(tls, security::headers))
        .with_state(state)
}

/// Serves the application on a bound listener until `shutdown` completes.
pub async fn serve<D: Db>(
    listener: tokio::net::TcpListener,
    state: AppState<D>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // With the client's address, which sign-in attempts are counted by.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
