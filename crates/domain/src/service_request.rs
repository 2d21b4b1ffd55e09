//! Service Requests to Cloocus (service-requests.md): the type catalogue, the SR key's form, a
//! request checked field by field, the text that travels (the wire has no subtype or
//! deployment field, so they go at the head of the content, as the contract's example does,
//! with the console's reference for support to tell a resend from a new request), and what an
//! answer means for the outbox: delivered, try again later, failed for good, or unknown — the
//! last when the request may have arrived and no answer says so, which is never sent again
//! without the admin's word, because neither side de-duplicates.

use serde::{Deserialize, Serialize};

/// The catalogue every deployment answers (`GET /sr/config`, `types`): type → subtypes.
pub const SR_TYPES: &[(&str, &[&str])] = &[
    ("usage_limit", &["limit_increase", "limit_check"]),
    (
        "feature",
        &["chat", "agent", "knowledge", "database", "tool"],
    ),
    (
        "bug",
        &["chat_error", "agent_error", "upload_error", "other_error"],
    ),
    ("account", &["permission_request", "account_issue"]),
    ("other", &["improvement", "other"]),
];

/// Why an SR key is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrKeyProblem {
    /// Not `sr-` followed by 24 characters.
    Shape,
    /// A character after `sr-` that is not a lowercase hex digit (the central side compares
    /// exactly: `A` is not `a`).
    NotLowercaseHex(char),
}

impl std::fmt::Display for SrKeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SrKeyProblem::Shape => {
                write!(f, "an SR key is sr- followed by 24 hexadecimal characters")
            }
            SrKeyProblem::NotLowercaseHex(c) => write!(
                f,
                "{c:?} is not a lowercase hexadecimal digit (the central server compares keys exactly)"
            ),
        }
    }
}

/// Checks an SR key's form: `sr-` and 24 lowercase hexadecimal characters.
pub fn check_sr_key(key: &str) -> Result<(), SrKeyProblem> {
    let Some(hex) = key.strip_prefix("sr-") else {
        return Err(SrKeyProblem::Shape);
    };
    if hex.chars().count() != 24 {
        return Err(SrKeyProblem::Shape);
    }
    match hex
        .chars()
        .find(|c| !(c.is_ascii_digit() || ('a'..='f').contains(c)))
    {
        Some(c) => Err(SrKeyProblem::NotLowercaseHex(c)),
        None => Ok(()),
    }
}

/// A request as the admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SrDraft {
    /// The title.
    pub title: String,
    /// One of the catalogue's types.
    #[serde(rename = "type")]
    pub kind: String,
    /// One of the type's subtypes, if any.
    #[serde(default)]
    pub subtype: Option<String>,
    /// The text (plain).
    pub content: String,
}

/// A field of a draft that cannot go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SrDraftProblem {
    /// `title`, `type`, `subtype` or `content`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The longest title the console sends (the mail subject carries it).
pub const SR_TITLE_LIMIT: usize = 200;

/// Checks a draft against the catalogue; every problem, field by field.
pub fn check_draft(draft: &SrDraft) -> Vec<SrDraftProblem> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(SrDraftProblem {
            field: field.to_owned(),
            message,
        })
    };
    if draft.title.trim().is_empty() {
        problem("title", "the title is empty".into());
    } else if draft.title.chars().count() > SR_TITLE_LIMIT {
        problem(
            "title",
            format!("the title is longer than {SR_TITLE_LIMIT} characters"),
        );
    } else if draft.title.contains(['\r', '\n']) {
        problem("title", "the title is one line".into());
    }
    if draft.content.trim().is_empty() {
        problem("content", "the text is empty".into());
    }
    match SR_TYPES.iter().find(|(t, _)| *t == draft.kind) {
        None => problem(
            "type",
            format!(
                "{:?} is not a type (types: {})",
                draft.kind,
                SR_TYPES
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some((_, subtypes)) => {
            if let Some(sub) = &draft.subtype
                && !subtypes.contains(&sub.as_str())
            {
                problem(
                    "subtype",
                    format!(
                        "{sub:?} is not a subtype of {} ({})",
                        draft.kind,
                        subtypes.join(", ")
                    ),
                );
            }
        }
    }
    problems
}

/// The support mailbox shows the text as HTML without escaping it (service-requests.md,
/// central step 4): angle brackets are sent as ‹ and › so nothing written is taken for markup.
pub fn defused(text: &str) -> String {
    text.replace('<', "‹").replace('>', "›")
}

/// The body the central endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrWire {
    /// The title.
    pub title: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text, headed by the deployment, the subtype and the console's reference.
    pub content: String,
    /// Who asks (unauthenticated on the central side).
    pub user_name: Option<String>,
    /// Their e-mail.
    pub user_email: Option<String>,
}

