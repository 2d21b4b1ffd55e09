//! End to end in a real window: the desktop app under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. `./dev test` builds the app and runs these with `--ignored` inside Xvfb and a
//! D-Bus session with a real keychain.
#![cfg(unix)]

use cloo_tests::{SandboxProcess, binary, data_dir, test_keychain_service, wait_until};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// tauri-driver on a free port, stopped (with its WebKitWebDriver) on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(data: &Path, keychain_service: &str) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(tauri_driver())
            // Its own process group, so the app it launches goes down with it.
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // The app inherits these through the driver.
            .env("CLOOCTL_DATA_DIR", data)
            .env("CLOOCTL_KEYCHAIN_SERVICE", keychain_service)
            .env("CONSOLE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver --locked)");
        assert!(
            wait_until(WAIT, || TcpStream::connect(("127.0.0.1", port)).is_ok()),
            "tauri-driver did not listen"
        );
        Driver { child, port }
    }

    async fn launch(&self, args: &[&str]) -> Client {
        let app = binary("cloosphere-console").expect("the desktop app (./dev test builds it)");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({"application": app.to_string_lossy(), "args": args}),
        );
        caps.insert("browserName".into(), json!("wry"));
        // tauri-driver listens before WebKitWebDriver behind it is ready; a session request that
        // arrives too early is dropped mid-answer (IncompleteMessage). Ask again, briefly.
        let mut last = None;
        for _ in 0..4 {
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(e) => {
                    last = Some(e.to_string());
                    tokio::time::sleep(Duration::from_millis(750)).await;
                }
            }
        }
        panic!(
            "no WebDriver session on the app: {}",
            last.unwrap_or_default()
        )
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver stops WebKitWebDriver only on TERM/INT/QUIT; a test that failed before
        // closing its session leaves the app running, so the whole group is signalled.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        if !wait_until(Duration::from_secs(5), || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        }) {
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        }
        let _ = self.child.wait();
    }
}

