//! Notification channels against a sandbox process: the server's position-based resolution of
//! masked e-mail secrets (and its absence for webhooks), and the console's save plan that keeps
//! every channel's secret through a reorder.

use cloo_domain::Secret;
use cloo_domain::notifications::{EditedChannel, SecretRisk, plan_save};
use cloo_domain::settings::mask;
use cloo_tests::SandboxProcess;
use serde_json::{Value, json};

async fn stored(sandbox: &SandboxProcess, name: &str) -> Value {
    reqwest::get(format!("{}/_sandbox/stored_setting/{name}", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json")
}

fn email(name: &str, password: &str) -> Value {
    json!({"name": name, "engine": "smtp", "smtp": {"server": "mail.example", "port": 587,
           "username": "u", "password": password}})
}

#[tokio::test]
async fn a_reorder_with_masked_secrets_swaps_them_on_the_server_and_the_plan_prevents_it() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    let path = "api/v1/notifications/config";
    client
        .write_settings_section(
            &token,
            path,
            &json!({"emails": [email("ops", "smtp-pass-0001"), email("hr", "smtp-pass-0002")],
                    "webhooks": [{"name": "alerts", "provider": "telegram", "bot_token": "123:bot-token-0003", "chat_id": "42"}],
                    "events": ["user_signup"]}),
        )
        .await
        .expect("plant");
    let read = client.settings_section(&token, path).await.expect("read");
    assert_eq!(
        read["emails"][0]["smtp"]["password"],
        mask("smtp-pass-0001")
    );
    assert_eq!(read["emails"][0]["smtp"]["port"], 587);
    assert_eq!(
        read["emails"][0]["msgraph"]["from_name"], "Cloosphere",
        "completed"
    );
    assert_eq!(read["webhooks"][0]["bot_token"], mask("123:bot-token-0003"));

    // The server's quirk, shown directly: swapping the two channels as read swaps their secrets,
    // and the webhook token sent back masked is stored masked.
    let emails = read["emails"].as_array().expect("emails").clone();
    client
        .write_settings_section(
            &token,
            path,
            &json!({"emails": [emails[1], emails[0]], "webhooks": read["webhooks"], "events": read["events"]}),
        )
        .await
        .expect("naive save");
    let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
    assert_eq!(now[0]["name"], "hr");
    assert_eq!(
        now[0]["smtp"]["password"], "smtp-pass-0001",
        "hr got ops' secret"
    );
    assert_eq!(
        stored(&sandbox, "NOTIFICATION_WEBHOOK_CHANNELS").await[0]["bot_token"],
        mask("123:bot-token-0003").as_str()
    );

    // Put things back, then plan the same reorder: refused until the moved secrets are typed.
    client
        .write_settings_section(
            &token,
            path,
            &json!({"emails": [email("ops", "smtp-pass-0001"), email("hr", "smtp-pass-0002")]}),
        )
        .await
        .expect("reset");
    let read = client.settings_section(&token, path).await.expect("read");
    let emails = read["emails"].as_array().expect("emails");
    let mut swapped = vec![
        EditedChannel {
            values: emails[1].clone(),
            read_at: Some(1),
            typed: Vec::new(),
            synthesized: false,
        },
        EditedChannel {
            values: emails[0].clone(),
            read_at: Some(0),
            typed: Vec::new(),
            synthesized: false,
        },
    ];
    let refused = plan_save(&swapped, &[], &[]).expect_err("refused");
    assert!(refused.iter().all(|r| r.because == SecretRisk::Moved));
    swapped[0].typed = vec![("smtp.password".into(), Secret::new("smtp-pass-0002"))];
    swapped[1].typed = vec![("smtp.password".into(), Secret::new("smtp-pass-0001"))];
    let body = plan_save(&swapped, &[], &[]).expect("typed");
    client
        .write_settings_section(&token, path, &body)
        .await
        .expect("planned save");
    let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
    assert_eq!(now[0]["name"], "hr");
    assert_eq!(now[0]["smtp"]["password"], "smtp-pass-0002");
    assert_eq!(now[1]["smtp"]["password"], "smtp-pass-0001");

    // clooctl lists them by position, secrets masked.
    let cli = cloo_tests::Clooctl::new("cli-channels");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let listed = cli.run(&["channels", "list"], "");
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed
            .stdout
            .contains("email 0  hr  smtp  mail.example:587")
            && listed
                .stdout
                .contains("email 1  ops  smtp  mail.example:587"),
        "{}",
        listed.stdout
    );
    let json = cli.run(&["channels", "list", "-o", "json"], "").json();
    assert_eq!(
        json["emails"][0]["values"]["smtp"]["password"],
        mask("smtp-pass-0002")
    );
    assert!(
        !cli.run(&["channels", "list", "-o", "json"], "")
            .stdout
            .contains("smtp-pass")
    );
}

#[tokio::test]
async fn an_empty_list_shows_the_legacy_channel_from_the_old_settings() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    // The General tab's legacy webhook URL becomes the webhook channel 기본.
    client
        .write_settings_section(
            &token,
            "api/webhook",
            &json!({"url": "https://hooks.example/x"}),
        )
        .await
        .expect("legacy webhook");
    let channels = client
        .settings_section(&token, "api/v1/notifications/channels")
        .await
        .expect("channels");
    assert_eq!(channels["webhooks"][0]["name"], "기본");
    assert_eq!(channels["emails"], json!([]));
}