/// What travels for `draft`: the deployment's URL, the subtype and `reference` at the head of
/// the content (as the contract's example does), title and text defused.
pub fn wire_body(
    draft: &SrDraft,
    deployment_url: &str,
    reference: &str,
    user_name: &str,
    user_email: &str,
) -> SrWire {
    let mut head = format!("Deployment: {deployment_url}\n");
    if let Some(sub) = &draft.subtype {
        head.push_str(&format!("Subtype: {sub}\n"));
    }
    head.push_str(&format!("Console reference: {reference}\n"));
    SrWire {
        title: defused(draft.title.trim()),
        kind: draft.kind.clone(),
        content: format!("{head}{}", defused(&draft.content)),
        user_name: Some(user_name.to_owned()).filter(|s| !s.is_empty()),
        user_email: Some(user_email.to_owned()).filter(|s| !s.is_empty()),
    }
}

/// How far a send got when it failed, as the transport tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// An HTTP answer came back (its status).
    Answered(u16),
    /// No connection was made (refused, no route, name not found): nothing was sent.
    NotConnected,
    /// The request may have gone out and no answer came (a timeout, a reset).
    NoAnswer,
}

/// Which way a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SrRoute {
    /// Through the deployment's proxy (`POST /api/v1/sr/submit`).
    Deployment,
    /// Straight to the central endpoint with the SR key from the keychain.
    Direct,
}

/// What a send attempt means for the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// It arrived.
    Delivered,
    /// It did not arrive and can be sent again later.
    TryAgain(String),
    /// It will not arrive as it is (a wrong key, a malformed request, SR not configured).
    Failed(String),
    /// It may have arrived: sending again could make a second ticket.
    Unknown(String),
}

/// What an attempt's outcome means, per the contract's status tables; `detail` is the
/// answer's `detail`, if any.
pub fn delivery_of(route: SrRoute, transport: Transport, detail: &str) -> Delivery {
    let said = |what: &str| {
        if detail.is_empty() {
            what.to_owned()
        } else {
            format!("{what}: {detail}")
        }
    };
    match (route, transport) {
        (_, Transport::Answered(200)) => Delivery::Delivered,
        (_, Transport::NotConnected) => Delivery::TryAgain("not reachable".into()),
        (_, Transport::NoAnswer) => {
            Delivery::Unknown("sent, and no answer came back: it may have arrived".into())
        }
        (SrRoute::Direct, Transport::Answered(401)) => {
            Delivery::Failed(said("the central server refused the SR key"))
        }
        (_, Transport::Answered(422 | 400)) => {
            Delivery::Failed(said("the request was refused as malformed"))
        }
        (SrRoute::Deployment, Transport::Answered(401 | 403)) => {
            Delivery::Failed(said("the deployment refused the account"))
        }
        (SrRoute::Deployment, Transport::Answered(503)) => Delivery::Failed(said(
            "the deployment has no SR configured (SR_KEY and CLOOCUS_PUBLIC_URL)",
        )),
        // The deployment waited 30 s on the central server: it may have got it.
        (SrRoute::Deployment, Transport::Answered(504)) => Delivery::Unknown(said(
            "the deployment's call to the central server timed out",
        )),
        (SrRoute::Deployment, Transport::Answered(502)) if detail.contains("Failed to connect") => {
            Delivery::TryAgain(said("the deployment could not reach the central server"))
        }
        // A 502 with the central side's own detail: it answered, it did not take it.
        (SrRoute::Deployment, Transport::Answered(502)) => {
            if detail.contains("Invalid SR key") {
                Delivery::Failed(said("the central server refused the deployment's SR key"))
            } else {
                Delivery::TryAgain(said("the central server did not take it"))
            }
        }
        (_, Transport::Answered(status)) if status >= 500 => {
            Delivery::TryAgain(said(&format!("the server answered {status}")))
        }
        (_, Transport::Answered(status)) => Delivery::Failed(said(&format!("answered {status}"))),
    }
}

