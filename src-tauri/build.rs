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
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
