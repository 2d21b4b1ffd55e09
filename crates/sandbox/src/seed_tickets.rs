//! Demo inquiries in every status and demo notification channels, so the desktop's Inquiries
//! and Channels pages have something to show on the embedded sandbox.

use crate::db::NewUser;
use crate::db::inquiries::InquiryRow;
use serde_json::{Value, json};

/// Title, type, subtype, text, status and note of a demo inquiry.
type DemoInquiry = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

/// Eight inquiries from the first demo people: open, in progress, resolved and closed.
pub fn demo_inquiries(people: &[NewUser], now: i64) -> Vec<InquiryRow> {
    let items: [DemoInquiry; 8] = [
        (
            "Need a higher daily limit for gpt-4o",
            "usage_limit",
            "limit_increase",
            "Our team hits the 200k token cap around 02:00 with nightly summaries. Could we get 400k?",
            "open",
            None,
        ),
        (
            "Agent cannot read the HR knowledge base",
            "feature",
            "knowledge",
            "The onboarding agent answers that it has no access to the HR handbook.",
            "open",
            None,
        ),
        (
            "Upload fails over 40 MB",
            "bug",
            "upload_error",
            "Scanned PDFs stop at 99%.",
            "open",
            None,
        ),
        (
            "Please add me to the Finance group",
            "account",
            "permission_request",
            "I moved to Finance last week.",
            "in_progress",
            Some("Waiting for the Finance lead to approve."),
        ),
        (
            "Chat shows an error after long answers",
            "bug",
            "chat_error",
            "Answers longer than a page end with 'network error'.",
            "in_progress",
            None,
        ),
        (
            "Is the database connector available?",
            "feature",
            "database",
            "We would like to query our sales warehouse.",
            "resolved",
            Some("Enabled for the Sales unit."),
        ),
        (
            "Check my monthly usage",
            "usage_limit",
            "limit_check",
            "How much of my quota is left?",
            "resolved",
            Some("You have used 41% this month."),
        ),
        (
            "Dark mode suggestion",
            "other",
            "improvement",
            "A dark theme for the sidebar would help.",
            "closed",
            Some("Thanks, passed on to the product team."),
        ),
    ];
    items
        .iter()
        .enumerate()
        .filter_map(|(i, (title, kind, subtype, content, status, note))| {
            let author = people.get(i * 7)?;
            let created = now - 86_400 * (10 - i as i64);
            Some(InquiryRow {
                id: format!("00000000-0000-4000-8000-{:012}", i + 1),
                user_id: author.id.clone(),
                title: (*title).to_owned(),
                kind: (*kind).to_owned(),
                subtype: (*subtype).to_owned(),
                content: (*content).to_owned(),
                status: (*status).to_owned(),
                admin_note: note.map(str::to_owned),
                created_at: created,
                updated_at: created + 3_600,
                user_name: None,
                user_email: None,
            })
        })
        .collect()
}

/// Two e-mail channels and two webhook channels. Their secrets are made up at each start
/// (nothing reaches them), so none is written in the source.
pub fn demo_channels() -> (Value, Value) {
    let made_up = || uuid::Uuid::new_v4().simple().to_string();
    let defaults = |name: &str, engine: &str| {
        json!({"name": name, "engine": engine,
            "smtp": {"server": "", "port": 587, "username": "", "password": "", "use_tls": true,
                     "use_ssl": false, "from_address": "", "from_name": "Cloosphere"},
            "sendgrid": {"api_key": "", "from_address": "", "from_name": "Cloosphere"},
            "azure": {"connection_string": "", "from_address": "", "from_name": "Cloosphere"},
            "msgraph": {"tenant_id": "", "client_id": "", "client_secret": "", "sender_email": "",
                        "from_name": "Cloosphere"}})
    };
    let mut ops = defaults("Ops Mail", "smtp");
    ops["smtp"] = json!({"server": "smtp.demo.example.com", "port": 587, "username": "noreply@demo.example.com",
        "password": made_up(), "use_tls": true, "use_ssl": false,
        "from_address": "noreply@demo.example.com", "from_name": "Demo AI"});
    let mut reports = defaults("Exec Reports", "msgraph");
    reports["msgraph"] = json!({"tenant_id": uuid::Uuid::new_v4().to_string(),
        "client_id": uuid::Uuid::new_v4().to_string(), "client_secret": made_up(),
        "sender_email": "reports@demo.example.com", "from_name": "Cloosphere"});
    let webhooks = json!([
        {"name": "Alerts", "provider": "slack", "url": format!("https://hooks.slack.com/services/T000/B000/{}", made_up()), "bot_token": "", "chat_id": ""},
        {"name": "On-call", "provider": "telegram", "url": "", "bot_token": format!("123456:{}", made_up()), "chat_id": "-1001234567890"}
    ]);
    (json!([ops, reports]), webhooks)
}
