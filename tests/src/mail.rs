//! A real SMTP server for the mail tests: Debian's `python3-aiosmtpd` run as a child process
//! (tests/support/smtp_server.py), with STARTTLS or implicit TLS under a private CA made for the
//! run, and a login. Every message it accepts lands in a spool folder the test reads back.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// No TLS at all.
    Plain,
    /// STARTTLS required before anything else.
    StartTls,
    /// TLS from the first byte (SMTPS).
    ImplicitTls,
}

/// A running SMTP server.
pub struct SmtpServer {
    /// `127.0.0.1`.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The private CA that issued its certificate (for `localhost` and `127.0.0.1`).
    pub ca_pem: String,
    spool: tempfile::TempDir,
    child: Child,
}

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: String,
    /// Whether the session had logged in.
    pub logged_in: bool,
    /// The message as sent (headers and body).
    pub data: String,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl SmtpServer {
    /// Starts a server in `mode`; with `login`, it requires that user and password.
    pub fn start(mode: SmtpMode, login: Option<(&str, &str)>) -> anyhow::Result<SmtpServer> {
        let ca_key = rcgen::KeyPair::generate()?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Mail Test CA");
        let ca = ca_params.self_signed(&ca_key)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf_key = rcgen::KeyPair::generate()?;
        let leaf =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?
                .signed_by(&leaf_key, &issuer)?;
        let spool = tempfile::tempdir()?;
        let files = spool.path().join("tls");
        std::fs::create_dir(&files)?;
        let (cert, key) = (files.join("cert.pem"), files.join("key.pem"));
        std::fs::write(&cert, leaf.pem())?;
        std::fs::write(&key, leaf_key.serialize_pem())?;
        let messages = spool.path().join("messages");
        std::fs::create_dir(&messages)?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("support/smtp_server.py");
        let port = free_port()?;
        let mode_arg = match mode {
            SmtpMode::Plain => "plain",
            SmtpMode::StartTls => "starttls",
            SmtpMode::ImplicitTls => "tls",
        };
        // Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv shim).
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("python3");
        let mut command = Command::new(python);
        command
            .arg(script)
            .arg(mode_arg)
            .arg(port.to_string())
            .arg(&messages)
            .arg(&cert)
            .arg(&key);
        if let Some((user, password)) = login {
            command.arg(user).arg(password);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        if line.trim() != "ready" {
            let _ = child.kill();
            anyhow::bail!(
                "the SMTP server did not start (is python3-aiosmtpd installed? ./dev test installs it)"
            );
        }
        Ok(SmtpServer {
            host: "127.0.0.1".into(),
            port,
            ca_pem: ca.pem(),
            spool,
            child,
        })
    }

    /// The messages accepted so far, in order; waits up to `wait` for at least `at_least`.
    pub fn messages(&self, at_least: usize, wait: Duration) -> Vec<Received> {
        let dir = self.spool.path().join("messages");
        let read = || -> Vec<Received> {
            let mut names: Vec<_> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect();
            names.sort();
            names
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .map(|text| {
                    let header = |name: &str| {
                        text.lines()
                            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                            .unwrap_or_default()
                            .to_owned()
                    };
                    Received {
                        from: header("X-Envelope-From"),
                        to: header("X-Envelope-To"),
                        logged_in: header("X-Logged-In") == "True",
                        data: text.clone(),
                    }
                })
                .collect()
        };
        let deadline = std::time::Instant::now() + wait;
        loop {
            let got = read();
            if got.len() >= at_least || std::time::Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Closing stdin stops it cleanly; a kill makes sure.
        drop(self.child.stdin.take());
        std::thread::sleep(Duration::from_millis(50));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
