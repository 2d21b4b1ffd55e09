//! Secrets live in the OS keychain (a real Secret Service here: gnome-keyring inside
//! dbus-run-session, as `./dev test` runs it) and nowhere else.

use cloo_console::tenants::{AddTenantRequest, AuthInput, TenantView};
use cloo_console::{Console, Target};
use cloo_domain::{Secret, UserQuery};
use cloo_store::{KeychainError, OsKeychain, SecretSlot, SecretStore};
use cloo_tests::{SandboxProcess, data_dir, test_keychain_service};
use std::path::Path;
use std::sync::Arc;

fn keychain(test: &str) -> OsKeychain {
    let k = OsKeychain::with_service(test_keychain_service(test));
    k.probe().expect(
        "these tests need a reachable Secret Service: run them through ./dev test \
         (dbus-run-session + gnome-keyring)",
    );
    k
}

/// Every byte of every file of the store, for "is this secret anywhere on disk?".
fn store_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            all.extend(std::fs::read(&path).expect("read"));
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn password_request(sandbox: &SandboxProcess, name: &str, password: &str) -> AddTenantRequest {
    AddTenantRequest {
        name: name.into(),
        url: sandbox.url.clone(),
        auth: AuthInput::Password {
            email: sandbox.admin_email.clone(),
            password: Secret::new(password),
        },
        read_only: false,
        ca_pem: None,
    }
}

/// A console on a fresh store with the sandbox added as tenant "Demo" by password.
async fn console_with_demo(
    sandbox: &SandboxProcess,
    test: &str,
) -> (tempfile::TempDir, Arc<OsKeychain>, Console, TenantView) {
    let dir = data_dir();
    let k = Arc::new(keychain(test));
    let console = Console::open(Some(dir.path()), k.clone())
        .await
        .expect("console");
    let tenant = console
        .tenants()
        .add(&password_request(sandbox, "Demo", &sandbox.admin_password))
        .await
        .expect("add");
    (dir, k, console, tenant)
}

#[test]
fn os_keychain_round_trip_keeps_tenants_and_slots_apart() {
    let k = keychain("roundtrip");
    let (a, b) = ("tenant-a", "tenant-b");
    k.write(a, SecretSlot::Credential, &Secret::new("pw-a"))
        .expect("write");
    k.write(a, SecretSlot::Session, &Secret::new("jwt-a"))
        .expect("write");
    k.write(b, SecretSlot::Credential, &Secret::new("pw-b"))
        .expect("write");
    assert_eq!(
        k.read(a, SecretSlot::Credential).expect("read"),
        Some(Secret::new("pw-a"))
    );
    assert_eq!(
        k.read(a, SecretSlot::Session).expect("read"),
        Some(Secret::new("jwt-a"))
    );
    assert_eq!(
        k.read(b, SecretSlot::Credential).expect("read"),
        Some(Secret::new("pw-b"))
    );
    assert_eq!(k.read(b, SecretSlot::Session).expect("read"), None);
    k.write(a, SecretSlot::Credential, &Secret::new("pw-a2"))
        .expect("replace");
    assert_eq!(
        k.read(a, SecretSlot::Credential).expect("read"),
        Some(Secret::new("pw-a2"))
    );
    // Another process sees the same entries (secrets survive across runs).
    let other = OsKeychain::with_service(test_keychain_service("roundtrip"));
    assert_eq!(
        other.read(b, SecretSlot::Credential).expect("read"),
        Some(Secret::new("pw-b"))
    );
    for (t, slot) in [
        (a, SecretSlot::Credential),
        (a, SecretSlot::Session),
        (b, SecretSlot::Credential),
    ] {
        k.erase(t, slot).expect("erase");
        assert_eq!(k.read(t, slot).expect("read"), None);
    }
}

#[tokio::test]
async fn adding_a_tenant_puts_secrets_in_the_keychain_and_none_on_disk() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (dir, k, console, tenant) = console_with_demo(&sandbox, "nosecret").await;
    assert!(tenant.current, "the first tenant becomes current");

    let credential = k
        .read(&tenant.id, SecretSlot::Credential)
        .expect("read")
        .expect("stored");
    assert_eq!(credential.expose(), sandbox.admin_password);
    let token = k
        .read(&tenant.id, SecretSlot::Session)
        .expect("read")
        .expect("session kept");
    let users = console
        .users()
        .list(&Target::Current, &UserQuery::default())
        .await
        .expect("users");
    assert_eq!(users.len(), 200);
    console.store().close().await;

    let bytes = store_bytes(dir.path());
    assert!(!bytes.is_empty());
    assert!(
        contains(&bytes, &sandbox.admin_email),
        "the store is really being read"
    );
    assert!(
        !contains(&bytes, &sandbox.admin_password),
        "password on disk"
    );
    assert!(!contains(&bytes, token.expose()), "session token on disk");
    assert!(!contains(&bytes, "sk-"), "an API key on disk");

    let console = Console::open(Some(dir.path()), k.clone())
        .await
        .expect("reopen");
    console.tenants().remove("Demo").await.expect("remove");
    assert_eq!(
        k.read(&tenant.id, SecretSlot::Credential).expect("read"),
        None
    );
    assert_eq!(k.read(&tenant.id, SecretSlot::Session).expect("read"), None);
}

