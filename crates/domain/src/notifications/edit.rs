//! Edits to a deployment's notification channels — add, change, move, remove, the event list —
//! applied to the channels as just read, checked field by field, and turned into the one
//! whole-configuration save the server takes (through [`plan_save`], so no secret is lost or
//! swapped), with a review of what happens to each channel.

use super::plan_save;
use super::save_plan::{ChannelKind, EMAIL_SECRETS, EditedChannel, SaveRefusal, WEBHOOK_SECRETS};
use crate::Secret;
use crate::settings::{get_path, hides_a_secret, set_path};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The e-mail engines the server sends with (anything else is "no engine").
pub const EMAIL_ENGINES: [&str; 4] = ["smtp", "sendgrid", "azure", "msgraph"];

/// The webhook providers the server formats messages for.
pub const WEBHOOK_PROVIDERS: [&str; 5] = ["slack", "teams", "discord", "telegram", "google_chat"];

/// An e-mail channel with every field at the server's default (notifications.md, "Data
/// structure"): what a save completes an added channel with.
pub fn email_defaults() -> Value {
    json!({
        "name": "", "engine": "",
        "smtp": {"server": "", "port": 587, "username": "", "password": "", "use_tls": true,
                 "use_ssl": false, "from_address": "", "from_name": "Cloosphere"},
        "sendgrid": {"api_key": "", "from_address": "", "from_name": "Cloosphere"},
        "azure": {"connection_string": "", "from_address": "", "from_name": "Cloosphere"},
        "msgraph": {"tenant_id": "", "client_id": "", "client_secret": "", "sender_email": "",
                    "from_name": "Cloosphere"}
    })
}

/// A webhook channel with every field at the server's default.
pub fn webhook_defaults() -> Value {
    json!({"name": "", "provider": "", "url": "", "bot_token": "", "chat_id": ""})
}

fn defaults(kind: ChannelKind) -> Value {
    match kind {
        ChannelKind::Email => email_defaults(),
        ChannelKind::Webhook => webhook_defaults(),
    }
}

fn secrets_of(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Email => &EMAIL_SECRETS,
        ChannelKind::Webhook => &WEBHOOK_SECRETS,
    }
}

/// Whether a channel the deployment answered was made up from the old single-channel settings
/// (`기본`, from `EMAIL_ENGINE`/`SMTP_*` or `WEBHOOK_URL`) rather than stored: only such a channel
/// lacks the blocks every save completes (`azure` and `msgraph`; `bot_token`). Nothing is stored
/// to put its masked secrets back from.
pub fn is_synthesized(kind: ChannelKind, values: &Value) -> bool {
    match kind {
        ChannelKind::Email => values.get("azure").is_none() && values.get("msgraph").is_none(),
        ChannelKind::Webhook => values.get("bot_token").is_none(),
    }
}

/// The configuration as read (`GET /notifications/config`, secrets masked).
#[derive(Debug, Clone, Default)]
pub struct ChannelsAsRead {
    /// E-mail channels in list order.
    pub emails: Vec<Value>,
    /// Webhook channels in list order.
    pub webhooks: Vec<Value>,
    /// The event subscriptions.
    pub events: Vec<String>,
}

