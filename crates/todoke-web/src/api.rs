//! The JSON API under `/api/v1`, authorized exactly as the pages are. Wire types are the domain's
//! serde forms (CONTRACTS.md): do not rename their keys.

use crate::access::Scope;
use crate::error::ApiError;
use crate::session::Viewer;
use crate::state::AppState;
use crate::views::{load_case, visible};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use todoke_rules::{Options, assess};
use todoke_store::{Db, IncidentStore};

fn viewer(v: Result<Viewer, crate::error::WebError>) -> Result<Viewer, ApiError> {
    v.map_err(ApiError)
}

/// `GET /api/v1/cases`: the cases the caller may see.
pub async fn cases<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let mut out = Vec::new();
    for summary in state.store.incidents().await? {
        let record = state.store.incident(summary.id).await?;
        let parties = state.store.parties(summary.id).await?;
        if let Some(scope) = crate::access::scope(&viewer, &record, &parties) {
            let share = match scope {
                Scope::Full => Value::Null,
                Scope::Parties(names) => json!(names),
            };
            out.push(
                json!({ "id": summary.id, "title": summary.title, "owner": summary.owner, "only_parties": share }),
            );
        }
    }
    Ok(Json(json!({ "cases": out })))
}

/// `GET /api/v1/cases/{id}`: a case's facts, with only the parties the caller may see.
pub async fn case<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (mut record, _, scope) = load_case(&state, &viewer, &id).await?;
    record.facts.parties.retain(|p| scope.sees(&p.name));
    if scope != Scope::Full {
        // The timeline and tasks are the owner's working record.
        record.facts.timeline.clear();
        record.facts.tasks.clear();
    }
    Ok(Json(serde_json::to_value(&record).map_err(|e| crate::error::WebError::Internal(e.to_string()))?))
}

/// `GET /api/v1/cases/{id}/assessment`: the assessment (CONTRACTS.md §1) of the visible parties,
/// measured against today.
pub async fn assessment<D: Db>(
    State(state): State<AppState<D>>,
    v: Result<Viewer, crate::error::WebError>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let viewer = viewer(v)?;
    let (record, _, scope) = load_case(&state, &viewer, &id).await?;
    let mut assessment =
        assess(&record.facts, &state.packs, &Options { as_of: Some(state.today()), ..Options::default() })?;
    assessment.parties = visible(&assessment, &scope);
    Ok(Json(serde_json::to_value(&assessment).map_err(|e| crate::error::WebError::Internal(e.to_string()))?))
}

/// `GET /api/v1/openapi.json`: the API's description.
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("../openapi.json")).into_response()
}
