//! TLS verification is always on: a deployment behind an untrusted certificate is a TLS error,
//! and trusting its CA for that tenant (and only then) makes it work.

use cloo_api::{ApiError, Client, ClientOptions};
use cloo_tests::SandboxProcess;
use std::sync::Arc;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A private CA, and a TLS front for `backend` with a certificate it issued for `localhost`.
async fn tls_front(backend: String) -> (String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Private CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("leaf params");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf");

    let _ = tokio_rustls::rustls::crypto::aws_lc_rs::default_provider().install_default();
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let backend_addr = backend.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let backend_addr = backend_addr.clone();
            tokio::spawn(async move {
                if let (Ok(mut tls), Ok(mut plain)) = (
                    acceptor.accept(socket).await,
                    TcpStream::connect(&backend_addr).await,
                ) {
                    let _ = copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    (format!("https://localhost:{port}"), ca.pem())
}

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
