//! The console's use cases against a sandbox process: bulk actions (a plan naming who is
//! refused and why, exactly that plan applied, a plan the deployment outran refused before any
//! write) and a user's day of usage explained by the rules engine.

use cloo_console::users::{BulkAction, EditUserRequest};
use cloo_console::{Console, ErrorCode, Observer, Target};
use cloo_domain::Role;
use cloo_tests::SandboxProcess;

async fn console(sandbox: &SandboxProcess) -> (Console, Target, tempfile::TempDir) {
    cloo_tests::direct_console(sandbox).await
}

/// Ids of `n` demo users with `role`, oldest first, and the admin's own id.
async fn pick(sandbox: &SandboxProcess, role: &str, n: usize) -> (Vec<String>, String) {
    let users = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users");
    let me = users
        .iter()
        .find(|u| u.email == sandbox.admin_email)
        .expect("me")
        .id
        .clone();
    let ids = users
        .iter()
        .filter(|u| u.role.as_str() == role && u.id != me)
        .take(n)
        .map(|u| u.id.clone())
        .collect();
    (ids, me)
}

async fn role_of(sandbox: &SandboxProcess, id: &str) -> String {
    sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.role.as_str().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn bulk_role_change_refuses_own_role_and_does_exactly_the_plan() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (mut ids, me) = pick(&sandbox, "pending", 3).await;
    ids.push(me.clone());
    let action = BulkAction::SetRole {
        role: "user".into(),
    };
    let plan = console
        .users()
        .plan_bulk(&target, &action, &ids)
        .await
        .expect("plan");
    assert_eq!(plan.items.len(), 4);
    let refused: Vec<_> = plan.items.iter().filter(|i| i.refused.is_some()).collect();
    assert_eq!(refused.len(), 1, "{plan:#?}");
    assert_eq!(refused[0].user_id, me);
    assert!(
        plan.items[0].change.contains("pending → user"),
        "{:?}",
        plan.items[0]
    );

    let results = console
        .users()
        .apply_bulk(&target, &plan.id, None, None, &Observer::quiet())
        .await
        .expect("apply");
    assert_eq!(results.len(), 4);
    assert_eq!(results.iter().filter(|r| r.outcome == "done").count(), 3);
    assert_eq!(results.iter().filter(|r| r.outcome == "refused").count(), 1);
    for id in &ids[..3] {
        assert_eq!(role_of(&sandbox, id).await, "user");
    }
    assert_eq!(role_of(&sandbox, &me).await, "admin");
}

#[tokio::test]
async fn a_plan_the_deployment_outran_is_refused_before_any_write() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (ids, _) = pick(&sandbox, "pending", 2).await;
    let action = BulkAction::SetRole {
        role: "admin".into(),
    };
    let plan = console
        .users()
        .plan_bulk(&target, &action, &ids)
        .await
        .expect("plan");
    // Someone else changes the second user in the meantime.
    sandbox
        .client()
        .update_role(&sandbox.admin_token().await, &ids[1], &Role::User)
        .await
        .expect("role");
    let refused = console
        .users()
        .apply_bulk(&target, &plan.id, None, None, &Observer::quiet())
        .await
        .expect_err("stale");
    assert_eq!(refused.code(), ErrorCode::StalePlan, "{refused:?}");
    assert_eq!(refused.view().changed_count, Some(1));
    assert_eq!(
        role_of(&sandbox, &ids[0]).await,
        "pending",
        "nothing written"
    );
}

#[tokio::test]
async fn bulk_add_to_group_and_bulk_delete() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (ids, me) = pick(&sandbox, "user", 4).await;
    console
        .groups()
        .create(
            &target,
            "Bulk Team",
            "made by a test",
            None,
            &Observer::quiet(),
        )
        .await
        .expect("group");
    console
        .groups()
        .add_members(&target, "Bulk Team", &ids[..1], &Observer::quiet())
        .await
        .expect("first member");

    let add = BulkAction::AddToGroup {
        group: "Bulk Team".into(),
    };
    let plan = console
        .users()
        .plan_bulk(&target, &add, &ids)
        .await
        .expect("plan");
    assert_eq!(
        plan.items[0].refused.as_deref(),
        Some("already a member"),
        "{plan:#?}"
    );
    let results = console
        .users()
        .apply_bulk(&target, &plan.id, None, None, &Observer::quiet())
        .await
        .expect("apply");
    assert_eq!(results.iter().filter(|r| r.outcome == "done").count(), 3);
    let group = console
        .groups()
        .get(&target, "Bulk Team")
        .await
        .expect("group");
    let mut members: Vec<_> = group.members.iter().map(|m| m.id.clone()).collect();
    members.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(members, want);

    let delete = BulkAction::Delete;
    let mut doomed = ids[2..].to_vec();
    doomed.push(me.clone());
    let plan = console
        .users()
        .plan_bulk(&target, &delete, &doomed)
        .await
        .expect("plan");
    assert_eq!(plan.confirmation.as_deref(), Some("delete 2"));
    let guard = plan.deletion.expect("a deletion guard");
    assert_eq!((guard.deletes, guard.existing), (2, 200), "{guard:?}");
    assert!(!guard.needs_allowance, "2 of 200 is within 10%");
    // The typed confirmation is checked in the core: a wrong one writes nothing.
    let mistyped = console
        .users()
        .apply_bulk(
            &target,
            &plan.id,
            Some("delete 3"),
            None,
            &Observer::quiet(),
        )
        .await
        .expect_err("mistyped");
    assert_eq!(mistyped.code(), ErrorCode::ConfirmationMismatch);
    assert_eq!(mistyped.view().expected.as_deref(), Some("delete 2"));
    let results = console
        .users()
        .apply_bulk(
            &target,
            &plan.id,
            Some("delete 2"),
            None,
            &Observer::quiet(),
        )
        .await
        .expect("apply");
    assert_eq!(results.iter().filter(|r| r.outcome == "done").count(), 2);
    let left = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users");
    assert!(left.iter().all(|u| !ids[2..].contains(&u.id)));
    assert!(left.iter().any(|u| u.id == me), "never oneself");
}