#[tokio::test]
async fn an_api_key_tenant_keeps_its_key_only_in_the_keychain() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let client = cloo_api::Client::new(&sandbox.url, &Default::default()).expect("client");
    let token = client
        .signin(&sandbox.admin_email, &Secret::new(&sandbox.admin_password))
        .await
        .expect("sign-in")
        .token;
    let key = client.create_api_key(&token).await.expect("key");
    let dir = data_dir();
    let k = Arc::new(keychain("apikey"));
    let console = Console::open(Some(dir.path()), k.clone())
        .await
        .expect("console");
    let request = AddTenantRequest {
        name: "By key".into(),
        url: sandbox.url.clone(),
        auth: AuthInput::ApiKey {
            api_key: key.clone(),
        },
        read_only: true,
        ca_pem: None,
    };
    let tenant = console.tenants().add(&request).await.expect("add");
    assert_eq!(tenant.auth_kind, "api_key");
    assert!(tenant.read_only);
    let me = console
        .tenants()
        .whoami(&Target::Tenant("by key".into()))
        .await
        .expect("whoami");
    assert_eq!(me.email, sandbox.admin_email);
    console.store().close().await;
    assert!(!contains(&store_bytes(dir.path()), key.expose()));
    assert_eq!(
        k.read(&tenant.id, SecretSlot::Credential).expect("read"),
        Some(key)
    );
    let console = Console::open(Some(dir.path()), k.clone())
        .await
        .expect("reopen");
    console.tenants().remove(&tenant.id).await.expect("remove");
}

/// A real keychain that refuses to store session tokens, to prove a half-done add is undone.
/// It remembers every tenant id a credential was written for.
#[derive(Debug)]
struct RefusesSessions(OsKeychain, std::sync::Mutex<Vec<String>>);

impl SecretStore for RefusesSessions {
    fn read(&self, t: &str, s: SecretSlot) -> Result<Option<Secret>, KeychainError> {
        self.0.read(t, s)
    }
    fn write(&self, t: &str, s: SecretSlot, v: &Secret) -> Result<(), KeychainError> {
        match s {
            SecretSlot::Session => Err(KeychainError::Failure("refused for the test".into())),
            SecretSlot::Credential => {
                self.1.lock().expect("lock").push(t.to_owned());
                self.0.write(t, s, v)
            }
            SecretSlot::EntraClientSecret
            | SecretSlot::EntraSealingKey
            | SecretSlot::Named
            | SecretSlot::SrKey => self.0.write(t, s, v),
        }
    }
    fn erase(&self, t: &str, s: SecretSlot) -> Result<(), KeychainError> {
        self.0.erase(t, s)
    }
    fn probe(&self) -> Result<(), KeychainError> {
        self.0.probe()
    }
}

#[tokio::test]
async fn a_failed_add_saves_nothing() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let dir = data_dir();
    let inner = keychain("failedadd");
    let refusing = Arc::new(RefusesSessions(inner.clone(), Default::default()));
    let console = Console::open(Some(dir.path()), refusing.clone())
        .await
        .expect("console");

    let wrong = console
        .tenants()
        .add(&password_request(&sandbox, "Demo", "Wrong-Password-1"))
        .await
        .expect_err("wrong password");
    assert_eq!(wrong.code().as_str(), "wrong_credentials", "{wrong}");

    let mut unreachable = password_request(&sandbox, "Demo", &sandbox.admin_password);
    unreachable.url = "http://127.0.0.1:9".into();
    let e = console
        .tenants()
        .add(&unreachable)
        .await
        .expect_err("unreachable");
    assert_eq!(e.code().as_str(), "network", "{e}");

    // The connection is fine but the keychain fails half-way: the credential written first is
    // erased again and no row is kept.
    let e = console
        .tenants()
        .add(&password_request(&sandbox, "Demo", &sandbox.admin_password))
        .await
        .expect_err("keychain refused");
    assert_eq!(e.code().as_str(), "keychain", "{e}");
    assert!(console.tenants().list().await.expect("tenants").is_empty());
    // The credential written before the failure is gone from the keychain again…
    let written = refusing.1.lock().expect("lock").clone();
    assert_eq!(
        written.len(),
        1,
        "only the attempt that got that far wrote anything"
    );
    assert_eq!(
        inner
            .read(&written[0], SecretSlot::Credential)
            .expect("read"),
        None
    );
    // …and the store never saw the password.
    console.store().close().await;
    assert!(!contains(&store_bytes(dir.path()), &sandbox.admin_password));
}

#[tokio::test]
async fn a_refused_session_token_is_renewed_with_the_stored_credential() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (dir, k, console, tenant) = console_with_demo(&sandbox, "renew").await;
    drop(console);

    // The stored token stops working (signed by another key, or the server's key rotated).
    let stale = Secret::new("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6Im5vYm9keSJ9.c3RhbGU");
    k.write(&tenant.id, SecretSlot::Session, &stale)
        .expect("write stale token");

    let console = Console::open(Some(dir.path()), k.clone())
        .await
        .expect("fresh process state");
    let me = console
        .tenants()
        .whoami(&Target::Tenant("Demo".into()))
        .await
        .expect("signs in again");
    assert_eq!(me.email, sandbox.admin_email);
    let renewed = k
        .read(&tenant.id, SecretSlot::Session)
        .expect("read")
        .expect("token");
    assert_ne!(renewed, stale, "the new token replaced the refused one");
    let client = cloo_api::Client::new(&sandbox.url, &Default::default()).expect("client");
    assert!(client.session_user(&renewed).await.is_ok(), "and it works");
    console.tenants().remove("Demo").await.expect("remove");
}
