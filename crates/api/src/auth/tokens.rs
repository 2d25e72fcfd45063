//! Access tokens: HS256 JWTs carrying `sub`, `role`, `ver` (the account's token version),
//! `iss`, `aud`, `iat` and `exp`. Only HS256 is accepted, so `alg: none` and
//! algorithm-confusion tokens fail like forged ones; a token for another audience or from
//! another issuer fails too.

use chrono::Utc;
use domain::accounts::{Role, User};
use domain::ids::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "stockroom";
pub const AUDIENCE: &str = "stockroom-api";
/// The longest lifetime a token may be given (`STOCKROOM_TOKEN_TTL_SECS`).
pub const MAX_TTL_SECS: i64 = 86_400;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    ver: i32,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

/// What a verified token says about its bearer; the account's standing decides the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer {
    pub user_id: UserId,
    pub role: Role,
    pub token_version: i32,
}

impl TokenKeys {
    /// `ttl_secs` is held to 1..=`MAX_TTL_SECS` (the configuration refuses others).
    pub fn new(secret: &[u8], ttl_secs: i64) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["sub", "exp", "iat", "iss", "aud"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs: ttl_secs.clamp(1, MAX_TTL_SECS),
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, user: &User) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role.as_str().to_owned(),
            ver: user.token_version,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now.saturating_add(self.ttl_secs),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// `None` for anything but an unexpired token we signed for this API.
    pub fn verify(&self, token: &str) -> Option<Bearer> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        Some(Bearer {
            user_id: UserId(claims.sub.parse().ok()?),
            role: Role::parse(&claims.role)?,
            token_version: claims.ver,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> User {
        User {
            id: UserId(7),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: Role::Staff,
            created_at: Utc::now(),
            token_version: 2,
        }
    }

    fn forge(claims: serde_json::Value, secret: &[u8]) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("encode")
    }

    #[test]
    fn an_issued_token_verifies_with_its_role_and_version() {
        let keys = TokenKeys::new(b"k", 60);
        let token = keys.issue(&ada()).expect("issue");
        assert_eq!(
            keys.verify(&token),
            Some(Bearer {
                user_id: UserId(7),
                role: Role::Staff,
                token_version: 2
            })
        );
    }

    #[test]
    fn a_token_for_another_audience_or_issuer_or_without_them_fails() {
        let keys = TokenKeys::new(b"k", 60);
        let now = Utc::now().timestamp();
        let base = serde_json::json!({"sub": "7", "role": "staff", "ver": 0, "iat": now, "exp": now + 60});
        let with = |extra: serde_json::Value| {
            let mut claims = base.clone();
            claims
                .as_object_mut()
                .expect("object")
                .extend(extra.as_object().expect("object").clone());
            claims
        };
        let good = forge(with(serde_json::json!({"iss": ISSUER, "aud": AUDIENCE})), b"k");
        assert!(keys.verify(&good).is_some());
        for claims in [
            with(serde_json::json!({"iss": ISSUER, "aud": "another-api"})),
            with(serde_json::json!({"iss": "someone-else", "aud": AUDIENCE})),
            base.clone(),
        ] {
            assert_eq!(keys.verify(&forge(claims.clone(), b"k")), None, "{claims}");
        }
    }

    #[test]
    fn the_lifetime_is_capped_and_cannot_overflow() {
        assert_eq!(TokenKeys::new(b"k", i64::MAX).ttl_secs(), MAX_TTL_SECS);
        assert_eq!(TokenKeys::new(b"k", -5).ttl_secs(), 1);
        let keys = TokenKeys::new(b"k", i64::MAX);
        assert!(keys.issue(&ada()).is_ok());
    }
}
