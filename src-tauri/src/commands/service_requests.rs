//! Service Requests: where they can go, the direct route, a submit, the outbox, sending what is
//! queued now, and the admin's decision for one that failed or may have arrived.

use super::{Reply, Shell, on, quiet};
use cloo_console::service_requests::{OutboxItem, SrResolution, SrSetup};
use cloo_domain::Secret;
use cloo_domain::service_request::{SrDraft, SrRoute};

pub async fn sr_setup(shell: &Shell, tenant: String) -> Reply<SrSetup> {
    Ok(shell.console.service_requests().setup(&on(tenant)).await?)
}

pub async fn sr_set_direct(
    shell: &Shell,
    tenant: String,
    central_url: String,
    key: String,
) -> Reply<SrSetup> {
    Ok(shell
        .console
        .service_requests()
        .set_direct(&on(tenant), &central_url, &Secret::new(key), &quiet())
        .await?)
}

pub async fn sr_clear_direct(shell: &Shell, tenant: String) -> Reply<SrSetup> {
    let sr = shell.console.service_requests();
    sr.clear_direct(&on(tenant.clone()), &quiet()).await?;
    Ok(sr.setup(&on(tenant)).await?)
}

pub async fn sr_submit(
    shell: &Shell,
    tenant: String,
    draft: SrDraft,
    route: Option<SrRoute>,
) -> Reply<OutboxItem> {
    Ok(shell
        .console
        .service_requests()
        .submit(&on(tenant), &draft, route, &quiet())
        .await?)
}

pub async fn sr_outbox(shell: &Shell, tenant: String) -> Reply<Vec<OutboxItem>> {
    Ok(shell
        .console
        .service_requests()
        .outbox(Some(&on(tenant)))
        .await?)
}

pub async fn sr_send_queued(shell: &Shell, tenant: String) -> Reply<Vec<OutboxItem>> {
    let sr = shell.console.service_requests();
    let target = on(tenant);
    sr.deliver_due(Some(&target), i64::MAX).await?;
    Ok(sr.outbox(Some(&target)).await?)
}

pub async fn sr_resolve(
    shell: &Shell,
    tenant: String,
    id: String,
    resolution: SrResolution,
) -> Reply<OutboxItem> {
    Ok(shell
        .console
        .service_requests()
        .resolve(&on(tenant), &id, resolution)
        .await?)
}
