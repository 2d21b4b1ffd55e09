//! TLS verification is always on: a deployment behind an untrusted certificate is a TLS error,
//! and trusting its CA for that tenant (and only then) makes it work.

use cloo_api::{ApiError, Client, ClientOptions};
use cloo_tests::{SandboxProcess, tls_front};

#[tokio::test]
async fn untrusted_certificates_fail_as_tls_and_a_tenant_ca_is_honoured() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (url, ca_pem) = tls_front(sandbox.url.clone()).await;

    let default = Client::new(&url, &ClientOptions::default()).expect("client");
    let e = default.health().await.expect_err("untrusted");
    assert!(matches!(e, ApiError::Tls { .. }), "{e:?}");
    assert_eq!(e.code(), "tls");

    let trusting = Client::new(
        &url,
        &ClientOptions {
            extra_ca_pem: Some(ca_pem.into_bytes()),
            ..ClientOptions::default()
        },
    )
    .expect("client with CA");
    assert!(
        trusting
            .health()
            .await
            .expect("trusted through the tenant CA")
            .status
    );

    let e = Client::new(
        &url,
        &ClientOptions {
            extra_ca_pem: Some(b"not a certificate".to_vec()),
            ..ClientOptions::default()
        },
    )
    .expect_err("garbage CA");
    assert!(matches!(e, ApiError::Tls { .. }), "{e:?}");
}
