//! Service Requests run from this machine (service-requests.md): through the deployment's
//! proxy when it has SR configured, or straight to Cloocus' central instance with the
//! customer's SR key from the keychain when the deployment is down or has none. Every request
//! is stored in the outbox before it is sent and settled after; failures that cannot have
//! delivered it are retried with backoff, also after a restart; a send that may have delivered
//! it (no answer, or a crash mid-send) is left `unknown` for the admin to decide, since neither
//! side de-duplicates — the request's text carries the console's reference, so support can
//! tell a resend from a new request.

use crate::error::{ConsoleError, ConsoleResult, ErrorView};
use crate::operation::now_ms;
use crate::{
    Console, Observer, OperationKind, Target, blocking_secret_erase, blocking_secret_read,
    blocking_secret_write,
};
use cloo_domain::Secret;
use cloo_domain::service_request::{
    Delivery, SR_MAX_ATTEMPTS, SR_TYPES, SrDraft, SrDraftProblem, SrRoute, SrWire, check_draft,
    check_sr_key, delivery_of, retry_delay_ms, wire_body,
};
use cloo_store::{OutboxRow, SecretSlot};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A claim older than this is a crash mid-send: the send itself gives up well before.
const ABANDONED_AFTER_MS: i64 = 2 * 60 * 1000;

/// The time now in epoch ms, as the outbox counts it.
pub fn now() -> i64 {
    now_ms()
}

/// The Service Request use cases.
pub struct ServiceRequests<'a> {
    c: &'a Console,
}

impl Console {
    /// The Service Request use cases.
    pub fn service_requests(&self) -> ServiceRequests<'_> {
        ServiceRequests { c: self }
    }
}

/// One type of the catalogue.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SrTypeView {
    /// `usage_limit`, `feature`, `bug`, `account`, `other`.
    pub key: String,
    /// Its subtypes.
    pub subtypes: Vec<String>,
}

/// Where a tenant's requests can go, and who they come from.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SrSetup {
    /// Whether the deployment has SR configured; `None` when it could not be asked.
    pub deployment_enabled: Option<bool>,
    /// Why the deployment could not be asked.
    pub deployment_error: Option<ErrorView>,
    /// The catalogue (the deployment's, or the console's own when it cannot be asked).
    pub types: Vec<SrTypeView>,
    /// The central instance direct requests go to, if set.
    pub direct_url: Option<String>,
    /// Whether an SR key is filed in the keychain for direct requests.
    pub direct_key_filed: bool,
    /// The route a request takes now: the deployment when it has SR, else direct when set.
    pub route: Option<SrRoute>,
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its (next) attempt.
    Queued,
    /// Being sent now.
    Sending,
    /// Delivered.
    Sent,
    /// It will not go as it is (a refused key, SR not configured, too many attempts).
    Failed,
    /// It may have arrived: only the admin sends it again.
    Unknown,
}

/// A request in the outbox.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OutboxItem {
    /// Its id, also the reference in its text.
    pub id: String,
    /// The tenant.
    pub tenant_name: String,
    /// Which way it goes.
    pub route: SrRoute,
    /// Its title.
    pub title: String,
    /// Where it is.
    pub state: OutboxState,
    /// Attempts so far.
    pub attempts: i64,
    /// When it was submitted (epoch ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When the next attempt is due (queued).
    #[ts(type = "number")]
    pub next_attempt_at: i64,
    /// When it was delivered.
    #[ts(type = "number | null")]
    pub sent_at: Option<i64>,
    /// Why the last attempt did not deliver it.
    pub last_error: Option<String>,
    /// Exactly what is (or was) sent.
    #[ts(type = "Record<string, unknown>")]
    pub sent: serde_json::Value,
}

/// What the admin decides for a request that failed or may have arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum SrResolution {
    /// Send it again (a second ticket if the first did arrive).
    SendAgain,
    /// Record it as delivered (support confirmed it).
    MarkSent,
}

fn state_of(text: &str) -> OutboxState {
    match text {
        "sending" => OutboxState::Sending,
        "sent" => OutboxState::Sent,
        "failed" => OutboxState::Failed,
        "unknown" => OutboxState::Unknown,
        _ => OutboxState::Queued,
    }
}

fn route_of(text: &str) -> SrRoute {
    if text == "direct" {
        SrRoute::Direct
    } else {
        SrRoute::Deployment
    }
}

fn item_of(row: OutboxRow) -> OutboxItem {
    OutboxItem {
        route: route_of(&row.route),
        state: state_of(&row.state),
        sent: serde_json::from_str(&row.body).unwrap_or_default(),
        id: row.id,
        tenant_name: row.tenant_name,
        title: row.title,
        attempts: row.attempts,
        created_at: row.created_at,
        next_attempt_at: row.next_attempt_at,
        sent_at: row.sent_at,
        last_error: row.last_error,
    }
}