impl ChannelsAsRead {
    /// Reads the three lists of a config answer (missing lists read as empty).
    pub fn from_answer(answer: &Value) -> Self {
        let list = |k: &str| answer[k].as_array().cloned().unwrap_or_default();
        ChannelsAsRead {
            emails: list("emails"),
            webhooks: list("webhooks"),
            events: answer["events"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect(),
        }
    }

    fn list(&self, kind: ChannelKind) -> &[Value] {
        match kind {
            ChannelKind::Email => &self.emails,
            ChannelKind::Webhook => &self.webhooks,
        }
    }
}

/// One change to the channels, as a shell asks for it. Channels are named by their name as
/// read (schedules refer to them by name; the first of equal names is the one meant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum ChannelEdit {
    /// A new channel, completed with the defaults; at the end unless `at` says where.
    Add {
        /// E-mail or webhook.
        kind: ChannelKind,
        /// Its fields (nested objects; secrets go as typed secrets, never here).
        #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
        values: Value,
        /// Its position (from 0); the end when absent.
        #[serde(default)]
        at: Option<usize>,
    },
    /// Fields of an existing channel set to new values (dotted paths: `smtp.port`).
    Change {
        /// E-mail or webhook.
        kind: ChannelKind,
        /// Its name as read.
        name: String,
        /// Dotted path → new value.
        #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
        fields: Map<String, Value>,
    },
    /// A channel moved to another position (from 0, as the server's `index`).
    Move {
        /// E-mail or webhook.
        kind: ChannelKind,
        /// Its name as read.
        name: String,
        /// Its new position.
        to: usize,
    },
    /// A channel removed.
    Remove {
        /// E-mail or webhook.
        kind: ChannelKind,
        /// Its name as read.
        name: String,
    },
    /// The event subscriptions replaced.
    SetEvents {
        /// The new list.
        events: Vec<String>,
    },
}

/// A secret typed for a channel (the channel named as it will be after the edits).
#[derive(Debug, Clone)]
pub struct ChannelSecret {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// The channel's name after the edits.
    pub channel: String,
    /// The secret's dotted path (`smtp.password`, `bot_token`).
    pub field: String,
    /// Its value.
    pub value: Secret,
}

/// Why an edit cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ChannelProblem {
    /// No channel of that kind has this name.
    NoSuchChannel,
    /// Another channel of that kind already has this name (schedules would reach only the first).
    DuplicateName,
    /// A position past the end of the list.
    PositionOutOfRange {
        /// The list's length after the edit.
        len: usize,
    },
    /// A field channels of this kind do not have.
    UnknownField,
    /// A value of the wrong type (`port` must be a whole number).
    WrongType {
        /// What the field holds.
        expected: String,
    },
    /// A value outside what the field takes.
    NotAllowed {
        /// The values it takes, or the range.
        allowed: String,
    },
    /// A field the channel cannot work without.
    Missing,
    /// A secret given as a field value: secrets are typed (or taken from the keychain) so
    /// they are never shown or stored.
    SecretAsValue,
    /// A secret typed for a channel the edits do not leave.
    SecretForNoChannel,
    /// A secret that cannot go back as it was read: it must be typed.
    SecretMustBeTyped {
        /// Why.
        because: super::save_plan::SecretRisk,
    },
}

/// An edit refused, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ChannelRefusal {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// The channel.
    pub channel: String,
    /// The field, when one is at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub problem: ChannelProblem,
}

impl From<SaveRefusal> for ChannelRefusal {
    fn from(r: SaveRefusal) -> Self {
        ChannelRefusal {
            kind: r.kind,
            channel: r.channel,
            field: Some(r.field),
            problem: ChannelProblem::SecretMustBeTyped { because: r.because },
        }
    }
}

/// What a save does to a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SecretFate {
    /// Sent masked; the server puts back the one stored at the same position.
    Kept,
    /// Typed now: the new value is sent.
    Typed,
}

/// What a save does to one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ChannelReview {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// Its name after the save (before, for a removed channel).
    pub name: String,
    /// Its name before, when renamed (schedules that name the old one stop reaching it).
    pub renamed_from: Option<String>,
    /// Its position before (`None`: added).
    pub from: Option<usize>,
    /// Its position after (`None`: removed).
    pub to: Option<usize>,
    /// The fields whose value changes, with before and after (secrets never shown).
    pub changed: Vec<ChannelFieldChange>,
    /// Each non-empty secret and what the save does with it.
    pub secrets: Vec<(String, SecretFate)>,
    /// Made up by the server from the old single-channel settings; saving stores it for real.
    pub synthesized: bool,
}

/// One field's change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ChannelFieldChange {
    /// Dotted path.
    pub path: String,
    /// As read.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub before: Value,
    /// As it will be stored.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub after: Value,
}

