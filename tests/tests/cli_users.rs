//! `clooctl users|groups|defaults|sa` against a sandbox process, through a real keychain.
//! The permission and limit answers are compared with what the server itself tells each user.

use cloo_domain::Secret;
use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::{Value, json};

const DEMO_PASSWORD: &str = "Sandbox-Demo-1";

fn setup(test: &str) -> (SandboxProcess, Clooctl) {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new(test);
    let added = cli.add_tenant(&sandbox, "demo", &[]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    (sandbox, cli)
}

fn ok(cli: &Clooctl, args: &[&str]) -> Value {
    let run = cli.run(args, "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()
}

fn fails(cli: &Clooctl, args: &[&str], stdin: &str) -> String {
    let run = cli.run(args, stdin);
    assert_eq!(run.code, 2, "{args:?} should fail: {}", run.stdout);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "{}",
        run.stderr
    );
    run.stderr
}

fn emails(cli: &Clooctl, role: &str) -> Vec<String> {
    ok(cli, &["users", "list", "--role", role, "-o", "json"])
        .as_array()
        .expect("array")
        .iter()
        .map(|u| u["email"].as_str().expect("email").to_owned())
        .collect()
}

/// What the server answers a user herself.
fn server_view(sandbox: &SandboxProcess, email: &str, model: &str) -> (Value, Value) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let c = sandbox.client();
        let t = c
            .signin(email, &Secret::new(DEMO_PASSWORD))
            .await
            .expect("sign-in")
            .token;
        let perms = c.my_permissions(&t).await.expect("permissions");
        let check = c.check_usage_limit(&t, model).await.expect("check");
        (perms, serde_json::to_value(check).expect("json"))
    })
}