fn catalogue() -> Vec<SrTypeView> {
    SR_TYPES
        .iter()
        .map(|(k, subs)| SrTypeView {
            key: (*k).to_owned(),
            subtypes: subs.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}

fn draft_refused(problems: Vec<SrDraftProblem>) -> ConsoleError {
    let first = problems
        .first()
        .map(|p| p.field.clone())
        .unwrap_or_default();
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    ConsoleError::invalid(
        &first,
        format!("the request was not sent: {}", text.join("; ")),
    )
}

fn checked_central_url(url: &str) -> ConsoleResult<String> {
    let base = cloo_api::normalize_base_url(url).map_err(|e| {
        ConsoleError::invalid(
            "central_url",
            format!("the central URL cannot be used: {e}"),
        )
    })?;
    Ok(base.to_string())
}

impl ServiceRequests<'_> {
    /// Where `target`'s requests can go now.
    pub async fn setup(&self, target: &Target) -> ConsoleResult<SrSetup> {
        let tenant = self.c.tenant_ref(target).await?;
        let direct_url = self.c.store.sr_direct_url(&tenant.key).await?;
        let direct_key_filed =
            blocking_secret_read(&self.c.keychain, &tenant.key, SecretSlot::SrKey)
                .await?
                .is_some();
        let asked = async {
            let session = self.c.session(target).await?;
            session
                .call(|c, t| async move { c.sr_config(&t).await })
                .await
        }
        .await;
        let (deployment_enabled, deployment_error, types) = match asked {
            Ok(config) => {
                let types = if config.types.is_empty() {
                    catalogue()
                } else {
                    config
                        .types
                        .into_iter()
                        .map(|(key, subtypes)| SrTypeView { key, subtypes })
                        .collect()
                };
                (Some(config.enabled), None, types)
            }
            Err(e) => (None, Some(e.view()), catalogue()),
        };
        let direct_ready = direct_url.is_some() && direct_key_filed;
        let route = match deployment_enabled {
            Some(true) => Some(SrRoute::Deployment),
            _ if direct_ready => Some(SrRoute::Direct),
            _ => None,
        };
        Ok(SrSetup {
            deployment_enabled,
            deployment_error,
            types,
            direct_url,
            direct_key_filed,
            route,
        })
    }

    /// Sets where `target`'s direct requests go and files its SR key in the keychain
    /// (checked: `sr-` and 24 lowercase hex). Journaled; the key is not.
    pub async fn set_direct(
        &self,
        target: &Target,
        central_url: &str,
        key: &Secret,
        observer: &Observer,
    ) -> ConsoleResult<SrSetup> {
        check_sr_key(key.expose())
            .map_err(|p| ConsoleError::invalid("sr_key", format!("not an SR key: {p}")))?;
        let url = checked_central_url(central_url)?;
        let op = self
            .c
            .begin(target, OperationKind::SrSetDirect, &url, observer)
            .await?;
        let tenant = op.tenant_key().to_owned();
        let result = async {
            blocking_secret_write(&self.c.keychain, &tenant, SecretSlot::SrKey, key).await?;
            self.c.store.set_sr_direct_url(&tenant, Some(&url)).await?;
            op.record_after(
                &serde_json::json!({"central_url": url, "sr_key": "filed in the keychain"}),
            );
            Ok(())
        }
        .await;
        op.finish(result).await?;
        self.setup(target).await
    }

    /// Forgets where direct requests go and removes the SR key from the keychain.
    pub async fn clear_direct(&self, target: &Target, observer: &Observer) -> ConsoleResult<()> {
        let op = self
            .c
            .begin(target, OperationKind::SrSetDirect, "(cleared)", observer)
            .await?;
        let tenant = op.tenant_key().to_owned();
        let result = async {
            blocking_secret_erase(&self.c.keychain, &tenant, SecretSlot::SrKey).await?;
            self.c.store.set_sr_direct_url(&tenant, None).await?;
            Ok(())
        }
        .await;
        op.finish(result).await
    }

    /// Checks `draft`, stores it in the outbox, and makes the first attempt (the route:
    /// `route`, else the deployment when it has SR, else direct). Answers the request as it
    /// stands after that attempt: sent, queued for a retry, failed, or unknown.
    pub async fn submit(
        &self,
        target: &Target,
        draft: &SrDraft,
        route: Option<SrRoute>,
        observer: &Observer,
    ) -> ConsoleResult<OutboxItem> {
        let problems = check_draft(draft);
        if !problems.is_empty() {
            return Err(draft_refused(problems));
        }
        let setup = self.setup(target).await?;
        let route = match route.or(setup.route) {
            Some(r) => r,
            None => {
                return Err(ConsoleError::invalid(
                    "route",
                    "the deployment has no SR configured (or cannot be reached) and no direct route is set: set one with the central URL and the SR key Cloocus issued (clooctl sr direct)",
                ));
            }
        };
        if route == SrRoute::Direct && !(setup.direct_url.is_some() && setup.direct_key_filed) {
            return Err(ConsoleError::invalid(
                "route",
                "no direct route is set for this tenant (clooctl sr direct)",
            ));
        }
        let op = self
            .c
            .begin(target, OperationKind::SrSubmit, &draft.title, observer)
            .await?;
        let result = async {
            let tenant = self.c.tenant_ref(target).await?;
            // Who asks: the signed-in account, or the tenant's account when the deployment
            // cannot be asked (the name is then unknown: the e-mail stands for it).
            let (name, email, base_url) = match self.c.tenants().whoami(target).await {
                Ok(me) => (me.name, me.email, me.base_url),
                Err(_) => {
                    let url = self.c.base_url_of(target).await.unwrap_or_default();
                    (tenant.actor.clone(), tenant.actor.clone(), url)
                }
            };
            let id = format!("sr-out-{}", uuid::Uuid::new_v4().simple());
            let wire = wire_body(draft, &base_url, &id, &name, &email);
            let now = now_ms();
            let row = OutboxRow {
                id: id.clone(),
                tenant_id: tenant.key.clone(),
                tenant_name: tenant.name.clone(),
                route: match route {
                    SrRoute::Deployment => "deployment".into(),
                    SrRoute::Direct => "direct".into(),
                },
                central_url: setup
                    .direct_url
                    .clone()
                    .filter(|_| route == SrRoute::Direct),
                body: serde_json::to_string(&wire).unwrap_or_default(),
                title: wire.title.clone(),
                state: "queued".into(),
                attempts: 0,
                created_at: now,
                next_attempt_at: now,
                claimed_at: None,
                sent_at: None,
                last_error: None,
            };
            self.c.store.add_to_outbox(&row).await?;
            op.record_after(&wire);
            let item = self.attempt(&id, Some(target)).await?;
            Ok(item)
        }
        .await;
        op.finish(result).await
    }

    /// The outbox, newest first (one tenant's, or every tenant's).
    pub async fn outbox(&self, target: Option<&Target>) -> ConsoleResult<Vec<OutboxItem>> {
        let key = match target {
            Some(t) => Some(self.c.tenant_ref(t).await?.key),
            None => None,
        };
        Ok(self
            .c
            .store
            .outbox(key.as_deref())
            .await?
            .into_iter()
            .map(item_of)
            .collect())
    }

    /// Settles sends a crash left open (as unknown), then attempts every queued request due
    /// by `due_by` (epoch ms: [`now`], or `i64::MAX` for "everything queued, now"); `target` is used for the requests of its own tenant (a deployment given by
    /// environment variables has no stored credential to retry with otherwise).
    pub async fn deliver_due(
        &self,
        target: Option<&Target>,
        due_by: i64,
    ) -> ConsoleResult<Vec<OutboxItem>> {
        self.c
            .store
            .settle_abandoned_sends(now_ms() - ABANDONED_AFTER_MS)
            .await?;
        let mut out = Vec::new();
        for row in self.c.store.outbox_due(due_by).await? {
            out.push(self.attempt(&row.id, target).await?);
        }
        Ok(out)
    }

    /// The admin's decision for a request of `target`'s tenant that failed or may have
    /// arrived, as one journaled operation.
    pub async fn resolve(
        &self,
        target: &Target,
        id: &str,
        resolution: SrResolution,
    ) -> ConsoleResult<OutboxItem> {
        let op = self
            .c
            .begin(target, OperationKind::SrResolve, id, &Observer::quiet())
            .await?;
        let result = async {
            let key = self.c.tenant_ref(target).await?.key;
            let row = self
                .c
                .store
                .outbox_row(id)
                .await?
                .filter(|r| r.tenant_id == key)
                .ok_or_else(|| {
                    ConsoleError::not_found(
                        "service request",
                        id,
                        format!("no request {id} in this tenant's outbox"),
                    )
                })?;
            if !matches!(row.state.as_str(), "failed" | "unknown") {
                return Err(ConsoleError::invalid(
                    "id",
                    format!(
                        "{id} is {}: only a failed or unknown request is resolved by hand",
                        row.state
                    ),
                ));
            }
            op.record_before(&item_of(row.clone()));
            let now = now_ms();
            let after = match resolution {
                SrResolution::SendAgain => {
                    self.c
                        .store
                        .settle_outbox_row(id, "queued", now, None, row.last_error.as_deref())
                        .await?;
                    self.attempt(id, Some(target)).await?
                }
                SrResolution::MarkSent => {
                    self.c
                        .store
                        .settle_outbox_row(
                            id,
                            "sent",
                            now,
                            Some(now),
                            Some("recorded as delivered by the admin"),
                        )
                        .await?;
                    self.item(id).await?
                }
            };
            op.record_after(&after);
            Ok(after)
        }
        .await;
        op.finish(result).await
    }

    async fn item(&self, id: &str) -> ConsoleResult<OutboxItem> {
        self.c
            .store
            .outbox_row(id)
            .await?
            .map(item_of)
            .ok_or_else(|| ConsoleError::not_found("service request", id, "gone from the outbox"))
    }

    /// One attempt at a queued request: claimed first (in its own commit), sent, settled.
    async fn attempt(&self, id: &str, target: Option<&Target>) -> ConsoleResult<OutboxItem> {
        if !self.c.store.claim_outbox_row(id, now_ms()).await? {
            return self.item(id).await;
        }
        let row = self.c.store.outbox_row(id).await?.ok_or_else(|| {
            ConsoleError::not_found("service request", id, "gone from the outbox")
        })?;
        let wire: SrWire = serde_json::from_str(&row.body)
            .map_err(|e| ConsoleError::Internal(format!("outbox row {id}: {e}")))?;
        let route = route_of(&row.route);
        let attempt = self.send(&row, route, &wire, target).await;
        let now = now_ms();
        let (state, next, sent_at, error) = match attempt {
            Err(reason) => {
                // Nothing was sent (no credential, no key): try again later.
                (
                    "queued",
                    now + retry_delay_ms(row.attempts as u32),
                    None,
                    Some(reason),
                )
            }
            Ok(a) => match delivery_of(route, a.transport, &a.detail) {
                Delivery::Delivered => ("sent", now, Some(now), None),
                Delivery::TryAgain(why) if row.attempts as u32 >= SR_MAX_ATTEMPTS => (
                    "failed",
                    now,
                    None,
                    Some(format!("{why} (gave up after {} attempts)", row.attempts)),
                ),
                Delivery::TryAgain(why) => (
                    "queued",
                    now + retry_delay_ms(row.attempts as u32),
                    None,
                    Some(why),
                ),
                Delivery::Failed(why) => ("failed", now, None, Some(why)),
                Delivery::Unknown(why) => ("unknown", now, None, Some(why)),
            },
        };
        self.c
            .store
            .settle_outbox_row(id, state, next, sent_at, error.as_deref())
            .await?;
        self.item(id).await
    }

    /// Sends once; `Err` when it could not even be tried (nothing went out).
    async fn send(
        &self,
        row: &OutboxRow,
        route: SrRoute,
        wire: &SrWire,
        target: Option<&Target>,
    ) -> Result<cloo_api::SrAttempt, String> {
        let own = match target {
            Some(t) => self
                .c
                .tenant_ref(t)
                .await
                .is_ok_and(|r| r.key == row.tenant_id),
            None => false,
        };
        // A deployment given by environment variables has no stored credential: only the
        // same target can sign in to it again.
        let target = match target {
            Some(t) if own => Some(t.clone()),
            _ if row.tenant_id.starts_with("direct:") => None,
            _ => Some(Target::Tenant(row.tenant_id.clone())),
        };
        match route {
            SrRoute::Deployment => {
                let target = target.ok_or(
                    "this request's deployment was given by environment variables: retry it from the same environment",
                )?;
                let session = self.c.session(&target).await.map_err(|e| e.to_string())?;
                let token = session.token().await.map_err(|e| e.to_string())?;
                Ok(session
                    .client()
                    .submit_sr_via_deployment(&token, wire)
                    .await)
            }
            SrRoute::Direct => {
                let url = row
                    .central_url
                    .clone()
                    .ok_or("no central URL was recorded for this request")?;
                let key = blocking_secret_read(&self.c.keychain, &row.tenant_id, SecretSlot::SrKey)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or(
                        "the tenant's SR key is no longer in the keychain (clooctl sr direct)",
                    )?;
                let ca = match &target {
                    Some(t) => self.c.tenant_ca(t).await.ok().flatten(),
                    None => None,
                };
                let client =
                    cloo_api::Client::new(&url, &crate::tenants::client_options(ca.as_deref()))
                        .map_err(|e| e.to_string())?;
                Ok(client.submit_sr_central(&key, wire).await)
            }
        }
    }
}
