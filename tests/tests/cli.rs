//! `clooctl` end to end: the real binary, a real keychain, and a sandbox in its own process.

use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::Value;

#[test]
fn tenants_are_added_listed_chosen_and_removed() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-tenants");
    let run = |args: &[&str], stdin: &str| cli.run(args, stdin);
    let pw = format!("{}\n", sandbox.admin_password);
    let email = sandbox.admin_email.as_str();

    let wrong = run(
        &[
            "tenant",
            "add",
            "demo",
            "--url",
            &sandbox.url,
            "--email",
            email,
            "--password-stdin",
        ],
        "Wrong-Pass-1\n",
    );
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("wrong e-mail or password"),
        "{}",
        wrong.stderr
    );
    assert_eq!(
        wrong.stderr.lines().count(),
        1,
        "one line: {}",
        wrong.stderr
    );

    let dead = run(
        &[
            "tenant",
            "add",
            "demo",
            "--url",
            "http://127.0.0.1:9",
            "--email",
            email,
            "--password-stdin",
        ],
        &pw,
    );
    assert_eq!(dead.code, 2);
    assert!(
        dead.stderr.contains("cannot reach 127.0.0.1:9") && dead.stderr.contains("refused"),
        "{}",
        dead.stderr
    );

    assert_eq!(
        run(&["tenant", "list", "-o", "json"], "").json(),
        Value::Array(vec![]),
        "failed adds saved nothing"
    );

    let ok = run(
        &[
            "tenant",
            "add",
            "demo",
            "--url",
            &sandbox.url,
            "--email",
            email,
            "--password-stdin",
        ],
        &pw,
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let second = run(
        &[
            "tenant",
            "add",
            "Second",
            "--url",
            &sandbox.url,
            "--email",
            email,
            "--password-stdin",
            "-o",
            "json",
        ],
        &pw,
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        second.json()["current"],
        false,
        "the first tenant stays current"
    );
    let dup = run(
        &[
            "tenant",
            "add",
            "DEMO",
            "--url",
            &sandbox.url,
            "--email",
            email,
            "--password-stdin",
        ],
        &pw,
    );
    assert_eq!(dup.code, 2);
    assert!(dup.stderr.contains("already exists"), "{}", dup.stderr);

    let list = run(&["tenant", "list", "-o", "json"], "").json();
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["demo", "Second"]);
    assert_eq!(list[0]["current"], true);
    assert!(!list.to_string().contains(&sandbox.admin_password));

    let me = run(&["whoami", "-o", "json"], "").json();
    assert_eq!(me["email"], email);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["server_version"], "0.6.5");

    assert_eq!(run(&["tenant", "use", "second"], "").code, 0);
    let table = run(&["tenant", "list"], "").stdout;
    let current_line = table
        .lines()
        .find(|l| l.starts_with('*'))
        .expect("a current tenant");
    assert!(current_line.contains("Second"), "{table}");
    let flagged = cli.run_env(&["whoami", "-o", "json"], "", &[("CLOOCTL_TENANT", "demo")]);
    assert_eq!(flagged.code, 0, "{}", flagged.stderr);

    let refused = run(&["tenant", "remove", "demo"], "");
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(run(&["tenant", "remove", "demo", "--yes"], "").code, 0);
    assert_eq!(run(&["tenant", "remove", "second", "--yes"], "").code, 0);
    assert_eq!(
        run(&["tenant", "list", "-o", "json"], "").json(),
        Value::Array(vec![])
    );
    let none = run(&["whoami"], "");
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("no tenant selected"),
        "{}",
        none.stderr
    );
}

