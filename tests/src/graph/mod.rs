//! A Graph-compatible server for the tests: the token endpoints of the three sign-ins (checking
//! the client assertion's signature and claims), the directory calls of entra-sync.md with real
//! `$select` checking, `$top` and `@odata.nextLink` paging, and fault injection on any path
//! (429 with `Retry-After`, 503, dropped connections, bad JSON).
//!
//! It is written from Microsoft's documentation, not from the console's code, and it shares no
//! type with it: what the console reads here is what it would read from Graph.

pub mod delta;
pub mod tenant;

pub use tenant::{Rng, Tenant, TenantSpec};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The app registration the server accepts.
#[derive(Debug, Clone)]
pub struct App {
    /// Application (client) id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Public key of its certificate (PEM), to check assertions.
    pub certificate_public_key_pem: Option<String>,
    /// `x5t#S256` of its certificate.
    pub certificate_thumbprint: Option<String>,
}

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// 429, with `Retry-After` seconds when given.
    Throttle(Option<u64>),
    /// 503 Service Unavailable, with `Retry-After` seconds when given.
    Unavailable(Option<u64>),
    /// The connection drops in the middle of the body.
    Drop,
    /// 200 with a body that is not JSON.
    BadJson,
    /// Any status with a Graph error body.
    Status(u16),
}

/// A fault on requests whose path and query contain `on`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Substring of `path?query` (`""` matches everything).
    pub on: String,
    /// What happens.
    pub kind: FaultKind,
    /// Matching requests let through before the fault applies.
    pub skip: usize,
    /// How many times it applies.
    pub times: usize,
    /// Applies to one matching request in `every` (1: each one).
    pub every: usize,
    seen: usize,
}

/// One request the server answered.
#[derive(Debug, Clone)]
pub struct Logged {
    /// `GET`, `POST`.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Status sent.
    pub status: u16,
    /// Headers received (lower-case names), without `authorization`.
    pub headers: Vec<(String, String)>,
    /// When.
    pub at: Instant,
}

pub(crate) struct ServerState {
    pub(crate) base: String,
    /// Delta rounds being paged through, by function, token and selection.
    pub(crate) delta_rounds: Mutex<HashMap<String, Arc<Vec<Value>>>>,
    pub(crate) tenant: Mutex<Tenant>,
    app: App,
    tokens: Mutex<HashMap<String, Instant>>,
    refresh_tokens: Mutex<HashSet<String>>,
    token_lifetime: Mutex<u64>,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<Logged>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    seen_jti: Mutex<HashSet<String>>,
    device_script: Mutex<VecDeque<&'static str>>,
    device_interval: Mutex<u64>,
    device_codes: Mutex<HashSet<String>>,
    load_percentage: Mutex<Option<f64>>,
    default_page: usize,
    pub(crate) changes: Mutex<delta::ChangeLog>,
}

