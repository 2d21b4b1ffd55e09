//! Conformance: the client, the console's rules and `clooctl` against a deployment.
//!
//! By default each test starts an empty sandbox. With `CLOOSPHERE_TEST_URL`,
//! `CLOOSPHERE_TEST_EMAIL` and `CLOOSPHERE_TEST_PASSWORD` set (`./dev conformance`), the same
//! tests run against that deployment: each creates only users and groups named with its own
//! prefix (`cft-<pid>-<n>`), removes them afterwards even when it fails, and never changes
//! settings that belong to the deployment (defaults, global limits, the Super Admin,
//! organizations). Every other test file needs the sandbox and says why in
//! `tests/sandbox-only.tsv`; the last test here keeps that list complete.

use cloo_api::{AddUserForm, ApiError, AuthFailure, GroupUpdateForm, PerModel, UserUpdateForm};
use cloo_domain::{Role, Secret};
use cloo_tests::conformance::{TestDeployment, conformance};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const PASSWORD: &str = "Conformance-Check-7";

/// Adds a user named with the prefix and returns her id.
async fn add_user(
    d: &TestDeployment,
    admin: &Secret,
    prefix: &str,
    tag: &str,
    role: &str,
) -> (String, String) {
    let email = format!("{prefix}-{tag}@conformance.invalid");
    let added = d
        .client()
        .add_user(
            admin,
            &AddUserForm {
                name: &format!("{prefix} {tag}"),
                email: &email,
                password: &Secret::new(PASSWORD),
                role,
                profile_image_url: None,
            },
        )
        .await
        .expect("the admin adds a user");
    assert_eq!(added.email, email, "stored lower-cased as given");
    (added.id, email)
}

