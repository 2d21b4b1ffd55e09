//! System Settings: a tab read section by section as the deployment answers it (secrets masked),
//! and a change to one section written through the operation runner so that no secret is lost:
//! the body is made by `cloo_domain::settings::write_body`, which refuses before anything is
//! sent when the server would store a masked value as the new secret.

mod access;
mod code;
mod connection;
mod drift;
mod pipelines;
mod wipe;

pub use access::{SettingsAccess, access_of};
pub use code::{
    DocumentFormat, SettingsApplyReport, SettingsCopyPlan, SettingsPlanDocument, SettingsPlanView,
    document_text,
};
pub use connection::ConnectionTest;
pub use drift::{DRIFT_READS_AT_ONCE, DriftReport};
pub use pipelines::{PipelineServerView, PipelineValves, PipelineView};
pub use wipe::{WipeOutcome, WipeStatement};

use crate::error::{ConsoleError, ConsoleResult, ErrorView};
use crate::operation::{Observer, OperationKind};
use crate::{Console, Target};
use cloo_domain::settings::model_rows::ModelRowEffect;
use cloo_domain::settings::{
    Edit, MaskedWrite, NewSecret, Section, Tab, editable_view, get_path, hides_a_secret,
    is_secret_name, read_back_differences, set_path, write_body,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// The settings use cases.
pub struct Settings<'a> {
    pub(crate) c: &'a Console,
}

/// One section as read: the values the deployment answered (secrets in their masked form), or
/// why it could not be read (a license module, a permission).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SectionView {
    /// The section's name (`code_execution`).
    pub key: String,
    /// The endpoint it is read from.
    pub endpoint: String,
    /// The values, as the POST takes them (computed fields left out).
    #[ts(type = "Record<string, unknown> | null")]
    pub values: Value,
    /// Dotted paths of the secrets in `values`, each with what the server does with its masked
    /// form on a write.
    pub secrets: Vec<SecretField>,
    /// Why the section could not be read.
    pub error: Option<ErrorView>,
    /// The license module that gates it (`image_generation`), if any: with license enforcement
    /// on and the module not licensed, the deployment refuses it.
    pub license: Option<String>,
}

/// A secret field of a section.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SecretField {
    /// Where (`TOOL_SERVER_CONNECTIONS.0.key`).
    pub path: String,
    /// Whether the deployment holds a value (the masked text is not empty).
    pub set: bool,
    /// What the server does when its masked form comes back.
    pub on_masked_write: MaskedWrite,
}

/// A tab: its sections in order.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TabView {
    /// Which tab.
    pub tab: Tab,
    /// What the account may do: the forms are read-only unless `write`.
    pub access: SettingsAccess,
    /// Its sections.
    pub sections: Vec<SectionView>,
}

/// What a section change did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsChange {
    /// The section.
    pub section: String,
    /// The fields that changed (dotted paths).
    pub changed: Vec<String>,
    /// Secrets sent back masked to an endpoint that puts the stored value back.
    pub kept_masked: Vec<String>,
    /// The changed fields before (secrets masked).
    #[ts(type = "Record<string, unknown>")]
    pub before: Value,
    /// The changed fields as the deployment answered after the write (secrets masked).
    #[ts(type = "Record<string, unknown>")]
    pub after: Value,
    /// Fields where the deployment's answer after the write differs from what was sent.
    pub differences: Vec<String>,
    /// The model rows the save deleted or created (OpenAI connections only).
    pub model_rows: Option<ModelRowEffect>,
}

/// A field set to a new value, as a shell sends it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct FieldEdit {
    /// Dotted path (`TOOL_SERVER_CONNECTIONS.0.url`).
    pub path: String,
    /// The new value.
    #[ts(type = "unknown")]
    pub value: Value,
}

/// A secret the user typed, as a shell sends it in (it is never sent back out).
#[derive(Clone, Deserialize, TS)]
#[ts(export)]
pub struct FieldSecret {
    /// Dotted path.
    pub path: String,
    /// The real value.
    pub value: String,
}

impl std::fmt::Debug for FieldSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldSecret {{ path: {:?}, value: *** }}", self.path)
    }
}

