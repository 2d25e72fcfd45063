//! Hearing, on every instance, that the catalog changed: the `products` trigger of migration
//! `2026-11-25-000002` notifies `stockroom_catalog` whenever a product is added or anything a page shows
//! but stock changes.

use std::time::Duration;

use diesel::connection::SimpleConnection;

use crate::pool::{PgPool, checkout, leave_out_of_statement_logs};

/// The channel the trigger notifies.
const CHANNEL: &str = "stockroom_catalog";

/// How often the listening connection is read: it reads what arrived, without a round trip.
const READ_EVERY: Duration = Duration::from_millis(5);

/// How often the listening connection is proven alive with a round trip: a connection that died
/// quietly would otherwise never say so, and changes would go unheard.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// How long to wait before listening again after the connection was lost.
const RELISTEN_AFTER: Duration = Duration::from_millis(500);

/// What a listener of `stockroom_catalog` tells its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogFeed {
    /// Listening from now on: a change committed from here on will be heard.
    Listening,
    /// Something a page shows changed.
    Changed,
    /// No longer listening: a change may go unheard until `Listening` again.
    Deaf,
}

/// Runs for the life of the process on a pooled connection of its own (kept, like the outbox
/// notifier's, and left out of statement logs), telling `hear` what it hears.
pub fn spawn_catalog_listener(pool: PgPool, hear: impl Fn(CatalogFeed) + Send + 'static) {
    std::thread::spawn(move || {
        loop {
            let Ok(mut conn) = checkout(&pool) else {
                std::thread::sleep(RELISTEN_AFTER);
                continue;
            };
            leave_out_of_statement_logs(&mut conn);
            if conn.batch_execute(&format!("LISTEN {CHANNEL}")).is_err() {
                std::thread::sleep(RELISTEN_AFTER);
                continue;
            }
            hear(CatalogFeed::Listening);
            let mut probed = std::time::Instant::now();
            loop {
                std::thread::sleep(READ_EVERY);
                let mut changed = false;
                let mut failed = false;
                for notification in conn.notifications_iter() {
                    match notification {
                        Ok(_) => changed = true,
                        Err(_) => failed = true,
                    }
                }
                if changed {
                    hear(CatalogFeed::Changed);
                }
                if !failed && probed.elapsed() >= PROBE_EVERY {
                    probed = std::time::Instant::now();
                    failed = conn.batch_execute("SELECT 1").is_err();
                }
                if failed {
                    break;
                }
            }
            tracing::warn!("lost the catalog's listening connection; pages are not cached until it is back");
            hear(CatalogFeed::Deaf);
            // The connection goes back to the pool; its next checkout probes it (it was taken
            // long ago) and discards it if dead.
            drop(conn);
            std::thread::sleep(RELISTEN_AFTER);
        }
    });
}
