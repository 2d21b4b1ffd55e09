//! Inquiries of a deployment (inquiries.md): a board by status with the filters the server has
//! (status, type) and those it lacks (subtype, author, text), the server's counts, moves as the
//! admin UI allows them (an admin never closes: the author would not see the answer), notes,
//! deletes, and the open inquiries that are new since the last look (remembered per tenant).

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Observer, OperationKind, Target};
use cloo_api::Inquiry;
use cloo_domain::inquiries::{
    INQUIRY_STATUSES, InquiryFields, InquiryFilter, MoveRefusal, check_move, new_open_since,
};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The preference that holds the new-inquiry notice's interval in seconds (0: off).
pub const POLL_PREFERENCE: &str = "inquiries.poll_seconds";
/// The notice's interval when none is set.
pub const DEFAULT_POLL_SECONDS: u64 = 120;

/// The inquiry use cases.
pub struct Inquiries<'a> {
    c: &'a Console,
}

impl Console {
    /// The inquiry use cases.
    pub fn inquiries(&self) -> Inquiries<'_> {
        Inquiries { c: self }
    }
}

/// One inquiry as the shells show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InquiryView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Type.
    pub kind: String,
    /// Subtype.
    pub subtype: String,
    /// Text.
    pub content: String,
    /// Status.
    pub status: String,
    /// The admin's answer.
    pub admin_note: Option<String>,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Author's name (none when the author no longer exists).
    pub author_name: Option<String>,
    /// Author's e-mail.
    pub author_email: Option<String>,
}

impl From<Inquiry> for InquiryView {
    fn from(i: Inquiry) -> Self {
        InquiryView {
            id: i.id,
            title: i.title,
            kind: i.kind,
            subtype: i.subtype,
            content: i.content,
            status: i.status,
            admin_note: i.admin_note,
            created_at: i.created_at,
            updated_at: i.updated_at,
            author_name: i.user_name,
            author_email: i.user_email,
        }
    }
}

/// One column of the board.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InquiryColumn {
    /// Its status (the four of the admin UI first, then any other text an admin set).
    pub status: String,
    /// Its inquiries, newest first.
    pub items: Vec<InquiryView>,
}

/// One type of the catalogue.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InquiryTypeView {
    /// Key.
    pub key: String,
    /// The server's English label.
    pub label: String,
    /// Subtypes.
    pub subtypes: Vec<String>,
}

/// A desktop notification about new inquiries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InquiryNotice {
    /// Its title (the tenant and how many).
    pub title: String,
    /// One line per inquiry: title and author.
    pub body: String,
    /// How many.
    pub count: usize,
}

/// The board.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct InquiryBoard {
    /// Columns by status.
    pub columns: Vec<InquiryColumn>,
    /// The server's count per status (every inquiry, unfiltered; a missing status is 0).
    pub counts: BTreeMap<String, i64>,
    /// The catalogue.
    pub types: Vec<InquiryTypeView>,
    /// How many the filters let through, of how many.
    pub shown: usize,
    /// All inquiries.
    pub total: usize,
}

fn fields(i: &InquiryView) -> InquiryFields<'_> {
    InquiryFields {
        kind: &i.kind,
        subtype: &i.subtype,
        author_name: i.author_name.as_deref(),
        author_email: i.author_email.as_deref(),
        title: &i.title,
        content: &i.content,
        admin_note: i.admin_note.as_deref(),
    }
}

fn refusal_text(r: MoveRefusal, from: &str, to: &str) -> String {
    match r {
        MoveRefusal::AdminCannotClose => {
            "only the author closes an inquiry (they would not see the answer otherwise): move it to resolved".into()
        }
        MoveRefusal::UnknownStatus => format!(
            "{to:?} is not a status the console sets ({})",
            INQUIRY_STATUSES[..3].join(", ")
        ),
        MoveRefusal::AlreadyThere => format!("it is already {from}"),
    }
}

