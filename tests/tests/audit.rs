//! Audit logs against the demo sandbox (a few weeks of rows of every kind) and the events the
//! sandbox records as the server does: the list's filters and paging, the stats adding up, the
//! vocabularies, a failed sign-in, a role change and a settings save recorded with their
//! states, filters refused before anything is sent, and clooctl's audit commands.

use cloo_console::audit::AuditExportFormat;
use cloo_console::{ErrorCode, Observer};
use cloo_domain::audit::AuditQuery;
use cloo_tests::SandboxProcess;
use serde_json::json;

#[tokio::test]
async fn the_list_filters_pages_and_counts_as_the_server_does() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let audit = console.audit();
    let first = audit
        .page(
            &target,
            &AuditQuery {
                limit: Some(100),
                ..Default::default()
            },
        )
        .await
        .expect("page");
    assert!(first.total >= 3000, "{}", first.total);
    assert_eq!(first.items.len(), 100);
    assert_eq!(first.total_pages, first.total.div_ceil(100));
    assert!(
        first
            .items
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );

    let failed = audit
        .page(
            &target,
            &AuditQuery {
                actions: vec!["LOGIN_FAILED".into()],
                limit: Some(100),
                ..Default::default()
            },
        )
        .await
        .expect("failed sign-ins");
    assert!(failed.total > 0);
    assert!(
        failed
            .items
            .iter()
            .all(|r| r.action == "LOGIN_FAILED" && r.user_id.is_none())
    );

    let stats = audit
        .stats(&target, &AuditQuery::default())
        .await
        .expect("stats");
    assert_eq!(stats.total, first.total);
    assert_eq!(stats.by_action.values().sum::<u64>(), stats.total);
    assert_eq!(
        stats.by_action.get("LOGIN_FAILED").copied(),
        Some(failed.total)
    );

    // A week's window, by one actor's name (a part of it, any case).
    let someone = first
        .items
        .iter()
        .find_map(|r| r.user_name.clone())
        .expect("a named actor");
    let part = someone
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    let now = first.items[0].created_at;
    let window = AuditQuery {
        actor: Some(part.clone()),
        from: Some(now - 7 * 86_400),
        to: Some(now),
        limit: Some(100),
        ..Default::default()
    };
    let mine = audit.page(&target, &window).await.expect("window");
    assert!(mine.items.iter().all(|r| {
        r.created_at >= now - 7 * 86_400
            && r.user_name
                .as_deref()
                .is_some_and(|n| n.to_uppercase().contains(&part))
    }));
    let beyond = audit
        .page(
            &target,
            &AuditQuery {
                page: Some(10_000),
                ..Default::default()
            },
        )
        .await
        .expect("beyond");
    assert!(beyond.items.is_empty());
    let (actions, kinds) = audit.vocabulary(&target).await.expect("vocabulary");
    assert!(actions.contains(&"ROLE_CHANGE".to_owned()) && kinds.contains(&"auth".to_owned()));

    let refused = audit
        .page(
            &target,
            &AuditQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .expect_err("too many");
    assert_eq!(refused.code(), ErrorCode::Validation);
    let missing = audit
        .entry(&target, "no-such-row")
        .await
        .expect_err("unknown");
    assert_eq!(missing.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn failed_sign_ins_role_changes_and_settings_saves_are_recorded() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let _ = sandbox
        .client()
        .signin(
            "nobody@example.com",
            &cloo_domain::Secret::new("Wrong-Password-1"),
        )
        .await;
    let person = console
        .users()
        .add(
            &target,
            &cloo_console::users::NewUserRequest {
                name: "Audit Person".into(),
                email: "audit.person@example.com".into(),
                password: cloo_domain::Secret::new("Audit-Person-Pass-1"),
                role: "pending".into(),
            },
            &Observer::quiet(),
        )
        .await
        .expect("added");
    console
        .users()
        .set_role(&target, &person.id, "user", &Observer::quiet())
        .await
        .expect("role");
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/notifications/config",
            &json!({"emails": [], "webhooks": [], "events": ["x"]}),
        )
        .await
        .expect("save");
    let audit = console.audit();
    let rows = audit
        .page(&target, &AuditQuery::default())
        .await
        .expect("page")
        .items;
    let failed = rows
        .iter()
        .find(|r| r.action == "LOGIN_FAILED")
        .expect("failed sign-in");
    assert_eq!(failed.user_email.as_deref(), Some("nobody@example.com"));
    assert_eq!(failed.meta, Some(json!({"success": false})));
    let role = rows
        .iter()
        .find(|r| r.action == "ROLE_CHANGE")
        .expect("role change");
    assert_eq!(role.resource_id.as_deref(), Some(person.id.as_str()));
    assert_eq!(role.before_state, Some(json!({"role": "pending"})));
    assert_eq!(
        role.user_email.as_deref(),
        Some(sandbox.admin_email.as_str()),
        "the admin is the actor"
    );
    let settings = rows
        .iter()
        .find(|r| r.action == "SETTINGS_CHANGE")
        .expect("settings");
    assert_eq!(settings.resource_id.as_deref(), Some("notifications"));
    assert_eq!(
        settings.after_state,
        Some(json!({"email_channels_count": 0, "webhook_channels_count": 0, "events": ["x"]}))
    );
    let one = audit.entry(&target, &role.id).await.expect("entry");
    assert_eq!(one.id, role.id);
}

