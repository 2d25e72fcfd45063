//! Email addresses identify accounts; they compare case-insensitively, so they are stored lower-cased.

use crate::field_errors::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an email address such as ada@example.com (at most 254 characters)")]
pub struct EmailError;

impl ErrorCode for EmailError {
    fn code(&self) -> &'static str {
        "email"
    }
}

impl Email {
    /// Trims and lower-cases; requires one `@` with a non-empty local part and a dotted domain,
    /// no whitespace or control characters, at most 254 characters.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() || email.len() > 254 {
            return Err(EmailError);
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError);
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(EmailError);
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(EmailError);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_so_they_compare_case_insensitively() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a@b@c.com",
            "ada @x.com",
            "ada@x..com",
            "a\0@x.com",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError), "{raw:?}");
        }
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(250))),
            Err(EmailError)
        );
    }
}