/// A save made of edits: the body to send and the review of every channel it touches.
#[derive(Debug, Clone)]
pub struct ChannelsSave {
    /// The whole configuration to POST (holds typed secrets: never shown, logged or stored).
    pub body: Value,
    /// Each channel that changes (untouched channels at their place are left out).
    pub review: Vec<ChannelReview>,
    /// The events before and after, when they change.
    pub events: Option<(Vec<String>, Vec<String>)>,
}

/// A channel being edited.
struct Working {
    read_at: Option<usize>,
    read_name: Option<String>,
    values: Value,
    touched: bool,
}

fn leaf_paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaf_paths(v, &path, out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

fn check_field(kind: ChannelKind, path: &str, value: &Value) -> Result<(), ChannelProblem> {
    let template = defaults(kind);
    let Some(default) = get_path(&template, path).filter(|d| !d.is_object()) else {
        return Err(ChannelProblem::UnknownField);
    };
    if secrets_of(kind).contains(&path) && value.as_str().is_some_and(|s| !s.is_empty()) {
        return Err(ChannelProblem::SecretAsValue);
    }
    let same_type = match default {
        Value::String(_) => value.is_string(),
        Value::Bool(_) => value.is_boolean(),
        Value::Number(_) => value.is_u64() || value.is_i64(),
        _ => true,
    };
    if !same_type {
        let expected = match default {
            Value::Bool(_) => "true or false",
            Value::Number(_) => "a whole number",
            _ => "text",
        };
        return Err(ChannelProblem::WrongType {
            expected: expected.to_owned(),
        });
    }
    let text = value.as_str().unwrap_or_default();
    match path {
        "engine" if !EMAIL_ENGINES.contains(&text) => Err(ChannelProblem::NotAllowed {
            allowed: EMAIL_ENGINES.join(", "),
        }),
        "provider" if !WEBHOOK_PROVIDERS.contains(&text) => Err(ChannelProblem::NotAllowed {
            allowed: WEBHOOK_PROVIDERS.join(", "),
        }),
        "smtp.port" if !(1..=65535).contains(&value.as_u64().unwrap_or(0)) => {
            Err(ChannelProblem::NotAllowed {
                allowed: "1 to 65535".to_owned(),
            })
        }
        "name" if text.trim().is_empty() => Err(ChannelProblem::Missing),
        _ => Ok(()),
    }
}

/// The fields a channel cannot send without, for its engine or provider (secrets count as
/// present when typed or kept).
fn required_fields(kind: ChannelKind, values: &Value) -> Vec<&'static str> {
    match kind {
        ChannelKind::Email => match values["engine"].as_str().unwrap_or_default() {
            "smtp" => vec!["smtp.server"],
            "sendgrid" => vec!["sendgrid.api_key", "sendgrid.from_address"],
            "azure" => vec!["azure.connection_string", "azure.from_address"],
            "msgraph" => vec![
                "msgraph.tenant_id",
                "msgraph.client_id",
                "msgraph.client_secret",
                "msgraph.sender_email",
            ],
            _ => vec!["engine"],
        },
        ChannelKind::Webhook => match values["provider"].as_str().unwrap_or_default() {
            "telegram" => vec!["bot_token", "chat_id"],
            "" => vec!["provider"],
            _ => vec!["url"],
        },
    }
}

struct Planner<'a> {
    kind: ChannelKind,
    list: Vec<Working>,
    refusals: &'a mut Vec<ChannelRefusal>,
}

