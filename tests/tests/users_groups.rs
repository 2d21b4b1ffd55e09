//! Users, roles, groups, defaults, Super Admin and limits: the typed client against a sandbox
//! process, every operation and its error paths as the contract gives them.

use cloo_api::{
    ApiError, AuthFailure, GroupUpdateForm, KnownDetail, PerModel, UsageLimitConfig, UsagePeriod,
    User, UserUpdateForm,
};
use cloo_domain::{Role, Secret};
use cloo_tests::SandboxProcess;
use serde_json::{Value, json};

const DEMO_PASSWORD: &str = "Sandbox-Demo-1";

async fn users(sandbox: &SandboxProcess, admin: &Secret) -> Vec<User> {
    sandbox
        .client()
        .list_users(admin, None, None)
        .await
        .expect("users")
}

async fn someone(sandbox: &SandboxProcess, admin: &Secret, role: &str, skip: usize) -> User {
    users(sandbox, admin)
        .await
        .into_iter()
        .filter(|u| u.role.as_str() == role)
        .nth(skip)
        .expect("a demo user")
}

async fn sign_in(sandbox: &SandboxProcess, email: &str) -> Secret {
    sandbox
        .client()
        .signin(email, &Secret::new(DEMO_PASSWORD))
        .await
        .expect("sign-in")
        .token
}