/// The shells' edits and secrets in the domain's terms.
pub fn to_domain(edits: &[FieldEdit], secrets: &[FieldSecret]) -> (Vec<Edit>, Vec<NewSecret>) {
    (
        edits
            .iter()
            .map(|e| Edit {
                path: e.path.clone(),
                value: e.value.clone(),
            })
            .collect(),
        secrets
            .iter()
            .map(|s| NewSecret {
                path: s.path.clone(),
                value: cloo_domain::Secret::new(s.value.clone()),
            })
            .collect(),
    )
}

/// What a section change would do, before anything is sent.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsReview {
    /// The section.
    pub section: String,
    /// Each changed field: before (as read, secrets masked) and after (a typed secret shows as
    /// "(new secret)").
    pub changes: Vec<SettingChange>,
    /// Secrets sent back masked to an endpoint that puts the stored value back.
    pub kept_masked: Vec<String>,
    /// Why it cannot be sent, field by field (empty: it can).
    pub refusals: Vec<cloo_domain::settings::WriteRefusal>,
    /// The model rows saving it would delete or create (OpenAI connections only): a deleted
    /// row takes its access settings with it.
    pub model_rows: Option<ModelRowEffect>,
}

/// One field's change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingChange {
    /// Dotted path.
    pub path: String,
    /// As read.
    #[ts(type = "unknown")]
    pub before: Value,
    /// As it will be sent (null for a typed secret, which never leaves the console's memory).
    #[ts(type = "unknown")]
    pub after: Value,
    /// A secret the user typed: the shells say so instead of showing a value.
    pub new_secret: bool,
}

impl Console {
    /// The settings use cases.
    pub fn settings(&self) -> Settings<'_> {
        Settings { c: self }
    }
}

