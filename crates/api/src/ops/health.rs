//! Liveness and readiness probes for orchestrators and load balancers.

use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use domain::store::StoreError;
use serde_json::json;

use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::ops::openapi::Problem;
use crate::state::AppState;

/// `200` while the process serves requests.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `200` only when the database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready"),
        (status = 503, description = "Database unreachable or migrations pending", body = Problem),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let pending = blocking::run(move || {
        let mut conn = infra::pool::checkout(&pool)?;
        infra::migrations::has_pending(&mut conn).map_err(|e| StoreError::Unavailable(e.to_string()))
    })
    .await?;
    if pending {
        tracing::warn!("not ready: migrations are pending");
        return Err(ApiError::Unavailable);
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
