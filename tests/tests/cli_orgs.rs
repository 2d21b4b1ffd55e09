//! `clooctl orgs …` as scripts use it: validation with JSON paths and exit codes, plans with
//! kubectl-diff exit codes and the JSON shape of cli-conventions.md, offline plans, apply, the
//! HR CSV converter, and the tree.

use cloo_tests::{Clooctl, SandboxProcess};
use serde_json::{Value, json};

fn env(sandbox: &SandboxProcess) -> Vec<(&'static str, String)> {
    vec![
        ("CLOOSPHERE_URL", sandbox.url.clone()),
        ("CLOOSPHERE_EMAIL", sandbox.admin_email.clone()),
        ("CLOOSPHERE_PASSWORD", sandbox.admin_password.clone()),
    ]
}

fn run(cli: &Clooctl, sandbox: &SandboxProcess, args: &[&str]) -> cloo_tests::CliRun {
    let env = env(sandbox);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    cli.run_env(args, "", &env)
}

fn write(cli: &Clooctl, name: &str, text: &str) -> String {
    let path = cli.data_dir().join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn validate_lists_every_problem_with_its_path_and_exits_by_the_convention() {
    let cli = Clooctl::new("orgs-validate");
    let zoo = [
        (
            "not-json.json",
            "{\"organization\": {\"tenant_id\": \"t\"},\n \"units\": [}\n",
            vec!["line 2, column 12"],
        ),
        ("array.json", "[1]", vec!["$"]),
        (
            "no-tenant.json",
            r#"{"organization": {"name": "N"}, "units": []}"#,
            vec!["$.organization.tenant_id"],
        ),
        (
            "empty-tenant.json",
            r#"{"organization": {"tenant_id": " ", "name": "N"}}"#,
            vec!["$.organization.tenant_id"],
        ),
        (
            "no-id.json",
            r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [{"name": "A", "type": "d"}]}"#,
            vec!["$.units[0].id"],
        ),
        (
            "duplicates.json",
            r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [
                {"id": "a", "name": "A", "type": "d", "children": [{"id": "a", "name": "A2", "type": "d"}]},
                {"id": "b", "external_id": "x", "name": "B", "type": "d"},
                {"id": "c", "external_id": "x", "name": "C", "type": "d"}]}"#,
            vec!["$.units[0].children[0].id", "$.units[2].external_id"],
        ),
        (
            "nulls.json",
            r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [
                {"id": "a", "name": null, "type": "d", "member_ids": null, "children": null}]}"#,
            vec![
                "$.units[0].name",
                "$.units[0].member_ids",
                "$.units[0].children",
            ],
        ),
        (
            "children.json",
            r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [
                {"id": "a", "name": "A", "type": "d", "children": {"id": "b"}}]}"#,
            vec!["$.units[0].children"],
        ),
        (
            "emails.json",
            r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [
                {"id": "a", "name": "A", "type": "d", "meta": {"members": [
                    {"email": "ok@example.com"}, {"email": "kim at example.com"}, {"email": "@example.com"}]}}]}"#,
            vec![
                "$.units[0].meta.members[1].email",
                "$.units[0].meta.members[2].email",
            ],
        ),
    ];
    for (name, text, expected) in zoo {
        let path = write(&cli, name, text);
        let out = cli.run(&["orgs", "validate", &path, "-o", "json"], "");
        assert_eq!(out.code, 1, "{name}: {}{}", out.stdout, out.stderr);
        let report = out.json();
        let paths: Vec<&str> = report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .filter(|p| p["severity"] == "error")
            .map(|p| p["path"].as_str().expect("path"))
            .collect();
        assert_eq!(paths, expected, "{name}");
        // The table names the file, the path and the cause on one line.
        let table = cli.run(&["orgs", "validate", &path], "");
        assert!(
            table
                .stdout
                .contains(&format!("{path}: {}: error: ", expected[0])),
            "{}",
            table.stdout
        );
    }
    let good = write(
        &cli,
        "good.json",
        r#"{"organization": {"tenant_id": "t", "name": "N"}, "units": [{"id": "a", "name": "A", "type": "d"}]}"#,
    );
    assert_eq!(cli.run(&["orgs", "validate", &good], "").code, 0);
    let missing = cli.run(&["orgs", "validate", "/no/such/file.json"], "");
    assert_eq!(missing.code, 2, "an unreadable input is an error");
    assert!(missing.stderr.contains("cannot read"), "{}", missing.stderr);
}