/// How long to wait before attempt `attempt + 1` (the first retry after 30 s, doubling, at
/// most an hour).
pub fn retry_delay_ms(attempt: u32) -> i64 {
    let step = 30_000_i64.saturating_mul(1_i64 << attempt.saturating_sub(1).min(20));
    step.min(3_600_000)
}

/// After this many attempts a request that never got through is failed for good.
pub const SR_MAX_ATTEMPTS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sr_keys_are_sr_and_24_lowercase_hex() {
        assert_eq!(check_sr_key("sr-0123456789abcdef01234567"), Ok(()));
        assert_eq!(
            check_sr_key("sr-0123456789abcdef0123456"),
            Err(SrKeyProblem::Shape)
        );
        assert_eq!(
            check_sr_key("SR-0123456789abcdef01234567"),
            Err(SrKeyProblem::Shape)
        );
        assert_eq!(
            check_sr_key("sr-0123456789ABCDEF01234567"),
            Err(SrKeyProblem::NotLowercaseHex('A'))
        );
    }

    #[test]
    fn drafts_are_checked_against_the_catalogue() {
        let mut d = SrDraft {
            title: "Quota".into(),
            kind: "usage_limit".into(),
            subtype: Some("limit_increase".into()),
            content: "Please raise it.".into(),
        };
        assert!(check_draft(&d).is_empty());
        d.subtype = Some("chat".into());
        d.kind = "billing".into();
        d.title = " ".into();
        let fields: Vec<String> = check_draft(&d).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["title", "type"]);
        d.kind = "usage_limit".into();
        assert_eq!(check_draft(&d)[1].field, "subtype");
    }

    #[test]
    fn the_wire_body_heads_the_content_as_the_contract_example_does_and_defuses_markup() {
        let d = SrDraft {
            title: "Renewal <b>".into(),
            kind: "account".into(),
            subtype: Some("account_issue".into()),
            content: "Expires <script>soon</script>.".into(),
        };
        let w = wire_body(
            &d,
            "https://chat.example",
            "sr-out-1",
            "Jiho Kim",
            "jiho@example.com",
        );
        assert_eq!(
            w.content,
            "Deployment: https://chat.example\nSubtype: account_issue\nConsole reference: sr-out-1\nExpires ‹script›soon‹/script›."
        );
        assert_eq!(w.title, "Renewal ‹b›");
        let json = serde_json::to_value(&w).expect("json");
        assert_eq!(json["type"], "account");
    }

    #[test]
    fn answers_are_read_as_the_contract_says() {
        use Delivery::*;
        use SrRoute::*;
        use Transport::*;
        assert_eq!(delivery_of(Direct, Answered(200), ""), Delivered);
        assert!(matches!(
            delivery_of(Direct, Answered(401), "Invalid SR key"),
            Failed(_)
        ));
        assert!(matches!(
            delivery_of(Direct, Answered(503), "Cloocus admin DB not configured"),
            TryAgain(_)
        ));
        assert!(matches!(
            delivery_of(Direct, Answered(500), "No email channel configured"),
            TryAgain(_)
        ));
        assert!(matches!(delivery_of(Direct, NotConnected, ""), TryAgain(_)));
        assert!(matches!(delivery_of(Direct, NoAnswer, ""), Unknown(_)));
        assert!(matches!(
            delivery_of(Deployment, Answered(503), "SR is not configured."),
            Failed(_)
        ));
        assert!(matches!(
            delivery_of(Deployment, Answered(504), "SR submission timed out"),
            Unknown(_)
        ));
        assert!(matches!(
            delivery_of(Deployment, Answered(502), "Failed to connect to SR server"),
            TryAgain(_)
        ));
        assert!(matches!(
            delivery_of(
                Deployment,
                Answered(502),
                "SR submission failed: Invalid SR key"
            ),
            Failed(_)
        ));
        assert!(matches!(
            delivery_of(Deployment, Answered(422), ""),
            Failed(_)
        ));
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(5), 480_000);
        assert_eq!(retry_delay_ms(30), 3_600_000);
    }
}
