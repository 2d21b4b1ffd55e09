//! The sandbox answers like the real server: every captured request the sandbox implements is
//! replayed against it, in the captures' order (so the group the capture created exists when the
//! capture updates it), with the capture's ids and e-mails mapped to the sandbox's; the answer must
//! have the captured status and the captured body's shape (keys and JSON types, recursively).

use cloo_tests::SandboxProcess;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Captures the sandbox does not serve, with why.
const NOT_SERVED: &[(&str, &str)] = &[
    (
        "041_orgs_sync_providers",
        "the server's own directory sync: the console syncs Entra itself (issue 10)",
    ),
    ("050_", "notifications: issue 12"),
    ("051_", "notifications: issue 12"),
    ("052_", "notifications: issue 12"),
    ("053_", "notifications: issue 12"),
    ("055_", "Service Requests: issue 12"),
    ("06", "inquiries: issue 12"),
    ("070_", "the admin config: issue 11"),
    ("071_", "the admin config: issue 11"),
    ("074_", "config versions: issue 11"),
    ("09", "audit logs and license: issue 13"),
    ("099b_", "license: issue 13"),
    (
        "106_err_method_not_allowed",
        "the admin config route (its 405 for DELETE): issue 11",
    ),
];

/// Answers that show only what was stored: the sandbox's may lack sections the capture's server
/// had saved (by settings endpoints the sandbox does not serve yet), never have extra ones.
const STORED_ONLY: &[&str] = &["073_configs_export"];

/// Keys whose value is free-form data (its inner keys depend on what was stored, not on the
/// shape of the API): only its JSON type is compared.
const FREE: &[&str] = &[
    "meta",
    "data",
    "info",
    "per_model",
    "USAGE_LIMIT_PER_MODEL",
    "input",
    "ctx",
];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `answer`'s shape differs from `captured`'s. Null on either side matches anything (it
/// depends on the data), and so does an empty list. With `subset`, keys the answer lacks are
/// fine.
fn shape_diff(captured: &Value, answer: &Value, at: &str, subset: bool, out: &mut Vec<String>) {
    match (captured, answer) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                shape_diff(x, y, &format!("{at}[0]"), subset, out);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().filter(|k| !subset && !b.contains_key(*k)) {
                out.push(format!("{at}.{key}: missing from the sandbox's answer"));
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{at}.{key}: not in the server's answer"));
            }
            for (key, x) in a {
                if let Some(y) = b.get(key) {
                    let path = format!("{at}.{key}");
                    if FREE.contains(&key.as_str()) {
                        if kind(x) != kind(y) && !x.is_null() && !y.is_null() {
                            out.push(format!("{path}: {} vs {}", kind(x), kind(y)));
                        }
                    } else {
                        shape_diff(x, y, &path, subset, out);
                    }
                }
            }
        }
        (x, y) if kind(x) != kind(y) => out.push(format!("{at}: {} vs {}", kind(x), kind(y))),
        _ => {}
    }
}

/// Replaces every captured id and e-mail that has a sandbox counterpart.
fn mapped(text: &str, names: &BTreeMap<String, String>) -> String {
    names
        .iter()
        .fold(text.to_owned(), |t, (from, to)| t.replace(from, to))
}

#[tokio::test]
async fn the_sandbox_answers_every_captured_request_with_the_captured_shape() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let http = reqwest::Client::new();
    let token = sandbox.admin_token().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("contract/captured");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the captures")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 80, "only {} captures", names.len());

    // The capture's people and objects, mapped to the sandbox's.
    let users = sandbox
        .client()
        .list_users(&token, None, None)
        .await
        .expect("users");
    let someone = users
        .iter()
        .find(|u| u.role.as_str() == "user")
        .expect("a demo user");
    let mut map = BTreeMap::from([
        ("admin@example.com".to_owned(), sandbox.admin_email.clone()),
        ("Harness-Admin-1".to_owned(), sandbox.admin_password.clone()),
        (
            "2ca703cf-c1b0-471e-af13-a2bd88e87009".to_owned(),
            someone.id.clone(),
        ),
        (
            "3273ad8e-2cef-4ad5-b9c5-fd10f06c12f6".to_owned(),
            users
                .iter()
                .find(|u| u.email == sandbox.admin_email)
                .expect("admin")
                .id
                .clone(),
        ),
    ]);

    let mut compared = 0;
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for name in &names {
        if let Some((_, why)) = NOT_SERVED
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix))
        {
            skipped.push(format!("{name}: {why}"));
            continue;
        }
        let file: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("capture"),
        )
        .expect("capture JSON");
        let (method, path) = file["endpoint"]
            .as_str()
            .and_then(|e| e.split_once(' '))
            .expect("endpoint");
        let status = file["status"].as_u64().expect("status") as u16;
        let path = mapped(path, &map);
        let mut request = http.request(
            method.parse().expect("method"),
            format!("{}{}", sandbox.url, path),
        );
        // The captures of missing and bad tokens, and the non-admin one, carry their own.
        request = match name.as_str() {
            "100_err_no_token" => request,
            "101_err_bad_token" => request.bearer_auth("not-a-token"),
            "102_err_non_admin_token" => {
                let hers = sandbox
                    .client()
                    .signin(&someone.email, &cloo_domain::Secret::new("Sandbox-Demo-1"))
                    .await
                    .expect("her token")
                    .token;
                request.bearer_auth(hers.expose())
            }
            _ => request.bearer_auth(token.expose()),
        };
        if !file["request_body"].is_null() {
            let body = mapped(&file["request_body"].to_string(), &map);
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let answer = request.send().await.expect("the sandbox answers");
        let got = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if got != status {
            problems.push(format!(
                "{name}: status {got}, the server answered {status}: {body}"
            ));
            continue;
        }
        let mut diff = Vec::new();
        let subset = STORED_ONLY.contains(&name.as_str());
        shape_diff(&file["body"], &body, "$", subset, &mut diff);
        problems.extend(diff.into_iter().map(|d| format!("{name}: {d}")));
        compared += 1;

        // What later captures refer to: the group and organization the captures created.
        match name.as_str() {
            "031_groups_create" => {
                map.insert(
                    "51aa4643-5a47-4cf0-9abe-1f947ee937fc".into(),
                    body["id"].as_str().expect("group id").to_owned(),
                );
            }
            "043_orgs_list" => {
                let org = body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|o| o["tenant_id"] == file["body"][0]["tenant_id"])
                    .expect("the imported organization");
                map.insert(
                    "9e877ca1-d08b-4250-8463-d820499e275f".into(),
                    org["id"].as_str().expect("org id").to_owned(),
                );
            }
            "044_orgs_units" => {
                let captured: Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.join("048_orgs_unit_get_by_id.json"))
                        .expect("048"),
                )
                .expect("json");
                let external = &captured["body"]["external_id"];
                let unit = body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|u| &u["external_id"] == external)
                    .expect("the captured unit, imported");
                map.insert(
                    "ae0da16e-984c-4647-8a2a-7fdf1c98cc7f".into(),
                    unit["id"].as_str().expect("unit id").to_owned(),
                );
            }
            _ => {}
        }
    }
    eprintln!("not served by the sandbox:\n  {}", skipped.join("\n  "));
    assert!(compared >= 45, "only {compared} captures compared");
    assert!(
        problems.is_empty(),
        "the sandbox answers unlike the server:\n{}",
        problems.join("\n")
    );
}
