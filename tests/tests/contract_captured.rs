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

/// The captures' names, in order.
fn capture_names() -> Vec<String> {
    let dir = captured_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the captures are missing at {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    names.sort();
    assert!(
        names.len() >= 80,
        "only {} captures in {}: the contract's captured/ is incomplete",
        names.len(),
        dir.display()
    );
    names
}

/// How each captured success is checked against the client: parsed into its type, or skipped
/// for a stated reason (an endpoint the client does not implement yet).
enum Check {
    Parse(fn(&Value) -> Result<(), String>),
    Skip(&'static str),
}

fn as_type<T: serde::de::DeserializeOwned>(body: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(body.clone())
        .map(drop)
        .map_err(|e| e.to_string())
}

fn tree_of_units(body: &Value) -> Result<(), String> {
    let nodes: Vec<Value> = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
    for node in &nodes {
        as_type::<cloo_api::OrgUnit>(node)?;
        for child in node["children"].as_array().into_iter().flatten() {
            as_type::<cloo_api::OrgUnit>(child)?;
        }
    }
    Ok(())
}

fn permission_object(body: &Value) -> Result<(), String> {
    let tree = cloo_domain::permissions::PermissionTree::from_json(body);
    match ["workspace", "sharing", "chat", "features"]
        .iter()
        .find(|s| !body[**s].is_object())
    {
        Some(missing) => Err(format!("no {missing} section")),
        None if tree.leaves().is_empty() => Err("no permission key".into()),
        None => Ok(()),
    }
}

/// A notification configuration: three lists, each channel named, and a save of it as read
/// (no edit) plannable — every masked secret at its own position.
fn notification_config(body: &Value) -> Result<(), String> {
    use cloo_domain::notifications::{ChannelsAsRead, plan_channels};
    if let Some(missing) = ["emails", "webhooks", "events"]
        .iter()
        .find(|k| !body[**k].is_array())
    {
        return Err(format!("no {missing} list"));
    }
    let read = ChannelsAsRead::from_answer(body);
    if let Some(bad) = read
        .emails
        .iter()
        .chain(&read.webhooks)
        .find(|c| !c["name"].is_string())
    {
        return Err(format!("a channel without a name: {bad}"));
    }
    plan_channels(&read, &[], &[])
        .map(drop)
        .map_err(|r| format!("an unchanged save would be refused: {r:?}"))
}

const SETTINGS: &str = "settings endpoints: issue 11";
const MONITOR: &str = "audit logs and license: issue 13";

fn check_of(name: &str) -> Option<Check> {
    use Check::{Parse, Skip};
    Some(match name {
        "000_health" => Parse(as_type::<Health>),
        "001_api_config_public" => Parse(as_type::<AppConfig>),
        "002_api_version" => Parse(as_type::<VersionInfo>),
        "010_auths_signin" | "011_auths_session_user" => Parse(as_type::<SessionUser>),
        "013_auths_api_key_create" | "014_auths_api_key_get" => Parse(as_type::<ApiKeyResponse>),
        "015_users_list_with_api_key" | "020_users_list" | "021_users_list_paged" => {
            Parse(as_type::<Vec<User>>)
        }
        "022_auths_add_user" => Parse(as_type::<AddedUser>),
        "024_users_update_role"
        | "025_users_update_role_invalid"
        | "025b_users_update_role_restore" => Parse(as_type::<User>),
        "026_users_get_by_id" => Parse(as_type::<cloo_api::UserProfile>),
        "027_users_default_permissions_get" | "028_users_default_permissions_post" => {
            Parse(permission_object)
        }
        "029_users_organizational_units" => Parse(as_type::<Vec<cloo_api::UserUnit>>),
        "030_groups_list" => Parse(as_type::<Vec<cloo_api::Group>>),
        "031_groups_create" | "032_groups_update" | "033_groups_get_by_id" => {
            Parse(as_type::<cloo_api::Group>)
        }
        "034_groups_member_emails" => Parse(as_type::<Vec<cloo_api::MemberEmail>>),
        "040_orgs_list_before_sync" | "043_orgs_list" => {
            Parse(as_type::<Vec<cloo_api::Organization>>)
        }
        "041_orgs_sync_providers" => Skip(
            "the server's own directory sync providers: the console syncs Entra itself (issue 10)",
        ),
        "042_orgs_sync_json" | "049_orgs_sync_json_again" => {
            Parse(as_type::<cloo_api::ImportResult>)
        }
        "044_orgs_units" | "046_orgs_units_by_org" => Parse(as_type::<Vec<cloo_api::OrgUnit>>),
        "045_orgs_units_tree" => Parse(tree_of_units),
        "047_orgs_get_by_id" => Parse(as_type::<cloo_api::Organization>),
        "048_orgs_unit_get_by_id" => Parse(as_type::<cloo_api::OrgUnit>),
        "050_notifications_config_get"
        | "051_notifications_config_post"
        | "052_notifications_config_get_after" => Parse(notification_config),
        "053_notifications_channels" => Skip(
            "channel names for schedule forms: the console reads the whole configuration instead",
        ),
        "055_sr_config" => Parse(as_type::<cloo_api::SrConfig>),
        "060_inquiries_types" => {
            Parse(as_type::<std::collections::BTreeMap<String, cloo_api::InquiryType>>)
        }
        "061_inquiries_create" | "066_inquiries_update" => Parse(as_type::<cloo_api::Inquiry>),
        "063_inquiries_list" | "065_inquiries_me" | "067_inquiries_list_filtered" => {
            Parse(as_type::<Vec<cloo_api::Inquiry>>)
        }
        "064_inquiries_stats" => Parse(as_type::<std::collections::BTreeMap<String, i64>>),
        "070_auths_admin_config_get" | "071_auths_admin_config_post" | "074_configs_version" => {
            Skip(SETTINGS)
        }
        "072_auths_admin_details" => Parse(as_type::<cloo_api::AdminDetails>),
        "073_configs_export" => Parse(as_type::<serde_json::Map<String, Value>>),
        "075_auths_admin_sa" => Parse(as_type::<cloo_api::SuperAdminAnswer>),
        "080_usage_limit_global_get" | "081_usage_limit_global_post" => {
            Parse(as_type::<cloo_api::UsageLimitConfig>)
        }
        "082_usage_limit_user_get"
        | "083_usage_limit_user_post"
        | "089_usage_limit_user_get_after" => Parse(as_type::<cloo_api::UserLimits>),
        "084_usage_limit_group_get"
        | "085_usage_limit_group_post"
        | "086_usage_limit_unit_get"
        | "087_usage_limit_unit_post" => Parse(as_type::<cloo_api::PerModelLimits>),
        "088_usage_limit_user_check" => Parse(as_type::<cloo_api::UsageLimitCheck>),
        "090_audit_logs_list" => Parse(as_type::<cloo_api::AuditPage>),
        "091_audit_logs_stats" => Parse(as_type::<cloo_api::AuditStats>),
        "092_audit_logs_actions" | "093_audit_logs_resource_types" => Parse(as_type::<Vec<String>>),
        "094_audit_logs_auth" | "095_audit_logs_user" | "096_audit_logs_access_control_changes" => {
            Parse(as_type::<Vec<cloo_api::AuditLog>>)
        }
        "097_license_status" | "098_license_enforcement_on" | "099b_license_enforcement_off" => {
            Skip(MONITOR)
        }
        _ => return None,
    })
}

#[test]
fn every_captured_success_parses_into_the_clients_type_or_is_skipped_for_a_reason() {
    let mut parsed = 0;
    let mut skipped = Vec::new();
    for name in capture_names() {
        let c = load(&name);
        if c.status >= 400 {
            continue; // Errors: every_captured_error_has_a_detail_and_a_class.
        }
        match check_of(&name) {
            Some(Check::Parse(parse)) => {
                parse(&c.body).unwrap_or_else(|e| panic!("{name} ({}): {e}", c.endpoint));
                parsed += 1;
            }
            Some(Check::Skip(reason)) => skipped.push(format!("{name}: {reason}")),
            None => panic!(
                "{name} ({}) is neither parsed nor skipped: add it to check_of",
                c.endpoint
            ),
        }
    }
    assert!(parsed >= 40, "only {parsed} captures parsed");
    eprintln!("skipped captures:\n  {}", skipped.join("\n  "));
}

/// The captures vendored here with their SHA-256, so the copy cannot drift unnoticed.
const MANIFEST: &str = "SHA256SUMS";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_vendored_captures_are_the_contracts() {
    // The copy in the repository is checked against its manifest on every run (a clean clone
    // has no ../shared); where the shared contract is found, it must match the same manifest.
    let manifest = std::fs::read_to_string(captured_dir().join(MANIFEST))
        .unwrap_or_else(|e| panic!("{MANIFEST} is missing from the captures: {e}"));
    let listed: Vec<(String, String)> = manifest
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sum, name)| (name.to_owned(), sum.to_owned()))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(captured_dir())
        .expect("captures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != MANIFEST)
        .collect();
    files.sort();
    let names: Vec<String> = listed.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        files, names,
        "the vendored captures and their manifest list different files"
    );
    assert!(names.len() >= 80, "only {} captures listed", names.len());
    for (name, sum) in &listed {
        let bytes = std::fs::read(captured_dir().join(name)).expect("vendored capture");
        assert_eq!(
            &sha256_hex(&bytes),
            sum,
            "{name} changed since the manifest was made"
        );
    }
    let shared = std::env::var_os("CLOOSPHERE_CONTRACT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cloosphere-api")
        })
        .join("captured");
    if shared.is_dir() {
        for (name, sum) in &listed {
            let bytes = std::fs::read(shared.join(name)).unwrap_or_else(|e| {
                panic!("{name} is vendored but not in the shared contract: {e}")
            });
            assert_eq!(
                &sha256_hex(&bytes),
                sum,
                "{name} differs from the shared contract: copy it again"
            );
        }
        let count = std::fs::read_dir(&shared).expect("shared").count();
        assert_eq!(
            count,
            listed.len(),
            "the shared contract has captures not vendored here"
        );
    } else {
        eprintln!(
            "note: the shared contract is not at {}: the vendored copy was checked against its manifest only",
            shared.display()
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
