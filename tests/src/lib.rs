//! Test support: real processes, real ports.
//!
//! The sandbox runs as its own process (`cloosphere-sandbox`), exactly as any deployment would,
//! so the client and CLI tests exercise nothing but HTTP. Binaries are taken from the same target
//! folder as the test executable; `./dev test` builds them first.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// A keychain service name unique to this test run, so tests never touch real entries.
pub fn test_keychain_service(test: &str) -> String {
    format!("com.cloosphere.console.test.{test}.{}", std::process::id())
}