fn section_named(key: &str) -> ConsoleResult<&'static Section> {
    Section::find(key).ok_or_else(|| {
        ConsoleError::not_found(
            "settings section",
            key,
            format!(
                "no settings section {key:?} (known: {})",
                cloo_domain::settings::SECTIONS
                    .iter()
                    .map(|s| s.key)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// The edits with each value as the server will store it (its silent conversions applied), so
/// the review, the body and the read-back all speak of the stored value.
fn as_stored(section: &Section, edits: &[Edit]) -> Vec<Edit> {
    edits
        .iter()
        .map(|e| Edit {
            path: e.path.clone(),
            value: cloo_domain::settings::field_rules::as_stored(
                section.key,
                &e.path,
                e.value.clone(),
            ),
        })
        .collect()
}

/// Every secret field of `values`, by the server's masking names.
fn secret_fields(section: &Section, values: &Value) -> Vec<SecretField> {
    fn walk(section: &Section, path: &str, secret: bool, v: &Value, out: &mut Vec<SecretField>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    walk(section, &join(k), is_secret_name(k), x, out);
                }
            }
            Value::Array(items) if secret => {
                for (i, x) in items.iter().enumerate() {
                    walk(section, &join(&i.to_string()), true, x, out);
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(section, &join(&i.to_string()), false, x, out);
                }
            }
            Value::String(s) if secret => out.push(SecretField {
                path: path.to_owned(),
                set: !s.is_empty(),
                on_masked_write: section.masked_write(path),
            }),
            Value::Null if secret => out.push(SecretField {
                path: path.to_owned(),
                set: false,
                on_masked_write: section.masked_write(path),
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(section, "", false, values, &mut out);
    out
}

/// The values at `paths` of `values`, as an object keyed by path.
fn pick(values: &Value, paths: &[String]) -> Value {
    let mut out = Map::new();
    for p in paths {
        let v = get_path(values, p).cloned().unwrap_or(Value::Null);
        // A secret the user typed shows as a mark, never as itself.
        let shown = match (&v, is_secret_name(p.rsplit('.').next().unwrap_or(p))) {
            (Value::String(s), true) if !s.is_empty() && !hides_a_secret(s) => {
                Value::String("(new secret)".into())
            }
            _ => v,
        };
        out.insert(p.clone(), shown);
    }
    Value::Object(out)
}

impl Settings<'_> {
    async fn read_answer(&self, target: &Target, section: &Section) -> ConsoleResult<Value> {
        let session = self.c.session(target).await?;
        let path = section.read;
        if !section.cookie_read {
            return session
                .call(|c, t| async move { c.settings_section(&t, path).await })
                .await;
        }
        let answer = session
            .call(|c, t| async move { c.settings_section_by_cookie(&t, path).await })
            .await?;
        // The cookie carries a session token only: with an API key the answer is the public
        // one, which does not hold the section at all.
        match section.read_key {
            Some(key) if answer.get(key).is_none() => {
                Err(ConsoleError::Api(cloo_api::ApiError::Forbidden {
                    status: 403,
                    detail: format!(
                        "GET /{path} shows {key} only to a password sign-in (it reads the token cookie, which an API key cannot be)"
                    ),
                }))
            }
            _ => Ok(answer),
        }
    }

    /// One section as the deployment answers it.
    pub async fn get_section(&self, target: &Target, key: &str) -> ConsoleResult<SectionView> {
        let section = section_named(key)?;
        let answer = self.read_answer(target, section).await?;
        let values = editable_view(section, &answer);
        Ok(SectionView {
            key: section.key.to_owned(),
            endpoint: format!("/{}", section.read),
            secrets: secret_fields(section, &values),
            values,
            error: None,
            license: section.license.map(str::to_owned),
        })
    }

    /// Every section of a tab; a section the account may not read (or that is not licensed)
    /// carries its error instead of failing the tab.
    pub async fn get_tab(&self, target: &Target, tab: Tab) -> ConsoleResult<TabView> {
        let mut sections = Vec::new();
        for section in tab.sections() {
            sections.push(match self.get_section(target, section.key).await {
                Ok(view) => view,
                Err(e @ (ConsoleError::Api(_) | ConsoleError::Microsoft { .. })) => SectionView {
                    key: section.key.to_owned(),
                    endpoint: format!("/{}", section.read),
                    values: Value::Null,
                    secrets: Vec::new(),
                    error: Some(e.view()),
                    license: section.license.map(str::to_owned),
                },
                Err(e) => return Err(e),
            });
        }
        let access = self.access(target).await?;
        Ok(TabView {
            tab,
            access,
            sections,
        })
    }

    /// What changing fields of one section would do: reads it and builds the body, sending
    /// nothing.
    pub async fn review_section(
        &self,
        target: &Target,
        key: &str,
        edits: &[Edit],
        secrets: &[NewSecret],
    ) -> ConsoleResult<SettingsReview> {
        let section = section_named(key)?;
        let edits = &as_stored(section, edits);
        let answer = self.read_answer(target, section).await?;
        let before = editable_view(section, &answer);
        Ok(match write_body(section, &answer, edits, secrets) {
            Ok(built) => {
                // Edits and secrets that could not be placed were refused by write_body.
                let mut edited = before.clone();
                for e in edits {
                    let _ = set_path(&mut edited, &e.path, e.value.clone());
                }
                SettingsReview {
                    section: section.key.to_owned(),
                    changes: built
                        .changed
                        .iter()
                        .map(|p| {
                            let new_secret = secrets.iter().any(|s| &s.path == p);
                            SettingChange {
                                path: p.clone(),
                                before: get_path(&before, p).cloned().unwrap_or(Value::Null),
                                after: if new_secret {
                                    Value::Null
                                } else {
                                    get_path(&edited, p).cloned().unwrap_or(Value::Null)
                                },
                                new_secret,
                            }
                        })
                        .collect(),
                    kept_masked: built.kept_masked,
                    refusals: Vec::new(),
                    model_rows: built.model_rows.filter(|e| !e.is_empty()),
                }
            }
            Err(refusals) => SettingsReview {
                section: section.key.to_owned(),
                changes: Vec::new(),
                kept_masked: Vec::new(),
                refusals,
                model_rows: None,
            },
        })
    }

    /// Changes fields of one section: reads it, builds the body (refusing before anything is
    /// sent if a secret would be lost, moved or misused), writes it, and reads it back.
    pub async fn set_section(
        &self,
        target: &Target,
        key: &str,
        edits: &[Edit],
        secrets: &[NewSecret],
        observer: &Observer,
    ) -> ConsoleResult<SettingsChange> {
        let section = section_named(key)?;
        let edits = &as_stored(section, edits);
        let c = self.c;
        let op = c
            .begin(target, OperationKind::SettingsSet, section.key, observer)
            .await?;
        let result = async {
            if let Some(role) = edits
                .iter()
                .find(|e| section.key == "admin_config" && e.path == "DEFAULT_USER_ROLE")
                .and_then(|e| e.value.as_str())
                && let Some(group) = role.strip_prefix("user:group:")
            {
                let snapshot = c.snapshot(target, false).await?;
                if !snapshot.groups.iter().any(|g| g.id == group) {
                    return Err(ConsoleError::invalid(
                        "DEFAULT_USER_ROLE",
                        format!(
                            "no group with id {group:?} on this deployment: the server would keep the old default role"
                        ),
                    ));
                }
            }
            let answer = self.read_answer(target, section).await?;
            let built = write_body(section, &answer, edits, secrets).map_err(|refusals| {
                ConsoleError::SettingsRefused {
                    section: section.key.to_owned(),
                    refusals,
                }
            })?;
            let before_view = editable_view(section, &answer);
            let before = pick(&before_view, &built.changed);
            op.record_before(&before);
            if built.changed.is_empty() {
                return Ok(SettingsChange {
                    section: section.key.to_owned(),
                    changed: Vec::new(),
                    kept_masked: built.kept_masked,
                    after: before.clone(),
                    before,
                    differences: Vec::new(),
                    model_rows: None,
                });
            }
            op.checkpoint(
                || format!("nothing ({} was not written)", section.key),
                "make the same change again",
            )?;
            let session = c.session(target).await?;
            let path = section.write;
            let body = built.body;
            session
                .call(|cl, t| {
                    let body = &body;
                    async move { cl.write_settings_section(&t, path, body).await }
                })
                .await?;
            drop(body);
            // The write was accepted: a failure from here on must not look like nothing happened.
            let after_answer = self.read_answer(target, section).await.map_err(|e| {
                ConsoleError::after_writes(
                    e,
                    format!("{} was written ({})", section.key, built.changed.join(", ")),
                    "read the tab again to see the values now stored",
                )
            })?;
            let after_view = editable_view(section, &after_answer);
            let after = pick(&after_view, &built.changed);
            let model_rows = built.model_rows.filter(|e| !e.is_empty());
            // The journal keeps what the save did to the model table beside the fields.
            match (&model_rows, &after) {
                (Some(effect), Value::Object(fields)) => {
                    let mut journaled = fields.clone();
                    journaled.insert("(model rows)".into(), serde_json::json!(effect));
                    op.record_after(&journaled);
                }
                _ => op.record_after(&after),
            }
            let differences =
                read_back_differences(&before_view, &after_view, edits, secrets, &built.changed);
            Ok(SettingsChange {
                section: section.key.to_owned(),
                changed: built.changed,
                kept_masked: built.kept_masked,
                before,
                after,
                differences,
                model_rows,
            })
        }
        .await;
        op.finish(result).await
    }
}

/// Why a write was refused, one line per field, for messages.
pub(crate) fn describe_refusals(
    section: &str,
    refusals: &[cloo_domain::settings::WriteRefusal],
) -> String {
    use cloo_domain::settings::WriteRefusal as R;
    let lines: Vec<String> = refusals
        .iter()
        .map(|r| match r {
            R::UnknownField { path } => format!("{path}: no such field in {section}"),
            R::WrongType { path, expected, found } => {
                format!("{path}: expects a {expected}, not a {found}")
            }
            R::Ignored { path, reason } => format!("{path}: {reason}"),
            R::ReadOnly { path } => format!("{path}: computed by the server, cannot be set"),
            R::SecretAsValue { path } => {
                format!("{path}: a secret; give it as a secret, not as a value")
            }
            R::LooksMasked { path } => format!(
                "{path}: a new secret cannot start with ***, the server would take it for a masked one"
            ),
            R::SecretNeeded { path, because } => match because {
                MaskedWrite::UsesAsSent => format!(
                    "{path}: this write sends the secret, and the server would start its live client with the masked text: type the real value"
                ),
                _ => format!(
                    "{path}: this write sends the secret, and the server would store the masked text as the new secret: type the real value"
                ),
            },
            R::ShortSecret { path } => format!(
                "{path}: the deployment's secret is 3 characters or fewer; the server would store *** in its place: type the real value"
            ),
            R::SecretWouldMove { path } => format!(
                "{path}: the connection's key would be matched to another connection: type the key again"
            ),
        })
        .collect();
    format!(
        "nothing was sent: {} field(s) of {section} cannot be written safely — {}",
        lines.len(),
        lines.join("; ")
    )
}
