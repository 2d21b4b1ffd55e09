//! The certificate sign-in's client assertion: a JWT signed with the app's private key, which
//! Microsoft checks against the certificate uploaded to the app registration.
//!
//! Claims as the Microsoft identity platform requires them: `aud` = the token endpoint,
//! `iss` = `sub` = the client id, a fresh `jti`, `nbf` and `iat` now, `exp` a few minutes later;
//! header `alg: RS256` and `x5t#S256`, the certificate's SHA-256 thumbprint in base64url.

use crate::error::{EntraError, EntraResult};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cloo_domain::Secret;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How long an assertion is valid.
pub const ASSERTION_LIFETIME_SECS: u64 = 8 * 60;

/// The value of `client_assertion_type`.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A certificate and its private key, ready to sign assertions. `Debug` shows the thumbprint
/// only.
pub struct CertificateKey {
    thumbprint: String,
    key: EncodingKey,
}

impl std::fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertificateKey(x5t#S256={})", self.thumbprint)
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: u64,
    iat: u64,
    exp: u64,
}

impl CertificateKey {
    /// Reads the certificate (PEM, the first `CERTIFICATE` block) and the RSA private key
    /// (PEM, PKCS#8 or PKCS#1).
    pub fn from_pem(
        certificate_pem: &str,
        private_key_pem: &Secret,
    ) -> EntraResult<CertificateKey> {
        let thumbprint = thumbprint_s256(certificate_pem)?;
        let key = EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes()).map_err(|e| {
            EntraError::Invalid {
                field: "private_key".into(),
                message: format!("not an RSA private key in PEM form ({e})"),
            }
        })?;
        Ok(CertificateKey { thumbprint, key })
    }

    /// The certificate's SHA-256 thumbprint, base64url without padding (`x5t#S256`).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// A fresh assertion for `client_id` at the token endpoint `audience`.
    pub fn assertion(&self, client_id: &str, audience: &str) -> EntraResult<String> {
        let now = now_secs();
        let claims = Claims {
            aud: audience,
            iss: client_id,
            sub: client_id,
            jti: uuid::Uuid::new_v4().to_string(),
            nbf: now,
            iat: now,
            exp: now + ASSERTION_LIFETIME_SECS,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.x5t_s256 = Some(self.thumbprint.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| EntraError::Invalid {
            field: "private_key".into(),
            message: format!("could not sign the client assertion ({e})"),
        })
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The DER bytes of the first `-----BEGIN CERTIFICATE-----` block.
pub fn certificate_der(pem: &str) -> EntraResult<Vec<u8>> {
    let invalid = |message: String| EntraError::Invalid {
        field: "certificate".into(),
        message,
    };
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let start = pem
        .find(begin)
        .ok_or_else(|| invalid("no \"-----BEGIN CERTIFICATE-----\" block in the file".into()))?;
    let body = &pem[start + begin.len()..];
    let stop = body
        .find(end)
        .ok_or_else(|| invalid("the certificate block is not closed".into()))?;
    let text: String = body[..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = STANDARD
        .decode(text)
        .map_err(|e| invalid(format!("the certificate block is not base64 ({e})")))?;
    // An X.509 certificate is a DER SEQUENCE.
    if der.first() != Some(&0x30) || der.len() < 64 {
        return Err(invalid("the block is not a DER certificate".into()));
    }
    Ok(der)
}

/// `x5t#S256` of a PEM certificate.
pub fn thumbprint_s256(certificate_pem: &str) -> EntraResult<String> {
    let der = certificate_der(certificate_pem)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(&der)))
}
