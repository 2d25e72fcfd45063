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
}

/// An account about to be created; the password is already hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub email: Email,
    pub name: PersonName,
    pub password_hash: String,
    pub role: Role,
}