#[test]
fn users_list_is_everyone_oldest_first_filtered_locally_and_without_secrets() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-users");
    let run = |args: &[&str]| cli.run(args, "");
    let add = cli.add_tenant(&sandbox, "demo", &[]);
    assert_eq!(add.code, 0, "{}", add.stderr);

    let all_run = run(&["users", "list", "-o", "json"]);
    assert!(
        !all_run.stdout.contains("api_key") && !all_run.stdout.contains("sk-"),
        "API keys are never printed"
    );
    let all = all_run.json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 200);
    assert_eq!(
        all[0]["email"],
        sandbox.admin_email.as_str(),
        "the first user comes first"
    );
    let created: Vec<i64> = all
        .iter()
        .map(|u| u["created_at"].as_i64().expect("created_at"))
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    for key in [
        "id",
        "name",
        "email",
        "role",
        "last_active_at",
        "created_at",
    ] {
        assert!(all[0].get(key).is_some(), "contract field {key}");
    }

    let pending = run(&["users", "list", "--role", "pending", "-o", "json"]).json();
    let expected = all.iter().filter(|u| u["role"] == "pending").count();
    assert_eq!(pending.as_array().expect("array").len(), expected);
    assert!(expected > 0);

    let needle = "LEE";
    let found = run(&["users", "list", "--search", needle, "-o", "json"]).json();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|u| {
            let hay = format!(
                "{} {}",
                u["name"].as_str().unwrap_or(""),
                u["email"].as_str().unwrap_or("")
            );
            hay.to_lowercase().contains(&needle.to_lowercase())
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(found.as_array().expect("array").len(), expected.len());

    let table = run(&["users", "list", "--search", "lee"]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.starts_with("NAME"), "{}", table.stdout);
    assert_eq!(table.stdout.lines().count(), expected.len() + 1);

    let bad = run(&["users", "list", "--role", "superuser"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("admin, user or pending"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_non_admin_account_is_refused_by_name() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-nonadmin");
    let admin = cli.run_env(
        &["users", "list", "--role", "user", "-o", "json"],
        "",
        &[
            ("CLOOSPHERE_URL", sandbox.url.as_str()),
            ("CLOOSPHERE_EMAIL", sandbox.admin_email.as_str()),
            ("CLOOSPHERE_PASSWORD", sandbox.admin_password.as_str()),
        ],
    );
    assert_eq!(admin.code, 0, "{}", admin.stderr);
    let someone = admin.json()[0]["email"].as_str().expect("email").to_owned();
    let run = cli.run_env(
        &[
            "tenant",
            "add",
            "x",
            "--url",
            &sandbox.url,
            "--email",
            &someone,
            "--password-stdin",
        ],
        "Sandbox-Demo-1\n",
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("whose role is user") && run.stderr.contains("admin"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_keychain_nothing_is_saved_and_the_environment_still_works() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("cli-nokeychain");
    let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let add = cli.add_tenant(&sandbox, "demo", &no_bus);
    assert_eq!(add.code, 2);
    assert!(
        add.stderr.contains("no OS keychain is reachable"),
        "{}",
        add.stderr
    );
    assert!(
        add.stderr.contains("CLOOSPHERE_URL"),
        "offers the alternative: {}",
        add.stderr
    );
    let list = cli.run_env(&["tenant", "list", "-o", "json"], "", &no_bus);
    assert_eq!(list.json(), Value::Array(vec![]));
    for entry in std::fs::read_dir(cli.data_dir()).expect("dir") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        assert!(
            !bytes
                .windows(sandbox.admin_password.len())
                .any(|w| w == sandbox.admin_password.as_bytes())
        );
    }

    // Automation without a keychain entry: the variables of cli-conventions.md.
    let key = admin_api_key(&sandbox);
    let with_key = cli.run_env(
        &["whoami", "-o", "json"],
        "",
        &[
            no_bus[0],
            ("CLOOSPHERE_URL", sandbox.url.as_str()),
            ("CLOOSPHERE_API_KEY", key.as_str()),
        ],
    );
    assert_eq!(with_key.code, 0, "{}", with_key.stderr);
    assert_eq!(with_key.json()["email"], sandbox.admin_email.as_str());
    let half = cli.run_env(&["whoami"], "", &[("CLOOSPHERE_URL", sandbox.url.as_str())]);
    assert_eq!(half.code, 2);
    assert!(
        half.stderr.contains("CLOOSPHERE_API_KEY"),
        "{}",
        half.stderr
    );
}

/// Creates an admin API key over HTTP.
fn admin_api_key(sandbox: &SandboxProcess) -> String {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let token = sandbox.admin_token().await;
        let key = sandbox.client().create_api_key(&token).await.expect("key");
        key.expose().to_owned()
    })
}
