//! Notification channels through the console against a sandbox process: edits saved as one
//! journaled operation that loses or swaps no secret (a random walk of edits checked against
//! what the sandbox stores), tests from this machine against a real SMTP server and a local
//! webhook receiver (the bytes each provider gets), and the deployment's own tests.

use cloo_console::notifications::{ChannelSecretInput, DesktopTest, TestFailure};
use cloo_console::{ErrorCode, Observer};
use cloo_domain::notifications::{ChannelEdit, ChannelKind};
use cloo_tests::SandboxProcess;
use cloo_tests::mail::{SmtpMode, SmtpServer};
use cloo_tests::webhooks::WebhookReceiver;
use serde_json::{Map, Value, json};
use std::time::Duration;

async fn stored(sandbox: &SandboxProcess, name: &str) -> Value {
    reqwest::get(format!("{}/_sandbox/stored_setting/{name}", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json")
}

fn secret(kind: ChannelKind, channel: &str, field: &str, value: &str) -> ChannelSecretInput {
    ChannelSecretInput {
        kind,
        channel: channel.into(),
        field: field.into(),
        value: value.into(),
    }
}

fn add_smtp(name: &str, server: &str, port: u16) -> ChannelEdit {
    ChannelEdit::Add {
        kind: ChannelKind::Email,
        values: json!({"name": name, "engine": "smtp",
            "smtp": {"server": server, "port": port, "username": "mailer", "from_address": "noreply@example.com"}}),
        at: None,
    }
}

fn desktop(
    kind: ChannelKind,
    name: &str,
    edits: &[ChannelEdit],
    secrets: &[ChannelSecretInput],
    send_to: Option<&str>,
    telegram_api: Option<&str>,
) -> DesktopTest {
    DesktopTest {
        kind,
        name: name.to_owned(),
        edits: edits.to_vec(),
        secrets: secrets.to_vec(),
        send_to: send_to.map(str::to_owned),
        telegram_api: telegram_api.map(str::to_owned),
        entra_authority: None,
        graph_url: None,
    }
}

fn fields(value: Value) -> Map<String, Value> {
    serde_json::from_value(value).expect("map")
}

/// A small deterministic generator for the random walk.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[tokio::test]
async fn random_channel_edits_on_the_sandbox_never_lose_or_swap_a_secret() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let notifications = console.notifications();
    // The model: each channel's name and its real password, in list order.
    let mut model: Vec<(String, String)> = Vec::new();
    let mut tg_added = false;
    let (mut saved, mut refused, mut added) = (0, 0, 0);
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    for step in 0..60 {
        let mut typed = Vec::new();
        let edit = match rng.below(5) {
            0 | 1 if model.len() < 5 => {
                added += 1;
                let name = format!("ch{added}");
                let password = format!("pw-{step}-{}", rng.below(1_000_000));
                typed.push(secret(
                    ChannelKind::Email,
                    &name,
                    "smtp.password",
                    &password,
                ));
                let at = rng.below(model.len() + 1);
                model.insert(at, (name.clone(), password));
                let ChannelEdit::Add { kind, values, .. } = add_smtp(&name, "mail.example", 587)
                else {
                    unreachable!()
                };
                ChannelEdit::Add {
                    kind,
                    values,
                    at: Some(at),
                }
            }
            2 if model.len() > 1 => {
                let from = rng.below(model.len());
                let to = rng.below(model.len());
                let channel = model.remove(from);
                model.insert(to, channel.clone());
                ChannelEdit::Move {
                    kind: ChannelKind::Email,
                    name: channel.0,
                    to,
                }
            }
            3 if !model.is_empty() => {
                let (name, _) = model.remove(rng.below(model.len()));
                ChannelEdit::Remove {
                    kind: ChannelKind::Email,
                    name,
                }
            }
            _ if !model.is_empty() => {
                let at = rng.below(model.len());
                ChannelEdit::Change {
                    kind: ChannelKind::Email,
                    name: model[at].0.clone(),
                    fields: fields(json!({"smtp.port": 2000 + step})),
                }
            }
            _ => continue,
        };
        let before_names: Vec<Value> = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS")
            .await
            .as_array()
            .cloned()
            .unwrap_or_default();
        // Half the time, the admin types every channel's secret (as a shell would ask for
        // after a refusal); otherwise only what the edit itself needs.
        if rng.below(2) == 0 {
            for (name, password) in &model {
                if !typed.iter().any(|s| &s.channel == name) {
                    typed.push(secret(ChannelKind::Email, name, "smtp.password", password));
                }
            }
        }
        // A Telegram channel rides along from step 10: its token must be typed on every save,
        // since the server resolves no webhook secret.
        let mut edits = vec![edit];
        let add_tg = !tg_added && step >= 10;
        if add_tg {
            edits.push(ChannelEdit::Add {
                kind: ChannelKind::Webhook,
                values: json!({"name": "tg", "provider": "telegram", "chat_id": "-100"}),
                at: None,
            });
        }
        if tg_added || add_tg {
            typed.push(secret(
                ChannelKind::Webhook,
                "tg",
                "bot_token",
                "123456:telegram-token-x",
            ));
        }
        match notifications
            .save_channels(&target, &edits, &typed, &Observer::quiet())
            .await
        {
            Ok(done) => {
                saved += 1;
                tg_added |= add_tg;
                assert!(
                    done.secret_mismatches.is_empty(),
                    "step {step}: {:?}",
                    done.secret_mismatches
                );
            }
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::SecretWouldBeLost, "step {step}: {e}");
                refused += 1;
                // Nothing was sent: the stored list is as it was; the model goes back.
                let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
                assert_eq!(
                    now.as_array().cloned().unwrap_or_default(),
                    before_names,
                    "step {step}"
                );
                model = before_names
                    .iter()
                    .map(|c| {
                        (
                            c["name"].as_str().unwrap_or_default().to_owned(),
                            c["smtp"]["password"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        )
                    })
                    .collect();
                continue;
            }
        }
        let now = stored(&sandbox, "NOTIFICATION_EMAIL_CHANNELS").await;
        let got: Vec<(String, String)> = now
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or_default().to_owned(),
                    c["smtp"]["password"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        assert_eq!(got, model, "step {step}");
        if tg_added {
            let hooks = stored(&sandbox, "NOTIFICATION_WEBHOOK_CHANNELS").await;
            assert_eq!(
                hooks[0]["bot_token"], "123456:telegram-token-x",
                "step {step}"
            );
        }
    }
    assert!(
        saved > 15 && refused > 3,
        "{saved} saved, {refused} refused"
    );
}

#[tokio::test]
async fn a_save_is_journaled_without_any_credential() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let hook = "https://hooks.slack.com/services/T0001/B0002/hook-secret-part";
    let edits = [
        add_smtp("ops", "mail.example", 587),
        ChannelEdit::Add {
            kind: ChannelKind::Webhook,
            values: json!({"name": "alerts", "provider": "slack", "url": hook}),
            at: None,
        },
    ];
    let typed = [secret(
        ChannelKind::Email,
        "ops",
        "smtp.password",
        "journal-test-password",
    )];
    let done = console
        .notifications()
        .save_channels(&target, &edits, &typed, &Observer::quiet())
        .await
        .expect("saved");
    assert_eq!(
        done.after.webhooks[0].values["url"],
        "https://hooks.slack.com/…part"
    );
    let entries = console
        .journal()
        .list(&Default::default())
        .await
        .expect("journal");
    let entry = entries
        .entries
        .iter()
        .find(|e| e.operation == "notifications.save")
        .expect("journaled");
    let entry = console.journal().get(entry.id).await.expect("entry");
    assert!(
        !entry.after.is_null(),
        "the journal keeps the channels after the save"
    );
    let text = serde_json::to_string(&entry).expect("json");
    assert!(text.contains("hooks.slack.com"), "{text}");
    assert!(
        !text.contains("journal-test-password") && !text.contains("hook-secret"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_is_tested_from_this_machine_against_a_real_server() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let mail =
        SmtpServer::start(SmtpMode::StartTls, Some(("mailer", "mail-pass-1"))).expect("smtp");
    let (console, _, _dir) = cloo_tests::direct_console(&sandbox).await;
    let target = cloo_console::Target::Direct(cloo_console::DirectTarget {
        url: sandbox.url.clone(),
        credential: cloo_console::Credential::Password {
            email: sandbox.admin_email.clone(),
            password: cloo_domain::Secret::new(&sandbox.admin_password),
        },
        ca_pem: Some(mail.ca_pem.clone()),
    });
    let n = console.notifications();
    let edits = [add_smtp("ops", "localhost", mail.port)];
    let test = |password: &'static str, send_to: Option<&'static str>| {
        let n = &n;
        let target = &target;
        let edits = &edits;
        async move {
            n.test_from_desktop(
                target,
                &desktop(
                    ChannelKind::Email,
                    "ops",
                    edits,
                    &[secret(ChannelKind::Email, "ops", "smtp.password", password)],
                    send_to,
                    None,
                ),
            )
            .await
            .expect("test ran")
        }
    };
    let ok = test("mail-pass-1", None).await;
    assert!(ok.success, "{ok:?}");
    assert!(
        ok.message.contains("started TLS") && ok.message.contains("logged in"),
        "{ok:?}"
    );
    let wrong = test("not-the-password", None).await;
    assert_eq!(
        wrong.failure,
        Some(TestFailure::Authentication),
        "{wrong:?}"
    );
    let sent = test("mail-pass-1", Some("admin@example.com")).await;
    assert!(sent.success, "{sent:?}");
    let messages = mail.messages(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, "admin@example.com");
    assert!(messages[0].logged_in);
    assert!(
        messages[0]
            .data
            .contains("Subject: [Cloosphere] Test Email"),
        "{}",
        messages[0].data
    );
    assert!(
        messages[0]
            .data
            .contains("From: Cloosphere <noreply@example.com>"),
        "{}",
        messages[0].data
    );

    // Without the tenant's CA, the server's certificate is not trusted.
    let (untrusting, plain_target, _d) = cloo_tests::direct_console(&sandbox).await;
    let tls = untrusting
        .notifications()
        .test_from_desktop(
            &plain_target,
            &desktop(
                ChannelKind::Email,
                "ops",
                &edits,
                &[secret(
                    ChannelKind::Email,
                    "ops",
                    "smtp.password",
                    "mail-pass-1",
                )],
                None,
                None,
            ),
        )
        .await
        .expect("ran");
    assert_eq!(tls.failure, Some(TestFailure::Tls), "{tls:?}");

    // Nothing listening; a name that does not resolve; a masked password.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let refused = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "ops",
                &[add_smtp("ops", "127.0.0.1", closed)],
                &[secret(
                    ChannelKind::Email,
                    "ops",
                    "smtp.password",
                    "x-pass-1",
                )],
                None,
                None,
            ),
        )
        .await
        .expect("ran");
    assert_eq!(refused.failure, Some(TestFailure::Refused), "{refused:?}");
    let dns = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "ops",
                &[add_smtp("ops", "no-such-host.invalid", 587)],
                &[secret(
                    ChannelKind::Email,
                    "ops",
                    "smtp.password",
                    "x-pass-1",
                )],
                None,
                None,
            ),
        )
        .await
        .expect("ran");
    assert_eq!(dns.failure, Some(TestFailure::Dns), "{dns:?}");
    let masked = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "ops",
                &edits,
                &[secret(
                    ChannelKind::Email,
                    "ops",
                    "smtp.password",
                    "*******ss-1",
                )],
                None,
                None,
            ),
        )
        .await
        .expect("ran");
    assert_eq!(masked.failure, Some(TestFailure::Incomplete), "{masked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_and_plain_to_this_machine_work_and_plain_elsewhere_is_refused() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let smtps =
        SmtpServer::start(SmtpMode::ImplicitTls, Some(("mailer", "pw-tls-9"))).expect("smtps");
    let plain = SmtpServer::start(SmtpMode::Plain, None).expect("plain");
    let target = cloo_console::Target::Direct(cloo_console::DirectTarget {
        url: sandbox.url.clone(),
        credential: cloo_console::Credential::Password {
            email: sandbox.admin_email.clone(),
            password: cloo_domain::Secret::new(&sandbox.admin_password),
        },
        ca_pem: Some(smtps.ca_pem.clone()),
    });
    let (console, _, _dir) = cloo_tests::direct_console(&sandbox).await;
    let n = console.notifications();
    let ssl = ChannelEdit::Add {
        kind: ChannelKind::Email,
        values: json!({"name": "s", "engine": "smtp", "smtp": {"server": "localhost", "port": smtps.port,
            "username": "mailer", "use_ssl": true, "from_address": "a@example.com"}}),
        at: None,
    };
    let r = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "s",
                &[ssl],
                &[secret(ChannelKind::Email, "s", "smtp.password", "pw-tls-9")],
                Some("x@example.com"),
                None,
            ),
        )
        .await
        .expect("ran");
    assert!(r.success && r.message.contains("x@example.com"), "{r:?}");
    assert_eq!(smtps.messages(1, Duration::from_secs(5)).len(), 1);
    let clear = |server: &str, port: u16| ChannelEdit::Add {
        kind: ChannelKind::Email,
        values: json!({"name": "p", "engine": "smtp", "smtp": {"server": server, "port": port,
            "use_tls": false, "from_address": "a@example.com"}}),
        at: None,
    };
    let r = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "p",
                &[clear("127.0.0.1", plain.port)],
                &[],
                Some("y@example.com"),
                None,
            ),
        )
        .await
        .expect("ran");
    assert!(r.success, "{r:?}");
    assert!(!plain.messages(1, Duration::from_secs(5))[0].logged_in);
    let r = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Email,
                "p",
                &[clear("mail.example.com", 25)],
                &[],
                None,
                None,
            ),
        )
        .await
        .expect("ran");
    assert_eq!(r.failure, Some(TestFailure::Tls), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_webhook_provider_gets_its_own_format_byte_for_byte() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let receiver = WebhookReceiver::start().await.expect("receiver");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let n = console.notifications();
    let deployment = sandbox.url.trim_end_matches('/').to_owned() + "/";
    let explain = |provider: &str| {
        format!(
            "This is a test message from the Cloosphere Admin Console for {deployment}. If you see it, the {provider} channel is configured correctly."
        )
    };
    let title = "Cloosphere Test Notification";
    let cases = [
        (
            "slack",
            json!({"text": title, "blocks": [{"type": "section", "text": {"type": "mrkdwn",
            "text": format!("*{title}*\n\n{}", explain("slack"))}}]}),
        ),
        (
            "teams",
            json!({"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null, "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.5", "body": [
                {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true},
                {"type": "TextBlock", "text": explain("teams"), "wrap": true}]}}]}),
        ),
        (
            "discord",
            json!({"content": format!("**{title}**"), "embeds": [{"title": title,
            "description": explain("discord"), "color": 3447003}]}),
        ),
        (
            "google_chat",
            json!({"text": title, "cards": [{"header": {"title": title},
            "sections": [{"widgets": [{"textParagraph": {"text": explain("google_chat")}}]}]}]}),
        ),
    ];
    for (provider, expected) in &cases {
        let edit = ChannelEdit::Add {
            kind: ChannelKind::Webhook,
            values: json!({"name": "h", "provider": provider, "url": format!("{}/{provider}", receiver.url)}),
            at: None,
        };
        let r = n
            .test_from_desktop(
                &target,
                &desktop(ChannelKind::Webhook, "h", &[edit], &[], None, None),
            )
            .await
            .expect("ran");
        assert!(r.success, "{provider}: {r:?}");
        let hit = receiver.hits().pop().expect("received");
        assert_eq!(hit.path, format!("/{provider}"));
        assert_eq!(hit.content_type, "application/json");
        assert_eq!(
            String::from_utf8_lossy(&hit.body),
            serde_json::to_string(expected).expect("json"),
            "{provider}"
        );
    }
    // Telegram: sendMessage on the Bot API server, with the chat and the typed token.
    let tg = ChannelEdit::Add {
        kind: ChannelKind::Webhook,
        values: json!({"name": "tg", "provider": "telegram", "chat_id": "-1001234"}),
        at: None,
    };
    let r = n
        .test_from_desktop(
            &target,
            &desktop(
                ChannelKind::Webhook,
                "tg",
                &[tg],
                &[secret(
                    ChannelKind::Webhook,
                    "tg",
                    "bot_token",
                    "42:bot-token",
                )],
                None,
                Some(&receiver.url),
            ),
        )
        .await
        .expect("ran");
    assert!(r.success, "{r:?}");
    let hit = receiver.hits().pop().expect("received");
    assert_eq!(hit.path, "/bot42:bot-token/sendMessage");
    assert_eq!(
        String::from_utf8_lossy(&hit.body),
        serde_json::to_string(&json!({"chat_id": "-1001234",
            "text": format!("*{title}*\n\n{}", explain("telegram")), "parse_mode": "Markdown"}))
        .expect("json")
    );
    // A provider's refusal comes back with its own words.
    receiver.answer("/refusing", 400, "invalid_payload");
    let edit = ChannelEdit::Add {
        kind: ChannelKind::Webhook,
        values: json!({"name": "h", "provider": "slack", "url": format!("{}/refusing", receiver.url)}),
        at: None,
    };
    let r = n
        .test_from_desktop(
            &target,
            &desktop(ChannelKind::Webhook, "h", &[edit], &[], None, None),
        )
        .await
        .expect("ran");
    assert_eq!(r.failure, Some(TestFailure::Rejected));
    assert!(
        r.message.contains("400") && r.message.contains("invalid_payload"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deployment_tests_its_saved_channels_by_position() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let mail = SmtpServer::start(SmtpMode::StartTls, Some(("mailer", "dep-pass-7"))).expect("smtp");
    let receiver = WebhookReceiver::start().await.expect("receiver");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let n = console.notifications();
    let edits = [
        add_smtp("first", "mail.example", 587),
        add_smtp("ops", "127.0.0.1", mail.port),
        ChannelEdit::Add {
            kind: ChannelKind::Webhook,
            values: json!({"name": "alerts", "provider": "slack", "url": format!("{}/slack", receiver.url)}),
            at: None,
        },
    ];
    n.save_channels(
        &target,
        &edits,
        &[
            secret(ChannelKind::Email, "first", "smtp.password", "other-pass"),
            secret(ChannelKind::Email, "ops", "smtp.password", "dep-pass-7"),
        ],
        &Observer::quiet(),
    )
    .await
    .expect("saved");
    let r = n
        .test_through_deployment(&target, ChannelKind::Email, "ops", None)
        .await
        .expect("ran");
    assert!(r.success && r.via == "deployment", "{r:?}");
    assert_eq!(r.message, "Connection successful");
    let r = n
        .test_through_deployment(&target, ChannelKind::Email, "ops", Some("boss@example.com"))
        .await
        .expect("ran");
    assert_eq!(r.message, "Test email sent successfully");
    assert_eq!(
        mail.messages(1, Duration::from_secs(5))[0].to,
        "boss@example.com"
    );
    let r = n
        .test_through_deployment(&target, ChannelKind::Email, "first", None)
        .await
        .expect("ran");
    assert!(!r.success, "{r:?}");
    let r = n
        .test_through_deployment(&target, ChannelKind::Webhook, "alerts", None)
        .await
        .expect("ran");
    assert_eq!(r.message, "Webhook test sent successfully");
    // The server's own test payload: the contract's example, as it is.
    let hit = receiver.hits().pop().expect("received");
    let body: Value = serde_json::from_slice(&hit.body).expect("json");
    assert_eq!(body["text"], "Cloosphere Test Notification");
    assert!(
        body["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("your Slack webhook is configured correctly")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_mail_channel_signs_in_as_its_app_from_this_machine() {
    use cloo_tests::graph::{App, GraphServer, Tenant, TenantSpec};
    let app = App {
        client_id: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
        client_secret: "graph-mail-secret-1".into(),
        certificate_public_key_pem: None,
        certificate_thumbprint: None,
    };
    let graph = GraphServer::start(Tenant::generate(TenantSpec::small(1)), app.clone())
        .await
        .expect("graph");
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let add = ChannelEdit::Add {
        kind: ChannelKind::Email,
        values: json!({"name": "reports", "engine": "msgraph", "msgraph": {
            "tenant_id": graph.tenant_id(), "client_id": app.client_id, "sender_email": "reports@example.com"}}),
        at: None,
    };
    let test = |secret_value: &'static str| {
        let mut request = desktop(
            ChannelKind::Email,
            "reports",
            std::slice::from_ref(&add),
            &[secret(
                ChannelKind::Email,
                "reports",
                "msgraph.client_secret",
                secret_value,
            )],
            None,
            None,
        );
        request.entra_authority = Some(graph.authority());
        request.graph_url = Some(graph.graph_url());
        request
    };
    let n = console.notifications();
    let ok = n
        .test_from_desktop(&target, &test("graph-mail-secret-1"))
        .await
        .expect("ran");
    assert!(ok.success, "{ok:?}");
    let wrong = n
        .test_from_desktop(&target, &test("not-the-secret"))
        .await
        .expect("ran");
    assert_eq!(
        wrong.failure,
        Some(TestFailure::Authentication),
        "{wrong:?}"
    );
    assert!(wrong.message.contains("AADSTS7000215"), "{wrong:?}");
}
