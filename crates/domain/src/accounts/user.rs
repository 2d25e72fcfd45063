//! A person with an account, and the role that decides what they may do.

use chrono::{DateTime, Utc};

use crate::email::Email;
use crate::ids::UserId;
use crate::text::PersonName;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Customer,
    Staff,
}

impl Role {
    /// Every role: what the `users_role_known` CHECK admits (a test ties them).
    pub const ALL: [Role; 2] = [Role::Customer, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        match raw {
            "customer" => Some(Role::Customer),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Tokens name the version they were issued under; raising it revokes them all.
    pub token_version: i32,
}

/// What an account may do right now, as a token is checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub token_version: i32,
}

impl Standing {
    /// A token still speaks for its account only if it was issued under the account's current
    /// version and role: a demoted staff member's token stops being staff, a revoked one stops.
    pub fn admits(&self, token_role: Role, token_version: i32) -> bool {
        self.role == token_role && self.token_version == token_version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_of_another_role_or_version_is_not_admitted() {
        let staff = Standing {
            role: Role::Staff,
            token_version: 3,
        };
        assert!(staff.admits(Role::Staff, 3));
        assert!(!staff.admits(Role::Staff, 2), "revoked");
        assert!(!staff.admits(Role::Customer, 3));
        let demoted = Standing {
            role: Role::Customer,
            token_version: 3,
        };
        assert!(!demoted.admits(Role::Staff, 3), "a demoted member's staff token");
    }
}

/// An account about to be created; the password is already hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub email: Email,
    pub name: PersonName,
    pub password_hash: String,
    pub role: Role,
}
