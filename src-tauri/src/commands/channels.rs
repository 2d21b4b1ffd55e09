//! Notification channels: the list, the review of edits, the save, and the two tests (from
//! this machine, through the deployment).

use super::{Reply, Shell, on, quiet};
use cloo_console::notifications::{
    ChannelSecretInput, ChannelTestResult, ChannelsReview, ChannelsSaved, ChannelsView, DesktopTest,
};
use cloo_domain::notifications::{ChannelEdit, ChannelKind};

pub async fn notification_channels(shell: &Shell, tenant: String) -> Reply<ChannelsView> {
    Ok(shell.console.notifications().channels(&on(tenant)).await?)
}

pub async fn review_channels(
    shell: &Shell,
    tenant: String,
    edits: Vec<ChannelEdit>,
    secrets: Vec<ChannelSecretInput>,
) -> Reply<ChannelsReview> {
    Ok(shell
        .console
        .notifications()
        .review_channels(&on(tenant), &edits, &secrets)
        .await?)
}

pub async fn save_channels(
    shell: &Shell,
    tenant: String,
    edits: Vec<ChannelEdit>,
    secrets: Vec<ChannelSecretInput>,
) -> Reply<ChannelsSaved> {
    Ok(shell
        .console
        .notifications()
        .save_channels(&on(tenant), &edits, &secrets, &quiet())
        .await?)
}

pub async fn test_channel_from_desktop(
    shell: &Shell,
    tenant: String,
    request: DesktopTest,
) -> Reply<ChannelTestResult> {
    Ok(shell
        .console
        .notifications()
        .test_from_desktop(&on(tenant), &request)
        .await?)
}

pub async fn test_channel_through_deployment(
    shell: &Shell,
    tenant: String,
    kind: ChannelKind,
    name: String,
    send_to: Option<String>,
) -> Reply<ChannelTestResult> {
    Ok(shell
        .console
        .notifications()
        .test_through_deployment(&on(tenant), kind, &name, send_to.as_deref())
        .await?)
}
