//! Inquiries: the board with its filters, a move, a note, a delete, and how often the app looks
//! for new ones.

use super::{Reply, Shell, on, quiet};
use cloo_console::inquiries::{InquiryBoard, InquiryView};
use cloo_domain::inquiries::InquiryFilter;

pub async fn inquiry_board(
    shell: &Shell,
    tenant: String,
    filter: InquiryFilter,
) -> Reply<InquiryBoard> {
    Ok(shell
        .console
        .inquiries()
        .board(&on(tenant), &filter)
        .await?)
}

pub async fn inquiry_move(
    shell: &Shell,
    tenant: String,
    id: String,
    to: String,
) -> Reply<InquiryView> {
    Ok(shell
        .console
        .inquiries()
        .move_to(&on(tenant), &id, &to, &quiet())
        .await?)
}

pub async fn inquiry_note(
    shell: &Shell,
    tenant: String,
    id: String,
    note: String,
) -> Reply<InquiryView> {
    Ok(shell
        .console
        .inquiries()
        .set_note(&on(tenant), &id, &note, &quiet())
        .await?)
}

pub async fn inquiry_delete(shell: &Shell, tenant: String, id: String) -> Reply<InquiryView> {
    Ok(shell
        .console
        .inquiries()
        .delete(&on(tenant), &id, &quiet())
        .await?)
}

pub async fn inquiry_poll_seconds(shell: &Shell) -> Reply<u64> {
    Ok(shell.console.inquiries().poll_seconds().await?)
}

pub async fn set_inquiry_poll_seconds(shell: &Shell, seconds: u64) -> Reply<u64> {
    Ok(shell.console.inquiries().set_poll_seconds(seconds).await?)
}
