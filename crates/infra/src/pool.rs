//! The r2d2 pool. It is built without connecting, so the service starts (and answers `503`)
//! while the database is down, and recovers by itself when it returns.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::connection::{
    AnsiTransactionManager, Connection, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection, R2D2Connection};
use domain::store::StoreError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

/// How long a request waits for a free connection before it is told to come back later.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

/// A connection checked out less than this long ago, none of whose statements failed since, is
/// handed out again without a liveness probe; any other is probed with `SELECT 1` first, and
/// discarded if that fails. Under load a connection comes back every few milliseconds, and
/// probing each checkout was a round trip on every statement: about a fifth of the CPU an order
/// cost (DECISIONS.md). A server that drops connections (a restart, a terminated backend) within
/// this window fails at most one request per connection it dropped: the failed statement gets
/// its connection probed, and so discarded, at its next checkout.
pub const TRUSTED_WHILE_BUSY: Duration = Duration::from_secs(1);

/// The liveness probe (diesel's `SELECT 1`) as instrumentation shows it; statement logs count it
/// apart, since whether it is sent depends on timing, not on the request.
const PROBE: &str = "SELECT 1 -- binds: []";

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
        // `checkout` probes the connections not just in use (TRUSTED_WHILE_BUSY), not r2d2 each one.
        .test_on_check_out(false)
}

/// Every statement sent by a pool's connections, for tests that count queries the way
/// Django's `assertNumQueries` does; liveness probes are counted apart.
#[derive(Clone, Default)]
pub struct StatementLog {
    statements: Arc<Mutex<Vec<String>>>,
    probes: Arc<AtomicUsize>,
}

impl StatementLog {
    /// The statements sent since the last call, probes left out.
    pub fn take(&self) -> Vec<String> {
        self.statements
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }

    /// How many liveness probes were sent since the last call.
    pub fn probes(&self) -> usize {
        self.probes.swap(0, Ordering::Relaxed)
    }

    fn record(&self, statement: String) {
        if statement == PROBE {
            self.probes.fetch_add(1, Ordering::Relaxed);
        } else if let Ok(mut log) = self.statements.lock() {
            log.push(statement);
        }
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
        // Sent before the instrumentation is attached, so statement logs do not include it.
        conn.batch_execute(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}",
            ms = self.timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        conn.set_instrumentation(SessionWatch {
            failed: false,
            statements: self.statements.clone(),
        });
        Ok(())
    }
}

/// Watches a pooled session's statements: whether one failed since the connection was last
/// checked out (it may have lost the server: diesel marks a connection broken when a statement
/// fails running, not when it fails being prepared) and, for tests, what was sent.
struct SessionWatch {
    failed: bool,
    statements: Option<StatementLog>,
}

impl Instrumentation for SessionWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                if let Some(log) = &self.statements {
                    log.record(query.to_string());
                }
            }
            InstrumentationEvent::FinishQuery { error: Some(_), .. } => self.failed = true,
            _ => {}
        }
    }
}

/// Leaves a connection kept for the life of the process (a listener's, the notifier's) out of
/// statement logs, still watched for failed statements like every pooled session.
pub fn leave_out_of_statement_logs(conn: &mut PgPooled) {
    conn.set_instrumentation(SessionWatch {
        failed: false,
        statements: None,
    });
}

/// When a pooled connection was last checked out, kept beside it in the pool.
struct LastCheckout(Instant);

/// Takes a connection, probed first if it was last checked out over [`TRUSTED_WHILE_BUSY`] ago
/// or a statement of it failed since; a dead one is discarded and another taken. An exhausted
/// pool or an unreachable database is `Unavailable`.
pub fn checkout(pool: &PgPool) -> Result<PgPooled, StoreError> {
    let deadline = Instant::now() + CHECKOUT_TIMEOUT;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        let mut conn = pool
            .get_timeout(wait)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        // Every session is watched (`on_acquire`); one that somehow is not is suspect.
        let failed = conn
            .instrumentation()
            .downcast_mut::<SessionWatch>()
            .is_none_or(|watch| std::mem::take(&mut watch.failed));
        let now = Instant::now();
        let extensions = PooledConnection::extensions_mut(&mut conn);
        let unused_lately = match extensions.get_mut::<LastCheckout>() {
            Some(last) => now.duration_since(std::mem::replace(&mut last.0, now)) >= TRUSTED_WHILE_BUSY,
            None => {
                // New to the pool, but maybe waiting there since a burst long gone.
                extensions.insert(LastCheckout(now));
                true
            }
        };
        if !unused_lately && !failed {
            return Ok(conn);
        }
        if let Err(error) = conn.ping() {
            // Broken, so that the pool discards it when it is dropped here, whatever the error.
            AnsiTransactionManager::transaction_manager_status_mut(&mut *conn).set_in_error();
            if Instant::now() >= deadline {
                return Err(StoreError::Unavailable(error.to_string()));
            }
            continue;
        }
        return Ok(conn);
    }
}
