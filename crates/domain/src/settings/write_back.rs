//! Turning an edit of a settings section into the body the server is sent, without ever
//! destroying a secret: the server answers secrets masked, and some endpoints store a masked
//! value sent back as the new secret (settings.md rule 3). Every secret in a body is either a
//! value the user typed, a masked value the endpoint is known to resolve to the stored one, or
//! the write is refused with the field and the reason.

use super::catalogue::{BodyShape, MaskedWrite, Section};
use super::masking::{hides_a_secret, is_masked, is_secret_name};
use crate::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One field set to a new value; `path` is dotted (`TOOL_SERVER_CONNECTIONS.0.url`), list
/// elements by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Where.
    pub path: String,
    /// The new value.
    pub value: Value,
}

/// A secret the user typed for the field at `path`.
#[derive(Debug, Clone)]
pub struct NewSecret {
    /// Where.
    pub path: String,
    /// The real value.
    pub value: Secret,
}

/// Why a section's write was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WriteRefusal {
    /// The section has no field there.
    UnknownField {
        /// The path given.
        path: String,
    },
    /// The new value's JSON type differs from the field's.
    WrongType {
        /// The field.
        path: String,
        /// What the field holds (`boolean`, `number`, `string`, `list`, `object`).
        expected: String,
        /// What was given.
        found: String,
    },
    /// The server would answer 200 and silently keep the old value.
    Ignored {
        /// The field.
        path: String,
        /// Why, in one sentence.
        reason: String,
    },
    /// The server computes the field; it cannot be written.
    ReadOnly {
        /// The field.
        path: String,
    },
    /// A secret typed as an ordinary value (it would be shown and journaled): supply it as a
    /// secret instead.
    SecretAsValue {
        /// The field.
        path: String,
    },
    /// A new secret that starts with `***`: the server would take it for a masked one.
    LooksMasked {
        /// The field.
        path: String,
    },
    /// The write has to send this secret, and what the server answered in its place cannot be
    /// sent back without losing or misusing it: the real value is needed.
    SecretNeeded {
        /// The field.
        path: String,
        /// What the server would do with the masked form.
        because: MaskedWrite,
    },
    /// The deployment's secret here is three characters or fewer: the server answers `***`,
    /// which it would store as the new secret.
    ShortSecret {
        /// The field.
        path: String,
    },
    /// A masked key moved away from the connection it was read with; the server resolves it by
    /// position or last four characters and would attach another connection's key.
    SecretWouldMove {
        /// The field.
        path: String,
    },
}

impl WriteRefusal {
    /// The field the refusal is about.
    pub fn path(&self) -> &str {
        match self {
            WriteRefusal::UnknownField { path }
            | WriteRefusal::WrongType { path, .. }
            | WriteRefusal::Ignored { path, .. }
            | WriteRefusal::ReadOnly { path }
            | WriteRefusal::SecretAsValue { path }
            | WriteRefusal::LooksMasked { path }
            | WriteRefusal::SecretNeeded { path, .. }
            | WriteRefusal::ShortSecret { path }
            | WriteRefusal::SecretWouldMove { path } => path,
        }
    }
}

/// A body ready to send, and what it does.
#[derive(Debug, Clone)]
pub struct WriteBody {
    /// The JSON to POST (may hold real secrets the user typed: never log or store it).
    pub body: Value,
    /// The fields whose value changes, dotted, in order (secrets among them by path only).
    pub changed: Vec<String>,
    /// Secrets sent back in their masked form because the endpoint puts the stored value back.
    pub kept_masked: Vec<String>,
    /// The model rows the save creates or deletes (OpenAI connections only).
    pub model_rows: Option<super::model_rows::ModelRowEffect>,
}