/// A running Graph-compatible server on 127.0.0.1.
pub struct GraphServer {
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for GraphServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl GraphServer {
    /// Starts serving `tenant` for `app`.
    pub async fn start(tenant: Tenant, app: App) -> anyhow::Result<GraphServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(ServerState {
            base,
            tenant: Mutex::new(tenant),
            app,
            tokens: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashSet::new()),
            token_lifetime: Mutex::new(3599),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            seen_jti: Mutex::new(HashSet::new()),
            device_script: Mutex::new(VecDeque::new()),
            device_interval: Mutex::new(0),
            device_codes: Mutex::new(HashSet::new()),
            load_percentage: Mutex::new(None),
            default_page: 100,
            changes: Mutex::new(delta::ChangeLog::default()),
            delta_rounds: Mutex::new(HashMap::new()),
        });
        let router = Router::new().fallback(handle).with_state(state.clone());
        // No Nagle delay, as a production HTTP server: an answer written in two segments does
        // not wait for the client's delayed ACK.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(GraphServer { state, task })
    }

    /// `http://127.0.0.1:PORT`: the sign-in host (authority).
    pub fn authority(&self) -> String {
        self.state.base.clone()
    }

    /// `http://127.0.0.1:PORT/v1.0`: the Graph base.
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.state.base)
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> String {
        self.with_tenant(|t| t.tenant_id())
    }

    /// Reads or changes the tenant.
    pub fn with_tenant<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        let mut t = self.state.tenant.lock().expect("tenant");
        f(&mut t)
    }

    /// Adds a fault: after `skip` matching requests, the next `times` matching ones fail.
    pub fn inject(&self, on: &str, kind: FaultKind, skip: usize, times: usize) {
        self.inject_every(on, kind, skip, times, 1);
    }

    /// Adds a fault that hits one matching request in `every`, `times` times.
    pub fn inject_every(&self, on: &str, kind: FaultKind, skip: usize, times: usize, every: usize) {
        self.state.faults.lock().expect("faults").push(Fault {
            on: on.to_owned(),
            kind,
            skip,
            times,
            every: every.max(1),
            seen: 0,
        });
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.state.faults.lock().expect("faults").clear();
    }

    /// Lifetime of the tokens issued from now on.
    pub fn set_token_lifetime(&self, seconds: u64) {
        *self.state.token_lifetime.lock().expect("lifetime") = seconds;
    }

    /// The answers of the next device-code polls, in order (`authorization_pending`,
    /// `slow_down`, `expired_token`, `authorization_declined`, `ok`), and the polling
    /// interval the device-code answer announces.
    pub fn script_device_code(&self, interval: u64, answers: &[&'static str]) {
        *self.state.device_interval.lock().expect("interval") = interval;
        *self.state.device_script.lock().expect("script") = answers.iter().copied().collect();
    }

    /// Reports `x-ms-throttle-limit-percentage` on every Graph answer.
    pub fn report_load(&self, percentage: Option<f64>) {
        *self.state.load_percentage.lock().expect("load") = percentage;
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.log.lock().expect("log").clone()
    }

    /// Forgets the request log and the concurrency high-water mark.
    pub fn clear_log(&self) {
        self.state.log.lock().expect("log").clear();
        self.state.max_in_flight.store(0, Ordering::SeqCst);
    }

    /// The most requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

pub(crate) fn graph_error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [("content-type", "application/json")],
        json!({"error": {"code": code, "message": message, "innerError": {"request-id": "00000000-0000-0000-0000-000000000000"}}}).to_string(),
    )
        .into_response()
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [("content-type", "application/json")],
        json!({"error": error, "error_description": description, "error_codes": [0]}).to_string(),
    )
        .into_response()
}

struct InFlight<'a>(&'a ServerState);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(&state);
    // Let concurrent requests overlap, as they would over a real network.
    tokio::time::sleep(Duration::from_millis(2)).await;
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let response = match fault_for(&state, &format!("{path}?{query}")) {
        Some(kind) => fault_response(kind),
        None => route(&state, &method, &path, &query, &headers, &body),
    };
    let mut logged_headers: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.as_str() != "authorization")
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    logged_headers.sort();
    state.log.lock().expect("log").push(Logged {
        method: method.to_string(),
        path,
        query,
        status: response.status().as_u16(),
        headers: logged_headers,
        at: Instant::now(),
    });
    response
}

fn fault_for(state: &ServerState, target: &str) -> Option<FaultKind> {
    let mut faults = state.faults.lock().expect("faults");
    for f in faults.iter_mut() {
        if f.times == 0 || !target.contains(&f.on) {
            continue;
        }
        if f.skip > 0 {
            f.skip -= 1;
            continue;
        }
        f.seen += 1;
        if (f.seen - 1) % f.every != 0 {
            continue;
        }
        f.times -= 1;
        return Some(f.kind.clone());
    }
    None
}

fn fault_response(kind: FaultKind) -> Response {
    match kind {
        FaultKind::Throttle(after) => {
            let mut r = graph_error(429, "TooManyRequests", "Too many requests.");
            if let Some(s) = after {
                r.headers_mut().insert("retry-after", s.into());
            }
            r
        }
        FaultKind::Unavailable(after) => {
            let mut r = graph_error(503, "serviceNotAvailable", "Service unavailable.");
            if let Some(s) = after {
                r.headers_mut().insert("retry-after", s.into());
            }
            r
        }
        FaultKind::Status(code) => graph_error(code, "generalException", "Injected failure."),
        FaultKind::BadJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"value\": [{\"id\": \"truncated",
        )
            .into_response(),
        FaultKind::Drop => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"value\": [")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped",
                )),
            ];
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_else(|_| graph_error(500, "x", "x"))
        }
    }
}

