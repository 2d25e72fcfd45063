//! Endpoint signing secrets, spelled as Standard Webhooks receivers expect them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// `whsec_` and the standard base64 of 32 random bytes. `rand`'s thread generator is a CSPRNG
/// seeded from the operating system, fit for keys.
pub fn new_secret() -> String {
    let key: [u8; 32] = rand::random();
    format!("whsec_{}", STANDARD.encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_32_random_bytes_behind_the_whsec_prefix() {
        let secret = new_secret();
        let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(key.len(), 32);
        assert_ne!(new_secret(), secret);
    }
}