/// The fields of `changed` that read back from the deployment (`after`) otherwise than the write
/// meant: an edited field not holding its new value (the server ignored or altered it), or a
/// typed secret whose masked form does not end as the typed value does. Secrets sent back
/// masked are not compared: their masked form is all anyone can see.
pub fn read_back_differences(
    before: &Value,
    after: &Value,
    edits: &[Edit],
    secrets: &[NewSecret],
    changed: &[String],
) -> Vec<String> {
    let mut expected = before.clone();
    for e in edits {
        // An edit that could not be placed was refused before sending.
        let _ = set_path(&mut expected, &e.path, e.value.clone());
    }
    changed
        .iter()
        .filter(|p| {
            let now = get_path(after, p);
            match secrets.iter().find(|s| &s.path == *p) {
                Some(typed) => {
                    now.and_then(Value::as_str)
                        != Some(super::masking::mask(typed.value.expose()).as_str())
                }
                None if is_secret_name(p.rsplit('.').next().unwrap_or(p)) => false,
                None => now != get_path(&expected, p),
            }
        })
        .cloned()
        .collect()
}

/// The section's object as the console shows and edits it: the answer (or its `within` key)
/// without the fields the POST does not take.
pub fn editable_view(section: &Section, answer: &Value) -> Value {
    let answer = match section.read_key {
        Some(key) => answer.get(key).unwrap_or(&Value::Null),
        None => answer,
    };
    let mut view = match (section.within, section.wrapped) {
        (Some(key), _) => answer.get(key).cloned().unwrap_or(Value::Null),
        (None, Some(key)) => {
            let mut m = Map::new();
            m.insert(key.to_owned(), answer.clone());
            Value::Object(m)
        }
        (None, None) => answer.clone(),
    };
    if let Value::Object(map) = &mut view {
        for field in section.read_only {
            map.remove(*field);
        }
    }
    view
}

