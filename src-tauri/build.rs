// Every command the UI may call is listed here: Tauri then generates one permission per
// command, and capabilities/main.json grants exactly these to the main window, nothing else.
const COMMANDS: &[&str] = &[
    "startup",
    "list_tenants",
    "test_connection",
    "add_tenant",
    "remove_tenant",
    "open_local_sandbox",
    "whoami",
    "users_page",
    "user_detail",
    "add_user",
    "edit_user",
    "set_role",
    "deletion_impact",
    "delete_user",
    "super_admin",
    "set_super_admin",
    "user_permissions",
    "user_usage",
    "set_user_limit",
    "plan_bulk",
    "apply_bulk",
    "groups",
    "group",
    "create_group",
    "edit_group",
    "delete_group",
    "add_group_members",
    "remove_group_members",
    "set_group_permission",
    "link_group_units",
    "set_group_limit",
    "permission_catalogue",
    "search_units",
    "default_permissions",
    "plan_default_permissions",
    "set_default_permissions",
    "review_user_import",
    "apply_user_import",
    "drop_user_import",
    "organizations",
    "org_children",
    "org_unit",
    "delete_org_unit",
    "review_org_import",
    "apply_org_import",
    "set_org_unit_limit",
    "set_org_unit_guardrails",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