#[tokio::test]
async fn public_endpoints_and_sign_in_answer_as_the_contract_says() {
    conformance(|d: Arc<TestDeployment>, _prefix| async move {
        let c = d.client();
        assert!(c.health().await.expect("health").status);
        let version = c.version().await.expect("version").version;
        assert!(!version.is_empty());
        c.app_config().await.expect("the public config parses");
        let wrong = c
            .signin(&d.admin_email, &Secret::new("Not-The-Password-1"))
            .await
            .expect_err("a wrong password is refused");
        assert_eq!(wrong.code(), "wrong_credentials", "{wrong}");
        let me = c
            .session_user(&d.admin_token().await)
            .await
            .expect("the session parses");
        assert!(
            me.role.is_admin(),
            "the conformance account must be an admin"
        );
        match c.probe_without_credential().await {
            Err(ApiError::NotAuthenticated {
                reason: AuthFailure::Missing,
                ..
            }) => {}
            other => panic!("no credential must be 403 Not authenticated: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn a_user_is_added_given_a_role_a_limit_and_an_edit_then_deleted() {
    conformance(|d: Arc<TestDeployment>, prefix| async move {
        let (c, admin) = (d.client(), d.admin_token().await);
        let (id, email) = add_user(&d, &admin, &prefix, "someone", "pending").await;
        let user = c
            .update_role(&admin, &id, &Role::User)
            .await
            .expect("role change");
        assert_eq!(user.role, Role::User);
        let limits: PerModel = [("conformance-model".to_owned(), 1234)]
            .into_iter()
            .collect();
        c.set_user_limits(&admin, &id, &limits)
            .await
            .expect("user limit");
        assert_eq!(
            c.user_limits(&admin, &id)
                .await
                .expect("read back")
                .per_model,
            limits
        );
        let renamed = c
            .update_user(
                &admin,
                &id,
                &UserUpdateForm {
                    name: &format!("{prefix} renamed"),
                    email: &email,
                    profile_image_url: "/user.png",
                    password: None,
                    role: None,
                },
            )
            .await
            .expect("edit");
        assert_eq!(renamed.name, format!("{prefix} renamed"));
        // She can sign in with the password she was given.
        c.signin(&email, &Secret::new(PASSWORD))
            .await
            .expect("the new user signs in");
        assert!(c.delete_user(&admin, &id).await.expect("delete"));
        // The quirk: deleting an id that does not exist is a 500, not a 404.
        let again = c
            .delete_user(&admin, &id)
            .await
            .expect_err("a second delete fails");
        assert_eq!(again.code(), "server", "{again}");
    })
    .await;
}

#[tokio::test]
async fn a_group_keeps_members_permissions_and_limits_and_an_update_replaces_its_meta() {
    conformance(|d: Arc<TestDeployment>, prefix| async move {
        let (c, admin) = (d.client(), d.admin_token().await);
        let (member, email) = add_user(&d, &admin, &prefix, "member", "user").await;
        let name = format!("{prefix} group");
        let group = c
            .create_group(&admin, &name, "conformance", None)
            .await
            .expect("create");
        let permissions = json!({"workspace": {"knowledge": "read"}});
        let updated = c
            .update_group(
                &admin,
                &group.id,
                &GroupUpdateForm {
                    name: name.clone(),
                    description: "conformance".into(),
                    permissions: Some(permissions.clone()),
                    user_ids: Some(vec![member.clone(), "no-such-user".into()]),
                    meta: None,
                },
            )
            .await
            .expect("update");
        assert_eq!(
            updated.user_ids,
            vec![member.clone()],
            "unknown ids are dropped"
        );
        let limits: PerModel = [("conformance-model".to_owned(), 500)]
            .into_iter()
            .collect();
        c.set_group_limits(&admin, &group.id, &limits)
            .await
            .expect("group limit");
        assert_eq!(
            c.group_limits(&admin, &group.id).await.expect("limits"),
            limits
        );
        let emails = c
            .group_member_emails(&admin, &group.id)
            .await
            .expect("member e-mails");
        assert!(emails.iter().any(|m| m.email == email), "{emails:?}");
        // The quirk the console works around: an update with a meta replaces it whole.
        c.update_group(
            &admin,
            &group.id,
            &GroupUpdateForm {
                name: name.clone(),
                description: "conformance".into(),
                permissions: None,
                user_ids: None,
                meta: Some(json!({"note": "replaced"})),
            },
        )
        .await
        .expect("update with meta");
        assert!(
            c.group_limits(&admin, &group.id)
                .await
                .expect("limits")
                .is_empty(),
            "the limits lived in meta and are gone"
        );
        let read = c.group(&admin, &group.id).await.expect("get");
        assert_eq!(read.permissions, Some(permissions), "permissions untouched");
        assert!(c.delete_group(&admin, &group.id).await.expect("delete"));
    })
    .await;
}

#[tokio::test]
async fn the_consoles_rules_agree_with_the_deployment_about_a_user_of_its_own() {
    conformance(|d: Arc<TestDeployment>, prefix| async move {
        let (c, admin) = (d.client(), d.admin_token().await);
        let (id, email) = add_user(&d, &admin, &prefix, "operator", "user").await;
        let name = format!("{prefix} helpdesk");
        let group = c
            .create_group(&admin, &name, "", None)
            .await
            .expect("create");
        c.update_group(
            &admin,
            &group.id,
            &GroupUpdateForm {
                name,
                description: String::new(),
                permissions: Some(
                    json!({"admin": {"users": "read"}, "workspace": {"tools": "write"}}),
                ),
                user_ids: Some(vec![id.clone()]),
                meta: None,
            },
        )
        .await
        .expect("update");
        let token = c
            .signin(&email, &Secret::new(PASSWORD))
            .await
            .expect("she signs in")
            .token;

        let (console, target, _dir) = d.console().await;
        let report = console
            .users()
            .get_permissions(&target, &id)
            .await
            .expect("console permissions");
        let server = c.my_permissions(&token).await.expect("her permissions");
        let (ours, theirs) = (
            cloo_tests::json_leaves(&report.object),
            cloo_tests::json_leaves(&server),
        );
        let paths: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        let mut compared = 0;
        for path in paths {
            match (ours.get(path), theirs.get(path)) {
                (Some(Value::Null), _) => {}
                (a, b) => {
                    assert_eq!(a, b, "{path}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 20, "{compared} keys compared");
        assert_eq!(theirs.get("admin.users"), Some(&json!("read")));

        let detail = console.users().get(&target, &id).await.expect("detail");
        let right = |cap: &str| {
            detail
                .delegated
                .iter()
                .find(|r| r.capability == cap)
                .map(|r| r.allowed)
        };
        assert_eq!(right("users_read"), Some(true));
        assert_eq!(right("users_write"), Some(false));
        assert!(
            c.list_users(&token, Some(0), Some(1)).await.is_ok(),
            "admin.users = read lets her read users"
        );
        let write = c
            .set_user_limits(&token, "no-such-user", &PerModel::new())
            .await
            .expect_err("not allowed to write");
        assert_eq!(write.code(), "forbidden", "{write}");

        let limit = console
            .users()
            .get_limit(&target, &id, "conformance-model")
            .await
            .expect("limit");
        let check = c
            .check_usage_limit(&token, "conformance-model")
            .await
            .expect("self-check");
        let expected = match &limit.on_other_database {
            // Which database the deployment runs on is not visible; one reading must match.
            Some(other) if other.daily_limit == check.daily_limit => other.daily_limit,
            _ => limit.daily_limit,
        };
        assert_eq!(check.daily_limit, expected, "{limit:?} vs {check:?}");
    })
    .await;
}

#[tokio::test]
async fn clooctl_reads_writes_and_checks_the_deployment_with_the_environments_credential() {
    conformance(|d: Arc<TestDeployment>, prefix| async move {
        tokio::task::spawn_blocking(move || {
            let cli = cloo_tests::Clooctl::new("conformance-cli");
            let env = d.cli_env();
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let run = |args: &[&str]| cli.run_env(args, "", &env);

            let me = run(&["whoami", "-o", "json"]);
            assert_eq!(me.code, 0, "{}", me.stderr);
            assert_eq!(me.json()["role"], "admin");

            let name = format!("{prefix} cli group");
            let created = run(&["groups", "create", &name, "--yes"]);
            assert_eq!(created.code, 0, "{}", created.stderr);
            let listed = run(&["groups", "list", "-o", "json"]);
            assert_eq!(listed.code, 0, "{}", listed.stderr);
            assert!(
                listed
                    .json()
                    .as_array()
                    .expect("array")
                    .iter()
                    .any(|g| g["name"] == json!(name)),
                "{}",
                listed.stdout
            );
            let deleted = run(&["groups", "delete", &name, "--yes"]);
            assert_eq!(deleted.code, 0, "{}", deleted.stderr);

            let doctor = run(&["doctor", "-o", "json"]);
            assert!(
                doctor.code == 0 || doctor.code == 1,
                "{}\n{}",
                doctor.stdout,
                doctor.stderr
            );
            let report = doctor.json();
            for check in report["checks"].as_array().expect("checks") {
                assert_ne!(check["status"], "fail", "{check}");
            }
            let names: Vec<&str> = report["checks"]
                .as_array()
                .expect("checks")
                .iter()
                .filter_map(|c| c["name"].as_str())
                .collect();
            assert!(
                names.contains(&"endpoint users") && names.contains(&"version"),
                "{names:?}"
            );
        })
        .await
        .expect("the CLI run");
    })
    .await;
}

/// Every test file outside this one is listed in `tests/sandbox-only.tsv` with the reason it
/// cannot run against another deployment, and nothing listed there is gone.
#[test]
fn every_other_test_file_names_why_it_needs_the_sandbox() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed: BTreeMap<String, String> = std::fs::read_to_string(root.join("sandbox-only.tsv"))
        .expect("tests/sandbox-only.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, reason) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("no tab in {l:?}"));
            assert!(reason.trim().len() > 10, "{file}: say why");
            (file.to_owned(), reason.to_owned())
        })
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(root.join("tests"))
        .expect("tests/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".rs") && f != "conformance.rs")
        .collect();
    let listed_files: BTreeSet<String> = listed.keys().cloned().collect();
    assert_eq!(
        files, listed_files,
        "tests/sandbox-only.tsv must name every test file but this one, with its reason"
    );
}
