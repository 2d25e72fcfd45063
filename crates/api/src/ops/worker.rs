//! The background worker: cancels orders left unpaid past the reservation window (returning
//! their stock) and purges expired idempotency keys. Runs inside `serve` by default, or alone
//! as `stockroom worker` with nothing but the database; any number may run at once.

use std::sync::Arc;
use std::time::Duration;

use domain::idempotency::IdempotencyStore;
use domain::orders::use_cases;
use infra::{PgIdempotency, PgOrders, PgPool};
use tokio::sync::watch;

use crate::events::documents::ApiDocuments;
use crate::http::blocking;
use crate::http::problem::ApiError;

/// How often the worker looks for work.
const TICK: Duration = Duration::from_secs(30);
/// Orders looked at per batch; a pass takes batch after batch until none is due.
const BATCH: usize = 200;

#[derive(Clone)]
pub struct Worker {
    orders: PgOrders,
    idempotency: PgIdempotency,
    reservation_window: chrono::Duration,
}

impl Worker {
    pub fn new(pool: PgPool, currency: &str, reservation_window: chrono::Duration) -> Worker {
        Worker {
            orders: PgOrders::new(pool.clone(), currency, Arc::new(ApiDocuments)),
            idempotency: PgIdempotency::new(pool),
            reservation_window,
        }
    }

    /// One pass; returns how many orders expired.
    pub async fn run_once(&self) -> Result<usize, ApiError> {
        let orders = self.orders.clone();
        let placed_before = chrono::Utc::now() - self.reservation_window;
        let expired =
            blocking::run(move || use_cases::expire_unpaid_orders(&orders, placed_before, BATCH)).await?;
        let keys = self.idempotency.clone();
        let purged = blocking::run(move || keys.purge_expired()).await?;
        if expired > 0 || purged > 0 {
            tracing::info!(expired, purged, "worker pass");
        }
        Ok(expired)
    }

    /// Runs until `stop` says so; a failed pass (say, the database is down) is logged and
    /// retried next tick. A pass under way finishes first: each cancellation is its own
    /// transaction, so stopping never leaves half a change.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut ticker = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stop.wait_for(|stopping| *stopping) => break,
            }
            if let Err(error) = self.run_once().await {
                tracing::warn!(%error, "worker pass failed; retrying next tick");
            }
        }
        tracing::info!("worker stopped");
    }
}