fn route(
    state: &ServerState,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let tenant_id = state.tenant.lock().expect("tenant").tenant_id();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, [tenant, "oauth2", "v2.0", "token"]) => {
            if *tenant != tenant_id {
                return oauth_error(400, "invalid_request", "AADSTS90002: Tenant not found.");
            }
            token(state, path, body)
        }
        (&Method::POST, [tenant, "oauth2", "v2.0", "devicecode"]) => {
            if *tenant != tenant_id {
                return oauth_error(400, "invalid_request", "AADSTS90002: Tenant not found.");
            }
            device_code(state, body)
        }
        (&Method::GET, ["v1.0", rest @ ..]) => {
            if let Err(r) = authorized(state, headers) {
                return *r;
            }
            let mut r = graph(state, rest, query);
            if let Some(p) = *state.load_percentage.lock().expect("load") {
                r.headers_mut().insert("x-ms-resource-unit", 1.into());
                if let Ok(v) = format!("{p:.2}").parse() {
                    r.headers_mut().insert("x-ms-throttle-limit-percentage", v);
                }
            }
            r
        }
        _ => graph_error(404, "Request_ResourceNotFound", "No such endpoint."),
    }
}

fn authorized(state: &ServerState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let tokens = state.tokens.lock().expect("tokens");
    match tokens.get(token) {
        Some(expiry) if *expiry > Instant::now() => Ok(()),
        Some(_) => Err(Box::new(graph_error(
            401,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        ))),
        None => Err(Box::new(graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        ))),
    }
}

fn issue_token(state: &ServerState, with_refresh: bool) -> Response {
    let access = format!("at-{}", uuid_like());
    let lifetime = *state.token_lifetime.lock().expect("lifetime");
    state.tokens.lock().expect("tokens").insert(
        access.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    let mut body = json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access});
    if with_refresh {
        let refresh = format!("rt-{}", uuid_like());
        state
            .refresh_tokens
            .lock()
            .expect("refresh")
            .insert(refresh.clone());
        body["refresh_token"] = json!(refresh);
        body["scope"] = json!("Directory.Read.All");
    }
    ([("content-type", "application/json")], body.to_string()).into_response()
}

/// A fresh GUID-shaped id: the counter keeps ids of one process apart, the clock those of
/// runs (seeding with `counter ^ seconds` repeated an id when an even counter met an even
/// second's tick).
fn uuid_like() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let n = NEXT.fetch_add(1, Ordering::SeqCst) as u64;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mut rng = Rng::new(n.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(nanos));
    rng.guid()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn token(state: &ServerState, path: &str, body: &[u8]) -> Response {
    let f = form(body);
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != state.app.client_id {
        return oauth_error(
            400,
            "unauthorized_client",
            "AADSTS700016: Application not found in the directory.",
        );
    }
    let scope_ok = |expected_offline: bool| {
        let graph_scope = format!("{}/.default", state.base);
        let scopes: Vec<&str> = get("scope").split(' ').collect();
        scopes.contains(&graph_scope.as_str())
            && (!expected_offline || scopes.contains(&"offline_access"))
    };
    match get("grant_type") {
        "client_credentials" => {
            if !scope_ok(false) {
                return oauth_error(
                    400,
                    "invalid_scope",
                    "AADSTS1002012: The provided value for scope is not valid.",
                );
            }
            if let Some(secret) = f.get("client_secret") {
                if *secret != state.app.client_secret {
                    return oauth_error(
                        401,
                        "invalid_client",
                        "AADSTS7000215: Invalid client secret provided.",
                    );
                }
                return issue_token(state, false);
            }
            if get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            {
                return oauth_error(
                    400,
                    "invalid_request",
                    "AADSTS7000218: The request body must contain client_assertion or client_secret.",
                );
            }
            match check_assertion(
                state,
                get("client_assertion"),
                &format!("{}{path}", state.base),
            ) {
                Ok(()) => issue_token(state, false),
                Err(why) => oauth_error(
                    401,
                    "invalid_client",
                    &format!("AADSTS700027: Client assertion failed signature validation: {why}"),
                ),
            }
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            if !state
                .device_codes
                .lock()
                .expect("codes")
                .contains(get("device_code"))
            {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "AADSTS70000: The provided device code is unknown.",
                );
            }
            let next = state
                .device_script
                .lock()
                .expect("script")
                .pop_front()
                .unwrap_or("ok");
            match next {
                "ok" => issue_token(state, true),
                other => oauth_error(400, other, &format!("AADSTS: {other}")),
            }
        }
        "refresh_token" => {
            if !scope_ok(true) {
                return oauth_error(400, "invalid_scope", "AADSTS70011: scope");
            }
            if state
                .refresh_tokens
                .lock()
                .expect("refresh")
                .remove(get("refresh_token"))
            {
                issue_token(state, true)
            } else {
                oauth_error(
                    400,
                    "invalid_grant",
                    "AADSTS700082: The refresh token has expired.",
                )
            }
        }
        other => oauth_error(
            400,
            "unsupported_grant_type",
            &format!("AADSTS70003: {other}"),
        ),
    }
}

