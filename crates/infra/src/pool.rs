//! The r2d2 pool. It is built without connecting, so the service starts (and answers `503`)
//! while the database is down, and recovers by itself when it returns.

use std::time::Duration;

use std::sync::{Arc, Mutex};

use diesel::PgConnection;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use domain::store::StoreError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// How long a request waits for a free connection before it is told to come back later.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn connect(database_url: &str, size: u32) -> PgPool {
    builder(size).build_unchecked(ConnectionManager::new(database_url))
}

fn builder(size: u32) -> r2d2::Builder<ConnectionManager<PgConnection>> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(CHECKOUT_TIMEOUT)
        // A connection broken by a database restart is discarded at checkout, not handed out.
        .test_on_check_out(true)
}

/// Every statement sent by a pool's connections, for tests that count queries the way
/// Django's `assertNumQueries` does.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    pub fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct LogStatements(StatementLog);

impl std::fmt::Debug for StatementLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatementLog")
    }
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for LogStatements {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        let log = self.0.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event
                && let Ok(mut log) = log.0.lock()
            {
                log.push(query.to_string());
            }
        });
        Ok(())
    }
}

/// A pool whose connections record every statement they send into `log`.
pub fn connect_logging_statements(database_url: &str, size: u32, log: StatementLog) -> PgPool {
    builder(size)
        .connection_customizer(Box::new(LogStatements(log)))
        .build_unchecked(ConnectionManager::new(database_url))
}

/// Takes a connection; an exhausted pool or an unreachable database is `Unavailable`.
pub fn checkout(pool: &PgPool) -> Result<PgPooled, StoreError> {
    pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
}
