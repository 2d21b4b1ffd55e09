//! "Is this deployment one the console can work with?": read-only checks of a tenant — reachable,
//! the version the contract describes, the signed-in account and its rights, every endpoint the
//! console relies on answering in the contract's shape, license modules, and the known quirks of
//! that version. Nothing is written.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Target, Tenants};
use cloo_api::{ApiError, AuthFailure, CONTRACT_VERSION, Client, LicensePermissions};
use cloo_domain::Secret;
use serde::Serialize;
use std::future::Future;
use ts_rs::TS;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckStatus {
    /// As the contract says.
    Ok,
    /// Worth knowing; not a problem.
    Info,
    /// Works, with a limitation (an area this account may not use, another version).
    Warn,
    /// Does not work as the console needs.
    Fail,
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DoctorCheck {
    /// Short name, e.g. `endpoint groups`.
    pub name: String,
    /// The outcome.
    pub status: CheckStatus,
    /// One sentence.
    pub detail: String,
}

/// Every check of one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DoctorReport {
    /// The deployment's URL.
    pub base_url: String,
    /// Its version, when it answered.
    pub server_version: Option<String>,
    /// The checks, in the order they ran.
    pub checks: Vec<DoctorCheck>,
}

impl DoctorReport {
    /// The worst outcome (`Ok` when there is no check).
    pub fn worst(&self) -> CheckStatus {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(CheckStatus::Ok)
    }

    fn push(&mut self, name: impl Into<String>, status: CheckStatus, detail: impl Into<String>) {
        self.checks.push(DoctorCheck {
            name: name.into(),
            status,
            detail: detail.into(),
        });
    }
}

/// The quirks of the contract's version the console works around, stated so an operator knows
/// what to expect from the deployment itself.
pub const KNOWN_QUIRKS: [&str; 7] = [
    "a wrong role is refused with 401, a missing token with 403",
    "updating a group replaces its meta whole (unit links and limits included): the console re-sends what it keeps",
    "stored default permissions are a floor for everyone and never delegate admin rights; only groups do",
    "deleting an unknown user answers 500 DELETE_USER_ERROR, not 404",
    "OU usage limits find members by SQL LIKE on stored text: case-blind on SQLite, case-sensitive on PostgreSQL",
    "an organization import is not atomic: a failure leaves the units written so far",
    "the user list carries every user's plaintext API key: the console drops it while parsing",
];

/// An endpoint the console relies on, read with the client's own types.
struct Probe {
    name: &'static str,
    /// What is lost when this account may not call it.
    needs: &'static str,
}

const PROBES: [Probe; 10] = [
    Probe {
        name: "users",
        needs: "the user directory (admin or admin.users ≥ read)",
    },
    Probe {
        name: "groups",
        needs: "groups and their permissions",
    },
    Probe {
        name: "default permissions",
        needs: "default permissions (admin or admin.users ≥ read)",
    },
    Probe {
        name: "organizations",
        needs: "organizations",
    },
    Probe {
        name: "org units",
        needs: "organizational units",
    },
    Probe {
        name: "usage-limit settings",
        needs: "usage limits (admin only)",
    },
    Probe {
        name: "admin details",
        needs: "the Super Admin",
    },
    Probe {
        name: "config export",
        needs: "the settings snapshot (admin or admin.settings ≥ read)",
    },
    Probe {
        name: "guardrails",
        needs: "the guardrail choices of units",
    },
    Probe {
        name: "license modules",
        needs: "which licensed areas answer",
    },
];