#[test]
fn plan_json_names_units_by_external_id_and_exit_codes_follow_kubectl_diff() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("orgs-plan");
    let first = json!({"organization": {"tenant_id": "acme", "name": "ACME"}, "units": [
        {"id": "eng", "name": "Engineering", "type": "division", "children": [
            {"id": "sre", "name": "SRE", "type": "team"},
            {"id": "old", "name": "Legacy", "type": "team"}]},
        {"id": "biz", "name": "Business", "type": "division"}]});
    let path = write(&cli, "org.json", &first.to_string());
    let plan_path = cli
        .data_dir()
        .join("plan.json")
        .to_string_lossy()
        .into_owned();
    let planned = run(
        &cli,
        &sandbox,
        &["orgs", "plan", &path, "--out", &plan_path, "-o", "json"],
    );
    assert_eq!(planned.code, 1, "changes: {}", planned.stderr);
    assert_eq!(
        planned.json()["create"],
        json!(["eng", "sre", "old", "biz"])
    );
    let applied = run(&cli, &sandbox, &["orgs", "apply", &plan_path, "-o", "json"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(applied.json()["differences"], json!([]));

    // The same file again: no changes, exit 0, though the server would count 4 updates.
    let again = run(&cli, &sandbox, &["orgs", "plan", &path, "-o", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = again.json();
    for key in ["create", "update", "move", "delete", "fixups"] {
        assert_eq!(again[key], json!([]), "{key}");
    }
    assert_eq!(again["server_counters"]["updated"], 4);

    // SRE to the top level and renamed; Legacy dropped; a new team under Business.
    let edited = json!({"organization": {"tenant_id": "acme", "name": "ACME"}, "units": [
        {"id": "eng", "name": "Engineering", "type": "division"},
        {"id": "sre", "name": "Site Reliability", "type": "team"},
        {"id": "biz", "name": "Business", "type": "division", "children": [
            {"id": "sales", "name": "Sales", "type": "team"}]}]});
    let path = write(&cli, "org2.json", &edited.to_string());
    let out = run(&cli, &sandbox, &["orgs", "plan", &path, "-o", "json"]);
    assert_eq!(out.code, 1);
    let plan = out.json();
    assert_eq!(plan["create"], json!(["sales"]));
    assert_eq!(plan["update"], json!(["sre"]), "name and level change");
    assert_eq!(plan["move"], json!(["sre"]));
    assert_eq!(plan["delete"], json!(["old"]));
    assert_eq!(plan["fixups"][0]["key"], "sre");
    assert_eq!(plan["fixups"][0]["action"], "detach");
    let fields: Vec<&str> = plan["changes"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, vec!["name", "level"]);

    // Offline, against the last snapshot: marked as such, and it needs no connection.
    let offline_env = [
        ("CLOOSPHERE_URL", sandbox.url.as_str()),
        ("CLOOSPHERE_EMAIL", "x@y.z"),
        ("CLOOSPHERE_PASSWORD", "wrong"),
    ];
    let offline = cli.run_env(
        &["orgs", "plan", &path, "--offline", "-o", "json"],
        "",
        &offline_env,
    );
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    let offline = offline.json();
    assert_eq!(offline["offline"], true);
    assert_eq!(offline["delete"], json!(["old"]));
    assert_eq!(offline["members_checked"], false);
    // Saved in the store: applied later by its id.
    let id = offline["plan_id"].as_str().expect("id");
    let applied = run(
        &cli,
        &sandbox,
        &["orgs", "apply", id, "--allow-deletes", "1"],
    );
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let tree = run(
        &cli,
        &sandbox,
        &["orgs", "tree", "--org", "acme", "-o", "json"],
    );
    let tree = tree.json();
    let labels: Vec<&str> = tree
        .as_array()
        .expect("roots")
        .iter()
        .map(|n| n["label"].as_str().expect("label"))
        .collect();
    assert_eq!(labels, vec!["Business", "Engineering", "Site Reliability"]);
}

#[test]
fn an_hr_csv_becomes_an_import_that_validates_and_plans() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("orgs-csv");
    // CP949, as Korean Excel saves it.
    let text = "부서,이름,이메일,직급\r\n개발본부/백엔드팀,김민지,MinJi@Example.com,선임\r\n개발본부,이준,jun@example.com,본부장\r\n";
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
    let csv = cli.data_dir().join("hr.csv");
    std::fs::write(&csv, &bytes).expect("csv");
    let json_path = cli
        .data_dir()
        .join("hr.json")
        .to_string_lossy()
        .into_owned();
    let out = cli.run(
        &[
            "orgs",
            "from-csv",
            &csv.to_string_lossy(),
            "--tenant-id",
            "hr-acme",
            "--org-name",
            "ACME",
            "--out",
            &json_path,
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let body: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json")).expect("json");
    assert_eq!(body["units"][0]["name"], "개발본부");
    assert_eq!(
        body["units"][0]["children"][0]["meta"]["members"][0]["email"],
        "minji@example.com"
    );
    assert_eq!(cli.run(&["orgs", "validate", &json_path], "").code, 0);
    let planned = run(&cli, &sandbox, &["orgs", "plan", &json_path, "-o", "json"]);
    assert_eq!(planned.code, 1);
    assert_eq!(planned.json()["create"].as_array().map(Vec::len), Some(2));
    let missing = write(&cli, "bad.csv", "name,email\nA,a@example.com\n");
    let out = cli.run(&["orgs", "from-csv", &missing, "--tenant-id", "t"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bad.csv:1: no department"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_units_limit_and_guardrails_are_set_from_the_command_line() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = Clooctl::new("orgs-settings");
    let refused = run(
        &cli,
        &sandbox,
        &[
            "orgs", "limit", "team-web", "--model", "gpt-4o", "--set", "9000",
        ],
    );
    assert_eq!(refused.code, 2, "a write needs --yes without a terminal");
    let out = run(
        &cli,
        &sandbox,
        &[
            "orgs", "limit", "team-web", "--model", "gpt-4o", "--set", "9000", "--yes", "-o",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json(), json!({"gpt-4o": 9000}));
    let unknown = run(
        &cli,
        &sandbox,
        &[
            "orgs",
            "guardrails",
            "team-web",
            "--ids",
            "gr-nope",
            "--global",
            "on",
            "--yes",
        ],
    );
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("gr-nope"), "{}", unknown.stderr);
    let out = run(
        &cli,
        &sandbox,
        &[
            "orgs",
            "guardrails",
            "team-web",
            "--ids",
            "gr-pii,gr-eng-secrets",
            "--global",
            "off",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json(),
        json!({"guardrail_ids": ["gr-pii", "gr-eng-secrets"], "follow_global": false})
    );
    let unit = run(&cli, &sandbox, &["orgs", "unit", "team-web", "-o", "json"]).json();
    assert_eq!(unit["usage_limit"], json!({"gpt-4o": 9000}));
    let grants: Vec<&str> = unit["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| g["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        grants,
        vec!["gr-eng-secrets"],
        "shared with the division above"
    );
}
