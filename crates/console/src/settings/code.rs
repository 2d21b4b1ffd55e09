//! Settings as code: a deployment's settings exported as a document with no secret in it, a
//! document planned against a deployment (stored, shown key by key), and a stored plan applied
//! section by section through the same write as a form's — refused whole when the config
//! version moved since the plan.

use super::{Settings, SettingsChange};
use crate::Target;
use crate::error::{ConsoleError, ConsoleResult, PartialChange};
use crate::operation::{Observer, OperationKind};
use crate::plan::PlanKind;
use cloo_domain::settings::document::{
    KeyChange, SecretRef, SectionChanges, export_document, plan_document, sections_of,
};
use cloo_domain::settings::{NewSecret, Section, Tab};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The stored plan of a settings document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingsPlanDocument {
    /// Plan id.
    pub id: String,
    /// The tenant's key.
    pub tenant: String,
    /// The document's file name.
    pub file_name: String,
    /// When planned (epoch seconds).
    pub created_at: i64,
    /// The config version the deployment had when planned; apply refuses another.
    pub config_version: i64,
    /// What each section gets.
    pub sections: Vec<SectionChanges>,
    /// The changed keys, for people.
    pub keys: Vec<KeyChange>,
}

/// A settings plan as the shells show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsPlanView {
    /// Apply it by this id.
    pub id: String,
    /// The config version it was planned at.
    #[ts(type = "number")]
    pub config_version: i64,
    /// Each changed key: the deployment's value and the document's.
    pub keys: Vec<KeyChange>,
    /// Secrets the apply will read from the environment, by variable name.
    pub from_environment: Vec<String>,
    /// Secrets the apply will read from the OS keychain, by name (`clooctl secret set NAME`).
    pub from_keychain: Vec<String>,
}

/// What applying a settings plan did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsApplyReport {
    /// The plan.
    pub plan_id: String,
    /// Each section written.
    pub sections: Vec<SettingsChange>,
}