/// What a probe's answer means for the console.
fn judge(report: &mut DoctorReport, probe: &Probe, outcome: ConsoleResult<()>) {
    let name = format!("endpoint {}", probe.name);
    match outcome {
        Ok(()) => report.push(name, CheckStatus::Ok, "answers as the contract says"),
        Err(ConsoleError::Api(ApiError::Forbidden { status, .. })) => report.push(
            name,
            CheckStatus::Warn,
            format!(
                "refused for this account ({status}): {} is not available",
                probe.needs
            ),
        ),
        Err(ConsoleError::Api(ApiError::NotFound { status, detail })) => report.push(
            name,
            CheckStatus::Fail,
            format!("not served ({status} {detail}): this deployment lacks it"),
        ),
        Err(ConsoleError::Api(e @ ApiError::UnexpectedResponse { .. })) => report.push(
            name,
            CheckStatus::Fail,
            format!("answers in a shape the console cannot read: {e}"),
        ),
        Err(e) => report.push(name, CheckStatus::Fail, e.to_string()),
    }
}

async fn discard<T>(f: impl Future<Output = ConsoleResult<T>>) -> ConsoleResult<()> {
    f.await.map(|_| ())
}

impl Tenants<'_> {
    /// Checks a deployment with read-only calls. Failures to reach it or sign in are reported
    /// as checks, not errors: the report is the answer.
    pub async fn doctor(&self, target: &Target) -> ConsoleResult<DoctorReport> {
        let session = self.c.session(target).await?;
        let client = session.client().clone();
        let mut report = DoctorReport {
            base_url: client.base_url().to_string(),
            server_version: None,
            checks: Vec::new(),
        };
        if let Err(e) = client.health().await {
            report.push("reachable", CheckStatus::Fail, e.to_string());
            return Ok(report);
        }
        report.push("reachable", CheckStatus::Ok, "answers /health");
        match client.version().await {
            Ok(v) if v.version == CONTRACT_VERSION => {
                report.push(
                    "version",
                    CheckStatus::Ok,
                    format!("{}: the version the contract describes", v.version),
                );
                report.server_version = Some(v.version);
            }
            Ok(v) => {
                report.push(
                    "version",
                    CheckStatus::Warn,
                    format!(
                        "{}: the contract describes {CONTRACT_VERSION}; quirks and fields may differ",
                        v.version
                    ),
                );
                report.server_version = Some(v.version);
            }
            Err(e) => report.push("version", CheckStatus::Fail, e.to_string()),
        }
        match client.probe_without_credential().await {
            Err(ApiError::NotAuthenticated {
                reason: AuthFailure::Missing,
                ..
            }) => report.push(
                "no credential",
                CheckStatus::Ok,
                "refused with 403 Not authenticated, as the contract says",
            ),
            Err(e) => report.push(
                "no credential",
                CheckStatus::Warn,
                format!("refused otherwise than the contract says: {e}"),
            ),
            Ok(()) => report.push(
                "no credential",
                CheckStatus::Fail,
                "the user list answered without a credential",
            ),
        }
        let me = match session
            .call(|c, t| async move { c.session_user(&t).await })
            .await
        {
            Ok(me) => me,
            Err(e) => {
                report.push("sign-in", CheckStatus::Fail, e.to_string());
                return Ok(report);
            }
        };
        report.push(
            "sign-in",
            CheckStatus::Ok,
            format!("signed in as {} ({})", me.email, me.role),
        );
        if me.role.is_admin() {
            report.push(
                "account",
                CheckStatus::Ok,
                "an admin: every area is available",
            );
        } else {
            report.push(
                "account",
                CheckStatus::Warn,
                format!(
                    "role {}: admin-only areas (organization changes, usage limits, Super Admin, settings) are refused; \
                     others depend on the admin.* rights the account's groups delegate",
                    me.role
                ),
            );
        }
        let mut license: Option<LicensePermissions> = None;
        for probe in &PROBES {
            let outcome = match probe.name {
                "users" => {
                    discard(session.call(|c: Client, t: Secret| async move {
                        c.list_users(&t, Some(0), Some(1)).await
                    }))
                    .await
                }
                "groups" => {
                    discard(session.call(|c, t| async move { c.list_groups(&t).await })).await
                }
                "default permissions" => {
                    discard(session.call(|c, t| async move { c.default_permissions(&t).await }))
                        .await
                }
                "organizations" => {
                    discard(session.call(|c, t| async move { c.organizations(&t).await })).await
                }
                "org units" => {
                    discard(session.call(|c, t| async move { c.org_units(&t).await })).await
                }
                "usage-limit settings" => {
                    discard(session.call(|c, t| async move { c.usage_limit_config(&t).await }))
                        .await
                }
                "admin details" => {
                    discard(session.call(|c, t| async move { c.admin_details(&t).await })).await
                }
                "config export" => {
                    discard(session.call(|c, t| async move { c.config_export(&t).await })).await
                }
                "guardrails" => {
                    discard(session.call(|c, t| async move { c.guardrails(&t).await })).await
                }
                _ => match session
                    .call(|c, t| async move { c.license_permissions(&t).await })
                    .await
                {
                    Ok(l) => {
                        license = Some(l);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
            };
            judge(&mut report, probe, outcome);
        }
        if let Some(l) = license {
            license_checks(&mut report, &l);
        }
        let known = report.server_version.as_deref() == Some(CONTRACT_VERSION);
        for quirk in KNOWN_QUIRKS {
            report.push(
                "quirk",
                CheckStatus::Info,
                if known {
                    quirk.to_owned()
                } else {
                    format!("in {CONTRACT_VERSION} (unverified here): {quirk}")
                },
            );
        }
        Ok(report)
    }
}

/// Licensed modules the console's areas depend on.
const MODULES_USED: [(&str, &str); 4] = [
    ("audit_log", "audit logs"),
    ("guardrail", "guardrails of units"),
    ("branding", "branding"),
    ("code_gateway", "the Code Gateway"),
];

fn license_checks(report: &mut DoctorReport, l: &LicensePermissions) {
    let enabled: Vec<&str> = l
        .permissions
        .iter()
        .filter(|(_, on)| **on)
        .map(|(m, _)| m.as_str())
        .collect();
    let summary = format!(
        "{}; enforcement {}; modules on: {}",
        match (&l.has_license, &l.tier) {
            (true, Some(tier)) => format!("licensed ({tier})"),
            (true, None) => "licensed".to_owned(),
            (false, _) => "no license".to_owned(),
        },
        if l.enforcement_enabled { "on" } else { "off" },
        if enabled.is_empty() {
            "none".to_owned()
        } else {
            enabled.join(", ")
        }
    );
    report.push("license", CheckStatus::Info, summary);
    for (module, area) in MODULES_USED {
        if !l.allows(module) {
            report.push(
                format!("module {module}"),
                CheckStatus::Warn,
                format!("not licensed: {area} will be refused with 403"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_check_decides() {
        let mut r = DoctorReport {
            base_url: "https://x/".into(),
            server_version: None,
            checks: Vec::new(),
        };
        assert_eq!(r.worst(), CheckStatus::Ok);
        r.push("a", CheckStatus::Info, "");
        assert_eq!(r.worst(), CheckStatus::Info);
        r.push("b", CheckStatus::Warn, "");
        r.push("c", CheckStatus::Ok, "");
        assert_eq!(r.worst(), CheckStatus::Warn);
        r.push("d", CheckStatus::Fail, "");
        assert_eq!(r.worst(), CheckStatus::Fail);
    }

    #[test]
    fn unlicensed_modules_warn_only_under_enforcement() {
        let mut l = LicensePermissions {
            permissions: [("audit_log".to_owned(), true)].into_iter().collect(),
            has_license: true,
            tier: Some("standard".into()),
            enforcement_enabled: true,
        };
        let mut r = DoctorReport {
            base_url: String::new(),
            server_version: None,
            checks: Vec::new(),
        };
        license_checks(&mut r, &l);
        let warned: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Warn)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            warned,
            ["module guardrail", "module branding", "module code_gateway"]
        );
        l.enforcement_enabled = false;
        r.checks.clear();
        license_checks(&mut r, &l);
        assert_eq!(r.worst(), CheckStatus::Info);
    }
}
