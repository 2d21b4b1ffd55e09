//! Sign-up on a fresh deployment, as auth.md §3.2 describes it: the first user becomes admin,
//! later ones `pending`, and the checks run in the server's order with its detail texts.

use cloosphere_sandbox::{SandboxOptions, start};
use serde_json::{Value, json};

async fn post(url: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{url}/api/v1/auths/signup"))
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

fn detail(v: &Value) -> &str {
    v["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_first_sign_up_is_admin_and_later_ones_wait_for_approval() {
    // No admin seeded: an empty deployment, as a fresh server.
    let sandbox = start(SandboxOptions::default()).await.expect("start");
    let url = sandbox.url();
    let config: Value = reqwest::get(format!("{url}/api/config"))
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(config["onboarding"], true);

    let (status, first) = post(
        &url,
        json!({"name": "First", "email": "First@Example.com", "password": "Strong-Pass-1"}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["role"], "admin");
    assert_eq!(first["email"], "first@example.com", "stored lower-cased");
    assert!(
        first["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(first["expires_at"], Value::Null);
    assert!(first["permissions"]["workspace"].is_object());

    let (status, second) = post(
        &url,
        json!({"name": "Second", "email": "second@example.com", "password": "Strong-Pass-1"}),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["role"], "pending");
    assert_eq!(second["profile_image_url"], "/user.png");
    sandbox.stop().await;
}

#[tokio::test]
async fn sign_up_checks_format_then_uniqueness_then_length_then_strength() {
    let sandbox = start(SandboxOptions::default()).await.expect("start");
    let url = sandbox.url();
    let ok = post(
        &url,
        json!({"name": "A", "email": "a@example.com", "password": "Strong-Pass-1"}),
    )
    .await;
    assert_eq!(ok.0, 200);

    // A bad e-mail is reported before a weak password.
    let (status, body) = post(
        &url,
        json!({"name": "B", "email": "not-an-email", "password": "weak"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        detail(&body).starts_with("The email format you entered is invalid"),
        "{body}"
    );
    // A taken e-mail (any case) before a weak password.
    let (status, body) = post(
        &url,
        json!({"name": "B", "email": "A@EXAMPLE.COM", "password": "weak"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        detail(&body).starts_with("Uh-oh! This email is already registered"),
        "{body}"
    );
    // Over 72 bytes before strength.
    let long = format!("Aa1{}", "x".repeat(70));
    let (status, body) = post(
        &url,
        json!({"name": "B", "email": "b@example.com", "password": long}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        detail(&body).starts_with("Uh-oh! The password you entered is too long"),
        "{body}"
    );
    for weak in ["Short1", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"] {
        let (status, body) = post(
            &url,
            json!({"name": "B", "email": "b@example.com", "password": weak}),
        )
        .await;
        assert_eq!(status, 400, "{weak}");
        assert!(
            detail(&body).starts_with("Password does not meet the minimum requirements"),
            "{weak}: {body}"
        );
    }
    // A missing field is a 422 list, not a 400.
    let (status, body) = post(
        &url,
        json!({"email": "b@example.com", "password": "Strong-Pass-1"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "name"]));
    sandbox.stop().await;
}

#[tokio::test]
async fn a_demo_sandbox_has_the_admin_first_and_about_two_hundred_people() {
    let sandbox = start(SandboxOptions {
        seed: cloosphere_sandbox::Seed::Demo,
        admin: Some(cloosphere_sandbox::AdminAccount::demo()),
        ..SandboxOptions::default()
    })
    .await
    .expect("start");
    assert_eq!(
        sandbox.admin_email(),
        Some(cloosphere_sandbox::DEMO_ADMIN_EMAIL)
    );
    let (status, body) = post(
        &sandbox.url(),
        json!({"name": "Late", "email": "late@example.com", "password": "Strong-Pass-1"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "pending", "not the first user any more");
    sandbox.stop().await;
}