#[test]
fn clooctl_lists_shows_and_counts_the_audit_log() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = cloo_tests::Clooctl::new("cli-audit");
    assert_eq!(cli.add_tenant(&sandbox, "d", &[]).code, 0);
    let list = cli.run(
        &[
            "audit",
            "list",
            "--action",
            "ROLE_CHANGE",
            "--limit",
            "5",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(list.code, 0, "{}", list.stderr);
    let items = list.json().as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|r| r["action"] == "ROLE_CHANGE"));
    let id = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let shown = cli.run(&["audit", "show", &id, "-o", "json"], "");
    assert_eq!(shown.json()["before_state"], json!({"role": "pending"}));
    let stats = cli.run(&["audit", "stats", "--type", "auth"], "");
    assert!(stats.stdout.contains("LOGIN"), "{}", stats.stdout);
    let pulled = cli.run(&["audit", "pull", "-o", "json"], "");
    assert_eq!(pulled.code, 0, "{}", pulled.stderr);
    assert!(pulled.json()["new_rows"].as_u64() >= Some(3000));
    let found = cli.run(
        &[
            "audit",
            "search",
            "--action",
            "ROLE_CHANGE",
            "--limit",
            "3",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(found.code, 0, "{}", found.stderr);
    let found = found.json().as_array().cloned().unwrap_or_default();
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|r| r["action"] == "ROLE_CHANGE"));
    let person = items[0]["resource_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let history = cli.run(&["audit", "history", "user", &person, "-o", "json"], "");
    assert_eq!(history.code, 0, "{}", history.stderr);
    let history = history.json().as_array().cloned().unwrap_or_default();
    assert!(!history.is_empty() && history.iter().all(|r| r["resource_id"] == person.as_str()));
    let refused = cli.run(&["audit", "history", "knowledge_graph", "x"], "");
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("keeps no history"),
        "{}",
        refused.stderr
    );
    let actor = items[0]["user_email"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let did = cli.run(&["audit", "user", &actor, "-o", "json"], "");
    assert_eq!(did.code, 0, "{}", did.stderr);
    let did = did.json().as_array().cloned().unwrap_or_default();
    assert!(!did.is_empty() && did.iter().all(|r| r["user_email"] == actor.as_str()));
    let bad = cli.run(&["audit", "list", "--limit", "0"], "");
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("limit"), "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_streams_every_row_page_by_page_in_csv_and_json_lines() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let added: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/audit_rows",
            sandbox.url.trim_end_matches('/')
        ))
        .json(&json!({"count": 20_000}))
        .send()
        .await
        .expect("hook")
        .json()
        .await
        .expect("json");
    assert_eq!(added["added"], 20_000);
    // And 250 rows in one second: more than a page shares a time.
    reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/audit_rows",
            sandbox.url.trim_end_matches('/')
        ))
        .json(&json!({"count": 250, "same_second": true}))
        .send()
        .await
        .expect("hook")
        .error_for_status()
        .expect("added");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let audit = console.audit();
    let total = audit
        .page(&target, &AuditQuery::default())
        .await
        .expect("page")
        .total;
    assert!(total >= 23_250, "{total}");

    let mut csv_bytes = Vec::new();
    let report = audit
        .export(
            &target,
            &AuditQuery::default(),
            AuditExportFormat::Csv,
            &mut csv_bytes,
            &Observer::quiet(),
        )
        .await
        .expect("csv");
    assert_eq!(report.rows, total);
    assert!(report.pages >= total.div_ceil(100), "{report:?}");
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    assert_eq!(reader.headers().expect("header").get(2), Some("action"));
    let ids: std::collections::HashSet<String> = reader
        .records()
        .map(|r| r.expect("a record")[0].to_owned())
        .collect();
    assert_eq!(ids.len() as u64, total, "every row once");

    let failed = AuditQuery {
        actions: vec!["LOGIN_FAILED".into()],
        ..Default::default()
    };
    let expected = audit.stats(&target, &failed).await.expect("stats").total;
    let mut lines = Vec::new();
    let report = audit
        .export(
            &target,
            &failed,
            AuditExportFormat::JsonLines,
            &mut lines,
            &Observer::quiet(),
        )
        .await
        .expect("jsonl");
    assert_eq!(report.rows, expected);
    let parsed: Vec<serde_json::Value> = lines
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("a JSON line"))
        .collect();
    assert_eq!(parsed.len() as u64, expected);
    assert!(parsed.iter().all(|r| r["action"] == "LOGIN_FAILED"));

    // Cancelled before the second page: stops, says how far it got.
    let token = cloo_console::CancellationToken::new();
    let observer = Observer::watching({
        let token = token.clone();
        move |p: &cloo_console::Progress| {
            if p.done >= 100 {
                token.cancel();
            }
        }
    })
    .cancelled_by(token.clone());
    let mut partial = Vec::new();
    let stopped = audit
        .export(
            &target,
            &AuditQuery::default(),
            AuditExportFormat::JsonLines,
            &mut partial,
            &observer,
        )
        .await
        .expect_err("cancelled");
    assert_eq!(stopped.code(), ErrorCode::Cancelled);
    assert!(stopped.to_string().contains("100 row(s)"), "{stopped}");
    let journal = console
        .journal()
        .list(&Default::default())
        .await
        .expect("journal");
    assert!(
        journal
            .entries
            .iter()
            .any(|e| e.operation == "audit.export" && e.outcome == "done")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_cell_that_a_spreadsheet_would_run_is_defused() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let cli = cloo_tests::Clooctl::new("cli-audit-export");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    // A failed sign-in records the e-mail tried, as typed by anyone.
    let _ = sandbox
        .client()
        .signin(
            "=HYPERLINK(\"x\")@example.com",
            &cloo_domain::Secret::new("Wrong-Password-1"),
        )
        .await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("audit.csv");
    let out = cli.run(
        &[
            "audit",
            "export",
            "--action",
            "LOGIN_FAILED",
            "--out",
            &file.to_string_lossy(),
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&file).expect("file");
    assert!(text.to_lowercase().contains("'=hyperlink"), "{text}");
    assert!(!text.to_lowercase().contains(",=hyperlink"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_copies_only_new_rows_and_the_copy_is_searched_offline() {
    let mut sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let audit = console.audit();
    let first = audit
        .pull(&target, &Observer::quiet())
        .await
        .expect("first pull");
    let total = audit
        .page(&target, &AuditQuery::default())
        .await
        .expect("page")
        .total;
    assert_eq!(first.new_rows, total, "everything the first time");
    assert_eq!(first.kept as u64, total);
    let again = audit
        .pull(&target, &Observer::quiet())
        .await
        .expect("again");
    assert_eq!(again.new_rows, 0, "nothing new");
    assert!(
        again.pages <= 2,
        "only the newest second is read again: {again:?}"
    );
    for _ in 0..3 {
        let _ = sandbox
            .client()
            .signin(
                "intruder@example.com",
                &cloo_domain::Secret::new("Guess-Password-9"),
            )
            .await;
    }
    let third = audit
        .pull(&target, &Observer::quiet())
        .await
        .expect("third");
    assert_eq!(third.new_rows, 3, "{third:?}");
    let now_total = audit
        .page(&target, &AuditQuery::default())
        .await
        .expect("page")
        .total;
    assert_eq!(third.kept as u64, now_total);

    // The deployment goes away; the copy still answers.
    sandbox.kill();
    let filter = cloo_store::AuditCopyFilter {
        actions: vec!["LOGIN_FAILED".into()],
        text: Some("INTRUDER".into()),
        limit: 10,
        ..Default::default()
    };
    let (rows, matching) = audit
        .search_copy(&target, &filter)
        .await
        .expect("offline search");
    assert_eq!(matching, 3);
    assert!(
        rows.iter()
            .all(|r| r["user_email"] == "intruder@example.com")
    );
    let journal = console
        .journal()
        .list(&Default::default())
        .await
        .expect("journal");
    assert_eq!(
        journal
            .entries
            .iter()
            .filter(|e| e.operation == "audit.pull")
            .count(),
        3
    );
}
