//! Test support: real processes, real ports.
//!
//! The sandbox runs as its own process (`cloosphere-sandbox`), exactly as any deployment would,
//! so the client and CLI tests exercise nothing but HTTP. Binaries are taken from the same target
//! folder as the test executable; `./dev test` builds them first.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub mod conformance;
pub mod graph;
pub mod mail;
pub mod pipelines;
pub mod sr;
pub mod webhooks;

/// The folder holding the workspace's binaries (`target/debug`).
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test executable")?;
    // target/debug/deps/<test> → target/debug
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .context("unexpected test executable location")?;
    Ok(dir.to_owned())
}

/// A workspace binary by name, with a clear error when it was not built.
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let path = bin_dir()?.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        bail!(
            "{} is missing: build it first (`cargo build -p {name}`, or run ./dev test)",
            path.display()
        );
    }
    Ok(path)
}

/// A running `cloosphere-sandbox` process, stopped on drop.
#[derive(Debug)]
pub struct SandboxProcess {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The admin's e-mail, as printed.
    pub admin_email: String,
    /// The admin's password, as printed.
    pub admin_password: String,
}

impl SandboxProcess {
    /// Starts the sandbox with extra arguments and reads its three announcement lines.
    pub fn start(args: &[&str]) -> anyhow::Result<Self> {
        let mut child = Command::new(binary("cloosphere-sandbox")?)
            .arg("--test-hooks")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting cloosphere-sandbox")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut next = |prefix: &str| -> anyhow::Result<String> {
            let line = lines
                .next()
                .context("the sandbox exited before announcing itself")??;
            line.strip_prefix(prefix)
                .map(str::to_owned)
                .with_context(|| format!("expected {prefix:?}, got {line:?}"))
        };
        let url = next("listening: ")?;
        let admin_email = next("admin: ")?;
        let admin_password = next("password: ")?;
        Ok(SandboxProcess {
            child,
            url,
            admin_email,
            admin_password,
        })
    }

    /// Starts the sandbox with the demo directory.
    pub fn demo() -> anyhow::Result<Self> {
        Self::start(&["--seed", "demo"])
    }

    /// A client for this sandbox.
    pub fn client(&self) -> cloo_api::Client {
        cloo_api::Client::new(&self.url, &cloo_api::ClientOptions::default()).expect("client")
    }

    /// A session token of the admin, by signing in over HTTP.
    pub async fn admin_token(&self) -> cloo_domain::Secret {
        self.client()
            .signin(
                &self.admin_email,
                &cloo_domain::Secret::new(&self.admin_password),
            )
            .await
            .expect("the admin signs in")
            .token
    }
}

impl SandboxProcess {
    /// Kills the process at once (a deployment that vanishes mid-operation).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `probe` holds or the timeout passes.
pub fn wait_until(timeout: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if probe() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    probe()
}

/// A fresh, empty data folder for the console's store.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cloo-test-data-")
        .tempdir()
        .expect("creating a temporary folder")
}

/// What a `clooctl` run printed.
#[derive(Debug)]
pub struct CliRun {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CliRun {
    /// Standard output as JSON (panics with the text when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// `clooctl` with a private store and keychain service; stdin is a pipe (never a terminal).
#[derive(Debug)]
pub struct Clooctl {
    data: tempfile::TempDir,
    service: String,
}

impl Clooctl {
    /// A fresh store for the named test.
    pub fn new(test: &str) -> Self {
        Clooctl {
            data: data_dir(),
            service: test_keychain_service(test),
        }
    }

    /// The store's folder.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    /// Runs clooctl with `stdin` piped in.
    pub fn run(&self, args: &[&str], stdin: &str) -> CliRun {
        self.run_env(args, stdin, &[])
    }

    /// Runs clooctl with extra environment variables.
    pub fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> CliRun {
        use std::io::Write;
        let mut cmd = Command::new(binary("clooctl").expect("clooctl"));
        cmd.args(args)
            .env("CLOOCTL_DATA_DIR", self.data.path())
            .env("CLOOCTL_KEYCHAIN_SERVICE", &self.service)
            .env_remove("CLOOCTL_TENANT")
            .env_remove("CLOOSPHERE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn clooctl");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("wait");
        CliRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `tenant add NAME` for the sandbox's admin, password on stdin.
    pub fn add_tenant(&self, sandbox: &SandboxProcess, name: &str, env: &[(&str, &str)]) -> CliRun {
        self.run_env(
            &[
                "tenant",
                "add",
                name,
                "--url",
                &sandbox.url,
                "--email",
                &sandbox.admin_email,
                "--password-stdin",
            ],
            &format!("{}\n", sandbox.admin_password),
            env,
        )
    }
}

/// A keychain service name unique to this test run, so tests never touch real entries.
pub fn test_keychain_service(test: &str) -> String {
    format!("com.cloosphere.console.test.{test}.{}", std::process::id())
}

/// A private CA, and a TLS front for `backend` (an `http://127.0.0.1:PORT` URL) with a
/// certificate that CA issued for `localhost`. Returns the front's `https://` URL and the CA's
/// PEM. The front runs on the current tokio runtime.
pub async fn tls_front(backend: String) -> (String, String) {
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

/// A console over a fresh store, signed in to `sandbox` as its admin through a direct target
/// (secrets in memory only), for use-case tests.
pub async fn direct_console(
    sandbox: &SandboxProcess,
) -> (
    cloo_console::Console,
    cloo_console::Target,
    tempfile::TempDir,
) {
    console_signed_in(
        &sandbox.url,
        &sandbox.admin_email,
        &sandbox.admin_password,
        None,
    )
    .await
}

/// A console over a fresh store with a direct target to `url`, signed in with a password
/// (secrets in memory only); `ca_pem` trusts a private CA.
pub async fn console_signed_in(
    url: &str,
    email: &str,
    password: &str,
    ca_pem: Option<String>,
) -> (
    cloo_console::Console,
    cloo_console::Target,
    tempfile::TempDir,
) {
    let dir = data_dir();
    let console = cloo_console::Console::open(
        Some(dir.path()),
        Arc::new(cloo_store::MemorySecrets::default()),
    )
    .await
    .expect("console");
    let target = cloo_console::Target::Direct(cloo_console::DirectTarget {
        url: url.to_owned(),
        credential: cloo_console::Credential::Password {
            email: email.to_owned(),
            password: cloo_domain::Secret::new(password),
        },
        ca_pem,
    });
    (console, target, dir)
}

/// Every leaf of a JSON object by its dotted path (`workspace.knowledge` → `"read"`).
pub fn json_leaves(
    value: &serde_json::Value,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    fn walk(
        prefix: &str,
        v: &serde_json::Value,
        out: &mut std::collections::BTreeMap<String, serde_json::Value>,
    ) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, inner) in m {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&path, inner, out);
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.clone());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk("", value, &mut out);
    out
}
