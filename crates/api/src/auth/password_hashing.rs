//! Argon2id password hashes, with the crate's recommended parameters and a fresh salt each.

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier};
use domain::accounts::{AccountError, Password, PasswordHasher};

#[derive(Clone)]
pub struct Argon2Hasher {
    /// A real hash of a random password: verifying against it costs what a real check costs.
    decoy: String,
}

impl Argon2Hasher {
    pub fn new() -> Argon2Hasher {
        let random: String = (0..32)
            .map(|_| char::from(b'a' + rand::random_range(0..26u8)))
            .collect();
        let decoy = Argon2::default()
            .hash_password(random.as_bytes())
            .map(|h: PasswordHash| h.to_string())
            .unwrap_or_default();
        Argon2Hasher { decoy }
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Argon2Hasher::new()
    }
}

impl PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &Password) -> Result<String, AccountError> {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|hash: PasswordHash| hash.to_string())
            .map_err(|e| AccountError::Hashing(e.to_string()))
    }

    fn verify(&self, candidate: &str, hash: &str) -> bool {
        Argon2::default()
            .verify_password(candidate.as_bytes(), hash)
            .is_ok()
    }

    fn verify_against_nothing(&self, candidate: &str) {
        let _ = self.verify(candidate, &self.decoy);
    }
}