#[tokio::test]
async fn a_users_day_with_limits_the_engine_explains_as_the_server_computes_them() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    c.set_usage_limit_config(
        &admin,
        &cloo_api::UsageLimitConfig {
            enabled: true,
            default_daily_tokens: 2_000,
            exceed_action: "warn".into(),
            per_model: [("claude-sonnet".to_owned(), 500)].into_iter().collect(),
        },
    )
    .await
    .expect("config");
    let (ids, _) = pick(&sandbox, "user", 1).await;
    console
        .groups()
        .create(&target, "Heavy Users", "", None, &Observer::quiet())
        .await
        .expect("group");
    console
        .groups()
        .add_members(&target, "Heavy Users", &ids, &Observer::quiet())
        .await
        .expect("member");
    console
        .groups()
        .set_limit(
            &target,
            "Heavy Users",
            "gpt-4o",
            Some(90_000),
            &Observer::quiet(),
        )
        .await
        .expect("group limit");
    console
        .users()
        .set_limit(&target, &ids[0], "solar-pro", Some(0), &Observer::quiet())
        .await
        .expect("user limit");

    let day = console
        .users()
        .get_usage(&target, &ids[0])
        .await
        .expect("usage");
    assert_eq!(day.enabled, Some(true));
    assert!(!day.is_admin);
    let row = |m: &str| {
        day.models
            .iter()
            .find(|r| r.model_id == m)
            .unwrap_or_else(|| panic!("{m} in {day:#?}"))
    };
    assert_eq!(
        (row("gpt-4o").limit, row("gpt-4o").source.as_str()),
        (90_000, "group:Heavy Users")
    );
    assert!(row("gpt-4o").explanation.contains("Heavy Users"));
    assert_eq!(
        (
            row("claude-sonnet").limit,
            row("claude-sonnet").source.as_str()
        ),
        (500, "global:per_model"),
        "a global per-model entry replaces the global default, even when lower"
    );
    assert!(
        day.models
            .iter()
            .all(|r| r.model_id != "solar-pro" || r.used > 0),
        "unlimited and unused: left out as the server does"
    );
    for r in &day.models {
        assert_eq!(r.mismatch, None, "{r:?}");
    }
}

#[tokio::test]
async fn an_embedded_avatar_is_not_kept_yet_survives_an_edit() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = console(&sandbox).await;
    let (ids, _) = pick(&sandbox, "user", 1).await;
    let (c, admin) = (sandbox.client(), sandbox.admin_token().await);
    let user = c
        .list_users(&admin, None, None)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.id == ids[0])
        .expect("her");
    let avatar = format!("data:image/png;base64,{}", "A".repeat(60_000));
    c.update_user(
        &admin,
        &user.id,
        &cloo_api::UserUpdateForm {
            name: &user.name,
            email: &user.email,
            profile_image_url: &avatar,
            password: None,
            role: None,
        },
    )
    .await
    .expect("avatar");

    let detail = console
        .users()
        .get(&target, &user.id)
        .await
        .expect("detail");
    assert_eq!(
        detail.user.profile_image_url,
        "[embedded image of 59 KB, not kept by the console]"
    );
    console
        .users()
        .edit(
            &target,
            &user.id,
            &EditUserRequest {
                name: Some("Renamed By Test".into()),
                ..Default::default()
            },
            &Observer::quiet(),
        )
        .await
        .expect("edit");
    let after = c.user_profile(&admin, &user.id).await.expect("profile");
    assert_eq!(after.name, "Renamed By Test");
    assert_eq!(after.profile_image_url, avatar, "the avatar is untouched");
}
