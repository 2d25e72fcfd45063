//! Waking workers when events commit. Writers say so to an in-process signal; one notifier per
//! process turns each burst into a single `NOTIFY`, and every worker `LISTEN`s. A `NOTIFY` inside
//! the writing transaction would be simpler, but Postgres serializes the commits of notifying
//! transactions behind one lock, and placement commits a thousand times a second.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::pool::{PgPool, checkout, leave_out_of_statement_logs};

/// The channel workers listen on.
pub const CHANNEL: &str = "stockroom_events";

/// How long the notifier gathers writes into one `NOTIFY`.
const COALESCE: Duration = Duration::from_millis(5);

/// "Events were committed", said by the stores after their commit.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<(Mutex<bool>, Condvar)>);

impl OutboxSignal {
    /// Never blocks on the database: the notifier does the talking.
    pub fn written(&self) {
        let (pending, wake) = &*self.0;
        if let Ok(mut pending) = pending.lock() {
            *pending = true;
            wake.notify_one();
        }
    }

    /// Waits for a write; `false` if none came within `timeout`.
    fn wait(&self, timeout: Duration) -> bool {
        let (pending, wake) = &*self.0;
        let Ok(guard) = pending.lock() else { return false };
        match wake.wait_timeout_while(guard, timeout, |pending| !*pending) {
            Ok((mut pending, _)) => std::mem::take(&mut *pending),
            Err(_) => false,
        }
    }
}

/// Runs for the life of the process: one `NOTIFY` per burst of writes, on a connection of its
/// own (taken from the pool once and kept, so requests never wait behind it, and left out of
/// statement logs). A failed `NOTIFY` (the database is away) is dropped, and the connection
/// with it: workers poll as a fallback.
pub fn spawn_notifier(pool: PgPool, signal: OutboxSignal) {
    std::thread::spawn(move || {
        loop {
            let Ok(mut conn) = checkout(&pool) else {
                std::thread::sleep(Duration::from_secs(1));
                continue;
            };
            leave_out_of_statement_logs(&mut conn);
            loop {
                if !signal.wait(Duration::from_secs(60)) {
                    continue;
                }
                std::thread::sleep(COALESCE);
                signal.wait(Duration::ZERO);
                if let Err(error) = conn.batch_execute(&format!("NOTIFY {CHANNEL}")) {
                    tracing::debug!(%error, "could not notify workers; they will poll");
                    break;
                }
            }
        }
    });
}

/// A worker's own connection, listening on [`CHANNEL`].
pub struct Listener {
    conn: PgConnection,
}

impl Listener {
    pub fn connect(database_url: &str) -> QueryResult<Listener> {
        let mut conn = PgConnection::establish(database_url)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(Listener { conn })
    }

    /// Whether a notification arrived since the last call. Reads what the socket holds without
    /// a round trip, so it is cheap to ask often; an error means the connection is lost.
    pub fn woken(&mut self) -> QueryResult<bool> {
        let mut woken = false;
        for notification in self.conn.notifications_iter() {
            notification?;
            woken = true;
        }
        Ok(woken)
    }
}