impl Planner<'_> {
    fn refuse(&mut self, channel: &str, field: Option<&str>, problem: ChannelProblem) {
        self.refusals.push(ChannelRefusal {
            kind: self.kind,
            channel: channel.to_owned(),
            field: field.map(str::to_owned),
            problem,
        });
    }

    fn find(&mut self, name: &str) -> Option<usize> {
        let found = self
            .list
            .iter()
            .position(|w| w.read_name.as_deref() == Some(name));
        if found.is_none() {
            self.refuse(name, None, ChannelProblem::NoSuchChannel);
        }
        found
    }

    fn name_taken(&self, name: &str, except: Option<usize>) -> bool {
        self.list
            .iter()
            .enumerate()
            .any(|(i, w)| Some(i) != except && w.values["name"].as_str() == Some(name))
    }

    fn set_fields(&mut self, at: usize, channel: &str, fields: &Map<String, Value>) {
        for (path, value) in fields {
            match check_field(self.kind, path, value) {
                Ok(()) => {
                    let w = &mut self.list[at];
                    if get_path(&w.values, path).is_none() {
                        // A synthesized channel lacks whole blocks: start them from defaults.
                        let block = path.split('.').next().unwrap_or_default();
                        if let Some(d) = defaults(self.kind).get(block) {
                            w.values[block] = d.clone();
                        }
                    }
                    let _ = set_path(&mut w.values, path, value.clone());
                    w.touched = true;
                }
                Err(problem) => self.refuse(channel, Some(path), problem),
            }
        }
    }

    fn apply(&mut self, edit: &ChannelEdit) {
        match edit {
            ChannelEdit::Add { values, at, .. } => {
                let name = values["name"].as_str().unwrap_or_default().to_owned();
                let mut fields = Map::new();
                let mut paths = Vec::new();
                leaf_paths(values, "", &mut paths);
                for p in paths {
                    if let Some(v) = get_path(values, &p) {
                        fields.insert(p, v.clone());
                    }
                }
                if !fields.contains_key("name") {
                    self.refuse(&name, Some("name"), ChannelProblem::Missing);
                    return;
                }
                if self.name_taken(&name, None) {
                    self.refuse(&name, Some("name"), ChannelProblem::DuplicateName);
                    return;
                }
                let position = at.unwrap_or(self.list.len());
                if position > self.list.len() {
                    let len = self.list.len() + 1;
                    self.refuse(&name, None, ChannelProblem::PositionOutOfRange { len });
                    return;
                }
                self.list.insert(
                    position,
                    Working {
                        read_at: None,
                        read_name: None,
                        values: defaults(self.kind),
                        touched: true,
                    },
                );
                self.set_fields(position, &name, &fields);
            }
            ChannelEdit::Change { name, fields, .. } => {
                let Some(at) = self.find(name) else { return };
                if let Some(new) = fields.get("name").and_then(Value::as_str)
                    && self.name_taken(new, Some(at))
                {
                    self.refuse(name, Some("name"), ChannelProblem::DuplicateName);
                    return;
                }
                self.set_fields(at, name, fields);
            }
            ChannelEdit::Move { name, to, .. } => {
                let Some(at) = self.find(name) else { return };
                if *to >= self.list.len() {
                    let len = self.list.len();
                    self.refuse(name, None, ChannelProblem::PositionOutOfRange { len });
                    return;
                }
                let w = self.list.remove(at);
                self.list.insert(*to, w);
            }
            ChannelEdit::Remove { name, .. } => {
                if let Some(at) = self.find(name) {
                    self.list.remove(at);
                }
            }
            ChannelEdit::SetEvents { .. } => {}
        }
    }
}

fn kind_of(edit: &ChannelEdit) -> Option<ChannelKind> {
    match edit {
        ChannelEdit::Add { kind, .. }
        | ChannelEdit::Change { kind, .. }
        | ChannelEdit::Move { kind, .. }
        | ChannelEdit::Remove { kind, .. } => Some(*kind),
        ChannelEdit::SetEvents { .. } => None,
    }
}

fn secret_is_present(w: &Working, typed: &[ChannelSecret], kind: ChannelKind, path: &str) -> bool {
    let name = w.values["name"].as_str().unwrap_or_default();
    typed
        .iter()
        .any(|s| s.kind == kind && s.channel == name && s.field == path)
        || get_path(&w.values, path)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
}