impl Inquiries<'_> {
    async fn all(&self, target: &Target) -> ConsoleResult<Vec<InquiryView>> {
        let session = self.c.session(target).await?;
        Ok(session
            .call(|c, t| async move { c.inquiries(&t, None, None).await })
            .await?
            .into_iter()
            .map(InquiryView::from)
            .collect())
    }

    async fn find(&self, target: &Target, id: &str) -> ConsoleResult<InquiryView> {
        self.all(target)
            .await?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| ConsoleError::not_found("inquiry", id, format!("no inquiry {id}")))
    }

    /// The board: every inquiry through `filter`, by status, with the server's counts.
    pub async fn board(
        &self,
        target: &Target,
        filter: &InquiryFilter,
    ) -> ConsoleResult<InquiryBoard> {
        let all = self.all(target).await?;
        let session = self.c.session(target).await?;
        let counts = session
            .call(|c, t| async move { c.inquiry_stats(&t).await })
            .await?;
        let types = session
            .client()
            .inquiry_types()
            .await?
            .into_iter()
            .map(|(key, t)| InquiryTypeView {
                key,
                label: t.label,
                subtypes: t.subtypes,
            })
            .collect();
        let total = all.len();
        let shown: Vec<InquiryView> = all
            .into_iter()
            .filter(|i| filter.matches(&fields(i)))
            .collect();
        let mut columns: Vec<InquiryColumn> = INQUIRY_STATUSES
            .iter()
            .map(|s| InquiryColumn {
                status: (*s).to_owned(),
                items: Vec::new(),
            })
            .collect();
        let count = shown.len();
        for i in shown {
            match columns.iter_mut().find(|c| c.status == i.status) {
                Some(c) => c.items.push(i),
                None => columns.push(InquiryColumn {
                    status: i.status.clone(),
                    items: vec![i],
                }),
            }
        }
        Ok(InquiryBoard {
            columns,
            counts,
            types,
            shown: count,
            total,
        })
    }

    /// One inquiry.
    pub async fn get(&self, target: &Target, id: &str) -> ConsoleResult<InquiryView> {
        self.find(target, id).await
    }

    /// Moves an inquiry to `to` (open, in_progress or resolved), read first so the move is
    /// checked against where it is now.
    pub async fn move_to(
        &self,
        target: &Target,
        id: &str,
        to: &str,
        observer: &Observer,
    ) -> ConsoleResult<InquiryView> {
        let op = self
            .c
            .begin(target, OperationKind::InquiryMove, id, observer)
            .await?;
        let result = async {
            let now = self.find(target, id).await?;
            op.record_before(&now);
            check_move(&now.status, to)
                .map_err(|r| ConsoleError::invalid("status", refusal_text(r, &now.status, to)))?;
            let session = self.c.session(target).await?;
            let after = session
                .call(|c, t| async move { c.update_inquiry(&t, id, Some(to), None).await })
                .await?;
            let mut view = InquiryView::from(after);
            view.author_name = now.author_name;
            view.author_email = now.author_email;
            op.record_after(&view);
            Ok(view)
        }
        .await;
        op.finish(result).await
    }

    /// Sets the admin's note (the author sees it); an empty note blanks it (the server cannot
    /// clear it to null).
    pub async fn set_note(
        &self,
        target: &Target,
        id: &str,
        note: &str,
        observer: &Observer,
    ) -> ConsoleResult<InquiryView> {
        let op = self
            .c
            .begin(target, OperationKind::InquiryNote, id, observer)
            .await?;
        let result = async {
            let now = self.find(target, id).await?;
            op.record_before(&now.admin_note);
            let session = self.c.session(target).await?;
            let after = session
                .call(|c, t| async move { c.update_inquiry(&t, id, None, Some(note)).await })
                .await?;
            let mut view = InquiryView::from(after);
            view.author_name = now.author_name;
            view.author_email = now.author_email;
            op.record_after(&view.admin_note);
            Ok(view)
        }
        .await;
        op.finish(result).await
    }

    /// Deletes an inquiry (the journal keeps what it was).
    pub async fn delete(
        &self,
        target: &Target,
        id: &str,
        observer: &Observer,
    ) -> ConsoleResult<InquiryView> {
        let op = self
            .c
            .begin(target, OperationKind::InquiryDelete, id, observer)
            .await?;
        let result = async {
            let now = self.find(target, id).await?;
            op.record_before(&now);
            let session = self.c.session(target).await?;
            session
                .call(|c, t| async move { c.delete_inquiry(&t, id).await })
                .await?;
            Ok(now)
        }
        .await;
        op.finish(result).await
    }

    /// The open inquiries created since the last call for this tenant (none on the very first
    /// call, which only sets the mark).
    pub async fn new_open(&self, target: &Target) -> ConsoleResult<Vec<InquiryView>> {
        let key = self.c.tenant_ref(target).await?.key;
        let all = self.all(target).await?;
        let seen = self.c.store.inquiries_seen_up_to(&key).await?;
        let (fresh, mark) = new_open_since(
            all.iter()
                .map(|i| (i.id.as_str(), i.status.as_str(), i.created_at)),
            seen,
        );
        let fresh: Vec<String> = fresh.into_iter().map(str::to_owned).collect();
        if let Some(mark) = mark
            && Some(mark) != seen
        {
            self.c.store.set_inquiries_seen_up_to(&key, mark).await?;
        }
        Ok(all.into_iter().filter(|i| fresh.contains(&i.id)).collect())
    }

    /// The desktop notification for the new open inquiries of `target` since the last look
    /// (see [`Inquiries::new_open`]), worded in the console's language; `None` when none.
    pub async fn new_open_notice(&self, target: &Target) -> ConsoleResult<Option<InquiryNotice>> {
        let fresh = self.new_open(target).await?;
        if fresh.is_empty() {
            return Ok(None);
        }
        let tenant = self.c.tenant_ref(target).await?.name;
        let korean = self.c.store.preference("language").await?.as_deref() == Some("ko");
        let n = fresh.len();
        let title = if korean {
            format!("{tenant}에 새 문의 {n}건")
        } else if n == 1 {
            format!("A new inquiry in {tenant}")
        } else {
            format!("{n} new inquiries in {tenant}")
        };
        let body = fresh
            .iter()
            .map(|i| match &i.author_name {
                Some(a) => format!("{} — {a}", i.title),
                None => i.title.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Some(InquiryNotice {
            title,
            body,
            count: n,
        }))
    }

    /// How often the desktop looks for new inquiries, in seconds (0: never).
    pub async fn poll_seconds(&self) -> ConsoleResult<u64> {
        Ok(self
            .c
            .store
            .preference(POLL_PREFERENCE)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_POLL_SECONDS))
    }

    /// Sets how often the desktop looks for new inquiries (0: never; at least 15 s otherwise).
    pub async fn set_poll_seconds(&self, seconds: u64) -> ConsoleResult<u64> {
        if seconds != 0 && !(15..=86_400).contains(&seconds) {
            return Err(ConsoleError::invalid(
                "seconds",
                "the interval is 0 (never) or 15 seconds to a day",
            ));
        }
        self.c
            .store
            .set_preference(POLL_PREFERENCE, Some(&seconds.to_string()))
            .await?;
        Ok(seconds)
    }
}
