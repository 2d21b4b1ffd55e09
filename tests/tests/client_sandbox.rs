//! The typed client against a sandbox running as its own process, over real HTTP: sign-in,
//! wrong password, API keys, paging, and every error class of errors.md.

use cloo_api::{AddUserForm, ApiError, AuthFailure, Client, ClientOptions, KnownDetail};
use cloo_domain::Secret;
use cloo_tests::SandboxProcess;

fn client(sandbox: &SandboxProcess) -> Client {
    sandbox.client()
}

async fn admin_token(sandbox: &SandboxProcess) -> Secret {
    sandbox.admin_token().await
}

#[tokio::test]
async fn public_endpoints_answer_like_the_server() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let c = client(&sandbox);
    assert!(c.health().await.expect("health").status);
    assert_eq!(c.version().await.expect("version").version, "0.6.5");
    let config = c.app_config().await.expect("config");
    assert_eq!(config.name.as_deref(), Some("ClooSphere"));
    assert_eq!(config.features.enable_signup, Some(true));
}

#[tokio::test]
async fn sign_in_gives_a_token_that_works_and_a_wrong_password_does_not() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let c = client(&sandbox);
    let session = c
        .signin(
            &sandbox.admin_email.to_uppercase(),
            &Secret::new(&sandbox.admin_password),
        )
        .await
        .expect("sign-in lower-cases the e-mail");
    assert!(session.role.is_admin());
    assert_eq!(session.expires_at, None);
    assert_eq!(session.token.expose().split('.').count(), 3, "a JWT");
    let me = c.session_user(&session.token).await.expect("who am I");
    assert_eq!(me.email, sandbox.admin_email);

    let wrong = c
        .signin(&sandbox.admin_email, &Secret::new("Not-The-Password-1"))
        .await
        .expect_err("wrong password");
    assert!(wrong.is_wrong_credentials(), "{wrong:?}");
    let unknown = c
        .signin("nobody@example.com", &Secret::new(&sandbox.admin_password))
        .await
        .expect_err("unknown user");
    assert!(unknown.is_wrong_credentials(), "{unknown:?}");
}

#[tokio::test]
async fn api_keys_are_created_used_replaced_and_deleted() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let c = client(&sandbox);
    let token = admin_token(&sandbox).await;
    let missing = c.get_api_key(&token).await.expect_err("no key yet");
    assert_eq!(
        missing.known(),
        Some(KnownDetail::ApiKeyNotFound),
        "{missing:?}"
    );

    let key = c.create_api_key(&token).await.expect("create");
    assert!(key.expose().starts_with("sk-") && key.expose().len() == 35);
    assert_eq!(c.get_api_key(&token).await.expect("get"), key);
    let as_key = c.session_user(&key).await.expect("the key authenticates");
    assert_eq!(as_key.email, sandbox.admin_email);

    let replacement = c.create_api_key(&token).await.expect("replace");
    assert_ne!(replacement, key);
    let old = c
        .list_users(&key, None, None)
        .await
        .expect_err("old key is dead");
    assert!(
        matches!(
            old,
            ApiError::NotAuthenticated {
                reason: AuthFailure::SessionExpired,
                ..
            }
        ),
        "{old:?}"
    );
    assert!(c.delete_api_key(&token).await.expect("delete"));
    assert!(c.list_users(&replacement, None, None).await.is_err());
    assert!(
        c.delete_api_key(&token)
            .await
            .expect("deleting again is still true")
    );
}

#[tokio::test]
async fn paging_walks_the_whole_directory_newest_first() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let c = client(&sandbox);
    let token = admin_token(&sandbox).await;
    let all = c.list_users(&token, None, None).await.expect("all");
    assert_eq!(all.len(), 200, "admin + 199 demo people");
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );

    let mut paged = Vec::new();
    let mut skip = 0;
    loop {
        let page = c
            .list_users(&token, Some(skip), Some(37))
            .await
            .expect("page");
        let n = page.len() as u64;
        paged.extend(page);
        if n < 37 {
            break;
        }
        skip += n;
    }
    let ids = |v: &[cloo_api::User]| v.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&all));
    // limit=0 means no cap, as on the server.
    assert_eq!(
        c.list_users(&token, Some(190), Some(0))
            .await
            .expect("rest")
            .len(),
        10
    );
    for role in ["admin", "user", "pending"] {
        assert!(all.iter().any(|u| u.role.as_str() == role), "some {role}");
    }
}

