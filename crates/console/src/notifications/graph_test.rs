//! Testing a Microsoft Graph mail channel from this machine, as the server's own test does:
//! the app's client-credentials sign-in for Graph (`/.default`), which proves the tenant, the
//! application and its secret — not the `Mail.Send` permission or the sender's mailbox, which
//! only a real send would.

use super::desktop_test::{ChannelTestResult, TestFailure};
use cloo_domain::Secret;
use cloo_domain::settings::hides_a_secret;
use cloo_entra::{Credential, Endpoints, EntraError, TokenSource};
use serde_json::Value;

/// Signs in as the channel's app (`msgraph` block, its real `client_secret`) at `endpoints`.
pub async fn test_graph_mail(msgraph: &Value, endpoints: Endpoints) -> ChannelTestResult {
    let text = |k: &str| msgraph[k].as_str().unwrap_or_default().trim().to_owned();
    let secret = text("client_secret");
    if secret.is_empty() {
        return ChannelTestResult::failed(
            TestFailure::Incomplete,
            "the channel has no client secret",
        );
    }
    if hides_a_secret(&secret) {
        return ChannelTestResult::failed(
            TestFailure::Incomplete,
            "the client secret is the masked form the deployment answered: type the real one to test from this machine",
        );
    }
    let http = match reqwest::Client::builder()
        .timeout(super::desktop_test::TEST_TIMEOUT)
        .build()
    {
        Ok(h) => h,
        Err(e) => return ChannelTestResult::failed(TestFailure::Other, e.to_string()),
    };
    let source = match TokenSource::new(
        http,
        endpoints,
        &text("tenant_id"),
        &text("client_id"),
        Credential::ClientSecret(Secret::new(secret)),
    ) {
        Ok(s) => s,
        Err(e) => return ChannelTestResult::failed(TestFailure::Incomplete, e.to_string()),
    };
    match source.token().await {
        Ok(_) => ChannelTestResult::ok(format!(
            "the app signed in to Microsoft Graph (Mail.Send and the mailbox {} are not checked by a sign-in)",
            text("sender_email")
        )),
        Err(e @ EntraError::SignIn { .. }) => {
            ChannelTestResult::failed(TestFailure::Authentication, e.to_string())
        }
        Err(e @ EntraError::Network { .. }) => {
            ChannelTestResult::failed(TestFailure::Refused, e.to_string())
        }
        Err(e) => ChannelTestResult::failed(TestFailure::Other, e.to_string()),
    }
}