fn check_assertion(state: &ServerState, assertion: &str, token_url: &str) -> Result<(), String> {
    let (Some(public), Some(thumbprint)) = (
        state.app.certificate_public_key_pem.as_deref(),
        state.app.certificate_thumbprint.as_deref(),
    ) else {
        return Err("no certificate is registered".into());
    };
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| e.to_string())?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    if header.x5t_s256.as_deref() != Some(thumbprint) {
        return Err(format!(
            "x5t#S256 {:?} is not the registered certificate's",
            header.x5t_s256
        ));
    }
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[token_url]);
    validation.set_issuer(&[state.app.client_id.as_str()]);
    validation.sub = Some(state.app.client_id.clone());
    validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
    validation.validate_nbf = true;
    let data = jsonwebtoken::decode::<Map<String, Value>>(assertion, &key, &validation)
        .map_err(|e| e.to_string())?;
    let claims = data.claims;
    let num = |k: &str| claims.get(k).and_then(Value::as_u64);
    let (Some(iat), Some(exp), Some(nbf)) = (num("iat"), num("exp"), num("nbf")) else {
        return Err("iat, nbf and exp are required".into());
    };
    let now = now_secs();
    if iat > now + 60 || nbf > now + 60 {
        return Err("issued in the future".into());
    }
    let lifetime = exp.saturating_sub(iat);
    if !(300..=600).contains(&lifetime) {
        return Err(format!("lifetime {lifetime} s is outside 5–10 minutes"));
    }
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else {
        return Err("jti is required".into());
    };
    if !state.seen_jti.lock().expect("jti").insert(jti.to_owned()) {
        return Err("jti replayed".into());
    }
    Ok(())
}

fn device_code(state: &ServerState, body: &[u8]) -> Response {
    let f = form(body);
    if f.get("client_id").map(String::as_str) != Some(state.app.client_id.as_str()) {
        return oauth_error(
            400,
            "unauthorized_client",
            "AADSTS700016: Application not found.",
        );
    }
    let code = format!("dc-{}", uuid_like());
    state
        .device_codes
        .lock()
        .expect("codes")
        .insert(code.clone());
    let interval = *state.device_interval.lock().expect("interval");
    (
        [("content-type", "application/json")],
        json!({
            "device_code": code,
            "user_code": "GRPH-TEST",
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": interval,
            "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code GRPH-TEST to authenticate.",
        })
        .to_string(),
    )
        .into_response()
}