#[test]
fn adding_editing_and_deleting_users_with_the_consoles_rules() {
    let (sandbox, cli) = setup("cli4-users");
    let weak = fails(
        &cli,
        &[
            "users",
            "add",
            "--email",
            "n@x.com",
            "--name",
            "N",
            "--password-stdin",
            "--yes",
        ],
        "weakpass\n",
    );
    assert!(
        weak.contains("policy")
            && weak.contains("no upper-case letter")
            && weak.contains("no digit"),
        "{weak}"
    );
    let role = fails(
        &cli,
        &[
            "users",
            "add",
            "--email",
            "n@x.com",
            "--name",
            "N",
            "--role",
            "root",
            "--password-stdin",
            "--yes",
        ],
        "Strong-Pass-1\n",
    );
    assert!(role.contains("admin, user or pending"), "{role}");
    let long = format!("Aa1{}\n", "x".repeat(80));
    assert!(
        fails(
            &cli,
            &[
                "users",
                "add",
                "--email",
                "n@x.com",
                "--name",
                "N",
                "--password-stdin",
                "--yes"
            ],
            &long
        )
        .contains("longer than 72 bytes")
    );
    let no_yes = fails(
        &cli,
        &[
            "users",
            "add",
            "--email",
            "n@x.com",
            "--name",
            "N",
            "--password-stdin",
        ],
        "Strong-Pass-1\n",
    );
    assert!(no_yes.contains("--yes"), "{no_yes}");
    assert!(
        emails(&cli, "pending").iter().all(|e| e != "n@x.com"),
        "nothing was added"
    );

    let added = cli.run(
        &[
            "users",
            "add",
            "--email",
            "New.Person@X.com",
            "--name",
            "New Person",
            "--role",
            "pending",
            "--password-stdin",
            "--yes",
            "-o",
            "json",
        ],
        "Strong-Pass-1\n",
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert_eq!(added.json()["email"], "new.person@x.com");
    assert_eq!(added.json()["role"], "pending");

    let detail = ok(&cli, &["users", "get", "new.person@x.com", "-o", "json"]);
    assert_eq!(detail["user"]["name"], "New Person");
    assert_eq!(detail["is_first_user"], false);

    let edited = ok(
        &cli,
        &[
            "users",
            "edit",
            "new.person@x.com",
            "--name",
            "Renamed",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(edited["name"], "Renamed");
    assert_eq!(edited["role"], "pending", "edit never touches the role");
    let approved = ok(
        &cli,
        &[
            "users",
            "set-role",
            "new.person@x.com",
            "user",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(approved["role"], "user");

    // The console's role rules, on every path.
    assert!(
        fails(
            &cli,
            &["users", "set-role", &sandbox.admin_email, "user", "--yes"],
            ""
        )
        .contains("your own role")
    );
    let other_admin = emails(&cli, "admin")
        .into_iter()
        .find(|e| *e != sandbox.admin_email)
        .expect("another admin");
    let with_other = Clooctl::new("cli4-users-other");
    assert_eq!(
        with_other
            .run_env(
                &[
                    "tenant",
                    "add",
                    "other",
                    "--url",
                    &sandbox.url,
                    "--email",
                    &other_admin,
                    "--password-stdin"
                ],
                &format!("{DEMO_PASSWORD}\n"),
                &[]
            )
            .code,
        0
    );
    let first = fails(
        &with_other,
        &[
            "users",
            "set-role",
            &sandbox.admin_email,
            "pending",
            "--yes",
        ],
        "",
    );
    assert!(first.contains("first user"), "{first}");
    assert!(
        fails(
            &cli,
            &[
                "users",
                "set-role",
                "new.person@x.com",
                "superuser",
                "--yes"
            ],
            ""
        )
        .contains("unknown role")
    );

    // Deleting: never oneself; --yes off a terminal; then gone.
    assert!(
        fails(
            &cli,
            &["users", "delete", &sandbox.admin_email, "--yes"],
            ""
        )
        .contains("your own account")
    );
    assert!(fails(&cli, &["users", "delete", "new.person@x.com"], "").contains("--yes"));
    assert_eq!(
        cli.run(&["users", "delete", "new.person@x.com", "--yes"], "")
            .code,
        0
    );
    assert!(fails(&cli, &["users", "get", "new.person@x.com"], "").contains("no user"));
}

#[test]
fn effective_permissions_equal_what_the_server_tells_each_user() {
    let (sandbox, cli) = setup("cli4-perms");
    let users = emails(&cli, "user");
    let (plain, direct, via_unit, both) = (&users[0], &users[1], &users[2], &users[3]);

    // A group with a direct member, and a group linked to a unit that holds another user.
    let created = cli.run(
        &["groups", "create", "Data Team", "--yes", "-o", "json"],
        "",
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let keys = [
        "--set",
        "workspace.knowledge=write",
        "--set",
        "chat.temporary_enforced=true",
        "--set",
        "features.gmail=false",
    ];
    let mut args = vec!["groups", "permissions", "set", "Data Team"];
    args.extend(keys);
    args.extend(["--yes", "-o", "json"]);
    assert_eq!(cli.run(&args, "").code, 0);
    assert_eq!(
        cli.run(
            &["groups", "add-member", "Data Team", direct, both, "--yes"],
            ""
        )
        .code,
        0
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let unit = rt.block_on(async {
        let (c, t) = (sandbox.client(), sandbox.admin_token().await);
        let org = c
            .create_organization(&t, &json!({"tenant_id": "t-1", "name": "Contoso"}))
            .await
            .expect("org");
        let eng = c
            .create_org_unit(
                &t,
                &json!({"organization_id": org.id, "name": "Engineering"}),
            )
            .await
            .expect("eng");
        c.create_org_unit(
            &t,
            &json!({"organization_id": org.id, "name": "Backend", "parent_id": eng.id, "level": 1,
            "meta": {"members": [{"email": via_unit}, {"email": both}]}}),
        )
        .await
        .expect("backend");
        eng.id
    });
    assert_eq!(
        cli.run(&["groups", "create", "Engineers", "--yes"], "")
            .code,
        0
    );
    assert_eq!(
        cli.run(
            &[
                "groups",
                "permissions",
                "set",
                "Engineers",
                "--set",
                "workspace.tools=read",
                "--set",
                "workspace.knowledge=read",
                "--yes"
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        cli.run(&["groups", "link-units", "Engineers", &unit, "--yes"], "")
            .code,
        0
    );

    // Before and after default permissions are saved (the fill from built-ins then differs).
    for round in 0..2 {
        for email in [plain, direct, via_unit, both] {
            let ours = ok(&cli, &["users", "permissions", email, "-o", "json"]);
            let (theirs, _) = server_view(&sandbox, email, "gpt-4o");
            assert_eq!(ours, theirs, "round {round}, {email}: values");
            assert_eq!(
                ours.to_string(),
                theirs.to_string(),
                "round {round}, {email}: key order"
            );
        }
        let defaults = cli.data_dir().join("defaults.json");
        std::fs::write(
            &defaults,
            json!({"workspace": {"agents": "read"}}).to_string(),
        )
        .expect("write");
        let saved = cli.run(
            &["defaults", "set", defaults.to_str().expect("path"), "--yes"],
            "",
        );
        assert_eq!(saved.code, 0, "{}", saved.stderr);
        assert!(
            saved
                .stderr
                .contains("workspace.tags was left out: the server will store none"),
            "{}",
            saved.stderr
        );
    }
    let table = cli.run(&["users", "permissions", via_unit], "");
    assert!(
        table
            .stdout
            .contains("group Engineers through OU Engineering (member of Backend)"),
        "{}",
        table.stdout
    );
}

#[test]
fn effective_limits_equal_what_the_server_reports() {
    let (sandbox, cli) = setup("cli4-limits");
    let users = emails(&cli, "user");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let (c, t) = (sandbox.client(), sandbox.admin_token().await);
        let config = cloo_api::UsageLimitConfig {
            enabled: true,
            default_daily_tokens: 100_000,
            exceed_action: "block".into(),
            per_model: [("gpt-4o".to_owned(), 300_000)].into_iter().collect(),
        };
        c.set_usage_limit_config(&t, &config).await.expect("config");
        let org = c.create_organization(&t, &json!({"tenant_id": "t-2", "name": "Contoso"})).await.expect("org");
        c.create_org_unit(&t, &json!({"organization_id": org.id, "name": "Research",
            "meta": {"members": [{"email": users[2]}], "usage_limit": {"per_model": {"gpt-4o": 900_000}}}})).await.expect("unit");
    });
    assert_eq!(cli.run(&["groups", "create", "Sales", "--yes"], "").code, 0);
    assert_eq!(
        cli.run(&["groups", "add-member", "Sales", &users[1], "--yes"], "")
            .code,
        0
    );
    assert_eq!(
        cli.run(
            &[
                "groups", "limit", "Sales", "--model", "gpt-4o", "--set", "450000", "--yes"
            ],
            ""
        )
        .code,
        0
    );
    let set = cli.run(
        &[
            "users", "limit", &users[3], "--model", "gpt-4o", "--set", "0", "--yes", "-o", "json",
        ],
        "",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);

    let expected = [
        ("global:per_model", 300_000),
        ("group:Sales", 450_000),
        ("org:Research", 900_000),
        ("user", 0),
    ];
    for (email, (source, limit)) in users.iter().zip(expected) {
        let ours = ok(
            &cli,
            &["users", "limit", email, "--model", "gpt-4o", "-o", "json"],
        );
        let (_, check) = server_view(&sandbox, email, "gpt-4o");
        assert_eq!(
            ours["daily_limit"], check["daily_limit"],
            "{email}: the number the server reports"
        );
        assert_eq!(
            ours,
            json!({"daily_limit": limit, "source": source}),
            "{email}"
        );
    }
    // Another model gets the global default.
    assert_eq!(
        ok(
            &cli,
            &[
                "users", "limit", &users[0], "--model", "other", "-o", "json"
            ]
        ),
        json!({"daily_limit": 100_000, "source": "global:default"})
    );
    let negative = fails(
        &cli,
        &[
            "users", "limit", &users[0], "--model", "gpt-4o", "--set", "-5", "--yes",
        ],
        "",
    );
    assert!(negative.contains("positive"), "{negative}");
}

#[test]
fn groups_are_edited_without_losing_what_the_server_would_wipe() {
    let (_sandbox, cli) = setup("cli4-groups");
    let users = emails(&cli, "user");
    assert_eq!(
        cli.run(
            &[
                "groups",
                "create",
                "Ops",
                "--description",
                "operations",
                "--yes"
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        cli.run(
            &[
                "groups", "limit", "Ops", "--model", "gpt-4o", "--set", "5000", "--yes"
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        cli.run(
            &["groups", "add-member", "Ops", &users[0], &users[1], "--yes"],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        cli.run(
            &[
                "groups",
                "edit",
                "Ops",
                "--description",
                "operations team",
                "--yes"
            ],
            ""
        )
        .code,
        0
    );
    assert_eq!(
        cli.run(&["groups", "link-units", "Ops", "--yes"], "").code,
        0
    );
    assert_eq!(
        cli.run(&["groups", "remove-member", "Ops", &users[0], "--yes"], "")
            .code,
        0
    );
    let g = ok(&cli, &["groups", "get", "Ops", "-o", "json"]);
    assert_eq!(
        g["limits"],
        json!({"gpt-4o": 5000}),
        "meta kept through every update"
    );
    assert_eq!(g["description"], "operations team");
    assert_eq!(g["members"].as_array().expect("members").len(), 1);

    // A permissions file with a boolean in a level key, and a key that grants user admin.
    let file = cli.data_dir().join("perms.json");
    std::fs::write(
        &file,
        r#"{"workspace": {"agents": true}, "admin": {"users": "read"}}"#,
    )
    .expect("write");
    let set = cli.run(
        &[
            "groups",
            "permissions",
            "set",
            "Ops",
            file.to_str().expect("path"),
            "--yes",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(
        set.stderr
            .contains("workspace.agents: a boolean is sent as write"),
        "{}",
        set.stderr
    );
    assert!(
        set.stderr.contains("full user administration"),
        "{}",
        set.stderr
    );
    assert_eq!(
        ok(&cli, &["groups", "permissions", "get", "Ops"])["workspace"]["agents"],
        "write"
    );
    std::fs::write(&file, "{\"workspace\": {\"agents\": \"admin\"}").expect("write");
    let bad = fails(
        &cli,
        &[
            "groups",
            "permissions",
            "set",
            "Ops",
            file.to_str().expect("path"),
            "--yes",
        ],
        "",
    );
    assert!(bad.contains("perms.json:1:"), "a positioned error: {bad}");
    std::fs::write(&file, r#"{"workspace": {"agents": "admin"}}"#).expect("write");
    let bad = fails(
        &cli,
        &[
            "groups",
            "permissions",
            "set",
            "Ops",
            file.to_str().expect("path"),
            "--yes",
        ],
        "",
    );
    assert!(
        bad.contains("workspace.agents: \"admin\" is not none, access, read or write"),
        "{bad}"
    );

    // A name shared by two groups must be given as an id.
    assert_eq!(cli.run(&["groups", "create", "Ops", "--yes"], "").code, 0);
    let ambiguous = fails(&cli, &["groups", "get", "Ops"], "");
    assert!(
        ambiguous.contains("2 groups are named \"Ops\""),
        "{ambiguous}"
    );
    let list = ok(&cli, &["groups", "list", "-o", "json"]);
    let ids: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|g| g["id"].as_str().expect("id"))
        .collect();
    assert_eq!(cli.run(&["groups", "delete", ids[0], "--yes"], "").code, 0);
    assert_eq!(
        ok(&cli, &["groups", "list", "-o", "json"])
            .as_array()
            .expect("list")
            .len(),
        1
    );
}

#[test]
fn super_admin_is_set_on_admins_only() {
    let (sandbox, cli) = setup("cli4-sa");
    let before = cli.run(&["sa", "get"], "");
    assert!(before.stdout.contains("not set"), "{}", before.stdout);
    let plain = emails(&cli, "user").remove(0);
    assert!(fails(&cli, &["sa", "set", &plain, "--yes"], "").contains("only an admin"));
    assert_eq!(
        ok(
            &cli,
            &["sa", "set", &sandbox.admin_email, "--yes", "-o", "json"]
        )["email"],
        sandbox.admin_email.as_str()
    );
    let detail = ok(&cli, &["users", "get", &sandbox.admin_email, "-o", "json"]);
    assert_eq!(detail["is_super_admin"], true);
    assert_eq!(detail["is_first_user"], true);
}
