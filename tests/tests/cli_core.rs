//! clooctl's core conventions against a sandbox process: a guard's refusal exits 3 with one JSON
//! error object naming its fields, other errors exit 2; tenants are edited in place; every change
//! is in `journal list`/`journal show`; bulk actions are a stored plan applied by id.

use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::Value;

/// The one JSON error object a `-o json` run printed on stderr.
fn json_error(stderr: &str) -> Value {
    let line = stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {stderr}");
    let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    value["error"].clone()
}

#[test]
fn read_only_tenants_refuse_writes_with_exit_3_until_edited() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-core-ro");
    assert_eq!(cli.add_tenant(&sandbox, "demo", &[]).code, 0);
    let edited = cli.run(
        &[
            "tenant",
            "edit",
            "demo",
            "--read-only",
            "on",
            "--colour",
            "#dc2626",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(edited.code, 0, "{}", edited.stderr);
    let tenant = edited.json();
    assert_eq!(
        (tenant["read_only"].as_bool(), tenant["colour"].as_str()),
        (Some(true), Some("#dc2626"))
    );

    let write = cli.run(
        &["groups", "create", "Never Made", "--yes", "-o", "json"],
        "",
    );
    assert_eq!(write.code, 3, "a guard's refusal: {}", write.stderr);
    let error = json_error(&write.stderr);
    assert_eq!(error["code"], "read_only_tenant");
    assert_eq!(error["tenant"], "demo");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("tenant edit"),
        "names the fix: {error}"
    );
    let table = cli.run(&["groups", "create", "Never Made", "--yes"], "");
    assert_eq!(table.code, 3);
    assert!(
        table.stderr.starts_with("error: demo is read-only"),
        "{}",
        table.stderr
    );

    let bad_colour = cli.run(
        &[
            "tenant", "edit", "demo", "--colour", "#123456", "-o", "json",
        ],
        "",
    );
    assert_eq!(bad_colour.code, 2, "bad input is an error, not a guard");
    assert_eq!(json_error(&bad_colour.stderr)["field"], "colour");

    assert_eq!(
        cli.run(&["tenant", "edit", "demo", "--read-only", "off"], "")
            .code,
        0
    );
    let made = cli.run(&["groups", "create", "Made Now", "--yes", "-o", "json"], "");
    assert_eq!(made.code, 0, "{}", made.stderr);

    // The journal tells the whole story, newest first.
    let journal = cli.run(&["journal", "list", "-o", "json"], "").json();
    let rows: Vec<(String, String)> = journal
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let wanted: Vec<(String, String)> = [
        ("group.create", "done"),
        ("tenant.edit", "done"),
        ("group.create", "refused"),
        ("group.create", "refused"),
        ("tenant.edit", "done"),
        ("tenant.add", "done"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(rows, wanted);
    let id = journal[0]["id"].as_i64().expect("id").to_string();
    let shown = cli.run(&["journal", "show", &id, "-o", "json"], "").json();
    assert_eq!(shown["after"]["name"], "Made Now");
    let failures = cli
        .run(
            &[
                "journal",
                "list",
                "--outcome",
                "refused",
                "--since",
                "1h",
                "-o",
                "json",
            ],
            "",
        )
        .json();
    assert_eq!(failures.as_array().map(Vec::len), Some(2));
    let csv = cli.run(&["journal", "export"], "");
    assert_eq!(csv.code, 0);
    assert!(csv.stdout.starts_with("id,started_at,"), "{}", csv.stdout);
    assert_eq!(csv.stdout.lines().count(), 7, "a header and six entries");
}

#[test]
fn bulk_deletion_is_a_plan_with_a_typed_confirmation_and_a_threshold() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-core-bulk");
    assert_eq!(cli.add_tenant(&sandbox, "demo", &[]).code, 0);
    let pending = cli
        .run(&["users", "list", "--role", "pending", "-o", "json"], "")
        .json();
    let emails: Vec<String> = pending
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_owned))
        .take(25)
        .collect();
    assert_eq!(emails.len(), 25, "the demo has pending users");

    // 25 of 200 is over 10%: the plan says so, and applying needs an allowance.
    let mut args = vec!["users", "bulk", "delete", "--plan-only", "-o", "json"];
    args.extend(emails.iter().map(String::as_str));
    let plan = cli.run(&args, "").json();
    assert_eq!(plan["deletion"]["threshold"], 20);
    assert_eq!(plan["deletion"]["needs_allowance"], true);
    assert_eq!(plan["confirmation"], "delete 25");
    let id = plan["id"].as_str().expect("id").to_owned();

    let mistyped = cli.run(
        &[
            "users",
            "bulk",
            "apply",
            &id,
            "--confirm",
            "delete 24",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(mistyped.code, 3);
    let error = json_error(&mistyped.stderr);
    assert_eq!(error["code"], "confirmation_mismatch");
    assert_eq!(error["expected"], "delete 25");

    let over = cli.run(&["users", "bulk", "apply", &id, "-o", "json"], "");
    assert_eq!(over.code, 3, "{}", over.stderr);
    let error = json_error(&over.stderr);
    assert_eq!(error["code"], "deletion_threshold");
    assert_eq!(
        (error["deletes"].as_u64(), error["threshold"].as_u64()),
        (Some(25), Some(20))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("--allow-deletes 25"),
        "{error}"
    );
    let still = cli
        .run(&["users", "list", "--role", "pending", "-o", "json"], "")
        .json();
    assert_eq!(
        still.as_array().map(Vec::len),
        pending.as_array().map(Vec::len),
        "nothing was written"
    );

    let applied = cli.run(
        &[
            "users",
            "bulk",
            "apply",
            &id,
            "--allow-deletes",
            "25",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let results = applied.json();
    assert_eq!(
        results
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["outcome"] == "done")
            .count(),
        25
    );
    let after = cli
        .run(&["users", "list", "--role", "pending", "-o", "json"], "")
        .json();
    assert_eq!(
        after.as_array().map(Vec::len),
        pending.as_array().map(|p| p.len() - 25)
    );

    // Applying the same plan again: the deployment outran it, so a guard refuses it.
    let again = cli.run(
        &[
            "users",
            "bulk",
            "apply",
            &id,
            "--allow-deletes",
            "25",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(again.code, 3, "{}", again.stderr);
    assert_eq!(json_error(&again.stderr)["code"], "stale_plan");
}

#[test]
fn doctor_exits_0_when_healthy_1_with_warnings_and_2_with_failures() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-core-doctor");
    let env_for = |email: &str| {
        vec![
            ("CLOOSPHERE_URL", sandbox.url.clone()),
            ("CLOOSPHERE_EMAIL", email.to_owned()),
            ("CLOOSPHERE_PASSWORD", sandbox.admin_password.clone()),
        ]
    };
    let run = |env: &[(&str, String)], args: &[&str]| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cli.run_env(args, "", &env)
    };
    let admin = env_for(&sandbox.admin_email);
    let healthy = run(&admin, &["doctor"]);
    assert_eq!(healthy.code, 0, "{}{}", healthy.stdout, healthy.stderr);
    assert!(
        healthy.stdout.contains("healthy: 0 failures, 0 warnings"),
        "{}",
        healthy.stdout
    );

    // A demo user (same password): signed in, but admin-only areas are refused.
    let users = run(&admin, &["users", "list", "-o", "json"]).json();
    let someone = users
        .as_array()
        .expect("array")
        .iter()
        .find(|u| u["role"] == "user")
        .and_then(|u| u["email"].as_str())
        .expect("a demo user")
        .to_owned();
    let limited = run(&env_for(&someone), &["doctor", "-o", "json"]);
    assert_eq!(limited.code, 1, "{}{}", limited.stdout, limited.stderr);
    let report = limited.json();
    let status_of = |name: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(status_of("account").as_deref(), Some("warn"));
    assert_eq!(
        status_of("endpoint usage-limit settings").as_deref(),
        Some("warn")
    );
    assert_eq!(
        status_of("endpoint organizations").as_deref(),
        Some("ok"),
        "any verified user"
    );
    assert_eq!(status_of("endpoint guardrails").as_deref(), Some("ok"));

    // Nothing listens there: a failure, still a report.
    let gone = vec![
        ("CLOOSPHERE_URL", "http://127.0.0.1:9".to_owned()),
        ("CLOOSPHERE_EMAIL", sandbox.admin_email.clone()),
        ("CLOOSPHERE_PASSWORD", sandbox.admin_password.clone()),
    ];
    let failed = run(&gone, &["doctor"]);
    assert_eq!(failed.code, 2, "{}{}", failed.stdout, failed.stderr);
    assert!(
        failed.stdout.contains("FAIL") && failed.stdout.contains("reachable"),
        "{}",
        failed.stdout
    );
}