fn review_of(
    kind: ChannelKind,
    w: &Working,
    to: usize,
    read: &[Value],
    typed: &[ChannelSecret],
) -> ChannelReview {
    let name = w.values["name"].as_str().unwrap_or_default().to_owned();
    let before = w.read_at.and_then(|i| read.get(i));
    let mut paths = Vec::new();
    leaf_paths(&w.values, "", &mut paths);
    let changed = paths
        .into_iter()
        .filter(|p| !secrets_of(kind).contains(&p.as_str()))
        .filter_map(|p| {
            let after = get_path(&w.values, &p).cloned().unwrap_or(Value::Null);
            let was = before.and_then(|b| get_path(b, &p)).cloned();
            (was.as_ref() != Some(&after)).then(|| ChannelFieldChange {
                path: p,
                before: was.unwrap_or(Value::Null),
                after,
            })
        })
        .collect();
    let secrets = secrets_of(kind)
        .iter()
        .filter_map(|field| {
            if typed
                .iter()
                .any(|s| s.kind == kind && s.channel == name && s.field == *field)
            {
                Some((field.to_string(), SecretFate::Typed))
            } else {
                get_path(&w.values, field)
                    .and_then(Value::as_str)
                    .filter(|s| hides_a_secret(s))
                    .map(|_| (field.to_string(), SecretFate::Kept))
            }
        })
        .collect();
    ChannelReview {
        kind,
        renamed_from: w.read_name.clone().filter(|old| *old != name),
        name,
        from: w.read_at,
        to: Some(to),
        changed,
        secrets,
        synthesized: before.is_some_and(|b| is_synthesized(kind, b)),
    }
}

fn apply_all(
    read: &ChannelsAsRead,
    edits: &[ChannelEdit],
    refusals: &mut Vec<ChannelRefusal>,
) -> Vec<(ChannelKind, Vec<Working>)> {
    let mut lists = Vec::new();
    for kind in [ChannelKind::Email, ChannelKind::Webhook] {
        let mut planner = Planner {
            kind,
            list: read
                .list(kind)
                .iter()
                .enumerate()
                .map(|(i, v)| Working {
                    read_at: Some(i),
                    read_name: v["name"].as_str().map(str::to_owned),
                    values: v.clone(),
                    touched: false,
                })
                .collect(),
            refusals,
        };
        for edit in edits.iter().filter(|e| kind_of(e) == Some(kind)) {
            planner.apply(edit);
        }
        lists.push((kind, planner.list));
    }
    lists
}

/// One channel as `edits` leave it (named by its name after them; secrets as read, so masked
/// unless the edits left them empty): what a test before saving works on.
pub fn channel_after(
    read: &ChannelsAsRead,
    edits: &[ChannelEdit],
    kind: ChannelKind,
    name: &str,
) -> Result<Value, Vec<ChannelRefusal>> {
    let mut refusals = Vec::new();
    let lists = apply_all(read, edits, &mut refusals);
    if !refusals.is_empty() {
        return Err(refusals);
    }
    lists
        .into_iter()
        .filter(|(k, _)| *k == kind)
        .flat_map(|(_, list)| list)
        .find(|w| w.values["name"] == name)
        .map(|w| w.values)
        .ok_or_else(|| {
            vec![ChannelRefusal {
                kind,
                channel: name.to_owned(),
                field: None,
                problem: ChannelProblem::NoSuchChannel,
            }]
        })
}

