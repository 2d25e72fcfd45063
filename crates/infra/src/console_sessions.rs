//! The console sessions port on Postgres.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::console::{ConsoleSession, ConsoleSessions, SessionKey};
use domain::ids::UserId;
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::console_sessions;
use crate::store_error::{corrupt_row, store_error};

#[derive(Clone)]
pub struct PgConsoleSessions {
    pool: PgPool,
}

impl PgConsoleSessions {
    pub fn new(pool: PgPool) -> Self {
        PgConsoleSessions { pool }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = console_sessions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct SessionRow {
    id: Vec<u8>,
    user_id: i64,
    csrf_token: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl SessionRow {
    fn into_session(self) -> Result<ConsoleSession, StoreError> {
        let key = <[u8; 32]>::try_from(self.id.as_slice())
            .map_err(|_| corrupt_row("console_sessions", self.user_id, "id"))?;
        Ok(ConsoleSession {
            key: SessionKey(key),
            user_id: UserId(self.user_id),
            csrf_token: self.csrf_token,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

impl ConsoleSessions for PgConsoleSessions {
    fn open(&self, session: &ConsoleSession, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        conn.transaction(|conn| {
            diesel::delete(
                console_sessions::table
                    .filter(console_sessions::user_id.eq(session.user_id.0))
                    .filter(console_sessions::expires_at.le(now)),
            )
            .execute(conn)?;
            diesel::insert_into(console_sessions::table)
                .values((
                    console_sessions::id.eq(session.key.0.as_slice()),
                    console_sessions::user_id.eq(session.user_id.0),
                    console_sessions::csrf_token.eq(&session.csrf_token),
                    console_sessions::created_at.eq(session.created_at),
                    console_sessions::expires_at.eq(session.expires_at),
                ))
                .execute(conn)
                .map(|_| ())
        })
        .map_err(store_error)
    }

    fn session(&self, key: &SessionKey) -> Result<Option<ConsoleSession>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        console_sessions::table
            .find(key.0.as_slice())
            .select(SessionRow::as_select())
            .first::<SessionRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(SessionRow::into_session)
            .transpose()
    }

    fn close(&self, key: &SessionKey) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::delete(console_sessions::table.find(key.0.as_slice()))
            .execute(&mut conn)
            .map(|_| ())
            .map_err(store_error)
    }
}
