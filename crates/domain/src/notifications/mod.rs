//! Notification channels (notifications.md): the e-mail and webhook channels a deployment sends
//! through, how edits to them become a save that loses or swaps no secret, what of them may be
//! shown, and the test message each webhook provider takes.

pub mod edit;
pub mod save_plan;
pub mod shown;
pub mod test_message;

pub use edit::{
    ChannelEdit, ChannelFieldChange, ChannelProblem, ChannelRefusal, ChannelReview, ChannelSecret,
    ChannelsAsRead, ChannelsSave, EMAIL_ENGINES, SecretFate, WEBHOOK_PROVIDERS, channel_after,
    email_defaults, is_synthesized, plan_channels, webhook_defaults,
};
pub use save_plan::{
    ChannelKind, EMAIL_SECRETS, EditedChannel, SaveRefusal, SecretRisk, WEBHOOK_SECRETS, plan_save,
};
pub use shown::{CLEAR_CREDENTIALS, shown_channel, shown_field, shown_url};
pub use test_message::{
    TEST_TITLE, TestMessageProblem, WebhookRequest, is_teams_workflow_url, webhook_test_request,
};