#[tokio::test]
async fn role_changes_follow_the_servers_rules_and_quirks() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let all = users(&sandbox, &admin).await;
    let me = all
        .iter()
        .find(|u| u.email == sandbox.admin_email)
        .expect("me");
    let first = all.iter().min_by_key(|u| u.created_at).expect("first");
    assert_eq!(first.id, me.id, "the demo admin is the first user");

    let own = c
        .update_role(&admin, &me.id, &Role::User)
        .await
        .expect_err("own role");
    assert!(
        matches!(own, ApiError::Forbidden { status: 403, .. })
            && own.known() == Some(KnownDetail::ActionProhibited),
        "{own:?}"
    );
    let unknown = c
        .update_role(&admin, "no-such-user", &Role::User)
        .await
        .expect_err("unknown");
    assert!(
        matches!(unknown, ApiError::NotFound { status: 404, .. }),
        "{unknown:?}"
    );

    // Another admin cannot change the first user's role either.
    let other_admin = someone(&sandbox, &admin, "admin", 1).await;
    let other = sign_in(&sandbox, &other_admin.email).await;
    let first_user = c
        .update_role(&other, &me.id, &Role::Pending)
        .await
        .expect_err("first user");
    assert!(
        matches!(first_user, ApiError::Forbidden { status: 403, .. }),
        "{first_user:?}"
    );

    let pending = someone(&sandbox, &admin, "pending", 0).await;
    let approved = c
        .update_role(&admin, &pending.id, &Role::User)
        .await
        .expect("approve");
    assert_eq!(approved.role, Role::User);
    // The server stores any string (the console never sends one, but must read it).
    let odd = c
        .update_role(&admin, &pending.id, &Role::from_server("superuser"))
        .await
        .expect("stored as given");
    assert_eq!(odd.role.as_str(), "superuser");
    let locked = c
        .signin(&pending.email, &Secret::new(DEMO_PASSWORD))
        .await
        .expect("can sign in")
        .token;
    let e = c
        .my_permissions(&locked)
        .await
        .expect_err("behaves like pending");
    assert!(
        matches!(e, ApiError::Forbidden { status: 401, .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn editing_users_with_the_update_endpoints_quirks() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let target = someone(&sandbox, &admin, "user", 0).await;
    let neighbour = someone(&sandbox, &admin, "user", 1).await;

    let new_password = Secret::new("Brand-New-Pass-9");
    let form = UserUpdateForm {
        name: "Renamed Person",
        email: "Renamed.Person@Demo.Example.com",
        profile_image_url: &target.profile_image_url,
        password: Some(&new_password),
        role: None,
    };
    let edited = c
        .update_user(&admin, &target.id, &form)
        .await
        .expect("edit");
    assert_eq!(edited.name, "Renamed Person");
    assert_eq!(
        edited.email, "renamed.person@demo.example.com",
        "lower-cased"
    );
    assert!(
        c.signin("renamed.person@demo.example.com", &new_password)
            .await
            .is_ok(),
        "the new password works"
    );

    let taken = UserUpdateForm {
        email: &neighbour.email,
        password: None,
        ..form.clone()
    };
    let e = c
        .update_user(&admin, &target.id, &taken)
        .await
        .expect_err("taken");
    assert_eq!(e.known(), Some(KnownDetail::EmailTaken), "{e:?}");
    let e = c
        .update_user(&admin, "no-such-user", &form)
        .await
        .expect_err("unknown");
    assert!(matches!(e, ApiError::NotFound { status: 400, .. }), "{e:?}");
    let long = Secret::new(format!("Aa1{}", "x".repeat(80)));
    let e = c
        .update_user(
            &admin,
            &target.id,
            &UserUpdateForm {
                password: Some(&long),
                ..form.clone()
            },
        )
        .await
        .expect_err("too long");
    assert!(matches!(e, ApiError::Server { status: 500, .. }), "{e:?}");

    let profile = c.user_profile(&admin, &target.id).await.expect("profile");
    assert_eq!(profile.name, "Renamed Person");
    let e = c
        .user_profile(&admin, "nobody")
        .await
        .expect_err("unknown profile");
    assert!(matches!(e, ApiError::NotFound { status: 400, .. }), "{e:?}");
    let hits = c.search_users(&admin, "renamed", 50).await.expect("search");
    assert_eq!(hits.len(), 1);
    assert!(
        c.search_users(&admin, "  ", 50)
            .await
            .expect("blank")
            .is_empty()
    );
}

#[tokio::test]
async fn deleting_users() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let me = users(&sandbox, &admin)
        .await
        .into_iter()
        .find(|u| u.email == sandbox.admin_email)
        .expect("me");
    let e = c.delete_user(&admin, &me.id).await.expect_err("self");
    assert_eq!(e.known(), Some(KnownDetail::ActionProhibited), "{e:?}");
    let e = c
        .delete_user(&admin, "no-such-user")
        .await
        .expect_err("unknown");
    assert!(
        matches!(e, ApiError::Server { status: 500, .. }),
        "an unknown id is a 500: {e:?}"
    );

    let doomed = someone(&sandbox, &admin, "user", 2).await;
    let group = c
        .create_group(&admin, "Doomed's team", "", None)
        .await
        .expect("group");
    let mut form = GroupUpdateForm::from_group(&group);
    form.user_ids = Some(vec![doomed.id.clone()]);
    c.update_group(&admin, &group.id, &form)
        .await
        .expect("add member");
    let token = sign_in(&sandbox, &doomed.email).await;
    assert!(c.delete_user(&admin, &doomed.id).await.expect("delete"));
    assert!(
        c.group(&admin, &group.id)
            .await
            .expect("group")
            .user_ids
            .is_empty(),
        "removed from groups"
    );
    let e = c.session_user(&token).await.expect_err("her token is dead");
    assert!(
        matches!(
            e,
            ApiError::NotAuthenticated {
                reason: AuthFailure::SessionExpired,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn groups_crud_with_whole_object_replacement() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let member = someone(&sandbox, &admin, "user", 3).await;

    let g = c
        .create_group(
            &admin,
            "Data Team",
            "analysts",
            Some(&json!({"workspace": {"knowledge": "write"}})),
        )
        .await
        .expect("create");
    assert!(g.user_ids.is_empty() && g.meta.is_none());
    assert_eq!(
        c.list_groups(&admin).await.expect("list")[0].id,
        g.id,
        "newest update first"
    );

    let limits: PerModel = [("gpt-4o".to_owned(), 450_000)].into_iter().collect();
    assert_eq!(
        c.set_group_limits(&admin, &g.id, &limits)
            .await
            .expect("limits"),
        limits
    );
    let with_limits = c.group(&admin, &g.id).await.expect("get");
    assert_eq!(with_limits.limits(), limits);

    // Sending meta with only org_unit_ids replaces meta whole: the usage limit is wiped.
    let mut careless = GroupUpdateForm::from_group(&with_limits);
    careless.meta = Some(json!({"org_unit_ids": []}));
    careless.user_ids = Some(vec![member.id.clone(), "no-such-user".into()]);
    let after = c
        .update_group(&admin, &g.id, &careless)
        .await
        .expect("update");
    assert!(
        after.limits().is_empty(),
        "the server's meta replacement drops usage_limit"
    );
    assert_eq!(
        after.user_ids,
        vec![member.id.clone()],
        "unknown ids are dropped"
    );
    // Read-modify-write keeps it.
    c.set_group_limits(&admin, &g.id, &limits)
        .await
        .expect("limits again");
    let current = c.group(&admin, &g.id).await.expect("get");
    let mut careful = GroupUpdateForm::from_group(&current);
    careful.description = "analysts and scientists".into();
    assert_eq!(
        c.update_group(&admin, &g.id, &careful)
            .await
            .expect("update")
            .limits(),
        limits
    );

    let names = c
        .group_names(&admin, &[g.id.clone(), "nope".into()])
        .await
        .expect("names");
    assert_eq!(names.len(), 1);
    assert_eq!(
        c.group_member_emails(&admin, &g.id).await.expect("emails")[0].email,
        member.email
    );

    let e = c.group(&admin, "no-such-group").await.expect_err("unknown");
    assert!(
        matches!(e, ApiError::NotFound { status: 401, .. }),
        "yes, 401: {e:?}"
    );
    assert!(!e.needs_sign_in());
    let e = c
        .update_group(&admin, "no-such-group", &careful)
        .await
        .expect_err("unknown update");
    assert!(matches!(e, ApiError::Rejected { status: 400, .. }), "{e:?}");
    let e = c
        .group_limits(&admin, "no-such-group")
        .await
        .expect_err("unknown limits");
    assert!(matches!(e, ApiError::NotFound { status: 404, .. }), "{e:?}");
    assert!(c.delete_group(&admin, &g.id).await.expect("delete"));
    let e = c.delete_group(&admin, &g.id).await.expect_err("gone");
    assert!(matches!(e, ApiError::Rejected { status: 400, .. }), "{e:?}");
}

#[tokio::test]
async fn delegation_through_groups_and_its_escalation_path() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let helper = someone(&sandbox, &admin, "user", 4).await;
    let token = sign_in(&sandbox, &helper.email).await;
    let e = c
        .list_users(&token, None, None)
        .await
        .expect_err("plain user");
    assert!(
        matches!(e, ApiError::Forbidden { status: 401, .. }),
        "{e:?}"
    );

    // admin.users = access: every group endpoint, but not the users router.
    let desk = c
        .create_group(
            &admin,
            "Helpdesk",
            "",
            Some(&json!({"admin": {"users": "access"}})),
        )
        .await
        .expect("group");
    let mut form = GroupUpdateForm::from_group(&desk);
    form.user_ids = Some(vec![helper.id.clone()]);
    c.update_group(&admin, &desk.id, &form)
        .await
        .expect("member");
    assert!(
        c.list_users(&token, None, None).await.is_err(),
        "access is not read for the users router"
    );
    let own = c
        .create_group(
            &token,
            "Self-made",
            "",
            Some(&json!({"admin": {"users": "write"}})),
        )
        .await
        .expect("she can create groups");
    let mut escalate = GroupUpdateForm::from_group(&own);
    escalate.user_ids = Some(vec![helper.id.clone()]);
    c.update_group(&token, &own.id, &escalate)
        .await
        .expect("and add herself");
    // …and now has full user administration: the escalation groups.md warns about.
    assert_eq!(
        c.list_users(&token, None, None).await.expect("users").len(),
        200
    );
    let perms = c.my_permissions(&token).await.expect("permissions");
    assert_eq!(perms["admin"]["users"], "write");
    // Still never admin-only endpoints.
    let e = c
        .set_super_admin(&token, &sandbox.admin_email)
        .await
        .expect_err("admin only");
    assert!(
        matches!(e, ApiError::Forbidden { status: 401, .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn ou_linked_groups_reach_members_of_descendant_units() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let engineer = someone(&sandbox, &admin, "user", 5).await;
    let org = c
        .create_organization(&admin, &json!({"tenant_id": "t-1", "name": "Contoso"}))
        .await
        .expect("org");
    let eng = c
        .create_org_unit(
            &admin,
            &json!({"organization_id": org.id, "name": "Engineering", "level": 0}),
        )
        .await
        .expect("eng");
    let backend = c
        .create_org_unit(
            &admin,
            &json!({"organization_id": org.id, "name": "Backend", "parent_id": eng.id, "level": 1,
            "meta": {"members": [{"email": engineer.email.to_uppercase()}]}}),
        )
        .await
        .expect("backend");
    // The demo organization may hold her too: only this organization's units are looked at.
    let units: Vec<_> = c
        .user_units(&admin, &engineer.id)
        .await
        .expect("units")
        .into_iter()
        .filter(|u| u.organization_name.as_deref() == Some("Contoso"))
        .collect();
    assert_eq!(
        units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        [backend.id.as_str()],
        "direct units only"
    );
    assert_eq!(units[0].organization_name.as_deref(), Some("Contoso"));

    let group = c
        .create_group(
            &admin,
            "Engineers",
            "",
            Some(&json!({"workspace": {"tools": "write"}})),
        )
        .await
        .expect("group");
    let mut form = GroupUpdateForm::from_group(&group);
    form.meta = Some(json!({"org_unit_ids": [eng.id]}));
    c.update_group(&admin, &group.id, &form)
        .await
        .expect("link");
    let token = sign_in(&sandbox, &engineer.email).await;
    assert_eq!(
        c.my_permissions(&token).await.expect("perms")["workspace"]["tools"],
        "write"
    );
    assert!(c.org_units(&admin).await.expect("units").len() >= 2);
}

#[tokio::test]
async fn default_permissions_replace_whole_and_refuse_booleans() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let before = c.default_permissions(&admin).await.expect("get");
    assert_eq!(
        before["admin"]["functions"], "none",
        "shown though absent from effective permissions"
    );
    assert_eq!(before["workspace"]["tags"], "write");

    let stored = c
        .set_default_permissions(&admin, &json!({"workspace": {"agents": "read"}}))
        .await
        .expect("post");
    assert_eq!(stored["workspace"]["agents"], "read");
    assert_eq!(
        stored["workspace"]["tags"], "none",
        "omitted keys take POST defaults"
    );
    assert_eq!(stored["sharing"]["public_agents"], true);
    assert!(stored["features"].get("gmail").is_none());

    let e = c
        .set_default_permissions(&admin, &json!({"workspace": {"agents": true}}))
        .await
        .expect_err("boolean");
    let ApiError::Validation { issues } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(issues[0].kind, "literal_error");
    assert_eq!(
        issues[0].to_string(),
        "body.workspace.agents: Input should be 'none', 'access', 'read' or 'write'"
    );

    // Stored defaults are a floor for every user, but never delegate admin rights.
    c.set_default_permissions(&admin, &json!({"admin": {"users": "read"}}))
        .await
        .expect("post");
    let user = someone(&sandbox, &admin, "user", 6).await;
    let token = sign_in(&sandbox, &user.email).await;
    assert_eq!(
        c.my_permissions(&token).await.expect("perms")["admin"]["users"],
        "read"
    );
    assert!(
        c.list_users(&token, None, None).await.is_err(),
        "defaults never delegate"
    );
}

#[tokio::test]
async fn super_admin_and_admin_details() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let first = c.admin_details(&admin).await.expect("details");
    assert_eq!(
        first.email.as_deref(),
        Some(sandbox.admin_email.as_str()),
        "unset: the first user"
    );

    let other = someone(&sandbox, &admin, "admin", 1).await;
    assert_eq!(
        c.set_super_admin(&admin, &other.email.to_uppercase())
            .await
            .expect("set"),
        other.email
    );
    assert_eq!(
        c.admin_details(&admin)
            .await
            .expect("details")
            .email
            .as_deref(),
        Some(other.email.as_str())
    );
    let plain = someone(&sandbox, &admin, "user", 0).await;
    let e = c
        .set_super_admin(&admin, &plain.email)
        .await
        .expect_err("not an admin");
    assert!(
        matches!(&e, ApiError::Rejected { status: 400, detail } if detail == "[ERROR: User must have admin role]"),
        "{e:?}"
    );
    let e = c
        .set_super_admin(&admin, "nobody@example.com")
        .await
        .expect_err("unknown");
    assert!(matches!(e, ApiError::NotFound { status: 400, .. }), "{e:?}");
    // Demoting the Super Admin does not clear the designation.
    c.update_role(&admin, &other.id, &Role::User)
        .await
        .expect("demote");
    assert_eq!(
        c.admin_details(&admin)
            .await
            .expect("details")
            .email
            .as_deref(),
        Some(other.email.as_str())
    );
}

#[tokio::test]
async fn usage_limits_at_every_level() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let config = c.usage_limit_config(&admin).await.expect("config");
    assert!(!config.enabled, "off by default");
    let on = UsageLimitConfig {
        enabled: true,
        default_daily_tokens: 100_000,
        exceed_action: "block".into(),
        per_model: [("gpt-4o".to_owned(), 50_000)].into_iter().collect(),
    };
    assert_eq!(
        c.set_usage_limit_config(&admin, &on).await.expect("set"),
        on
    );

    let user = someone(&sandbox, &admin, "user", 7).await;
    let token = sign_in(&sandbox, &user.email).await;
    let check = c.check_usage_limit(&token, "gpt-4o").await.expect("check");
    assert_eq!(
        (check.allowed, check.daily_limit, check.source.as_str()),
        (true, 50_000, ""),
        "no source under the limit"
    );
    assert_eq!(
        c.check_usage_limit(&token, "other-model")
            .await
            .expect("check")
            .daily_limit,
        100_000
    );

    let group = c
        .create_group(&admin, "Sales", "", None)
        .await
        .expect("group");
    let mut form = GroupUpdateForm::from_group(&group);
    form.user_ids = Some(vec![user.id.clone()]);
    c.update_group(&admin, &group.id, &form)
        .await
        .expect("member");
    c.set_group_limits(
        &admin,
        &group.id,
        &[("gpt-4o".to_owned(), 450_000)].into_iter().collect(),
    )
    .await
    .expect("group limit");
    assert_eq!(
        c.check_usage_limit(&token, "gpt-4o")
            .await
            .expect("check")
            .daily_limit,
        450_000,
        "most permissive"
    );

    let zero: PerModel = [("gpt-4o".to_owned(), 0)].into_iter().collect();
    assert_eq!(
        c.set_user_limits(&admin, &user.id, &zero)
            .await
            .expect("user limit")
            .per_model,
        zero
    );
    assert_eq!(
        c.check_usage_limit(&token, "gpt-4o")
            .await
            .expect("check")
            .daily_limit,
        0,
        "0 = unlimited wins"
    );
    assert_eq!(
        c.user_limits(&admin, &user.id)
            .await
            .expect("get")
            .per_model,
        zero
    );
    assert!(
        c.set_user_limits(&admin, &user.id, &PerModel::new())
            .await
            .expect("clear")
            .per_model
            .is_empty()
    );

    // A null value is a 422, as on the server.
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/users/{}/usage-limit",
            sandbox.url, user.id
        ))
        .bearer_auth(admin.expose())
        .json(&json!({"per_model": {"gpt-4o": null}}))
        .send()
        .await
        .expect("send");
    assert_eq!(raw.status(), 422);
    let body: Value = raw.json().await.expect("json");
    assert_eq!(body["detail"][0]["type"], "int_type");
    assert_eq!(
        body["detail"][0]["loc"],
        json!(["body", "per_model", "gpt-4o"])
    );
    // Admins are never limited.
    assert_eq!(
        c.check_usage_limit(&admin, "gpt-4o")
            .await
            .expect("check")
            .daily_limit,
        0
    );
}

#[tokio::test]
async fn todays_usage_by_model_counts_the_quota_and_reports_limits() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let config = UsageLimitConfig {
        enabled: true,
        default_daily_tokens: 1_000,
        exceed_action: "block".into(),
        per_model: [("gpt-4o".to_owned(), 300)].into_iter().collect(),
    };
    c.set_usage_limit_config(&admin, &config)
        .await
        .expect("set");

    // Someone who used GPT-4o today (the demo seeds a day's worth of chats).
    let mut found = None;
    for u in users(&sandbox, &admin)
        .await
        .into_iter()
        .filter(|u| u.role.as_str() == "user")
    {
        let rows = c
            .usage_by_model(&admin, &u.id, UsagePeriod::Today)
            .await
            .expect("usage");
        if rows.iter().any(|r| r.model_id == "gpt-4o" && r.used > 0) {
            found = Some((u, rows));
            break;
        }
    }
    let (user, today) = found.expect("a demo user who chatted with GPT-4o today");
    assert!(
        today.windows(2).all(|w| w[0].used >= w[1].used),
        "busiest first: {today:?}"
    );
    assert_eq!(
        today.len(),
        4,
        "every base model has a limit today, agents none"
    );
    for row in &today {
        let (limit, source) = if row.model_id == "gpt-4o" {
            (300, "global:per_model")
        } else {
            (1_000, "global:default")
        };
        assert_eq!((row.limit, row.source.as_str()), (limit, source), "{row:?}");
    }
    // The day's total counts everything (background tasks too), the quota only some types.
    let total = c
        .user_limits(&admin, &user.id)
        .await
        .expect("limits")
        .daily_used;
    assert!(total >= today.iter().map(|r| r.used).sum::<i64>());
    let week = c
        .usage_by_model(&admin, &user.id, UsagePeriod::Week)
        .await
        .expect("week");
    for row in &today {
        let w = week.iter().find(|w| w.model_id == row.model_id);
        assert!(w.map_or(row.used == 0, |w| w.used >= row.used
            && w.limit == 0
            && w.source.is_empty()));
    }
    // Her own check sees the same number, and she is over GPT-4o's cap of 300.
    let token = sign_in(&sandbox, &user.email).await;
    let check = c.check_usage_limit(&token, "gpt-4o").await.expect("check");
    let used = today
        .iter()
        .find(|r| r.model_id == "gpt-4o")
        .map(|r| r.used);
    assert_eq!(Some(check.daily_used), used);
    assert_eq!(
        (check.allowed, check.action.as_str(), check.source.as_str()),
        (false, "block", "global:per_model")
    );
    // A pending newcomer has used nothing, yet every model shows its limit.
    let newcomer = someone(&sandbox, &admin, "pending", 0).await;
    let rows = c
        .usage_by_model(&admin, &newcomer.id, UsagePeriod::Today)
        .await
        .expect("usage");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.used == 0));
}