/// Builds the body that applies `edits` and `secrets` to the section last read as `answer`,
/// or every reason it cannot be sent safely.
pub fn write_body(
    section: &Section,
    answer: &Value,
    edits: &[Edit],
    secrets: &[NewSecret],
) -> Result<WriteBody, Vec<WriteRefusal>> {
    let view = editable_view(section, answer);
    let mut edited = view.clone();
    let mut refusals = Vec::new();
    for edit in edits {
        if let Some(r) = check_edit(section, &view, edit) {
            refusals.push(r);
            continue;
        }
        let value = super::field_rules::as_stored(section.key, &edit.path, edit.value.clone());
        if let Err(r) = set_path(&mut edited, &edit.path, value) {
            refusals.push(r);
        }
    }
    let mut supplied = Vec::new();
    for secret in secrets {
        if hides_a_secret(secret.value.expose()) {
            refusals.push(WriteRefusal::LooksMasked {
                path: secret.path.clone(),
            });
            continue;
        }
        match set_path(
            &mut edited,
            &secret.path,
            Value::String(secret.value.expose().to_owned()),
        ) {
            Ok(()) => supplied.push(secret.path.clone()),
            Err(r) => refusals.push(r),
        }
    }
    let mut changed = Vec::new();
    diff_paths("", &view, &edited, &mut changed);
    for path in &supplied {
        if !changed.contains(path) {
            changed.push(path.clone());
        }
    }
    for path in &changed {
        if let Some(reason) = super::field_rules::ignored_in_context(section.key, path, &edited) {
            refusals.push(WriteRefusal::Ignored {
                path: path.clone(),
                reason,
            });
        }
    }
    let mut body = match section.shape {
        BodyShape::Whole => edited.clone(),
        BodyShape::Changed {
            always,
            whole_groups,
        } => changed_only(&view, &edited, always, whole_groups),
    };
    let mut kept_masked = Vec::new();
    check_secrets(
        section,
        &view,
        &edited,
        "",
        &body,
        false,
        &supplied,
        &mut kept_masked,
        &mut refusals,
    );
    if !refusals.is_empty() {
        refusals.dedup();
        return Err(refusals);
    }
    if let Value::Object(map) = &mut body {
        for (from, to) in section.renamed {
            if let Some(v) = map.remove(*from) {
                map.insert((*to).to_owned(), v);
            }
        }
    }
    if let Some(key) = section.within {
        let mut wrapped = Map::new();
        wrapped.insert(key.to_owned(), body);
        body = Value::Object(wrapped);
    }
    let model_rows = super::model_rows::model_row_effect(section.key, &view, &edited);
    Ok(WriteBody {
        body,
        changed,
        kept_masked,
        model_rows,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

fn check_edit(section: &Section, view: &Value, edit: &Edit) -> Option<WriteRefusal> {
    let path = edit.path.clone();
    let top = edit.path.split('.').next().unwrap_or_default();
    if section.read_only.contains(&top) {
        return Some(WriteRefusal::ReadOnly { path });
    }
    if view.get(top).is_none() {
        return Some(WriteRefusal::UnknownField { path });
    }
    if let Some(old) = get_path(view, &edit.path)
        && !old.is_null()
        && !edit.value.is_null()
        && kind_of(old) != kind_of(&edit.value)
    {
        return Some(WriteRefusal::WrongType {
            path,
            expected: kind_of(old).to_owned(),
            found: kind_of(&edit.value).to_owned(),
        });
    }
    if let Some(reason) = super::field_rules::ignored_value(section.key, &edit.path, &edit.value) {
        return Some(WriteRefusal::Ignored { path, reason });
    }
    let mut plain = Vec::new();
    plain_secrets(
        &edit.path,
        last_segment(&edit.path),
        &edit.value,
        &mut plain,
    );
    plain
        .into_iter()
        .next()
        .map(|path| WriteRefusal::SecretAsValue { path })
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Secret-named leaves of `value` (at `path`) holding a real value.
fn plain_secrets(path: &str, name: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if is_secret_name(name) && !s.is_empty() && !hides_a_secret(s) => {
            out.push(path.to_owned())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                plain_secrets(&format!("{path}.{i}"), name, item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                plain_secrets(&format!("{path}.{k}"), k, v, out);
            }
        }
        _ => {}
    }
}

/// The value at a dotted path.
pub fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, seg| match v {
        Value::Object(map) => map.get(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Sets the value at a dotted path whose parent exists (a list may grow by one at its end);
/// refused as an unknown field otherwise.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), WriteRefusal> {
    let unknown = || WriteRefusal::UnknownField {
        path: path.to_owned(),
    };
    let (parent_path, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let parent = match parent_path {
        Some(p) => p.split('.').try_fold(&mut *root, |v, seg| match v {
            Value::Object(map) => map.get_mut(seg),
            Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        }),
        None => Some(root),
    }
    .ok_or_else(unknown)?;
    match parent {
        Value::Object(map) => {
            map.insert(last.to_owned(), value);
            Ok(())
        }
        Value::Array(items) => {
            let i: usize = last.parse().map_err(|_| unknown())?;
            match i.cmp(&items.len()) {
                std::cmp::Ordering::Less => items[i] = value,
                std::cmp::Ordering::Equal => items.push(value),
                std::cmp::Ordering::Greater => return Err(unknown()),
            }
            Ok(())
        }
        _ => Err(unknown()),
    }
}

/// Leaf paths where `a` and `b` differ (element by element in lists of the same length; a
/// list whose length changed is one path).
fn diff_paths(prefix: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                match x.get(k) {
                    Some(old) => diff_paths(&join(k), old, v, out),
                    None => out.push(join(k)),
                }
            }
            for k in x.keys().filter(|k| !y.contains_key(*k)) {
                out.push(join(k));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() && x != y => {
            for (i, (old, new)) in x.iter().zip(y).enumerate() {
                diff_paths(&join(&i.to_string()), old, new, out);
            }
        }
        _ if a != b => out.push(prefix.to_owned()),
        _ => {}
    }
}

/// The part of `edited` that differs from `view`, under a POST that keeps what is left out.
fn changed_only(view: &Value, edited: &Value, always: &[&str], whole_groups: &[&str]) -> Value {
    let (Value::Object(old), Value::Object(new)) = (view, edited) else {
        return edited.clone();
    };
    let mut body = Map::new();
    for (k, v) in new {
        let before = old.get(k);
        if always.contains(&k.as_str()) || whole_groups.contains(&k.as_str()) {
            if always.contains(&k.as_str()) || before != Some(v) {
                body.insert(k.clone(), v.clone());
            }
        } else if before != Some(v) {
            let part = match (before, v) {
                (Some(b @ Value::Object(_)), Value::Object(_)) => changed_only(b, v, &[], &[]),
                _ => v.clone(),
            };
            body.insert(k.clone(), part);
        }
    }
    Value::Object(body)
}

/// Refuses every masked secret in `body` that the server would not put back where it belongs.
#[allow(clippy::too_many_arguments)]
fn check_secrets(
    section: &Section,
    view: &Value,
    edited: &Value,
    path: &str,
    value: &Value,
    secret_parent: bool,
    supplied: &[String],
    kept: &mut Vec<String>,
    refusals: &mut Vec<WriteRefusal>,
) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let secret = is_secret_name(k);
                check_secrets(
                    section,
                    view,
                    edited,
                    &join(k),
                    v,
                    secret,
                    supplied,
                    kept,
                    refusals,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_secrets(
                    section,
                    view,
                    edited,
                    &join(&i.to_string()),
                    v,
                    secret_parent,
                    supplied,
                    kept,
                    refusals,
                );
            }
        }
        Value::String(s)
            if secret_parent && hides_a_secret(s) && !supplied.iter().any(|p| p == path) =>
        {
            let full = path.to_owned();
            let how = section.masked_write(path);
            if !is_masked(s) {
                refusals.push(WriteRefusal::ShortSecret { path: full });
                return;
            }
            match how {
                MaskedWrite::Keeps => kept.push(full),
                MaskedWrite::StoresLiterally | MaskedWrite::UsesAsSent => {
                    refusals.push(WriteRefusal::SecretNeeded {
                        path: full,
                        because: how,
                    })
                }
                MaskedWrite::KeepsByPosition => {
                    if stays_in_place(section, view, edited, path, s) {
                        kept.push(full)
                    } else {
                        refusals.push(WriteRefusal::SecretWouldMove { path: full })
                    }
                }
                MaskedWrite::KeepsByTail => {
                    if matches_one_slot(section, view, edited, path, s) {
                        kept.push(full)
                    } else {
                        refusals.push(WriteRefusal::SecretWouldMove { path: full })
                    }
                }
            }
        }
        _ => {}
    }
}

/// The index of the connection a path belongs to (`OLLAMA_API_CONFIGS.2.key` → 2,
/// `OPENAI_API_KEYS.1` → 1).
fn slot_of(path: &str) -> Option<usize> {
    path.split('.').nth(1).and_then(|s| s.parse().ok())
}

fn url_at<'a>(section: &Section, root: &'a Value, slot: usize) -> Option<&'a Value> {
    section
        .urls
        .and_then(|list| root.get(list))
        .and_then(|urls| urls.get(slot))
}

