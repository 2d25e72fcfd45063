//! The migrations in `migrations/`, embedded in the binary so operators need no extra tool.

use diesel::PgConnection;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration, each in its own transaction; returns their names.
pub fn run_pending(conn: &mut PgConnection) -> Result<Vec<String>, BoxError> {
    let applied = conn.run_pending_migrations(MIGRATIONS)?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration, newest first.
pub fn revert_all(conn: &mut PgConnection) -> Result<Vec<String>, BoxError> {
    let reverted = conn.revert_all_migrations(MIGRATIONS)?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// Every known migration with whether it is applied, oldest first.
pub fn status(conn: &mut PgConnection) -> Result<Vec<(String, bool)>, BoxError> {
    let applied = conn.applied_migrations()?;
    let known = MigrationSource::<Pg>::migrations(&MIGRATIONS)?;
    Ok(known
        .iter()
        .map(|m| {
            let name = m.name();
            (name.to_string(), applied.contains(&name.version().as_owned()))
        })
        .collect())
}

pub fn has_pending(conn: &mut PgConnection) -> Result<bool, BoxError> {
    conn.has_pending_migration(MIGRATIONS)
}