/// Properties each entity type has (what `$select` may name).
fn properties(entity: &str) -> &'static [&'static str] {
    match entity {
        "user" => &[
            "id",
            "displayName",
            "mail",
            "userPrincipalName",
            "department",
            "jobTitle",
            "companyName",
            "accountEnabled",
            "userType",
            "givenName",
            "surname",
        ],
        "group" => &[
            "id",
            "displayName",
            "description",
            "groupTypes",
            "membershipRule",
            "mailEnabled",
            "securityEnabled",
            "mail",
        ],
        "administrativeUnit" => &[
            "id",
            "displayName",
            "description",
            "membershipType",
            "visibility",
        ],
        _ => &["id"],
    }
}

pub(crate) struct Query {
    pub(crate) select: Option<Vec<String>>,
    top: Option<usize>,
    pub(crate) skip: usize,
    filter: Option<String>,
    pub(crate) raw: Vec<(String, String)>,
}

fn parse_query(query: &str) -> Query {
    let raw: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| raw.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Query {
        select: get("$select").map(|s| s.split(',').map(|p| p.trim().to_owned()).collect()),
        top: get("$top").and_then(|t| t.parse().ok()),
        skip: get("$skiptoken")
            .and_then(|t| t.strip_prefix("RFNwdAIAAQ").and_then(|n| n.parse().ok()))
            .unwrap_or(0),
        filter: get("$filter"),
        raw,
    }
}

fn graph(state: &ServerState, rest: &[&str], query: &str) -> Response {
    let q = parse_query(query);
    let tenant = state.tenant.lock().expect("tenant");
    match rest {
        ["organization"] => (
            [("content-type", "application/json")],
            json!({"@odata.context": "x", "value": [tenant.organization]}).to_string(),
        )
            .into_response(),
        ["users", "delta"] => {
            drop(tenant);
            delta::delta(state, "users", "/users/delta", &q)
        }
        ["groups", "delta"] => {
            drop(tenant);
            delta::delta(state, "groups", "/groups/delta", &q)
        }
        ["directory", "administrativeUnits", "delta"] => {
            drop(tenant);
            delta::delta(
                state,
                "administrativeUnits",
                "/directory/administrativeUnits/delta",
                &q,
            )
        }
        ["users"] => list(state, "/users", "user", &tenant.users, &q),
        ["groups"] => {
            let filtered = match filter_groups(&tenant.groups, q.filter.as_deref()) {
                Ok(g) => g,
                Err(r) => return *r,
            };
            list(state, "/groups", "group", &filtered, &q)
        }
        ["directory", "administrativeUnits"] => list(
            state,
            "/directory/administrativeUnits",
            "administrativeUnit",
            &tenant.admin_units,
            &q,
        ),
        ["directory", "administrativeUnits", id, "members"] => {
            if !tenant.admin_units.iter().any(|a| a["id"] == *id) {
                return graph_error(
                    404,
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                    ),
                );
            }
            members(
                state,
                &tenant,
                id,
                &format!("/directory/administrativeUnits/{id}/members"),
                &q,
            )
        }
        ["groups", id, "members"] => {
            // Every group has a member list (possibly empty); administrative units are few.
            let is_group = tenant.members.contains_key(*id)
                && !tenant.admin_units.iter().any(|a| a["id"] == *id);
            if !is_group {
                return graph_error(
                    404,
                    "Request_ResourceNotFound",
                    &format!(
                        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
                    ),
                );
            }
            members(state, &tenant, id, &format!("/groups/{id}/members"), &q)
        }
        ["groups", id, "memberOf"] => {
            let parents: Vec<Value> = tenant
                .members
                .iter()
                .filter(|(_, m)| m.iter().any(|(mid, _)| mid == id))
                .filter(|(container, _)| {
                    tenant.groups.iter().any(|g| g["id"] == container.as_str())
                })
                .map(|(container, _)| json!({"@odata.type": tenant::GROUP, "id": container}))
                .collect();
            list(
                state,
                &format!("/groups/{id}/memberOf"),
                "directoryObject",
                &parents,
                &q,
            )
        }
        _ => graph_error(400, "BadRequest", "Resource not found for the segment."),
    }
}

