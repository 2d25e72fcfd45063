//! Test databases: one migrated template per migration set, and a fresh copy of it per test,
//! dropped when the test ends (also when it fails), so tests run in parallel in isolation.

use std::path::Path;

use diesel::prelude::*;
use diesel::{PgConnection, sql_query};
use sha2::{Digest, Sha256};

use crate::migrations;
use crate::pool::{PgPool, connect};

/// Any fixed number; serialises template creation between test processes.
const TEMPLATE_LOCK: i64 = 0x5700_c400;

/// A private database for one test.
pub struct TestDb {
    pub url: String,
    name: String,
    admin_url: String,
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split_once('/').map_or(rest, |(authority, _)| authority);
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must name a Postgres server for tests; `make test` provides a private one")
}

/// A name that changes whenever any migration file changes, so a stale template is never used.
fn template_name() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).unwrap_or_default());
    }
    format!("stockroom_template_{}", &hex::encode(hash.finalize())[..16])
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

fn ensure_template(admin: &mut PgConnection, server: &str) -> String {
    let template = template_name();
    sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(admin)
        .expect("advisory lock");
    let existing: Vec<Name> =
        sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'stockroom_template_%'")
            .load(admin)
            .expect("list templates");
    if !existing.iter().any(|d| d.datname == template) {
        for stale in &existing {
            sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                stale.datname
            ))
            .execute(admin)
            .expect("drop stale template");
        }
        // Built under another name and renamed when complete: a half-migrated template is never seen.
        let building = format!("{template}_building");
        sql_query(format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
            .execute(admin)
            .expect("drop");
        sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(admin)
            .expect("create template");
        {
            let mut conn =
                PgConnection::establish(&with_database(server, &building)).expect("connect to template");
            migrations::run_pending(&mut conn).expect("migrate template");
        }
        sql_query(format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""))
            .execute(admin)
            .expect("publish template");
    }
    sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(admin)
        .expect("unlock");
    template
}

impl TestDb {
    /// A new, migrated, empty database of its own.
    pub fn new() -> TestDb {
        let server = server_url();
        let admin_url = with_database(&server, "postgres");
        let mut admin = PgConnection::establish(&admin_url).expect("connect to the Postgres server");
        let template = ensure_template(&mut admin, &server);
        let name = format!("stockroom_test_{}", uuid::Uuid::new_v4().simple());
        sql_query(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
            .execute(&mut admin)
            .expect("copy the template");
        TestDb {
            url: with_database(&server, &name),
            name,
            admin_url,
        }
    }

    pub fn pool(&self, size: u32) -> PgPool {
        connect(&self.url, size)
    }

    pub fn connection(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test database")
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

/// Event documents for infra's own tests: enough to tell orders apart. The real view is the
/// API's, which its tests check against `GET /v1/orders/{id}`.
pub struct TestDocuments;

impl crate::events::EventDocuments for TestDocuments {
    fn order(&self, order: &domain::orders::Order) -> serde_json::Value {
        serde_json::json!({
            "id": order.id.0,
            "status": order.status.as_str(),
            "total_amount": order.total_amount.to_string(),
        })
    }
}

/// The order store as infra's tests use it.
pub fn test_orders(pool: PgPool) -> crate::PgOrders {
    crate::PgOrders::new(pool, "USD", std::sync::Arc::new(TestDocuments))
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                .execute(&mut admin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_in_every_url_shape() {
        assert_eq!(
            with_database("postgres://u@localhost/stockroom?host=/tmp/x&port=5", "t1"),
            "postgres://u@localhost/t1?host=/tmp/x&port=5"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5432/db", "t2"),
            "postgres://u:p@h:5432/t2"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5432", "t3"),
            "postgres://u:p@h:5432/t3"
        );
    }
}
