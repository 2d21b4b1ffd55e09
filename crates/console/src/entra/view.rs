//! What the desktop exchanges with the Entra area: the profile form (inbound, the only place a
//! secret crosses IPC, typed by the admin), a plan as its review tree with the Entra figures,
//! and the device code to show.

use super::profile::{ProfileInput, SignInInput};
use super::sync::EntraPlan;
use crate::error::{ConsoleError, ConsoleResult};
use crate::imports::OrgImportReview;
use cloo_domain::Secret;
use cloo_entra::build::BuildOptions;
use cloo_entra::{DeviceCodePrompt, auth::DeviceCodeMessage};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use ts_rs::TS;

/// The profile form. Secrets are only ever sent this way (the admin typed them).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EntraProfileRequest {
    /// The Entra tenant id (or a verified domain).
    pub entra_tenant: String,
    /// The app's client id.
    pub client_id: String,
    /// `client_secret`, `certificate` or `device_code`.
    pub method: String,
    /// The client secret (method `client_secret`).
    pub client_secret: Option<String>,
    /// The certificate, PEM (method `certificate`).
    pub certificate_pem: Option<String>,
    /// Its private key, PEM (method `certificate`).
    pub private_key_pem: Option<String>,
    /// National cloud: `global`, `us_government`, `china` (sets both URLs unless given).
    pub cloud: Option<String>,
    /// Sign-in host.
    pub authority: Option<String>,
    /// Graph base.
    pub graph_url: Option<String>,
    /// Administrative units as units.
    pub admin_units: bool,
    /// Groups as units.
    pub groups: bool,
    /// Departments as units.
    pub departments: bool,
    /// OData filter on groups.
    pub group_filter: Option<String>,
    /// Recommended plans keep guest accounts in member lists.
    #[serde(default)]
    pub include_guests: bool,
    /// Recommended plans keep disabled accounts in member lists.
    #[serde(default)]
    pub include_disabled: bool,
}

impl EntraProfileRequest {
    /// The profile to save, or which field is missing.
    pub fn into_input(self) -> ConsoleResult<ProfileInput> {
        let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let sign_in = match self.method.as_str() {
            "client_secret" => {
                SignInInput::ClientSecret(Secret::new(given(self.client_secret).ok_or_else(
                    || ConsoleError::invalid("client_secret", "type the client secret"),
                )?))
            }
            "certificate" => SignInInput::Certificate {
                certificate_pem: given(self.certificate_pem).ok_or_else(|| {
                    ConsoleError::invalid("certificate", "choose the certificate (PEM)")
                })?,
                private_key_pem: Secret::new(given(self.private_key_pem).ok_or_else(|| {
                    ConsoleError::invalid("private_key", "paste the private key (PEM)")
                })?),
            },
            "device_code" => SignInInput::DeviceCode,
            other => {
                return Err(ConsoleError::invalid(
                    "method",
                    format!("unknown sign-in method {other:?}"),
                ));
            }
        };
        let cloud = match given(self.cloud) {
            Some(name) => Some(cloo_entra::Cloud::parse(&name).ok_or_else(|| {
                ConsoleError::invalid("cloud", format!("unknown cloud {name:?}"))
            })?),
            None => None,
        };
        Ok(ProfileInput {
            entra_tenant: self.entra_tenant,
            client_id: self.client_id,
            sign_in,
            authority: given(self.authority).or(cloud.map(|c| c.authority().to_owned())),
            graph_url: given(self.graph_url).or(cloud.map(|c| c.graph().to_owned())),
            options: BuildOptions {
                admin_units: self.admin_units,
                groups: self.groups,
                departments: self.departments,
                group_filter: given(self.group_filter),
                include_guests: self.include_guests,
                include_disabled: self.include_disabled,
            },
        })
    }
}

/// A device code to show the admin.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeviceCodeNotice {
    /// The code to type.
    pub user_code: String,
    /// Where.
    pub verification_uri: String,
    /// Microsoft's sentence.
    pub message: String,
}

/// A prompt that hands the device code to `show`.
pub fn device_code_prompt(
    show: impl Fn(DeviceCodeNotice) + Send + Sync + 'static,
) -> DeviceCodePrompt {
    Arc::new(move |m: &DeviceCodeMessage| {
        show(DeviceCodeNotice {
            user_code: m.user_code.clone(),
            verification_uri: m.verification_uri.clone(),
            message: m.message.clone(),
        })
    })
}

/// A plan as the desktop shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EntraPlanView {
    /// The organization plan's review (apply `review.plan_id`).
    pub review: OrgImportReview,
    /// `parity` or `recommended`.
    pub mode: String,
    /// The sign-in method.
    pub method: String,
    /// `full` or `delta`.
    pub read_kind: String,
    /// Why the read was full.
    pub full_because: Option<String>,
    /// Delta functions this Graph refuses: what they track is read in full on every run.
    pub read_in_full: Vec<String>,
    /// Figures of the build, the Graph read and the delta read, by name.
    #[ts(type = "Record<string, number>")]
    pub figures: BTreeMap<String, u64>,
    /// The other mode.
    pub other: String,
    /// How it differs, by name (`only_here`, `only_other`, `members_differ`, …).
    #[ts(type = "Record<string, number>")]
    pub other_counts: BTreeMap<String, u64>,
    /// Readable lines of the difference.
    pub other_lines: Vec<String>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

fn numbers(value: Value, prefix: &str, into: &mut BTreeMap<String, u64>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            if let Some(n) = v.as_u64() {
                into.insert(format!("{prefix}{k}"), n);
            }
        }
    }
}

impl EntraPlan {
    /// The desktop's view of this plan.
    pub fn view(&self) -> EntraPlanView {
        let mut figures = BTreeMap::new();
        numbers(
            serde_json::to_value(&self.counts).unwrap_or_default(),
            "",
            &mut figures,
        );
        numbers(
            serde_json::to_value(&self.graph).unwrap_or_default(),
            "graph_",
            &mut figures,
        );
        numbers(
            serde_json::to_value(&self.read).unwrap_or_default(),
            "read_",
            &mut figures,
        );
        figures.insert("token_requests".into(), u64::from(self.token_requests));
        let d = &self.other_way;
        let other_counts = BTreeMap::from([
            ("only_here".to_owned(), d.only_here.len() as u64),
            ("only_other".to_owned(), d.only_other.len() as u64),
            ("members_differ".to_owned(), d.members_differ as u64),
            (
                "member_details_differ".to_owned(),
                d.member_details_differ as u64,
            ),
            ("parents_differ".to_owned(), d.parents_differ as u64),
        ]);
        EntraPlanView {
            review: self.review.clone(),
            mode: self.mode.clone(),
            method: self.method.clone(),
            read_kind: self.read.kind.clone(),
            full_because: self.read.full_because.clone(),
            read_in_full: self.read.read_in_full.clone(),
            figures,
            other: d.other.clone(),
            other_counts,
            other_lines: d.lines.clone(),
            warnings: self.warnings.clone(),
        }
    }
}