fn filter_groups(groups: &[Value], filter: Option<&str>) -> Result<Vec<Value>, Box<Response>> {
    let Some(f) = filter.filter(|f| !f.is_empty()) else {
        return Ok(groups.to_vec());
    };
    let unsupported = || {
        graph_error(
            400,
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'Group'.",
        )
    };
    if let Some(arg) = f
        .strip_prefix("startswith(displayName,'")
        .and_then(|s| s.strip_suffix("')"))
    {
        return Ok(groups
            .iter()
            .filter(|g| {
                g["displayName"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().starts_with(&arg.to_lowercase()))
            })
            .cloned()
            .collect());
    }
    if let Some(arg) = f
        .strip_prefix("displayName eq '")
        .and_then(|s| s.strip_suffix('\''))
    {
        return Ok(groups
            .iter()
            .filter(|g| g["displayName"].as_str() == Some(arg))
            .cloned()
            .collect());
    }
    Err(Box::new(unsupported()))
}

fn members(state: &ServerState, tenant: &Tenant, id: &str, path: &str, q: &Query) -> Response {
    // A user's other properties are looked up only when something beyond the id is selected.
    let details = q
        .select
        .as_ref()
        .is_none_or(|s| s.iter().any(|p| p != "id"));
    let users: HashMap<&str, &Value> = if details {
        tenant
            .users
            .iter()
            .map(|u| (u["id"].as_str().unwrap_or_default(), u))
            .collect()
    } else {
        HashMap::new()
    };
    let list: Vec<Value> = tenant
        .members
        .get(id)
        .into_iter()
        .flatten()
        .map(|(mid, kind)| {
            let mut object = match users.get(mid.as_str()) {
                Some(u) if *kind == tenant::USER => (*u).clone(),
                _ => json!({"id": mid}),
            };
            object["@odata.type"] = json!(kind);
            object
        })
        .collect();
    list_of(state, path, "directoryObject", &list, q, true)
}

fn list(state: &ServerState, path: &str, entity: &str, items: &[Value], q: &Query) -> Response {
    list_of(state, path, entity, items, q, false)
}

fn list_of(
    state: &ServerState,
    path: &str,
    entity: &str,
    items: &[Value],
    q: &Query,
    keep_type: bool,
) -> Response {
    if let Some(select) = &q.select {
        // Members are directory objects: any property of a user is accepted.
        let allowed: Vec<&str> = if entity == "directoryObject" {
            properties("user")
                .iter()
                .chain(properties("group"))
                .copied()
                .collect()
        } else {
            properties(entity).to_vec()
        };
        if let Some(bad) = select.iter().find(|p| !allowed.contains(&p.as_str())) {
            return graph_error(
                400,
                "Request_BadRequest",
                &format!(
                    "Could not find a property named '{bad}' on type 'microsoft.graph.{entity}'."
                ),
            );
        }
    }
    let top = match q.top {
        Some(t) if t == 0 || t > 999 => {
            return graph_error(
                400,
                "Request_BadRequest",
                &format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                ),
            );
        }
        Some(t) => t,
        None => state.default_page,
    };
    let page: Vec<Value> = items
        .iter()
        .skip(q.skip)
        .take(top)
        .map(|item| project(item, q.select.as_deref(), keep_type))
        .collect();
    let mut body =
        json!({"@odata.context": format!("{}/v1.0/$metadata#{entity}", state.base), "value": page});
    if q.skip + top < items.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in q.raw.iter().filter(|(k, _)| k != "$skiptoken") {
            next.append_pair(k, v);
        }
        next.append_pair("$skiptoken", &format!("RFNwdAIAAQ{}", q.skip + top));
        body["@odata.nextLink"] = json!(format!("{}/v1.0{path}?{}", state.base, next.finish()));
    }
    ([("content-type", "application/json")], body.to_string()).into_response()
}

pub(crate) fn project(item: &Value, select: Option<&[String]>, keep_type: bool) -> Value {
    let Some(select) = select else {
        return item.clone();
    };
    let mut out = Map::new();
    if keep_type && let Some(t) = item.get("@odata.type") {
        out.insert("@odata.type".into(), t.clone());
    }
    out.insert("id".into(), item.get("id").cloned().unwrap_or(Value::Null));
    for p in select {
        out.insert(p.clone(), item.get(p).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}
