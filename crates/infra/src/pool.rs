//! The r2d2 pool. It is built without connecting, so the service starts (and answers `503`)
//! while the database is down, and recovers by itself when it returns.

use std::time::Duration;

use diesel::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use domain::store::StoreError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// How long a request waits for a free connection before it is told to come back later.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn connect(database_url: &str, size: u32) -> PgPool {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(CHECKOUT_TIMEOUT)
        // A connection broken by a database restart is discarded at checkout, not handed out.
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager::new(database_url))
}

/// Takes a connection; an exhausted pool or an unreachable database is `Unavailable`.
pub fn checkout(pool: &PgPool) -> Result<PgPooled, StoreError> {
    pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
}
