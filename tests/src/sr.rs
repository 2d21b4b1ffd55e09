//! A central Cloocus instance for the Service Request tests: a sandbox that knows one customer
//! by SR key and mails support through a test SMTP server, its first e-mail channel.

use crate::SandboxProcess;
use serde_json::json;

/// Starts a central instance (on `port` when given) knowing `key` as `company`, mailing through
/// the SMTP server on `mail_port` (plain, on this machine).
pub async fn central(
    key: &str,
    company: &str,
    mail_port: u16,
    port: Option<u16>,
) -> SandboxProcess {
    let customer = format!("{key}={company}");
    let port = port.map(|p| p.to_string());
    let mut args = vec!["--sr-customer", customer.as_str()];
    if let Some(p) = &port {
        args.extend(["--port", p.as_str()]);
    }
    let sandbox = SandboxProcess::start(&args).expect("central instance");
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/notifications/config",
            &json!({"emails": [{"name": "support", "engine": "smtp",
                "smtp": {"server": "127.0.0.1", "port": mail_port, "use_tls": false,
                         "from_address": "central@cloocus.example"}}]}),
        )
        .await
        .expect("the central instance's mail channel");
    sandbox
}

/// What the central instance received so far (its test hook).
pub async fn received(central: &SandboxProcess) -> Vec<serde_json::Value> {
    reqwest::get(format!("{}/_sandbox/sr_received", central.url))
        .await
        .expect("the test hook")
        .json()
        .await
        .expect("JSON")
}
