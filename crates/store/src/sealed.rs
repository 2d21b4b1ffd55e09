//! Secrets too long for a keychain entry (a certificate's private key is longer than the 2,560
//! bytes Windows Credential Manager holds): encrypted with ChaCha20-Poly1305 under a random
//! 256-bit key that lives in the keychain, so the store only ever holds ciphertext.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use cloo_domain::Secret;

/// A fresh key, base64 (44 characters: fits every keychain).
pub fn new_key() -> Secret {
    Secret::new(STANDARD.encode(ChaCha20Poly1305::generate_key(&mut OsRng)))
}

/// Why a sealed value cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key is not a base64 256-bit key.
    #[error("the sealing key in the keychain is malformed")]
    BadKey,
    /// The ciphertext is damaged, or was sealed under another key.
    #[error("the sealed value cannot be opened with the key in the keychain")]
    Unreadable,
}

fn cipher(key: &Secret) -> Result<ChaCha20Poly1305, SealError> {
    let bytes = STANDARD
        .decode(key.expose())
        .map_err(|_| SealError::BadKey)?;
    ChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SealError::BadKey)
}

/// Encrypts `plain` under `key`: base64 of nonce ‖ ciphertext ‖ tag.
pub fn seal(key: &Secret, plain: &Secret) -> Result<String, SealError> {
    let cipher = cipher(key)?;
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, plain.expose().as_bytes())
        .map_err(|_| SealError::Unreadable)?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(STANDARD.encode(out))
}

/// Decrypts what [`seal`] made.
pub fn open(key: &Secret, sealed: &str) -> Result<Secret, SealError> {
    let cipher = cipher(key)?;
    let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Unreadable)?;
    if bytes.len() < 12 + 16 {
        return Err(SealError::Unreadable);
    }
    let (nonce, body) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Unreadable)?;
    let plain = cipher
        .decrypt(&Nonce::from(nonce), body)
        .map_err(|_| SealError::Unreadable)?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| SealError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_never_shows_the_plain_text() {
        let key = new_key();
        assert!(key.expose().len() < 64);
        // A long random text made now (no key material in the source), longer than any keychain entry.
        let plain = Secret::new(
            (0..60)
                .map(|_| new_key().expose().to_owned())
                .collect::<String>(),
        );
        let sealed = seal(&key, &plain).expect("seal");
        assert!(plain.expose().len() > 2_560);
        assert!(!sealed.contains(&plain.expose()[..40]));
        assert_eq!(open(&key, &sealed).expect("open"), plain);
        assert_eq!(open(&new_key(), &sealed), Err(SealError::Unreadable));
        let mut damaged = sealed.clone().into_bytes();
        damaged[20] = if damaged[20] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(damaged).expect("ascii");
        assert_eq!(open(&key, &damaged), Err(SealError::Unreadable));
        assert_eq!(open(&Secret::new("short"), &sealed), Err(SealError::BadKey));
    }
}
