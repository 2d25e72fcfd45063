//! The background worker: cancels orders left unpaid past the reservation window (returning
//! their stock) and purges expired idempotency keys. Runs inside `serve` by default, or alone
//! as `stockroom worker`; any number may run at once.

use std::time::Duration;

use domain::idempotency::IdempotencyStore;
use domain::orders::use_cases;

use crate::http::blocking;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// How often the worker looks for work.
const TICK: Duration = Duration::from_secs(30);
/// Orders cancelled per pass; the next pass continues.
const BATCH: usize = 200;

/// One pass; returns how many orders expired.
pub async fn run_once(state: &AppState, reservation_window: chrono::Duration) -> Result<usize, ApiError> {
    let orders = state.orders.clone();
    let placed_before = chrono::Utc::now() - reservation_window;
    let expired =
        blocking::run(move || use_cases::expire_unpaid_orders(&orders, placed_before, BATCH)).await?;
    let keys = state.idempotency.clone();
    let purged = blocking::run(move || keys.purge_expired()).await?;
    if expired > 0 || purged > 0 {
        tracing::info!(expired, purged, "worker pass");
    }
    Ok(expired)
}

/// Runs forever; a failed pass (say, the database is down) is logged and retried next tick.
pub async fn run(state: AppState, reservation_window: chrono::Duration) {
    let mut ticker = tokio::time::interval(TICK);
    loop {
        ticker.tick().await;
        if let Err(error) = run_once(&state, reservation_window).await {
            tracing::warn!(%error, "worker pass failed; retrying next tick");
        }
    }
}