impl Settings<'_> {
    /// Every readable section of `tabs` (all tabs when empty) with the deployment's answer; a
    /// section the account may not read or the license does not cover is left out.
    pub(super) async fn answers(
        &self,
        target: &Target,
        tabs: &[Tab],
    ) -> ConsoleResult<Vec<(&'static Section, Value)>> {
        let mut out = Vec::new();
        for section in sections_of(tabs) {
            match self.read_answer(target, section).await {
                Ok(answer) => out.push((section, answer)),
                Err(ConsoleError::Api(
                    e
                    @ (cloo_api::ApiError::Forbidden { .. } | cloo_api::ApiError::NotFound { .. }),
                )) => {
                    tracing::info!(section = section.key, "left out of the settings: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn config_version(&self, target: &Target) -> ConsoleResult<i64> {
        let session = self.c.session(target).await?;
        session
            .call(|c, t| async move { c.config_version(&t).await })
            .await
    }

    /// The settings of `tabs` (all when empty) as a document: keyed by tab and then by the
    /// server's field names, each secret a reference (`keep`), never a value.
    pub async fn export(&self, target: &Target, tabs: &[Tab]) -> ConsoleResult<Value> {
        let version = self.config_version(target).await?;
        let answers = self.answers(target, tabs).await?;
        Ok(export_document(&answers, Some(version)))
    }

    /// Plans `document` (read from `file_name`) against the deployment and stores the plan;
    /// every problem of the document is refused with its JSON path.
    pub async fn plan(
        &self,
        target: &Target,
        file_name: &str,
        document: &Value,
    ) -> ConsoleResult<SettingsPlanView> {
        let tabs: Vec<Tab> = document
            .as_object()
            .map(|m| m.keys().filter_map(|k| Tab::parse(k)).collect())
            .unwrap_or_default();
        let version = self.config_version(target).await?;
        let answers = self.answers(target, &tabs).await?;
        let (sections, keys) = plan_document(document, &answers).map_err(|problems| {
            let first = problems.first().map_or("$", |p| p.position.as_str());
            ConsoleError::invalid_at(
                format!("{file_name}: {first}"),
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.position, p.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let from_environment = sections
            .iter()
            .flat_map(|s| &s.secrets)
            .filter_map(|s| match &s.reference {
                SecretRef::Env(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let from_keychain = sections
            .iter()
            .flat_map(|s| &s.secrets)
            .filter_map(|s| match &s.reference {
                SecretRef::Keychain(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let plan = SettingsPlanDocument {
            id: uuid::Uuid::new_v4().to_string(),
            tenant: self.c.target_key(target).await?,
            file_name: file_name.to_owned(),
            created_at: crate::now(),
            config_version: version,
            sections,
            keys,
        };
        self.c
            .save_plan(
                PlanKind::Settings,
                &plan.id,
                &plan.tenant,
                &format!("settings from {file_name}"),
                &plan,
            )
            .await?;
        Ok(SettingsPlanView {
            id: plan.id,
            config_version: plan.config_version,
            keys: plan.keys,
            from_environment,
            from_keychain,
        })
    }

    /// Applies a stored settings plan as one operation (journaled, cancellable between
    /// sections): refused (nothing written) when the config version moved since the plan or an
    /// `env:` secret is not set; then each section is written only where it changes, through
    /// [`Settings::set_section`] (each journaled with its before and after).
    pub async fn apply(
        &self,
        target: &Target,
        plan_id: &str,
        observer: &Observer,
    ) -> ConsoleResult<SettingsApplyReport> {
        // The operation opens first, so a read-only tenant is refused before anything is read
        // and every refusal below (stale, missing secret) is journaled.
        let op = self
            .c
            .begin_plan(
                target,
                OperationKind::SettingsApply,
                "settings plan",
                plan_id,
                observer,
            )
            .await?;
        let result = async {
            let (_, plan): (_, SettingsPlanDocument) =
                self.c.stored_plan(PlanKind::Settings, plan_id).await?;
            op.set_target(&format!("settings from {}", plan.file_name));
            if plan.tenant != self.c.target_key(target).await? {
                return Err(ConsoleError::invalid(
                    "plan",
                    "this plan was made for another tenant",
                ));
            }
            let now = self.config_version(target).await?;
            if now != plan.config_version {
                return Err(ConsoleError::StalePlan {
                    plan_id: plan.id.clone(),
                    changed: vec![format!("config version {} → {now}", plan.config_version)],
                    changed_count: usize::try_from(now - plan.config_version).unwrap_or(1),
                    message: format!(
                        "the plan is stale: the deployment's settings changed since it was planned (config version {} → {now}). Nothing was written; make a new plan",
                        plan.config_version
                    ),
                });
            }
            let mut supplied = Vec::new();
            for section in &plan.sections {
                supplied.push(self.supplied_secrets(section).await?);
            }
            op.record_before(&serde_json::to_value(&plan.keys).unwrap_or_default());
            let written = |done: &[SettingsChange]| {
                let names: Vec<&str> = done.iter().map(|c| c.section.as_str()).collect();
                if names.is_empty() {
                    "nothing was written".to_owned()
                } else {
                    format!("settings written: {}", names.join(", "))
                }
            };
            let resume = "plan the same document again (the written sections then show no change) and apply that plan";
            let total = plan.sections.len() as u64;
            let mut done: Vec<SettingsChange> = Vec::new();
            for (i, (section, secrets)) in plan.sections.iter().zip(&supplied).enumerate() {
                op.checkpoint(|| written(&done), resume)?;
                op.step("writing", i as u64, total);
                let result = self
                    .set_section(
                        target,
                        &section.section,
                        &section.domain_edits(),
                        secrets,
                        observer,
                    )
                    .await;
                match result {
                    Ok(change) => done.push(change),
                    Err(e) if done.is_empty() => return Err(e),
                    Err(e) => {
                        return Err(ConsoleError::Interrupted {
                            cause: Box::new(e),
                            progress: PartialChange {
                                applied: written(&done),
                                resume: resume.into(),
                            },
                        });
                    }
                }
            }
            op.step("writing", total, total);
            op.record_after(&serde_json::to_value(&done).unwrap_or_default());
            Ok(SettingsApplyReport {
                plan_id: plan.id.clone(),
                sections: done,
            })
        }
        .await;
        op.finish(result).await
    }
}

impl Settings<'_> {
    /// The `env:` and `keychain:` secrets of one section, read now; refused (nothing written)
    /// when one is not set.
    async fn supplied_secrets(&self, section: &SectionChanges) -> ConsoleResult<Vec<NewSecret>> {
        let mut secrets = Vec::new();
        for s in &section.secrets {
            let value = match &s.reference {
                SecretRef::Env(name) => std::env::var(name)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(cloo_domain::Secret::new)
                    .ok_or_else(|| {
                        ConsoleError::invalid(
                            name.as_str(),
                            format!(
                                "{}.{} takes its secret from the environment variable {name}, which is not set: nothing was written",
                                section.section, s.path
                            ),
                        )
                    })?,
                SecretRef::Keychain(name) => {
                    self.c.named_secret(name).await?.ok_or_else(|| {
                        ConsoleError::invalid(
                            name.as_str(),
                            format!(
                                "{}.{} takes its secret from the keychain secret {name}, which is not filed (clooctl secret set {name}): nothing was written",
                                section.section, s.path
                            ),
                        )
                    })?
                }
                SecretRef::Keep | SecretRef::Empty => continue,
            };
            secrets.push(NewSecret {
                path: s.path.clone(),
                value,
            });
        }
        Ok(secrets)
    }
}

impl Settings<'_> {
    /// A stored settings plan as the JSON text `--out` writes (it holds no secret).
    pub async fn plan_text(&self, plan_id: &str) -> ConsoleResult<String> {
        Ok(self
            .c
            .stored_plan_record(PlanKind::Settings, plan_id)
            .await?
            .document)
    }

    /// Keeps a plan file written with `--out` in the local store, for this tenant, and gives
    /// its id.
    pub async fn adopt_plan(&self, target: &Target, text: &str) -> ConsoleResult<String> {
        let plan: SettingsPlanDocument = serde_json::from_str(text).map_err(|e| {
            ConsoleError::invalid_at(
                format!("line {}, column {}", e.line(), e.column()),
                format!("not a settings plan: {e}"),
            )
        })?;
        if plan.tenant != self.c.target_key(target).await? {
            return Err(ConsoleError::invalid(
                "plan",
                "this plan was made for another tenant",
            ));
        }
        self.c
            .save_plan(
                PlanKind::Settings,
                &plan.id,
                &plan.tenant,
                &format!("settings from {}", plan.file_name),
                &plan,
            )
            .await?;
        Ok(plan.id)
    }
}

impl Settings<'_> {
    /// Writes [`Settings::export`] into the user's downloads folder as
    /// `cloosphere-settings-<time>.json`; gives the path.
    pub async fn export_to_downloads(
        &self,
        target: &Target,
        tabs: &[Tab],
    ) -> ConsoleResult<std::path::PathBuf> {
        let document = self.export(target, tabs).await?;
        let text = serde_json::to_string_pretty(&document)
            .map_err(|e| ConsoleError::Internal(e.to_string()))?;
        crate::downloads::save_to_downloads("cloosphere-settings", "json", &text)
    }

    /// Plans a document given as the bytes of a file (the desktop's drop); malformed JSON is
    /// refused with its line and column.
    pub async fn plan_bytes(
        &self,
        target: &Target,
        file_name: &str,
        bytes: &[u8],
    ) -> ConsoleResult<SettingsPlanView> {
        let document = document_from_bytes(file_name, bytes)?;
        self.plan(target, file_name, &document).await
    }
}

impl Settings<'_> {
    /// Copies the settings of `tabs`, or only the fields `keys` name (`tab.FIELD…`, see
    /// `cloo_domain::settings::selection`), from `source` to each of `targets` as one stored
    /// plan per target (apply each by id): the source's export, planned against the target.
    /// Secrets are not copied — the source's are masked — so every target keeps its own.
    pub async fn plan_copy(
        &self,
        source: &Target,
        targets: &[Target],
        tabs: &[Tab],
        keys: &[String],
    ) -> ConsoleResult<Vec<SettingsPlanView>> {
        let source_name = self.c.tenant_ref(source).await?.name;
        let mut tabs = tabs.to_vec();
        for key in keys {
            let name = key.split('.').next().unwrap_or_default();
            let tab = Tab::parse(name).ok_or_else(|| {
                ConsoleError::invalid("key", format!("{key:?} does not start with a settings tab"))
            })?;
            if !tabs.contains(&tab) {
                tabs.push(tab);
            }
        }
        let mut document = self.export(source, &tabs).await?;
        if !keys.is_empty() {
            let (picked, unknown) = cloo_domain::settings::selection::select_keys(&document, keys);
            if !unknown.is_empty() {
                return Err(ConsoleError::invalid(
                    "key",
                    format!(
                        "{source_name} has no such settings key: {}",
                        unknown.join(", ")
                    ),
                ));
            }
            document = picked;
        }
        let mut plans = Vec::with_capacity(targets.len());
        for target in targets {
            plans.push(
                self.plan(target, &format!("copy of {source_name}"), &document)
                    .await?,
            );
        }
        Ok(plans)
    }
}

/// A copy's plan for one target.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsCopyPlan {
    /// The target tenant, as the shell named it.
    pub target: String,
    /// Its plan (apply it on that tenant by id).
    pub plan: SettingsPlanView,
}

/// How a settings document is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// JSON (the default).
    Json,
    /// YAML, for people who review documents in pull requests.
    Yaml,
}

impl DocumentFormat {
    /// The format a file name says (`.yaml` and `.yml` are YAML, anything else JSON).
    pub fn of_file(file_name: &str) -> DocumentFormat {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            DocumentFormat::Yaml
        } else {
            DocumentFormat::Json
        }
    }
}

/// A settings document as text in `format`.
pub fn document_text(document: &Value, format: DocumentFormat) -> ConsoleResult<String> {
    match format {
        DocumentFormat::Json => serde_json::to_string_pretty(document)
            .map_err(|e| ConsoleError::invalid("document", e.to_string())),
        DocumentFormat::Yaml => serde_yaml::to_string(document)
            .map_err(|e| ConsoleError::invalid("document", e.to_string())),
    }
}

/// A settings document read from a file's bytes, JSON or YAML by its name; a syntax error is
/// placed as `file:line:column`.
pub fn document_from_bytes(file_name: &str, bytes: &[u8]) -> ConsoleResult<Value> {
    match DocumentFormat::of_file(file_name) {
        DocumentFormat::Json => serde_json::from_slice(bytes).map_err(|e| {
            ConsoleError::invalid_at(
                format!("{file_name}:{}:{}", e.line(), e.column()),
                format!("not a JSON settings document: {e}"),
            )
        }),
        DocumentFormat::Yaml => serde_yaml::from_slice(bytes).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{file_name}:{}:{}", l.line(), l.column()))
                .unwrap_or_else(|| file_name.to_owned());
            ConsoleError::invalid_at(at, format!("not a YAML settings document: {e}"))
        }),
    }
}
