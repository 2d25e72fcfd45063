//! The accounts port on Postgres.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::accounts::{AccountError, Accounts, NewAccount, Role, Standing, User};
use domain::email::Email;
use domain::ids::UserId;
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::users;
use crate::store_error::{corrupt_row, is_unique_violation, store_error};

#[derive(Clone)]
pub struct PgAccounts {
    pool: PgPool,
}

impl PgAccounts {
    pub fn new(pool: PgPool) -> Self {
        PgAccounts { pool }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
    token_version: i32,
}

impl UserRow {
    fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            id: UserId(self.id),
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role).ok_or_else(|| corrupt_row("users", self.id, "role"))?,
            created_at: self.created_at,
            token_version: self.token_version,
        })
    }
}

impl Accounts for PgAccounts {
    fn create_account(&self, account: &NewAccount) -> Result<User, AccountError> {
        let mut conn = checkout(&self.pool)?;
        diesel::insert_into(users::table)
            .values((
                users::email.eq(account.email.as_str()),
                users::name.eq(account.name.as_str()),
                users::password_hash.eq(&account.password_hash),
                users::role.eq(account.role.as_str()),
            ))
            .returning(UserRow::as_returning())
            .get_result::<UserRow>(&mut conn)
            .map_err(|e| {
                if is_unique_violation(&e, "users_email_key") {
                    AccountError::EmailTaken
                } else {
                    AccountError::Store(store_error(e))
                }
            })?
            .into_user()
            .map_err(AccountError::Store)
    }

    fn account_with_password_hash(&self, email: &Email) -> Result<Option<(User, String)>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        users::table
            .filter(users::email.eq(email.as_str()))
            .select((UserRow::as_select(), users::password_hash))
            .first::<(UserRow, String)>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(|(row, hash)| Ok((row.into_user()?, hash)))
            .transpose()
    }

    fn account(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        users::table
            .find(id.0)
            .select(UserRow::as_select())
            .first::<UserRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(UserRow::into_user)
            .transpose()
    }

    fn standing(&self, id: UserId) -> Result<Option<Standing>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        users::table
            .find(id.0)
            .select((users::role, users::token_version))
            .first::<(String, i32)>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(|(role, token_version)| {
                Ok(Standing {
                    role: Role::parse(&role).ok_or_else(|| corrupt_row("users", id.0, "role"))?,
                    token_version,
                })
            })
            .transpose()
    }

    fn change_role(&self, email: &Email, role: Role) -> Result<User, AccountError> {
        let mut conn = checkout(&self.pool)?;
        diesel::update(users::table.filter(users::email.eq(email.as_str())))
            .set((
                users::role.eq(role.as_str()),
                users::token_version.eq(users::token_version + 1),
            ))
            .returning(UserRow::as_returning())
            .get_result::<UserRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .ok_or(AccountError::NotFound)?
            .into_user()
            .map_err(AccountError::Store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_row_with_an_unknown_role_is_an_error_not_a_customer() {
        let row = UserRow {
            id: 5,
            email: "a@example.com".into(),
            name: "A".into(),
            role: "owner".into(),
            created_at: Utc::now(),
            token_version: 0,
        };

        assert_eq!(row.into_user().err(), Some(corrupt_row("users", 5, "role")));
    }
}
