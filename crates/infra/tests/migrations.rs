//! Every migration applies, reverts and applies again: `down.sql` is real, not decoration.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use diesel::prelude::*;
use diesel::sql_query;
use infra::migrations;
use infra::testing::TestDb;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn user_tables(conn: &mut PgConnection) -> i64 {
    sql_query(
        "SELECT count(*) AS n FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(conn)
    .expect("count tables")
    .n
}

#[test]
fn every_migration_reverts_and_applies_again() {
    let db = TestDb::new();
    let mut conn = db.connection();
    let tables_when_migrated = user_tables(&mut conn);
    assert!(tables_when_migrated >= 3, "the template is migrated");
    assert!(!migrations::has_pending(&mut conn).unwrap());

    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), migrations::status(&mut conn).unwrap().len());
    assert_eq!(
        user_tables(&mut conn),
        0,
        "down.sql removes everything up.sql made"
    );
    assert!(
        migrations::status(&mut conn)
            .unwrap()
            .iter()
            .all(|(_, applied)| !applied)
    );

    migrations::run_pending(&mut conn).unwrap();
    assert_eq!(user_tables(&mut conn), tables_when_migrated);
    assert!(
        migrations::status(&mut conn)
            .unwrap()
            .iter()
            .all(|(_, applied)| *applied)
    );
}