fn tauri_driver() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let installed = format!("{home}/.cargo/bin/tauri-driver");
    if Path::new(&installed).exists() {
        installed
    } else {
        "tauri-driver".into()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The element's rendered text as the browser computes it (`innerText`: no hidden text).
/// WebDriver's own text atom drops ellipsis-styled spans that are plainly on screen.
async fn rendered_text(client: &Client, css: &str) -> Option<String> {
    let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
    match client.execute(script, vec![json!(css)]).await {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Waits for an element whose rendered text contains `text`.
async fn wait_text(client: &Client, css: &str, text: &str) -> String {
    let start = Instant::now();
    let mut last = String::from("(no such element)");
    loop {
        if let Some(t) = rendered_text(client, css).await {
            if t.contains(text) {
                return t;
            }
            last = t;
        }
        assert!(
            start.elapsed() < WAIT,
            "{css} never showed {text:?}; last: {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until an element's rendered text no longer contains `text`; returns the text then.
async fn wait_text_gone(client: &Client, css: &str, text: &str) -> String {
    let start = Instant::now();
    loop {
        let now = rendered_text(client, css).await.unwrap_or_default();
        if !now.contains(text) {
            return now;
        }
        assert!(
            start.elapsed() < WAIT,
            "{css} still shows {text:?}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an element and clicks it.
///
/// A disabled control is waited on until it is enabled: WebKit's WebDriver can return from
/// typing before the page has reacted to the input, and a click on a button that is still
/// disabled is silently dropped.
async fn click(client: &Client, css: &str) {
    let element = wait_for(client, css).await;
    let start = Instant::now();
    while !element.is_enabled().await.unwrap_or(true) {
        assert!(start.elapsed() < WAIT, "{css} never became enabled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// Clicks "Test connection" and waits for the error box to show `title` with code `code`.
async fn test_fails_with(app: &Client, code: &str, title: &str) {
    click(app, "[data-testid=test-connection]").await;
    wait_text(app, "[data-testid=add-error]", title).await;
    let error = wait_for(app, "[data-testid=add-error]").await;
    assert_eq!(
        error.attr("data-code").await.expect("attr").as_deref(),
        Some(code)
    );
}

/// Replaces the text of a form field.
async fn retype(form: &fantoccini::elements::Element, name: &str, text: &str) {
    let field = form
        .find(Locator::Css(&format!("input[name={name}]")))
        .await
        .unwrap_or_else(|e| panic!("field {name}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
}

/// How many pending users the deployment has, read over HTTP.
async fn pending_count(sandbox: &SandboxProcess) -> usize {
    let token = sandbox.admin_token().await;
    let users = sandbox
        .client()
        .list_users(&token, None, None)
        .await
        .expect("users");
    users
        .iter()
        .filter(|u| u.role.as_str() == "pending")
        .count()
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and the built app: run by ./dev test"]
async fn first_launch_opens_the_local_sandbox_and_shows_the_demo_admin() {
    let data = data_dir();
    let driver = Driver::start(data.path(), &test_keychain_service("e2e-first"));
    let started = Instant::now();
    let app = driver.launch(&[]).await;

    // No tenant yet: the welcome screen offers the sandbox.
    wait_for(&app, "[data-testid=welcome]").await;
    let first_screen = started.elapsed();
    click(&app, "[data-testid=open-sandbox]").await;

    // The demo directory arrives, newest first, 200 people.
    wait_text(&app, "[data-testid=user-count]", "200 users").await;
    let rows = app
        .find_all(Locator::Css("[data-testid=user-row]"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 50, "one page of 50");

    // The admin is the oldest user: find her by search.
    let search = wait_for(&app, "[data-testid=user-search]").await;
    search.send_keys("admin@demo").await.expect("type");
    let table = wait_text(&app, "[data-testid=users-table]", "admin@demo.example.com").await;
    assert!(table.contains("Sandbox Admin"), "{table}");
    wait_text(&app, "[data-testid=user-count]", "1 of 200 users").await;

    // The sidebar lists the sandbox as a demo tenant.
    let sidebar = wait_text(&app, "[data-testid=tenant-list]", "Local sandbox").await;
    assert!(sidebar.contains("demo"), "{sidebar}");
    eprintln!(
        "start to first screen (WebDriver session included): {} ms",
        first_screen.as_millis()
    );
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn adding_a_deployment_shows_each_failure_distinctly_then_lists_its_users() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let data = data_dir();
    let driver = Driver::start(data.path(), &test_keychain_service("e2e-add"));
    // (The same service name is used below to look into the keychain.)
    let app = driver.launch(&[]).await;

    wait_for(&app, "[data-testid=welcome]").await;
    click(&app, "[data-testid=add-tenant]").await;
    let form = wait_for(&app, "[data-testid=add-tenant-form]").await;
    retype(&form, "name", "Practice").await;
    retype(&form, "email", &sandbox.admin_email).await;
    retype(&form, "password", "Wrong-Password-1").await;

    // Nothing listens there: a network failure.
    retype(&form, "url", "http://127.0.0.1:9").await;
    test_fails_with(&app, "network", "Cannot reach the deployment").await;

    // The deployment behind a certificate of a private CA the app does not trust: TLS.
    let (tls_url, _ca) = cloo_tests::tls_front(sandbox.url.clone()).await;
    retype(&form, "url", &tls_url).await;
    test_fails_with(&app, "tls", "Certificate not trusted (TLS)").await;

    // The right host, the wrong password: a credential failure.
    retype(&form, "url", &sandbox.url).await;
    test_fails_with(&app, "wrong_credentials", "Wrong e-mail or password").await;

    // The right password: the test passes, then Add saves and opens it.
    retype(&form, "password", &sandbox.admin_password).await;
    click(&app, "[data-testid=test-connection]").await;
    wait_text(&app, "[data-testid=test-ok]", "Sandbox Admin").await;
    click(&app, "[data-testid=save-tenant]").await;
    wait_text(&app, "[data-testid=tenant-list]", "Practice").await;
    wait_text(&app, "[data-testid=user-count]", "200 users").await;

    // Paging and the role filter work on the kept directory.
    click(&app, "[data-testid=next-page]").await;
    wait_text(&app, "[data-testid=page-range]", "51–100 of 200").await;
    let pending = pending_count(&sandbox).await;
    wait_for(&app, "[data-testid=role-filter]")
        .await
        .select_by_value("pending")
        .await
        .expect("filter");
    wait_text(
        &app,
        "[data-testid=user-count]",
        &format!("{pending} of 200 users"),
    )
    .await;

    // A second deployment, then switch between the two from the sidebar.
    click(&app, "[data-testid=sidebar-open-sandbox]").await;
    wait_text(&app, "[data-testid=tenant-title]", "Local sandbox").await;
    let items = app
        .find_all(Locator::Css("[data-testid=tenant-item]"))
        .await
        .expect("items");
    assert_eq!(items.len(), 2);
    let practice = items.into_iter().next().expect("Practice is listed first");
    practice.click().await.expect("switch");
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;

    // Remove it, confirming first; the console then shows what is left.
    let service = test_keychain_service("e2e-add");
    let keychain = std::sync::Arc::new(cloo_store::OsKeychain::with_service(&service));
    let store_view = cloo_console::Console::open(Some(data.path()), keychain.clone())
        .await
        .expect("store");
    let id = store_view.tenants().list().await.expect("tenants")[0]
        .id
        .clone();
    let has_secret = |id: &str| {
        use cloo_store::SecretStore;
        keychain
            .read(id, cloo_store::SecretSlot::Credential)
            .expect("keychain")
            .is_some()
    };
    assert!(
        has_secret(&id),
        "the added deployment's password is in the keychain"
    );
    click(&app, "[data-testid=remove-tenant]").await;
    click(&app, "[data-testid=confirm-remove]").await;
    let sidebar = wait_text_gone(&app, "[data-testid=tenant-list]", "Practice").await;
    assert!(sidebar.contains("Local sandbox"), "{sidebar}");
    wait_text(&app, "[data-testid=tenant-title]", "Local sandbox").await;
    app.close().await.expect("close");
    assert!(
        store_view
            .tenants()
            .list()
            .await
            .expect("tenants")
            .is_empty(),
        "the row is gone"
    );
    assert!(!has_secret(&id), "and so is its secret");
}

/// A deployment added with clooctl into the store the app will open.
fn prepared_tenant(test: &str, sandbox: &SandboxProcess) -> cloo_tests::Clooctl {
    let cli = cloo_tests::Clooctl::new(test);
    let added = cli.add_tenant(sandbox, "Practice", &[]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    cli
}

/// Picks an option of a `<select>` by value.
async fn select(client: &Client, css: &str, value: &str) {
    wait_for(client, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_group_grant_raised_to_write_shows_in_a_members_effective_access() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-groups";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    let token = sandbox.admin_token().await;
    let member = sandbox
        .client()
        .list_users(&token, None, None)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.role.as_str() == "user")
        .expect("a demo user");

    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-groups]").await;
    click(&app, "[data-testid=new-group]").await;
    wait_for(&app, "[data-testid=new-group-name]")
        .await
        .send_keys("E2E Analysts")
        .await
        .expect("type");
    click(&app, "[data-testid=create-group]").await;
    wait_text(&app, "[data-testid=group-title]", "E2E Analysts").await;

    // Add a member found by search.
    wait_for(&app, "[data-testid=member-search]")
        .await
        .send_keys(&member.email)
        .await
        .expect("type");
    click(&app, "[data-testid=member-candidate]").await;
    wait_text(&app, "[data-testid=group-members]", &member.email).await;

    // Raise one permission to write; the server stores exactly that.
    select(&app, "[data-testid='perm-workspace.knowledge']", "write").await;
    let stored = || async {
        let groups = sandbox.client().list_groups(&token).await.expect("groups");
        groups
            .into_iter()
            .find(|g| g.name == "E2E Analysts")
            .and_then(|g| g.permissions)
            .and_then(|p| p["workspace"]["knowledge"].as_str().map(str::to_owned))
    };
    let start = Instant::now();
    while stored().await.as_deref() != Some("write") {
        assert!(start.elapsed() < WAIT, "the grant never reached the server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Any admin.users grant is flagged as the full user administration it amounts to.
    select(&app, "[data-testid='perm-admin.users']", "read").await;
    wait_text(
        &app,
        "[data-testid=group-warning]",
        "full user administration",
    )
    .await;

    // The member's effective access now says write, and why.
    click(&app, "[data-testid=tab-users]").await;
    wait_for(&app, "[data-testid=user-search]")
        .await
        .send_keys(&member.email)
        .await
        .expect("type");
    wait_text(&app, "[data-testid=user-count]", "1 of").await;
    click(&app, "[data-testid=open-user]").await;
    // Her group delegates reading users (not changing them), and her panel says so.
    let rights = wait_text(&app, "[data-testid=delegated-rights]", "Read users").await;
    assert!(!rights.contains("Change and delete users"), "{rights}");
    click(&app, "[data-testid=user-tab-access]").await;
    let row = wait_text(
        &app,
        "[data-testid='access-workspace.knowledge']",
        "E2E Analysts",
    )
    .await;
    assert!(row.contains("write"), "{row}");
    // And the server, asked as her, agrees.
    let hers = sandbox
        .client()
        .signin(&member.email, &cloo_domain::Secret::new("Sandbox-Demo-1"))
        .await
        .expect("her sign-in")
        .token;
    let permissions = sandbox
        .client()
        .my_permissions(&hers)
        .await
        .expect("her permissions");
    assert_eq!(permissions["workspace"]["knowledge"], "write");

    // Default permissions: one key raised, reviewed, saved whole.
    click(&app, "[data-testid=close-user-panel]").await;
    click(&app, "[data-testid=tab-defaults]").await;
    select(&app, "[data-testid='perm-workspace.tools']", "read").await;
    click(&app, "[data-testid=defaults-review]").await;
    click(&app, "[data-testid=defaults-save]").await;
    wait_text(&app, "[data-testid=defaults-saved]", "Saved").await;
    let defaults = sandbox
        .client()
        .default_permissions(&token)
        .await
        .expect("defaults");
    assert_eq!(defaults["workspace"]["tools"], "read");
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn importing_a_csv_shows_the_plan_then_creates_exactly_its_creates() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-import";
    let cli = prepared_tenant(test, &sandbox);
    let file = cli.data_dir().join("people.csv");
    std::fs::write(
        &file,
        "name,email,password,role\n\
         Kim Minji,minji.e2e@import.example.com,Strong-Pass-1,user\n\
         \"Lee, Jun\",jun.e2e@import.example.com,Strong-Pass-2,pending\n\
         Broken,not-an-email,Strong-Pass-3,user\n\
         Weak,weak.e2e@import.example.com,password,user\n",
    )
    .expect("csv");
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;

    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-import]").await;
    wait_for(&app, "[data-testid=import-file]")
        .await
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    let summary = wait_text(&app, "[data-testid=import-summary]", "2 to create").await;
    assert!(summary.contains("2 with errors"), "{summary}");
    let rows = wait_text(&app, "[data-testid=import-rows]", "not-an-email").await;
    assert!(rows.contains("Weak"), "errors are listed first: {rows}");

    click(&app, "[data-testid=import-apply]").await;
    click(&app, "[data-testid=import-confirm]").await;
    wait_text(&app, "[data-testid=import-done]", "Created 2").await;
    let emails: Vec<String> = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.email)
        .filter(|e| e.contains("import.example.com"))
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    app.close().await.expect("close");
}

/// The role the deployment stores for `email`, read over HTTP (None: no such user).
async fn role_of(sandbox: &SandboxProcess, email: &str) -> Option<String> {
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .list_users(&token, None, None)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| u.role.as_str().to_owned())
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_user_is_added_promoted_and_deleted_and_a_bulk_role_change_runs_its_plan() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-users";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    let email = "sora.e2e@users.example.com";

    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    wait_text(&app, "[data-testid=user-count]", "users").await;

    // A weak password is refused by the console before anything is sent.
    click(&app, "[data-testid=add-user]").await;
    wait_for(&app, "[data-testid=new-user-name]")
        .await
        .send_keys("Park Sora")
        .await
        .expect("type");
    wait_for(&app, "[data-testid=new-user-email]")
        .await
        .send_keys(email)
        .await
        .expect("type");
    let password = wait_for(&app, "[data-testid=new-user-password]").await;
    password.send_keys("password1").await.expect("type");
    click(&app, "[data-testid=add-user-submit]").await;
    wait_text(&app, "[data-testid=add-user-error]", "upper-case").await;
    assert_eq!(role_of(&sandbox, email).await, None, "nothing was sent");
    password.clear().await.expect("clear");
    password.send_keys("Strong-Pass-9").await.expect("type");
    click(&app, "[data-testid=add-user-submit]").await;
    // The list then shows just the new user.
    wait_text(&app, "[data-testid=user-count]", "1 of").await;
    wait_text(&app, "[data-testid=users-table]", email).await;
    assert_eq!(role_of(&sandbox, email).await.as_deref(), Some("user"));

    // Promote her, confirming the change.
    click(&app, "[data-testid=open-user]").await;
    select(&app, "[data-testid=role-select]", "admin").await;
    click(&app, "[data-testid=role-change]").await;
    click(&app, "[data-testid=role-confirm]").await;
    wait_text(
        &app,
        "[data-testid=user-panel-notice]",
        "Role changed to Admin",
    )
    .await;
    assert_eq!(role_of(&sandbox, email).await.as_deref(), Some("admin"));

    // Delete: the button stays disabled until her e-mail is typed.
    click(&app, "[data-testid=user-tab-delete]").await;
    let delete = wait_for(&app, "[data-testid=delete-user]").await;
    assert!(!delete.is_enabled().await.expect("enabled?"));
    wait_for(&app, "[data-testid=delete-confirm-email]")
        .await
        .send_keys(email)
        .await
        .expect("type");
    // Typing her e-mail enables it (waited on: the page reacts to typing asynchronously).
    click(&app, "[data-testid=delete-user]").await;
    wait_text(&app, "[data-testid=user-count]", "0 of").await;
    assert_eq!(role_of(&sandbox, email).await, None, "she is gone");

    // Bulk: two pending users approved through a reviewed plan.
    // Escape empties the search.
    wait_for(&app, "[data-testid=user-search]")
        .await
        .send_keys(&fantoccini::key::Key::Escape.to_string())
        .await
        .expect("escape");
    let everyone = sandbox
        .client()
        .list_users(&sandbox.admin_token().await, None, None)
        .await
        .expect("users")
        .len();
    let all = wait_text_gone(&app, "[data-testid=user-count]", "0 of").await;
    assert_eq!(all, format!("{everyone} users"));
    select(&app, "[data-testid=role-filter]", "pending").await;
    wait_text_gone(&app, "[data-testid=user-count]", "0 of").await;
    let before = pending_count(&sandbox).await;
    let boxes = app
        .find_all(Locator::Css("[data-testid=select-user]"))
        .await
        .expect("checkboxes");
    assert!(boxes.len() >= 2, "the demo has pending users");
    for b in &boxes[..2] {
        b.click().await.expect("select");
    }
    click(&app, "[data-testid=bulk-open]").await;
    select(&app, "[data-testid=bulk-kind]", "set_role").await;
    select(&app, "[data-testid=bulk-role]", "user").await;
    click(&app, "[data-testid=bulk-review]").await;
    let plan = wait_text(&app, "[data-testid=bulk-plan]", "user").await;
    assert_eq!(
        pending_count(&sandbox).await,
        before,
        "a plan writes nothing: {plan}"
    );
    click(&app, "[data-testid=bulk-apply]").await;
    wait_text(&app, "[data-testid=bulk-summary]", "2 of 2 done").await;
    assert_eq!(pending_count(&sandbox).await, before - 2);
    click(&app, "[data-testid=bulk-close]").await;
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn an_organization_file_is_reviewed_as_a_tree_applied_then_browsed_and_a_unit_deleted() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-orgs";
    let cli = prepared_tenant(test, &sandbox);
    let token = sandbox.admin_token().await;
    let member = sandbox
        .client()
        .list_users(&token, None, None)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.role.as_str() == "user")
        .expect("a demo user");
    // A Korean file name crosses IPC in a header, percent-encoded.
    let file = cli.data_dir().join("조직도.json");
    let body = json!({"organization": {"tenant_id": "e2e-org", "name": "E2E Org"}, "units": [
        {"id": "eng", "name": "Engineering", "type": "division", "children": [
            {"id": "sre", "name": "SRE", "type": "team",
             "meta": {"members": [{"id": "m1", "name": member.name, "email": member.email, "job_title": ""},
                                  {"id": "m2", "name": "Ghost", "email": "ghost@nowhere.example", "job_title": ""}]}}]},
        {"id": "biz", "name": "Business", "type": "division"}]});
    std::fs::write(&file, body.to_string()).expect("json");
    let broken = cli.data_dir().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"organization": {"tenant_id": ""}, "units": [{"name": null}]}"#,
    )
    .expect("json");
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;

    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-orgimport]").await;
    // A broken file: every problem with its path, and no way to apply.
    wait_for(&app, "[data-testid=org-import-file]")
        .await
        .send_keys(&broken.to_string_lossy())
        .await
        .expect("choose the file");
    let problems = wait_text(
        &app,
        "[data-testid=org-import-problems]",
        "$.organization.tenant_id",
    )
    .await;
    assert!(problems.contains("$.units[0].name"), "{problems}");
    assert!(problems.contains("$.units[0].id"), "{problems}");
    assert!(
        app.find(Locator::Css("[data-testid=org-import-apply]"))
            .await
            .is_err(),
        "no plan, no apply"
    );
    let choose_again = app
        .find(Locator::XPath("//button[text()='Choose another file']"))
        .await
        .expect("choose another");
    choose_again.click().await.expect("click");

    wait_for(&app, "[data-testid=org-import-file]")
        .await
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    let summary = wait_text(&app, "[data-testid=org-import-summary]", "3 to create").await;
    assert!(summary.contains("0 to delete"), "{summary}");
    assert!(summary.contains("조직도.json"), "{summary}");
    let tree = wait_text(&app, "[data-testid=org-import-tree]", "SRE").await;
    assert!(tree.contains("create"), "{tree}");
    let imported = || async {
        sandbox
            .client()
            .organizations(&token)
            .await
            .expect("orgs")
            .into_iter()
            .find(|o| o.tenant_id == "e2e-org")
    };
    assert!(imported().await.is_none(), "a review writes nothing");
    click(&app, "[data-testid=org-import-apply]").await;
    click(&app, "[data-testid=org-import-confirm]").await;
    wait_text(&app, "[data-testid=org-import-done]", "matches the plan").await;
    let org = imported().await.expect("the organization was created");
    let units = sandbox
        .client()
        .units_of_org(&token, &org.id)
        .await
        .expect("units");
    assert_eq!(units.len(), 3);

    // Browse: open Engineering, choose SRE, see its members resolved.
    click(&app, "[data-testid=tab-orgs]").await;
    wait_text(&app, "[data-testid=org-tree]", "Engineering").await;
    click(&app, "[data-testid=ou-toggle]").await;
    wait_text(&app, "[data-testid=org-tree]", "SRE").await;
    let sre = app
        .find(Locator::XPath(
            "//button[@data-testid='ou-node'][normalize-space()='SRE']",
        ))
        .await
        .expect("SRE");
    sre.click().await.expect("choose SRE");
    wait_text(&app, "[data-testid=ou-title]", "Engineering › SRE").await;
    let members = wait_text(&app, "[data-testid=ou-members]", &member.email).await;
    assert!(
        members.contains("no such user"),
        "the ghost is shown as unmatched: {members}"
    );

    // A daily limit for its direct members.
    wait_for(&app, "[data-testid=ou-limits] [data-testid=limit-model]")
        .await
        .send_keys("gpt-4o")
        .await
        .expect("type");
    wait_for(&app, "[data-testid=ou-limits] [data-testid=limit-tokens]")
        .await
        .send_keys("25000")
        .await
        .expect("type");
    click(&app, "[data-testid=ou-limits] [data-testid=limit-set]").await;
    wait_text(&app, "[data-testid=orgs-notice]", "Limit for gpt-4o set").await;
    // Pick a guardrail of the deployment for it and turn the global ones off.
    click(&app, "[data-testid=ou-guardrail-gr-pii]").await;
    click(&app, "[data-testid=ou-follow-global]").await;
    click(&app, "[data-testid=ou-guardrails-save]").await;
    wait_text(&app, "[data-testid=orgs-notice]", "Guardrails saved").await;
    let sre_id = sandbox
        .client()
        .units_of_org(&token, &org.id)
        .await
        .expect("units")
        .into_iter()
        .find(|u| u.external_id.as_deref() == Some("sre"))
        .expect("sre")
        .id;
    assert_eq!(
        sandbox
            .client()
            .org_unit_usage_limit(&token, &sre_id)
            .await
            .expect("limit"),
        json!({"per_model": {"gpt-4o": 25000}})
    );
    assert_eq!(
        sandbox
            .client()
            .org_unit_guardrails(&token, &sre_id)
            .await
            .expect("guardrails"),
        json!({"guardrail_ids": ["gr-pii"], "follow_global": false})
    );

    // Delete it, confirming; the users stay.
    click(&app, "[data-testid=ou-delete]").await;
    click(&app, "[data-testid=ou-delete-confirm]").await;
    wait_text(&app, "[data-testid=orgs-notice]", "users were not deleted").await;
    let units = sandbox
        .client()
        .units_of_org(&token, &org.id)
        .await
        .expect("units");
    assert_eq!(units.len(), 2);
    assert!(
        sandbox
            .client()
            .list_users(&token, None, None)
            .await
            .expect("users")
            .iter()
            .any(|u| u.email == member.email)
    );
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_tenant_made_read_only_refuses_a_write_the_journal_shows_it_and_the_app_speaks_korean() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-journal";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;

    // Edit the tenant: another colour from the palette, and read-only.
    click(&app, "[data-testid=edit-tenant]").await;
    let form = wait_for(&app, "[data-testid=edit-tenant-form]").await;
    retype(&form, "name", "Practice RO").await;
    click(&app, "[data-testid=colour-dc2626]").await;
    click(&app, "[data-testid=edit-read-only]").await;
    click(&app, "[data-testid=save-edit]").await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice RO").await;
    wait_for(&app, "[data-testid=read-only-badge]").await;
    let listed = cli.run(&["tenant", "list", "-o", "json"], "").json();
    assert_eq!(listed[0]["colour"], "#dc2626");
    assert_eq!(listed[0]["read_only"], true);

    // The UI disables writes on a read-only tenant; the core refuses them anyway. Force one
    // through the typed backend as the window would, and read the refusal in the journal.
    let refused = app
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('create_group', { tenant: arguments[0], name: 'Never', description: '' })
               .then(() => done('written'), (e) => done(e.code));",
            vec![json!(listed[0]["id"])],
        )
        .await
        .expect("invoke");
    assert_eq!(refused, json!("read_only_tenant"));
    let groups = sandbox
        .client()
        .list_groups(&sandbox.admin_token().await)
        .await
        .expect("groups");
    assert!(groups.iter().all(|g| g.name != "Never"), "nothing was sent");

    click(&app, "[data-testid=open-journal]").await;
    let table = wait_text(&app, "[data-testid=journal-table]", "group.create").await;
    assert!(
        table.contains("refused") && table.contains("tenant.edit"),
        "{table}"
    );
    click(&app, "[data-testid=journal-open]").await;
    wait_text(&app, "[data-testid=journal-entry]", "read_only_tenant").await;
    app.execute(
        "document.querySelector('[data-testid=journal-entry] button').click()",
        vec![],
    )
    .await
    .expect("close entry");
    click(&app, "[data-testid=journal-export]").await;
    let exported = wait_text(&app, "[data-testid=journal-exported]", ".csv").await;
    let path = exported
        .trim()
        .trim_start_matches("Saved to ")
        .trim_end_matches('.')
        .to_owned();
    let csv = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        csv.contains("group.create") && csv.contains("read_only_tenant"),
        "{csv}"
    );
    let _ = std::fs::remove_file(&path);

    // Korean: the labels change, and the choice is kept in this store for the next start.
    select(&app, "[data-testid=language]", "ko").await;
    wait_text(&app, "[data-testid=open-journal]", "작업 기록").await;
    wait_text(&app, "[data-testid=journal-table]", "거부됨").await;
    app.close().await.expect("close");
    let again = driver.launch(&[]).await;
    wait_text(&again, "[data-testid=tenant-title]", "Practice RO").await;
    wait_text(&again, "[data-testid=tab-users]", "사용자").await;
    wait_text(&again, "[data-testid=user-count]", "사용자 200명").await;
    again.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn entra_is_signed_in_from_the_form_tested_planned_applied_and_recorded() {
    use cloo_tests::graph::{App, GraphServer, Tenant, TenantSpec};
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let tenant = Tenant::generate(TenantSpec::small(41));
    let tenant_id = tenant.tenant_id();
    let first_group = tenant.groups[0]["displayName"]
        .as_str()
        .expect("name")
        .to_owned();
    let graph_tenant_group = tenant.groups[0]["id"].as_str().expect("id").to_owned();
    // The "keep guests" switch must matter: some group holds a guest.
    let guests: std::collections::HashSet<&str> = tenant
        .users
        .iter()
        .filter(|u| u["userType"] == "Guest")
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert!(
        tenant.groups.iter().any(|g| {
            let id = g["id"].as_str().unwrap_or_default();
            tenant
                .members
                .get(id)
                .is_some_and(|m| m.iter().any(|(m, _)| guests.contains(m.as_str())))
        }),
        "the generated tenant has a guest in a group"
    );
    let secret = "e2e-entra-secret";
    let client_id = "eeeeeeee-1111-2222-3333-444444444444";
    let graph = GraphServer::start(
        tenant,
        App {
            client_id: client_id.into(),
            client_secret: secret.into(),
            certificate_public_key_pem: None,
            certificate_thumbprint: None,
        },
    )
    .await
    .expect("graph");
    let test = "e2e-entra";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-entra]").await;

    let form = wait_for(&app, "[data-testid=entra-profile-form]").await;
    retype(&form, "entra_tenant", &tenant_id).await;
    retype(&form, "client_id", client_id).await;
    retype(&form, "client_secret", secret).await;
    retype(&form, "authority", &graph.authority()).await;
    retype(&form, "graph_url", &graph.graph_url()).await;
    for option in ["groups", "include_guests"] {
        form.find(Locator::Css(&format!("input[name={option}]")))
            .await
            .expect(option)
            .click()
            .await
            .expect("tick");
    }
    click(&app, "[data-testid=entra-save]").await;
    let profile = wait_text(&app, "[data-testid=entra-profile]", "Client secret").await;
    assert!(profile.contains(&tenant_id), "{profile}");
    assert!(!profile.contains(secret));

    click(&app, "[data-testid=entra-test]").await;
    wait_text(&app, "[data-testid=entra-notice]", &tenant_id).await;

    click(&app, "[data-testid=entra-plan]").await;
    let facts = wait_text(&app, "[data-testid=entra-facts]", "Read everything").await;
    assert!(facts.contains("parity way would differ"), "{facts}");
    assert!(facts.contains("left out 0 guest"), "guests kept: {facts}");
    let summary = wait_text(&app, "[data-testid=entra-summary]", "to create").await;
    assert!(summary.contains("0 to delete"), "{summary}");
    wait_text(&app, "[data-testid=entra-tree]", &first_group).await;
    let units = || async {
        let token = sandbox.admin_token().await;
        let client = sandbox.client();
        let orgs = client.organizations(&token).await.expect("orgs");
        match orgs.into_iter().find(|o| o.tenant_id == tenant_id) {
            Some(org) => client
                .units_of_org(&token, &org.id)
                .await
                .expect("units")
                .len(),
            None => 0,
        }
    };
    assert_eq!(units().await, 0, "a plan writes nothing");
    click(&app, "[data-testid=entra-apply]").await;
    click(&app, "[data-testid=entra-confirm]").await;
    let done = wait_text(&app, "[data-testid=entra-done]", "matches the plan").await;
    assert!(
        done.contains("one whole import"),
        "a new organization is imported: {done}"
    );
    let pushed = units().await;
    assert!(pushed > 30, "the tree was pushed");

    // A small change, written unit by unit on the admin's choice.
    let group_id = graph_tenant_group.clone();
    graph.rename_group(&group_id, "Renamed in Entra");
    click(&app, "[data-testid=entra-plan]").await;
    wait_text(
        &app,
        "[data-testid=entra-facts]",
        "changes since the last run",
    )
    .await;
    let summary = wait_text(&app, "[data-testid=entra-summary]", "1 to change").await;
    assert!(summary.contains("0 to create"), "{summary}");
    select(&app, "[data-testid=entra-path]", "per_unit").await;
    click(&app, "[data-testid=entra-apply]").await;
    click(&app, "[data-testid=entra-confirm]").await;
    let done = wait_text(&app, "[data-testid=entra-done]", "unit by unit").await;
    assert!(done.contains("matches the plan"), "{done}");
    assert_eq!(units().await, pushed, "one unit renamed, none added");
    let history = wait_text(&app, "[data-testid=entra-history]", "apply").await;
    assert!(
        history.contains("applied") && history.contains("planned"),
        "{history}"
    );
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_general_setting_is_changed_reviewed_and_applied_and_a_secret_that_would_be_lost_is_refused()
 {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let test = "e2e-settings";
    let cli = prepared_tenant(test, &sandbox);
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/configs/tool_servers",
            &json!({"TOOL_SERVER_CONNECTIONS": [{"url": "https://tools.example/jira", "path": "openapi.json",
                "auth_type": "bearer", "key": "e2e-tool-token-5150", "config": {"enable": true}}]}),
        )
        .await
        .expect("a tool server with a key");
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-settings]").await;

    // General: sign-up off, reviewed as exactly that field, applied, and stored on the server.
    click(&app, "[data-testid='field-admin_config-ENABLE_SIGNUP']").await;
    click(&app, "[data-testid=settings-review-admin_config]").await;
    let changes = wait_text(&app, "[data-testid=settings-changes]", "ENABLE_SIGNUP").await;
    assert!(changes.contains("true → false"), "{changes}");
    assert_eq!(changes.lines().count(), 1, "only the one field: {changes}");
    click(&app, "[data-testid=settings-apply]").await;
    wait_text(
        &app,
        "[data-testid=settings-done]",
        "admin_config: 1 field changed",
    )
    .await;
    let admin_config = sandbox
        .client()
        .settings_section(&token, "api/v1/auths/admin/config")
        .await
        .expect("admin config");
    assert_eq!(admin_config["ENABLE_SIGNUP"], false);

    // Tools: editing a URL without retyping the key is refused in the review, nothing sent.
    select(&app, "[data-testid=settings-tab]", "tools").await;
    let url = wait_for(
        &app,
        "[data-testid='field-tool_servers-TOOL_SERVER_CONNECTIONS.0.url']",
    )
    .await;
    retype_input(&url, "https://tools.example/jira2").await;
    click(&app, "[data-testid=settings-review-tool_servers]").await;
    let refusals = wait_text(
        &app,
        "[data-testid=settings-refusals]",
        "TOOL_SERVER_CONNECTIONS.0.key",
    )
    .await;
    assert!(refusals.contains("masked text"), "{refusals}");
    let apply = wait_for(&app, "[data-testid=settings-apply]").await;
    assert!(
        !apply.is_enabled().await.expect("enabled?"),
        "apply is disabled"
    );
    let stored: serde_json::Value = reqwest::get(format!(
        "{}/_sandbox/stored_setting/TOOL_SERVER_CONNECTIONS",
        sandbox.url
    ))
    .await
    .expect("hook")
    .json()
    .await
    .expect("json");
    assert_eq!(stored[0]["key"], "e2e-tool-token-5150");
    assert_eq!(stored[0]["url"], "https://tools.example/jira");
    app.close().await.expect("close");
}

/// Replaces an input's text (select all, then type).
async fn retype_input(input: &fantoccini::elements::Element, text: &str) {
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_settings_document_is_reviewed_key_by_key_applied_and_another_tenant_compared() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let other = SandboxProcess::start(&[]).expect("another sandbox");
    let test = "e2e-settings-code";
    let cli = prepared_tenant(test, &sandbox);
    assert_eq!(cli.add_tenant(&other, "Other", &[]).code, 0);
    let token = other.admin_token().await;
    other
        .client()
        .write_settings_section(
            &token,
            "api/v1/retrieval/config/update",
            &json!({"CHUNK_SIZE": 512}),
        )
        .await
        .expect("the other tenant's chunk size");
    // A document exported by clooctl, one key edited.
    let exported = cli.run(
        &[
            "--tenant",
            "Practice",
            "settings",
            "export",
            "--tab",
            "documents",
        ],
        "",
    );
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let mut document: serde_json::Value = serde_json::from_str(&exported.stdout).expect("json");
    document["documents"]["CHUNK_SIZE"] = json!(700);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("settings.json");
    std::fs::write(&file, document.to_string()).expect("write");

    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-settings]").await;
    click(&app, "[data-testid=settings-code-open]").await;
    wait_for(&app, "[data-testid=settings-document]")
        .await
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the document");
    let keys = wait_text(
        &app,
        "[data-testid=settings-plan-keys]",
        "documents.CHUNK_SIZE",
    )
    .await;
    assert!(keys.contains("1000 → 700"), "{keys}");
    assert_eq!(keys.lines().count(), 1, "exactly the edited key: {keys}");
    click(&app, "[data-testid=settings-plan-apply]").await;
    wait_text(&app, "[data-testid=settings-code-status]", "retrieval").await;
    let admin = sandbox.admin_token().await;
    let retrieval = sandbox
        .client()
        .settings_section(&admin, "api/v1/retrieval/config")
        .await
        .expect("retrieval");
    assert_eq!(retrieval["CHUNK_SIZE"], 700);

    // Drift against the other tenant, on the Documents tab.
    select(&app, "[data-testid=settings-tab]", "documents").await;
    click(&app, "[data-testid=settings-drift-open]").await;
    click(&app, "[data-testid=drift-tenant-Other]").await;
    click(&app, "[data-testid=drift-compare]").await;
    let rows = wait_text(&app, "[data-testid=drift-rows]", "documents.CHUNK_SIZE").await;
    let line = rows
        .lines()
        .find(|l| l.contains("documents.CHUNK_SIZE"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        line.contains("700") && line.contains("512") && line.contains("differs"),
        "{line}"
    );

    // Copy that one key to the other tenant: a plan for it, reviewed, then applied.
    click(&app, "[data-testid='drift-pick-documents.CHUNK_SIZE']").await;
    click(&app, "[data-testid=drift-copy]").await;
    let plan = wait_text(
        &app,
        "[data-testid=drift-copy-plan-Other]",
        "documents.CHUNK_SIZE",
    )
    .await;
    assert!(plan.contains("512") && plan.contains("700"), "{plan}");
    click(&app, "[data-testid=drift-apply-Other]").await;
    wait_text(&app, "[data-testid=drift-copied-Other]", "retrieval").await;
    let copied = other
        .client()
        .settings_section(&token, "api/v1/retrieval/config")
        .await
        .expect("the other tenant's retrieval");
    assert_eq!(copied["CHUNK_SIZE"], 700);
    app.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_connection_is_tested_from_the_deployment_with_its_stored_key() {
    use axum::http::HeaderMap;
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let provider = axum::Router::new().route(
        "/v1/models",
        axum::routing::get(|headers: HeaderMap| async move {
            let ok = headers.get("authorization").and_then(|h| h.to_str().ok())
                == Some("Bearer sk-e2e-provider-4242");
            axum::Json(if ok {
                json!({"data": [{"id": "gpt-4o"}, {"id": "o3"}, {"id": "gpt-4.1"}]})
            } else {
                json!({"data": []})
            })
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, provider).await.expect("serve") });
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "openai/config/update",
            &json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": [url],
                    "OPENAI_API_KEYS": ["sk-e2e-provider-4242"], "OPENAI_API_CONFIGS": {}}),
        )
        .await
        .expect("a connection");
    let test = "e2e-settings-connection";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-settings]").await;
    select(&app, "[data-testid=settings-tab]", "connections").await;
    click(&app, "[data-testid=test-openai-0]").await;
    wait_text(&app, "[data-testid=test-openai-result-0]", "3 model(s)").await;
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn deleting_all_files_shows_what_goes_and_needs_the_deployments_name() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-wipe";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-settings]").await;
    select(&app, "[data-testid=settings-tab]", "documents").await;
    click(&app, "[data-testid=wipe-all_files]").await;
    let files = wait_text(
        &app,
        "[data-testid=wipe-item-knowledge_file]",
        "5 file(s) in knowledge bases",
    )
    .await;
    assert!(files.contains("deleted"), "{files}");
    let emptied = wait_text(
        &app,
        "[data-testid=wipe-item-knowledge_base_emptied]",
        "HR Policies",
    )
    .await;
    assert!(emptied.contains("Product Manuals"), "{emptied}");
    // A near miss leaves the button disabled; the exact name enables it.
    let typed = wait_for(&app, "[data-testid=wipe-confirm]").await;
    typed.send_keys("practice").await.expect("type");
    let run = wait_for(&app, "[data-testid=wipe-run]").await;
    assert!(!run.is_enabled().await.expect("enabled?"), "a near miss");
    typed.clear().await.expect("clear");
    typed.send_keys("Practice").await.expect("type");
    click(&app, "[data-testid=wipe-run]").await;
    wait_text(&app, "[data-testid=wipe-done]", "DELETE /api/v1/files/all").await;
    let counts: serde_json::Value = reqwest::get(format!("{}/_sandbox/counts", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json");
    assert_eq!(counts["files"], 0);
    assert_eq!(counts["knowledge"], 4, "knowledge bases stay");
    // The Images tab says which license module gates it.
    select(&app, "[data-testid=settings-tab]", "images").await;
    wait_text(
        &app,
        "[data-testid=settings-license-images]",
        "image_generation",
    )
    .await;
    // The image probe (which can turn image generation off) runs only once confirmed.
    click(&app, "[data-testid=test-images]").await;
    click(&app, "[data-testid=test-images-confirm]").await;
    wait_text(&app, "[data-testid=test-images-result]", "Reachable").await;
    app.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_pipeline_is_installed_its_valves_changed_and_removed() {
    use cloo_tests::pipelines::{PIPELINES_KEY, PipelinesServer};
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let server = PipelinesServer::start().await;
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "openai/config/update",
            &json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": [server.url],
                    "OPENAI_API_KEYS": [PIPELINES_KEY], "OPENAI_API_CONFIGS": {}}),
        )
        .await
        .expect("connections");
    let test = "e2e-pipelines";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-settings]").await;
    select(&app, "[data-testid=settings-tab]", "pipelines").await;
    wait_text(&app, "[data-testid=pipelines-of-0]", "rate_limit").await;

    // Valves: the secret one shows masked; another is changed and saved.
    click(&app, "[data-testid=pipeline-valves-rate_limit]").await;
    let secret = wait_for(&app, "[data-testid=valve-api_key]").await;
    let placeholder = secret
        .attr("placeholder")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(
        placeholder.contains("0001") && !placeholder.contains("rl-secret"),
        "{placeholder}"
    );
    retype_input(
        &wait_for(&app, "[data-testid=valve-requests_per_minute]").await,
        "25",
    )
    .await;
    click(&app, "[data-testid=valves-save]").await;
    wait_text(&app, "[data-testid=pipelines-done]", "rate_limit").await;
    let stored = server.stored_valves("rate_limit").expect("valves");
    assert_eq!(stored["requests_per_minute"], 25);
    assert_eq!(stored["api_key"], "rl-secret-0001");

    // Install from a URL, then remove it after confirming.
    wait_for(&app, "[data-testid=pipeline-url]")
        .await
        .send_keys("https://example.com/filters/detoxify.py")
        .await
        .expect("type");
    click(&app, "[data-testid=pipeline-add]").await;
    wait_text(&app, "[data-testid=pipelines-of-0]", "detoxify").await;
    click(&app, "[data-testid=pipeline-remove-detoxify]").await;
    click(&app, "[data-testid=pipeline-remove-confirm-detoxify]").await;
    wait_text_gone(&app, "[data-testid=pipelines-of-0]", "detoxify").await;
    assert!(server.stored_valves("detoxify").is_none());
    app.close().await.expect("close");
}

/// Types `text` into the field `css` (emptied first).
async fn type_into(client: &Client, css: &str, text: &str) {
    retype_input(&wait_for(client, css).await, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn an_smtp_channel_is_tested_from_the_desktop_saved_and_moved_with_both_secrets_intact() {
    use cloo_tests::mail::{SmtpMode, SmtpServer};
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let mail =
        SmtpServer::start(SmtpMode::Plain, Some(("mailer", "alerts-pass-77"))).expect("smtp");
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/notifications/config",
            &json!({"emails": [{"name": "ops", "engine": "smtp",
                "smtp": {"server": "mail.example", "port": 587, "username": "u", "password": "ops-pass-0001"}}]}),
        )
        .await
        .expect("a channel");
    let test = "e2e-channels";
    let cli = prepared_tenant(test, &sandbox);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-channels]").await;
    wait_text(&app, "[data-testid=channels-email]", "ops").await;

    click(&app, "[data-testid=channels-add-email]").await;
    type_into(&app, "[data-testid=channel-field-name]", "alerts-mail").await;
    type_into(
        &app,
        "[data-testid='channel-field-smtp.server']",
        "127.0.0.1",
    )
    .await;
    type_into(
        &app,
        "[data-testid='channel-field-smtp.port']",
        &mail.port.to_string(),
    )
    .await;
    type_into(
        &app,
        "[data-testid='channel-field-smtp.username']",
        "mailer",
    )
    .await;
    type_into(
        &app,
        "[data-testid='channel-secret-smtp.password']",
        "alerts-pass-77",
    )
    .await;
    click(&app, "[data-testid='channel-field-smtp.use_tls']").await;
    type_into(
        &app,
        "[data-testid='channel-field-smtp.from_address']",
        "noreply@example.com",
    )
    .await;
    type_into(&app, "[data-testid=channels-send-to]", "oncall@example.com").await;
    click(&app, "[data-testid=channel-test-desktop]").await;
    wait_text(
        &app,
        "[data-testid=channel-desktop-result]",
        "oncall@example.com",
    )
    .await;
    let received = mail.messages(1, Duration::from_secs(5));
    assert_eq!(received.len(), 1, "the test message arrived");
    assert!(received[0].logged_in);

    click(&app, "[data-testid=channel-review]").await;
    wait_text(&app, "[data-testid=channels-changes]", "alerts-mail").await;
    click(&app, "[data-testid=channels-save]").await;
    wait_for(&app, "[data-testid=channels-done]").await;
    wait_text(&app, "[data-testid=channels-email]", "alerts-mail").await;

    // Moving ops down swaps two positions: the review asks for both secrets first.
    click(&app, "[data-testid=channel-down-email-ops]").await;
    type_into(
        &app,
        "[data-testid='channels-ask-ops-smtp.password']",
        "ops-pass-0001",
    )
    .await;
    type_into(
        &app,
        "[data-testid='channels-ask-alerts-mail-smtp.password']",
        "alerts-pass-77",
    )
    .await;
    click(&app, "[data-testid=channels-review-again]").await;
    wait_text(&app, "[data-testid=channels-changes]", "from 0 to 1").await;
    click(&app, "[data-testid=channels-save]").await;
    wait_for(&app, "[data-testid=channels-done]").await;

    let stored: serde_json::Value = reqwest::get(format!(
        "{}/_sandbox/stored_setting/NOTIFICATION_EMAIL_CHANNELS",
        sandbox.url
    ))
    .await
    .expect("hook")
    .json()
    .await
    .expect("json");
    let got: Vec<(&str, &str)> = stored
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default(),
                c["smtp"]["password"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("alerts-mail", "alerts-pass-77"), ("ops", "ops-pass-0001")]
    );
    app.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn a_service_request_sent_while_everything_is_down_is_delivered_from_the_outbox() {
    use cloo_tests::mail::{SmtpMode, SmtpServer};
    const KEY: &str = "sr-0000000000000000000e2e01";
    let mail = SmtpServer::start(SmtpMode::Plain, None).expect("smtp");
    let mut customer = SandboxProcess::start(&[]).expect("customer");
    let test = "e2e-service-requests";
    let cli = prepared_tenant(test, &customer);
    let port = free_port();
    let direct = cli.run(
        &[
            "sr",
            "direct",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--key-stdin",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(direct.code, 0, "{}", direct.stderr);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    customer.kill();

    click(&app, "[data-testid=tab-requests]").await;
    wait_text(&app, "[data-testid=requests-route]", "straight to Cloocus").await;
    select(&app, "[data-testid=requests-type]", "usage_limit").await;
    select(&app, "[data-testid=requests-subtype]", "limit_increase").await;
    type_into(
        &app,
        "[data-testid=requests-title]",
        "Raise the Sales quota",
    )
    .await;
    type_into(
        &app,
        "[data-testid=requests-content]",
        "Please raise it to 200 a day.",
    )
    .await;
    click(&app, "[data-testid=requests-submit]").await;
    click(&app, "[data-testid=requests-confirm]").await;
    wait_text(&app, "[data-testid=requests-done]", "queued").await;
    wait_text(
        &app,
        "[data-testid=requests-outbox]",
        "Raise the Sales quota",
    )
    .await;

    // The central instance comes up; the queued request goes out from the outbox.
    let central = cloo_tests::sr::central(KEY, "Practice Corp", mail.port, Some(port)).await;
    click(&app, "[data-testid=requests-send-queued]").await;
    wait_text(&app, "[data-testid=requests-outbox]", "delivered").await;
    let received = cloo_tests::sr::received(&central).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["title"], "Raise the Sales quota");
    assert!(
        mail.messages(1, Duration::from_secs(5))[0]
            .data
            .contains("Practice Corp")
    );
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn an_inquiry_moves_from_open_to_in_progress_by_dragging_and_by_keyboard() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-inquiries";
    let cli = prepared_tenant(test, &sandbox);
    let listed = cli.run(&["inquiries", "list", "--status", "open", "-o", "json"], "");
    let open: Vec<String> = listed
        .json()
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(open.len(), 3, "{}", listed.stderr);
    let status_of = |id: &str| {
        let shown = cli.run(&["inquiries", "show", id, "-o", "json"], "");
        shown.json()["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-inquiries]").await;
    wait_text(&app, "[data-testid=inquiry-count-open]", "3").await;

    // Dragged with the pointer from Open onto In progress.
    let card = wait_for(&app, &format!("[data-testid=inquiry-card-{}]", open[0])).await;
    let column = wait_for(&app, "[data-testid=inquiry-column-in_progress]").await;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: card,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 20.0,
            y: 0.0,
        })
        .then(PointerAction::MoveToElement {
            element: column,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.perform_actions(drag).await.expect("drag");
    wait_text(&app, "[data-testid=inquiry-column-in_progress]", "").await;
    wait_text(&app, "[data-testid=inquiry-count-in_progress]", "3").await;
    assert_eq!(status_of(&open[0]), "in_progress");

    // From the keyboard: focus the card, Alt+→.
    let card = wait_for(&app, &format!("[data-testid=inquiry-card-{}]", open[1])).await;
    card.send_keys(&format!(
        "{}{}",
        fantoccini::key::Key::Alt,
        fantoccini::key::Key::Right
    ))
    .await
    .expect("keys");
    wait_text(&app, "[data-testid=inquiry-count-in_progress]", "4").await;
    assert_eq!(status_of(&open[1]), "in_progress");
    wait_text(&app, "[data-testid=inquiry-count-open]", "1").await;
    app.close().await.expect("close");
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a keychain and the built app: run by ./dev test"]
async fn the_audit_log_is_filtered_by_action_and_the_filtered_set_exported() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let test = "e2e-audit";
    let cli = prepared_tenant(test, &sandbox);
    let expected = cli.run(
        &["audit", "stats", "--action", "LOGIN_FAILED", "-o", "json"],
        "",
    );
    let failed = expected.json()["total"].as_u64().expect("a count");
    assert!(failed > 0);
    let driver = Driver::start(cli.data_dir(), &test_keychain_service(test));
    let app = driver.launch(&[]).await;
    wait_text(&app, "[data-testid=tenant-title]", "Practice").await;
    click(&app, "[data-testid=tab-audit]").await;
    wait_text(&app, "[data-testid=audit-total]", "row(s)").await;
    select(&app, "[data-testid=audit-action]", "LOGIN_FAILED").await;
    wait_text(
        &app,
        "[data-testid=audit-total]",
        &format!("{failed} row(s)"),
    )
    .await;
    let shown = rendered_text(&app, "[data-testid=audit-rows]")
        .await
        .unwrap_or_default();
    assert!(
        shown.contains("LOGIN_FAILED") && !shown.contains("ROLE_CHANGE"),
        "{shown}"
    );
    click(&app, "[data-testid=audit-export-csv]").await;
    let done = wait_text(
        &app,
        "[data-testid=audit-done]",
        &format!("{failed} row(s) written to "),
    )
    .await;
    let path = done
        .split(" written to ")
        .nth(1)
        .map(|p| p.trim_end_matches('.').trim().to_owned())
        .expect("a path");
    let text = std::fs::read_to_string(&path).expect("the exported file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, failed + 1, "a header and each row");
    assert!(lines[1..].iter().all(|l| l.contains(",LOGIN_FAILED,")));
    let _ = std::fs::remove_file(&path);
    app.close().await.expect("close");
}
