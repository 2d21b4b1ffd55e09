//! Every captured response of the real server parses into the client's types, and every
//! captured error is classified as errors.md says it means.

use cloo_api::{
    AddedUser, ApiError, ApiKeyResponse, AppConfig, AuthFailure, Health, KnownDetail, SessionUser,
    User, VersionInfo,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn captured_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contract/captured")
}

struct Captured {
    name: String,
    endpoint: String,
    status: u16,
    body: Value,
}

fn load(name: &str) -> Captured {
    let path = captured_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    Captured {
        name: name.to_owned(),
        endpoint: file["endpoint"].as_str().unwrap_or_default().to_owned(),
        status: file["status"].as_u64().unwrap_or_default() as u16,
        body: file["body"].clone(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(c: &Captured) -> T {
    serde_json::from_value(c.body.clone())
        .unwrap_or_else(|e| panic!("{} ({}): {e}", c.name, c.endpoint))
}

fn classify(c: &Captured) -> ApiError {
    let body = serde_json::to_vec(&c.body).expect("re-encode");
    ApiError::from_response(&c.endpoint, c.status, &body)
}

#[test]
fn public_endpoints_parse() {
    let health: Health = parse(&load("000_health"));
    assert!(health.status);
    let config: AppConfig = parse(&load("001_api_config_public"));
    assert_eq!(config.name.as_deref(), Some("ClooSphere"));
    assert_eq!(config.features.enable_api_key, Some(true));
    let version: VersionInfo = parse(&load("002_api_version"));
    assert_eq!(version.version, "0.6.5");
}

#[test]
fn session_answers_parse_with_their_permissions() {
    for name in ["010_auths_signin", "011_auths_session_user"] {
        let c = load(name);
        assert_eq!(c.status, 200);
        let user: SessionUser = parse(&c);
        assert!(user.role.is_admin(), "{name}");
        assert_eq!(user.token_type, "Bearer");
        assert_eq!(user.expires_at, None, "tokens never expire by default");
        let permissions = user.permissions.clone().expect("permissions");
        assert_eq!(permissions["workspace"]["schedules"], "read");
        // The token never shows in debug output.
        assert!(
            !format!("{user:?}").contains("eyJ"),
            "{name} leaks its token in Debug"
        );
    }
}

#[test]
fn api_key_answers_parse() {
    for name in ["013_auths_api_key_create", "014_auths_api_key_get"] {
        let r: ApiKeyResponse = parse(&load(name));
        assert!(r.api_key.expect("api_key").expose().starts_with("sk-"));
    }
}

#[test]
fn user_records_parse_and_drop_the_plaintext_api_key() {
    for name in [
        "015_users_list_with_api_key",
        "020_users_list",
        "021_users_list_paged",
    ] {
        let c = load(name);
        assert!(
            c.body[0]["api_key"].is_string(),
            "{name}: the server does send api_key"
        );
        let users: Vec<User> = parse(&c);
        assert_eq!(users.len(), 1);
        let again = serde_json::to_string(&users).expect("serialize");
        assert!(
            !again.contains("api_key") && !again.contains("sk-"),
            "{name}: {again}"
        );
    }
    for name in [
        "024_users_update_role",
        "025_users_update_role_invalid",
        "025b_users_update_role_restore",
    ] {
        let user: User = parse(&load(name));
        assert!(!user.id.is_empty());
    }
    // The server stores any role string; the client keeps it as it is.
    let odd: User = parse(&load("025_users_update_role_invalid"));
    assert_eq!(odd.role.as_str(), "superuser");
    assert!(
        !odd.role.is_verified(),
        "an unknown role behaves like pending"
    );
}

#[test]
fn admin_add_parses_without_keeping_the_new_users_token() {
    let c = load("022_auths_add_user");
    assert!(c.body["token"].is_string());
    let added: AddedUser = parse(&c);
    assert_eq!(added.role.as_str(), "pending");
    let again = serde_json::to_string(&added).expect("serialize");
    assert!(!again.contains("token"), "{again}");
}

#[test]
fn captured_errors_are_classified_by_status_and_detail() {
    let expect = |name: &str, check: &dyn Fn(&ApiError) -> bool| {
        let e = classify(&load(name));
        assert!(check(&e), "{name} classified as {e:?}");
    };
    expect("100_err_no_token", &|e| {
        matches!(
            e,
            ApiError::NotAuthenticated {
                reason: AuthFailure::Missing,
                ..
            }
        )
    });
    expect("101_err_bad_token", &|e| {
        matches!(
            e,
            ApiError::NotAuthenticated {
                reason: AuthFailure::InvalidToken,
                ..
            }
        )
    });
    expect("102_err_non_admin_token", &|e| {
        matches!(e, ApiError::Forbidden { status: 401, .. })
    });
    expect(
        "103_err_validation",
        &|e| matches!(e, ApiError::Validation { issues } if issues.len() == 2 && issues[0].to_string() == "body.name: Field required"),
    );
    expect("104_err_bad_password", &|e| {
        e.is_wrong_credentials() && e.code() == "wrong_credentials"
    });
    expect("105_err_unknown_route", &|e| {
        matches!(e, ApiError::NotFound { status: 404, .. })
    });
    expect("106_err_method_not_allowed", &|e| {
        matches!(e, ApiError::Rejected { status: 405, .. })
    });
    expect("012_auths_signup_when_admin_exists", &|e| {
        e.known() == Some(KnownDetail::PasswordTooWeak)
    });
    expect("023_auths_add_user_duplicate", &|e| {
        e.known() == Some(KnownDetail::EmailTaken)
    });
    expect("025c_users_update_role_self", &|e| {
        matches!(e, ApiError::Forbidden { status: 403, .. })
            && e.known() == Some(KnownDetail::ActionProhibited)
    });
    expect("035_groups_get_missing", &|e| {
        matches!(e, ApiError::NotFound { status: 401, .. })
    });
    expect("077_auths_admin_sa_unknown", &|e| {
        matches!(e, ApiError::NotFound { status: 400, .. })
    });
    expect("099_err_license_required", &|e| {
        e.known() == Some(KnownDetail::LicenseRequired)
    });
}

#[test]
fn every_captured_error_has_a_detail_and_a_class() {
    let mut errors = 0;
    for entry in std::fs::read_dir(captured_dir()).expect("captured dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_owned();
        let c = load(&name);
        if c.status >= 400 {
            errors += 1;
            assert!(c.body.get("detail").is_some(), "{name}: no detail");
            let e = classify(&c);
            assert!(
                !matches!(e, ApiError::UnexpectedResponse { .. }),
                "{name}: {e:?}"
            );
        }
    }
    assert!(errors >= 15, "only {errors} error captures found");
}

#[test]
fn vendored_copy_matches_the_shared_contract() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cloosphere-api/captured");
    if !shared.is_dir() {
        // CI clones the repository alone; the copy here is then the contract.
        return;
    }
    let list = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        list(&captured_dir()),
        list(&shared),
        "captured files differ in name"
    );
    for name in list(&shared) {
        let a = std::fs::read(captured_dir().join(&name)).expect("vendored");
        let b = std::fs::read(shared.join(&name)).expect("shared");
        assert!(
            a == b,
            "{name} differs from the shared contract: copy it again"
        );
    }
}

/// Documented examples of endpoints no capture covers (copied from the contract's `examples/`).
fn example<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contract/examples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn usage_examples_parse() {
    let rows: Vec<cloo_api::ModelUsage> = example("users.usage_by_model.json");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].source, "group:Engineering");
    assert_eq!((rows[2].used, rows[2].limit), (0, 1000));
    let limits: cloo_api::UserLimits = example("users.usage_limit.json");
    assert_eq!(limits.daily_used, 18450);
    assert_eq!(limits.per_model.get("gpt-4o-mini"), Some(&0));
}

#[test]
fn organization_examples_parse() {
    let permissions: cloo_api::UnitPermissions = example("org-unit-permissions.json");
    let knowledge = &permissions.permissions["knowledge"];
    assert!(knowledge.iter().any(|g| g.inherited) && knowledge.iter().any(|g| !g.inherited));
    assert_eq!(permissions.permissions.len(), 7, "seven resource kinds");
    let result: cloo_api::ImportResult = example("org-import-result.json");
    assert_eq!(result.result.units["deleted"], 1);
    let unit: cloo_api::OrgUnit = example("org-unit.json");
    assert!(
        unit.meta
            .as_ref()
            .is_some_and(|m| m.get("usage_limit").is_some())
    );
    let org: cloo_api::Organization = example("org-organization.json");
    assert!(!org.tenant_id.is_empty());
    let tree: Vec<serde_json::Value> = example("org-units-tree.json");
    let first: cloo_api::OrgUnit =
        serde_json::from_value(tree[0].clone()).expect("a tree node is a unit");
    assert!(tree[0]["children"].is_array() && !first.id.is_empty());
}
