//! Notification channels (notifications.md): the e-mail and webhook channels a deployment sends
//! through, and how a save is made so that no channel loses or swaps a secret.

pub mod save_plan;

pub use save_plan::{
    ChannelKind, EMAIL_SECRETS, EditedChannel, SaveRefusal, SecretRisk, WEBHOOK_SECRETS, plan_save,
};
