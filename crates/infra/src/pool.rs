//! The r2d2 pool. It is built without connecting, so the service starts (and answers `503`)
//! while the database is down, and recovers by itself when it returns.

use std::time::Duration;

use std::sync::{Arc, Mutex};

use diesel::PgConnection;
use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use domain::store::StoreError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// How long a request waits for a free connection before it is told to come back later.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one statement, or one wait for a lock, may take unless configured otherwise.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// What every pooled session is set up with.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub size: u32,
    /// `statement_timeout` and `lock_timeout` of every session: a slow search or a long lock
    /// wait gives its connection back (as `503`) instead of holding it forever.
    pub statement_timeout: Duration,
    /// Record every SQL statement sent, for tests that count them.
    pub statements: Option<StatementLog>,
}

impl PoolOptions {
    pub fn new(size: u32) -> PoolOptions {
        PoolOptions {
            size,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            statements: None,
        }
    }
}

pub fn connect(database_url: &str, size: u32) -> PgPool {
    connect_with(database_url, PoolOptions::new(size))
}

pub fn connect_with(database_url: &str, options: PoolOptions) -> PgPool {
    builder(options.size)
        .connection_customizer(Box::new(SessionSetup {
            timeout_ms: options.statement_timeout.as_millis().max(1),
            statements: options.statements,
        }))
        .build_unchecked(ConnectionManager::new(database_url))
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
struct SessionSetup {
    timeout_ms: u128,
    statements: Option<StatementLog>,
}

impl std::fmt::Debug for StatementLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatementLog")
    }
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSetup {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        // Sent before the instrumentation is attached, so statement counts do not include it.
        conn.batch_execute(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}",
            ms = self.timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        if let Some(log) = self.statements.clone() {
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { query, .. } = event
                    && let Ok(mut log) = log.0.lock()
                {
                    log.push(query.to_string());
                }
            });
        }
        Ok(())
    }
}

/// Takes a connection; an exhausted pool or an unreachable database is `Unavailable`.
pub fn checkout(pool: &PgPool) -> Result<PgPooled, StoreError> {
    pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
}