/// Applies `edits` in order to the channels as `read`, with the `typed` secrets, and plans the
/// save: the body to send and what happens to each channel, or every reason it cannot be made.
pub fn plan_channels(
    read: &ChannelsAsRead,
    edits: &[ChannelEdit],
    typed: &[ChannelSecret],
) -> Result<ChannelsSave, Vec<ChannelRefusal>> {
    let mut refusals = Vec::new();
    let lists = apply_all(read, edits, &mut refusals);
    let mut review = Vec::new();
    let mut edited_lists = Vec::new();
    for (kind, list) in &lists {
        let kind = *kind;
        let read_list = read.list(kind);
        for (i, w) in list.iter().enumerate() {
            let name = w.values["name"].as_str().unwrap_or_default();
            if w.touched {
                for field in required_fields(kind, &w.values) {
                    if !secret_is_present(w, typed, kind, field) {
                        refusals.push(ChannelRefusal {
                            kind,
                            channel: name.to_owned(),
                            field: Some(field.to_owned()),
                            problem: ChannelProblem::Missing,
                        });
                    }
                }
            }
            let r = review_of(kind, w, i, read_list, typed);
            let unchanged = r.from == Some(i)
                && r.changed.is_empty()
                && r.secrets.iter().all(|(_, f)| *f == SecretFate::Kept);
            if !unchanged {
                review.push(r);
            }
        }
        for (i, v) in read_list.iter().enumerate() {
            if !list.iter().any(|w| w.read_at == Some(i)) {
                review.push(ChannelReview {
                    kind,
                    name: v["name"].as_str().unwrap_or_default().to_owned(),
                    renamed_from: None,
                    from: Some(i),
                    to: None,
                    changed: Vec::new(),
                    secrets: Vec::new(),
                    synthesized: is_synthesized(kind, v),
                });
            }
        }
        edited_lists.push(
            list.iter()
                .map(|w| {
                    let name = w.values["name"].as_str().unwrap_or_default();
                    EditedChannel {
                        values: w.values.clone(),
                        read_at: w.read_at,
                        synthesized: w
                            .read_at
                            .and_then(|i| read_list.get(i))
                            .is_some_and(|v| is_synthesized(kind, v)),
                        typed: typed
                            .iter()
                            .filter(|s| s.kind == kind && s.channel == name)
                            .map(|s| (s.field.clone(), s.value.clone()))
                            .collect(),
                    }
                })
                .collect::<Vec<_>>(),
        );
    }
    for s in typed {
        let list = match s.kind {
            ChannelKind::Email => &edited_lists[0],
            ChannelKind::Webhook => &edited_lists[1],
        };
        if !secrets_of(s.kind).contains(&s.field.as_str()) {
            refusals.push(ChannelRefusal {
                kind: s.kind,
                channel: s.channel.clone(),
                field: Some(s.field.clone()),
                problem: ChannelProblem::UnknownField,
            });
        } else if !list.iter().any(|c| c.values["name"] == s.channel.as_str()) {
            refusals.push(ChannelRefusal {
                kind: s.kind,
                channel: s.channel.clone(),
                field: Some(s.field.clone()),
                problem: ChannelProblem::SecretForNoChannel,
            });
        }
    }
    let events = edits
        .iter()
        .rev()
        .find_map(|e| match e {
            ChannelEdit::SetEvents { events } => Some(events.clone()),
            _ => None,
        })
        .filter(|new| *new != read.events)
        .map(|new| (read.events.clone(), new));
    let events_after = events
        .as_ref()
        .map(|(_, new)| new.clone())
        .unwrap_or_else(|| read.events.clone());
    let body = match plan_save(&edited_lists[0], &edited_lists[1], &events_after) {
        Ok(body) => Some(body),
        Err(secret_refusals) => {
            refusals.extend(secret_refusals.into_iter().map(ChannelRefusal::from));
            None
        }
    };
    match body {
        Some(body) if refusals.is_empty() => Ok(ChannelsSave {
            body,
            review,
            events,
        }),
        _ => Err(refusals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::mask;

    fn stored_email(name: &str, password: &str) -> Value {
        let mut v = email_defaults();
        v["name"] = json!(name);
        v["engine"] = json!("smtp");
        v["smtp"]["server"] = json!("mail.example.com");
        v["smtp"]["username"] = json!("mailer");
        v["smtp"]["password"] = json!(mask(password));
        v
    }

    fn read_two() -> ChannelsAsRead {
        ChannelsAsRead {
            emails: vec![
                stored_email("ops", "ops-password"),
                stored_email("hr", "hr-password"),
            ],
            webhooks: vec![json!({"name": "alerts", "provider": "slack",
                "url": "https://hooks.slack.com/services/T/B/X", "bot_token": "", "chat_id": ""})],
            events: vec!["user.signup".into()],
        }
    }

    fn typed(channel: &str, field: &str, value: &str) -> ChannelSecret {
        ChannelSecret {
            kind: ChannelKind::Email,
            channel: channel.into(),
            field: field.into(),
            value: Secret::new(value),
        }
    }

    #[test]
    fn an_added_smtp_channel_is_completed_with_defaults_and_sends_its_typed_password() {
        let add = ChannelEdit::Add {
            kind: ChannelKind::Email,
            values: json!({"name": "it", "engine": "smtp", "smtp": {"server": "smtp.corp", "port": 465, "use_ssl": true}}),
            at: None,
        };
        let save = plan_channels(
            &read_two(),
            &[add],
            &[typed("it", "smtp.password", "s3cret-it")],
        )
        .expect("plannable");
        let it = &save.body["emails"][2];
        assert_eq!(it["smtp"]["password"], "s3cret-it");
        assert_eq!(it["smtp"]["port"], 465);
        assert_eq!(it["smtp"]["from_name"], "Cloosphere");
        assert_eq!(it["msgraph"]["client_secret"], "");
        // The untouched channels go back masked at their own positions.
        assert!(hides_a_secret(
            save.body["emails"][0]["smtp"]["password"]
                .as_str()
                .unwrap_or_default()
        ));
        assert_eq!(save.review.len(), 1);
        assert_eq!(save.review[0].from, None);
        assert_eq!(
            save.review[0].secrets,
            vec![("smtp.password".to_owned(), SecretFate::Typed)]
        );
    }

    #[test]
    fn moving_a_channel_needs_the_secrets_of_every_channel_that_changes_position() {
        let mv = ChannelEdit::Move {
            kind: ChannelKind::Email,
            name: "hr".into(),
            to: 0,
        };
        let refused =
            plan_channels(&read_two(), std::slice::from_ref(&mv), &[]).expect_err("moved");
        let names: Vec<&str> = refused.iter().map(|r| r.channel.as_str()).collect();
        assert_eq!(names, vec!["hr", "ops"]);
        let save = plan_channels(
            &read_two(),
            &[mv],
            &[
                typed("hr", "smtp.password", "hr-password"),
                typed("ops", "smtp.password", "ops-password"),
            ],
        )
        .expect("typed");
        assert_eq!(save.body["emails"][0]["smtp"]["password"], "hr-password");
        assert_eq!(save.body["emails"][1]["smtp"]["password"], "ops-password");
        assert_eq!(save.review[0].from, Some(1));
        assert_eq!(save.review[0].to, Some(0));
    }

    #[test]
    fn removing_the_last_channel_keeps_the_others_masked_and_reviews_the_removal() {
        let rm = ChannelEdit::Remove {
            kind: ChannelKind::Email,
            name: "hr".into(),
        };
        let save = plan_channels(&read_two(), &[rm], &[]).expect("safe");
        assert_eq!(save.body["emails"].as_array().map(Vec::len), Some(1));
        assert_eq!(save.review.len(), 1);
        assert_eq!((save.review[0].from, save.review[0].to), (Some(1), None));
        // The webhooks and events are sent back as they were: a save replaces everything.
        assert_eq!(save.body["webhooks"][0]["name"], "alerts");
        assert_eq!(save.body["events"], json!(["user.signup"]));
    }

    #[test]
    fn bad_edits_are_refused_with_the_field_and_the_reason() {
        let edits = [
            ChannelEdit::Change {
                kind: ChannelKind::Email,
                name: "ops".into(),
                fields: serde_json::from_value(json!({"smtp.port": "587", "smtp.colour": "red",
                    "engine": "pigeon", "smtp.password": "in-clear"}))
                .expect("map"),
            },
            ChannelEdit::Change {
                kind: ChannelKind::Email,
                name: "nobody".into(),
                fields: Map::new(),
            },
            ChannelEdit::Add {
                kind: ChannelKind::Webhook,
                values: json!({"name": "alerts", "provider": "slack", "url": "https://x"}),
                at: None,
            },
            ChannelEdit::Move {
                kind: ChannelKind::Webhook,
                name: "alerts".into(),
                to: 3,
            },
        ];
        let refused = plan_channels(&read_two(), &edits, &[]).expect_err("bad");
        let problem = |field: &str| {
            refused
                .iter()
                .find(|r| r.field.as_deref() == Some(field))
                .map(|r| r.problem.clone())
        };
        assert_eq!(
            problem("smtp.port"),
            Some(ChannelProblem::WrongType {
                expected: "a whole number".into()
            })
        );
        assert_eq!(problem("smtp.colour"), Some(ChannelProblem::UnknownField));
        assert!(matches!(
            problem("engine"),
            Some(ChannelProblem::NotAllowed { .. })
        ));
        assert_eq!(
            problem("smtp.password"),
            Some(ChannelProblem::SecretAsValue)
        );
        assert!(
            refused
                .iter()
                .any(|r| r.channel == "nobody" && r.problem == ChannelProblem::NoSuchChannel)
        );
        assert!(
            refused
                .iter()
                .any(|r| r.kind == ChannelKind::Webhook
                    && r.problem == ChannelProblem::DuplicateName)
        );
        assert!(
            refused
                .iter()
                .any(|r| r.problem == ChannelProblem::PositionOutOfRange { len: 1 })
        );
    }

    #[test]
    fn a_telegram_channel_needs_its_token_typed_and_a_chat() {
        let add = ChannelEdit::Add {
            kind: ChannelKind::Webhook,
            values: json!({"name": "tg", "provider": "telegram"}),
            at: Some(0),
        };
        let refused =
            plan_channels(&read_two(), std::slice::from_ref(&add), &[]).expect_err("missing");
        let missing: Vec<_> = refused.iter().filter_map(|r| r.field.clone()).collect();
        assert_eq!(missing, vec!["bot_token".to_owned(), "chat_id".to_owned()]);
    }

    #[test]
    fn the_legacy_channel_must_have_its_secret_typed_and_is_stored_for_real() {
        let legacy = json!({"name": "기본", "engine": "smtp",
            "smtp": {"server": "old.mail", "port": 25, "username": "u", "password": "****word",
                     "use_tls": false, "use_ssl": false, "from_address": "", "from_name": "Cloosphere"},
            "sendgrid": {"api_key": "", "from_address": "", "from_name": "Cloosphere"}});
        assert!(is_synthesized(ChannelKind::Email, &legacy));
        let read = ChannelsAsRead {
            emails: vec![legacy],
            ..Default::default()
        };
        let change = ChannelEdit::Change {
            kind: ChannelKind::Email,
            name: "기본".into(),
            fields: serde_json::from_value(json!({"smtp.port": 587})).expect("map"),
        };
        let refused = plan_channels(&read, std::slice::from_ref(&change), &[]).expect_err("legacy");
        assert_eq!(refused.len(), 1);
        let save = plan_channels(
            &read,
            &[change],
            &[typed("기본", "smtp.password", "password")],
        )
        .expect("typed");
        assert!(save.review[0].synthesized);
        assert_eq!(save.body["emails"][0]["smtp"]["password"], "password");
    }

    #[test]
    fn a_rename_is_reviewed_as_one() {
        let change = ChannelEdit::Change {
            kind: ChannelKind::Email,
            name: "hr".into(),
            fields: serde_json::from_value(json!({"name": "people"})).expect("map"),
        };
        let save = plan_channels(&read_two(), &[change], &[]).expect("rename");
        assert_eq!(save.review[0].renamed_from.as_deref(), Some("hr"));
        assert_eq!(save.review[0].name, "people");
    }
}