/// A masked value resolved by position goes back to where it was read, beside the same URL.
fn stays_in_place(
    section: &Section,
    view: &Value,
    edited: &Value,
    path: &str,
    masked: &str,
) -> bool {
    let Some(slot) = slot_of(path) else {
        return false;
    };
    get_path(view, path).and_then(Value::as_str) == Some(masked)
        && url_at(section, view, slot) == url_at(section, edited, slot)
}

/// A masked value resolved by its tail finds exactly one stored slot: the only one read with
/// that mask, or the one read with that mask and the same URL.
fn matches_one_slot(
    section: &Section,
    view: &Value,
    edited: &Value,
    path: &str,
    masked: &str,
) -> bool {
    let Some(slot) = slot_of(path) else {
        return false;
    };
    let list = path.split('.').next().unwrap_or_default();
    let read_slots: Vec<usize> = view
        .get(list)
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .enumerate()
                .filter(|(_, k)| k.as_str() == Some(masked))
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    let url = url_at(section, edited, slot);
    let same_url = read_slots
        .iter()
        .filter(|i| url_at(section, view, **i) == url)
        .count();
    read_slots.len() == 1 || same_url == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn section(key: &str) -> &'static Section {
        Section::find(key).expect("section")
    }

    fn edit(path: &str, value: Value) -> Edit {
        Edit {
            path: path.into(),
            value,
        }
    }

    fn secret(path: &str, value: &str) -> NewSecret {
        NewSecret {
            path: path.into(),
            value: Secret::new(value),
        }
    }

    fn tool_servers() -> Value {
        json!({"TOOL_SERVER_CONNECTIONS": [
            {"url": "https://a", "path": "openapi.json", "auth_type": "bearer", "key": "*****************oken", "config": {"enable": true}},
            {"url": "https://b", "path": "openapi.json", "auth_type": "session", "key": "", "config": {"enable": true}},
        ]})
    }

    #[test]
    fn a_tool_server_edit_needs_every_masked_key_typed_again() {
        let refused = write_body(
            section("tool_servers"),
            &tool_servers(),
            &[edit("TOOL_SERVER_CONNECTIONS.1.url", json!("https://c"))],
            &[],
        )
        .expect_err("refused");
        assert_eq!(
            refused,
            vec![WriteRefusal::SecretNeeded {
                path: "TOOL_SERVER_CONNECTIONS.0.key".into(),
                because: MaskedWrite::StoresLiterally
            }]
        );
        let body = write_body(
            section("tool_servers"),
            &tool_servers(),
            &[edit("TOOL_SERVER_CONNECTIONS.1.url", json!("https://c"))],
            &[secret("TOOL_SERVER_CONNECTIONS.0.key", "real-token")],
        )
        .expect("present");
        assert_eq!(body.body["TOOL_SERVER_CONNECTIONS"][0]["key"], "real-token");
        assert_eq!(body.body["TOOL_SERVER_CONNECTIONS"][1]["url"], "https://c");
        assert_eq!(
            body.changed,
            vec![
                "TOOL_SERVER_CONNECTIONS.0.key",
                "TOOL_SERVER_CONNECTIONS.1.url"
            ]
        );
    }

    #[test]
    fn a_whole_body_sends_masked_secrets_only_where_the_server_puts_them_back() {
        let answer = json!({"ENABLE_CODE_EXECUTION": true, "CODE_EXECUTION_ENGINE": "jupyter",
            "CODE_EXECUTION_JUPYTER_URL": "http://j", "CODE_EXECUTION_JUPYTER_AUTH": "token",
            "CODE_EXECUTION_JUPYTER_AUTH_TOKEN": "********abcd", "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD": "",
            "CODE_EXECUTION_JUPYTER_TIMEOUT": 60});
        let body = write_body(
            section("code_execution"),
            &answer,
            &[edit("CODE_EXECUTION_JUPYTER_TIMEOUT", json!(120))],
            &[],
        )
        .expect("present");
        assert_eq!(body.kept_masked, vec!["CODE_EXECUTION_JUPYTER_AUTH_TOKEN"]);
        assert_eq!(body.body["CODE_EXECUTION_JUPYTER_TIMEOUT"], 120);
        assert_eq!(body.changed, vec!["CODE_EXECUTION_JUPYTER_TIMEOUT"]);
        // A secret of three characters or fewer reads as `***`, which would be stored as sent.
        let mut short = answer.clone();
        short["CODE_EXECUTION_JUPYTER_AUTH_TOKEN"] = json!("***");
        assert_eq!(
            write_body(section("code_execution"), &short, &[], &[]).expect_err("refused"),
            vec![WriteRefusal::ShortSecret {
                path: "CODE_EXECUTION_JUPYTER_AUTH_TOKEN".into()
            }]
        );
    }

    #[test]
    fn a_partial_body_leaves_out_what_did_not_change_secrets_included() {
        let answer = json!({"image_upload_mode": "storage", "provider": "s3",
            "s3": {"bucket_name": "b", "region_name": "us-east-1", "endpoint_url": "", "access_key_id": "****AKID",
                   "secret_access_key": "*******cret", "key_prefix": ""},
            "azure": {"endpoint": "", "container_name": "", "storage_key": ""}});
        let body = write_body(
            section("storage"),
            &answer,
            &[edit("image_upload_mode", json!("base64"))],
            &[],
        )
        .expect("present");
        assert_eq!(
            body.body,
            json!({"image_upload_mode": "base64", "provider": "s3"})
        );
        // Touching the S3 group sends it whole: both its secrets must be real.
        let refused = write_body(
            section("storage"),
            &answer,
            &[edit("s3.bucket_name", json!("c"))],
            &[],
        )
        .expect_err("refused");
        assert_eq!(refused.len(), 2);
        let body = write_body(
            section("storage"),
            &answer,
            &[edit("s3.bucket_name", json!("c"))],
            &[
                secret("s3.access_key_id", "AKIDREAL"),
                secret("s3.secret_access_key", "real-secret"),
            ],
        )
        .expect("present");
        assert_eq!(body.body["s3"]["access_key_id"], "AKIDREAL");
        assert_eq!(body.body["s3"]["region_name"], "us-east-1");
    }

    #[test]
    fn the_web_group_goes_whole_and_its_sougou_key_must_be_real() {
        let answer = json!({"status": true, "CHUNK_SIZE": 1000,
            "web": {"ENABLE_WEB_SEARCH": true, "SOUGOU_API_SK": "*****9f3a", "TAVILY_API_KEY": "******7777"}});
        let only_chunks = write_body(
            section("retrieval"),
            &answer,
            &[edit("CHUNK_SIZE", json!(800))],
            &[],
        )
        .expect("present");
        assert_eq!(only_chunks.body, json!({"CHUNK_SIZE": 800}));
        let refused = write_body(
            section("web"),
            &answer,
            &[edit("ENABLE_WEB_SEARCH", json!(false))],
            &[],
        )
        .expect_err("refused");
        assert_eq!(refused[0].path(), "SOUGOU_API_SK");
        let body = write_body(
            section("web"),
            &answer,
            &[edit("ENABLE_WEB_SEARCH", json!(false))],
            &[secret("SOUGOU_API_SK", "sk-real")],
        )
        .expect("present");
        assert_eq!(body.body["web"]["TAVILY_API_KEY"], "******7777");
        assert_eq!(body.kept_masked, vec!["TAVILY_API_KEY"]);
    }

    #[test]
    fn ollama_keys_may_not_change_position() {
        let answer = json!({"ENABLE_OLLAMA_API": true, "OLLAMA_BASE_URLS": ["http://a", "http://b"],
            "OLLAMA_API_CONFIGS": {"0": {"enable": true, "key": ""}, "1": {"enable": true, "key": "****wxyz"}}});
        assert!(
            write_body(
                section("ollama"),
                &answer,
                &[edit("OLLAMA_API_CONFIGS.0.enable", json!(false))],
                &[]
            )
            .is_ok()
        );
        let swapped = write_body(
            section("ollama"),
            &answer,
            &[edit("OLLAMA_BASE_URLS", json!(["http://b", "http://a"]))],
            &[],
        )
        .expect_err("refused");
        assert_eq!(
            swapped,
            vec![WriteRefusal::SecretWouldMove {
                path: "OLLAMA_API_CONFIGS.1.key".into()
            }]
        );
    }

    #[test]
    fn openai_keys_with_the_same_tail_may_not_change_url() {
        let answer = json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": ["https://a", "https://b"],
            "OPENAI_API_KEYS": ["*****1234", "*****1234"], "OPENAI_API_CONFIGS": {}});
        assert!(write_body(section("openai"), &answer, &[], &[]).is_ok());
        let moved = write_body(
            section("openai"),
            &answer,
            &[edit("OPENAI_API_BASE_URLS.0", json!("https://c"))],
            &[],
        )
        .expect_err("refused");
        assert_eq!(moved[0].path(), "OPENAI_API_KEYS.0");
    }

    #[test]
    fn typed_secrets_are_refused_as_plain_values_or_when_they_look_masked() {
        assert_eq!(
            write_body(
                section("tool_servers"),
                &tool_servers(),
                &[edit("TOOL_SERVER_CONNECTIONS.1.key", json!("plain"))],
                &[secret("TOOL_SERVER_CONNECTIONS.0.key", "real")]
            )
            .expect_err("refused"),
            vec![WriteRefusal::SecretAsValue {
                path: "TOOL_SERVER_CONNECTIONS.1.key".into()
            }]
        );
        assert!(matches!(
            write_body(
                section("tool_servers"),
                &tool_servers(),
                &[],
                &[secret("TOOL_SERVER_CONNECTIONS.0.key", "****abcd")]
            )
            .expect_err("refused")[0],
            WriteRefusal::LooksMasked { .. }
        ));
    }

    #[test]
    fn unknown_fields_wrong_types_and_read_only_fields_are_refused() {
        let answer = json!({"status": true, "top_k": 3, "engine_type": ""});
        let refused = write_body(
            section("search_engine"),
            &answer,
            &[
                edit("nope", json!(1)),
                edit("top_k", json!("3")),
                edit("status", json!(false)),
            ],
            &[],
        )
        .expect_err("refused");
        assert_eq!(
            refused,
            vec![
                WriteRefusal::UnknownField {
                    path: "nope".into()
                },
                WriteRefusal::WrongType {
                    path: "top_k".into(),
                    expected: "number".into(),
                    found: "string".into()
                },
                WriteRefusal::ReadOnly {
                    path: "status".into()
                },
            ]
        );
    }

    #[test]
    fn read_back_differences_name_what_the_server_did_not_take() {
        let before = json!({"JWT_EXPIRES_IN": "-1", "ENABLE_SIGNUP": true, "key": "****aaaa"});
        let after = json!({"JWT_EXPIRES_IN": "-1", "ENABLE_SIGNUP": false, "key": "*****bcde"});
        let edits = [
            edit("JWT_EXPIRES_IN", json!("4w")),
            edit("ENABLE_SIGNUP", json!(false)),
        ];
        let changed: Vec<String> = ["JWT_EXPIRES_IN", "ENABLE_SIGNUP", "key"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            read_back_differences(
                &before,
                &after,
                &edits,
                &[secret("key", "new-abcde")],
                &changed
            ),
            vec!["JWT_EXPIRES_IN"]
        );
        assert_eq!(
            read_back_differences(
                &before,
                &after,
                &edits,
                &[secret("key", "new-zzzz")],
                &changed
            ),
            vec!["JWT_EXPIRES_IN", "key"]
        );
    }

    #[test]
    fn a_bare_list_answer_is_edited_and_sent_under_its_key() {
        let answer = json!([{"id": "b1", "title": "Hi", "content": "x"}]);
        let body = write_body(
            section("banners"),
            &answer,
            &[edit("banners.0.title", json!("Hello"))],
            &[],
        )
        .expect("body");
        assert_eq!(
            body.body,
            json!({"banners": [{"id": "b1", "title": "Hello", "content": "x"}]})
        );
        assert_eq!(body.changed, vec!["banners.0.title"]);
    }

    #[test]
    fn renamed_fields_are_written_under_the_post_name() {
        let body = write_body(
            section("ldap"),
            &json!({"ENABLE_LDAP": false}),
            &[edit("ENABLE_LDAP", json!(true))],
            &[],
        )
        .expect("present");
        assert_eq!(body.body, json!({"enable_ldap": true}));
    }
}