#[tokio::test]
async fn each_error_class_comes_back_as_the_server_sends_it() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let c = client(&sandbox);
    let admin = admin_token(&sandbox).await;

    // 401 "401 Unauthorized": a token that does not verify.
    let garbage = c
        .list_users(&Secret::new("not-a-jwt"), None, None)
        .await
        .expect_err("garbage");
    assert!(
        matches!(
            garbage,
            ApiError::NotAuthenticated {
                reason: AuthFailure::InvalidToken,
                ..
            }
        ),
        "{garbage:?}"
    );
    assert!(garbage.needs_sign_in());

    // 401 ACCESS_PROHIBITED: a pending (or user) account on an admin route is *forbidden*.
    let users = c.list_users(&admin, None, None).await.expect("users");
    let pending = users
        .iter()
        .find(|u| u.role.as_str() == "pending")
        .expect("a pending user");
    let pending_session = c
        .signin(&pending.email, &Secret::new("Sandbox-Demo-1"))
        .await
        .expect("pending users can sign in");
    assert_eq!(pending_session.role.as_str(), "pending");
    let forbidden = c
        .list_users(&pending_session.token, None, None)
        .await
        .expect_err("not admin");
    assert!(
        matches!(forbidden, ApiError::Forbidden { status: 401, .. }),
        "{forbidden:?}"
    );
    assert!(!forbidden.needs_sign_in());

    // 400 e-mail taken, and 400 bad e-mail format, on admin add.
    let form = |email: &'static str| AddUserForm {
        name: "Test Person",
        email,
        password: &SECRET,
        role: "user",
        profile_image_url: None,
    };
    static SECRET: std::sync::LazyLock<Secret> =
        std::sync::LazyLock::new(|| Secret::new("Strong-Pass-1"));
    let added = c
        .add_user(&admin, &form("new.person@example.com"))
        .await
        .expect("add");
    assert_eq!(added.role.as_str(), "user");
    let taken = c
        .add_user(&admin, &form("NEW.PERSON@example.com"))
        .await
        .expect_err("taken");
    assert_eq!(taken.known(), Some(KnownDetail::EmailTaken), "{taken:?}");
    let bad = c
        .add_user(&admin, &form("not-an-email"))
        .await
        .expect_err("format");
    assert_eq!(
        bad.known(),
        Some(KnownDetail::InvalidEmailFormat),
        "{bad:?}"
    );
    // admin add is admin-only.
    let by_pending = c
        .add_user(&pending_session.token, &form("x@example.com"))
        .await
        .expect_err("pending");
    assert!(
        matches!(by_pending, ApiError::Forbidden { .. }),
        "{by_pending:?}"
    );

    // Network: nothing listens.
    let dead = Client::new("http://127.0.0.1:9", &ClientOptions::default()).expect("client");
    let net = dead.health().await.expect_err("refused");
    assert!(matches!(net, ApiError::Network { .. }), "{net:?}");
    assert_eq!(net.code(), "network");
}

#[tokio::test]
async fn an_expired_session_is_reported_as_such() {
    // A negative lifetime issues tokens that are already expired (auth.md §3.12).
    let sandbox = SandboxProcess::start(&["--token-lifetime", "-60"]).expect("sandbox");
    let c = client(&sandbox);
    let session = c
        .signin(&sandbox.admin_email, &Secret::new(&sandbox.admin_password))
        .await
        .expect("sign-in");
    assert!(session.expires_at.expect("expiry") < 2_000_000_000);
    let e = c
        .list_users(&session.token, None, None)
        .await
        .expect_err("expired");
    assert!(
        matches!(
            e,
            ApiError::NotAuthenticated {
                reason: AuthFailure::InvalidToken,
                ..
            }
        ),
        "{e:?}"
    );
}

/// Raw HTTP for what the typed client never sends: the server's framework answers.
#[tokio::test]
async fn framework_answers_match_the_server() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let get = |path: &str| http.get(format!("{}{path}", sandbox.url));

    let r = get("/api/v1/users/").send().await.expect("send");
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json"),
        serde_json::json!({"detail": "Not authenticated"})
    );

    let r = get("/api/v1/does-not-exist").send().await.expect("send");
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["detail"],
        "Not Found"
    );

    let r = http
        .delete(format!("{}/api/v1/auths/signin", sandbox.url))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["detail"],
        "Method Not Allowed"
    );

    let r = get("/api/v1/users?limit=5").send().await.expect("send");
    assert_eq!(r.status(), 307);
    let location = r.headers()["location"].to_str().expect("location");
    assert!(location.ends_with("/api/v1/users/?limit=5"), "{location}");

    let r = http
        .post(format!("{}/api/v1/auths/signin", sandbox.url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.expect("json");
    let issues = body["detail"].as_array().expect("a list");
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["loc"], serde_json::json!(["body", "email"]));
    assert_eq!(issues[0]["type"], "missing");
    // The client reads the same list as a validation error.
    let e = ApiError::from_response(
        "POST /api/v1/auths/signin",
        422,
        body.to_string().as_bytes(),
    );
    assert!(
        matches!(e, ApiError::Validation { ref issues } if issues.len() == 2),
        "{e:?}"
    );

    let token = admin_token(&sandbox).await;
    let r = get("/api/v1/users/?skip=abc")
        .bearer_auth(token.expose())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["query", "skip"])
    );
    assert_eq!(body["detail"][0]["type"], "int_parsing");

    // The session cookie is set on sign-in and accepted instead of a bearer header.
    let r = http
        .post(format!("{}/api/v1/auths/signin", sandbox.url))
        .json(
            &serde_json::json!({"email": sandbox.admin_email, "password": sandbox.admin_password}),
        )
        .send()
        .await
        .expect("send");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.starts_with("token=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let r = get("/api/v1/users/?limit=1")
        .header("cookie", pair)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-process-time"));
}
