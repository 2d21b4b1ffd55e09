//! Inquiries (inquiries.md): the statuses the admin UI uses, which moves an admin makes (the
//! server takes any status text from an admin, closing included; the web UI refuses to let an
//! admin close — the author would never see the answer — and so does the console), the
//! filters the server lacks (subtype, author, text), and which open inquiries are new since the
//! last look.

use serde::{Deserialize, Serialize};

/// The kanban's columns, in order.
pub const INQUIRY_STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "closed"];

/// Why an admin's move is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MoveRefusal {
    /// Only the author closes an inquiry; an admin resolves it.
    AdminCannotClose,
    /// A status the console does not set (the server would take any text).
    UnknownStatus,
    /// It is already there.
    AlreadyThere,
}

/// Checks an admin's move of an inquiry from `from` to `to`.
pub fn check_move(from: &str, to: &str) -> Result<(), MoveRefusal> {
    if to == "closed" {
        return Err(MoveRefusal::AdminCannotClose);
    }
    if !INQUIRY_STATUSES.contains(&to) {
        return Err(MoveRefusal::UnknownStatus);
    }
    if from == to {
        return Err(MoveRefusal::AlreadyThere);
    }
    Ok(())
}

/// The fields of an inquiry the filters look at.
#[derive(Debug, Clone, Copy)]
pub struct InquiryFields<'a> {
    /// Type.
    pub kind: &'a str,
    /// Subtype.
    pub subtype: &'a str,
    /// Author's name (absent when the author is gone).
    pub author_name: Option<&'a str>,
    /// Author's e-mail.
    pub author_email: Option<&'a str>,
    /// Title.
    pub title: &'a str,
    /// Text.
    pub content: &'a str,
    /// The admin's note.
    pub admin_note: Option<&'a str>,
}

/// Filters over the list (all optional; case-insensitive substrings for author and text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct InquiryFilter {
    /// Exact type.
    #[serde(default)]
    pub kind: Option<String>,
    /// Exact subtype.
    #[serde(default)]
    pub subtype: Option<String>,
    /// Part of the author's name or e-mail.
    #[serde(default)]
    pub author: Option<String>,
    /// Part of the title, text or note.
    #[serde(default)]
    pub text: Option<String>,
}

fn contains(hay: Option<&str>, needle: &str) -> bool {
    hay.is_some_and(|h| h.to_lowercase().contains(needle))
}

impl InquiryFilter {
    /// Whether an inquiry passes every filter set.
    pub fn matches(&self, i: &InquiryFields<'_>) -> bool {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
        };
        if let Some(k) = set(&self.kind)
            && i.kind.to_lowercase() != k
        {
            return false;
        }
        if let Some(s) = set(&self.subtype)
            && i.subtype.to_lowercase() != s
        {
            return false;
        }
        if let Some(a) = set(&self.author)
            && !(contains(i.author_name, &a) || contains(i.author_email, &a))
        {
            return false;
        }
        if let Some(t) = set(&self.text)
            && !(contains(Some(i.title), &t)
                || contains(Some(i.content), &t)
                || contains(i.admin_note, &t))
        {
            return false;
        }
        true
    }
}

/// The open inquiries created after `seen_up_to` (Unix seconds), and the new mark: the newest
/// creation time seen. With no mark yet, nothing is new (a first look does not announce the
/// whole backlog).
pub fn new_open_since<'a>(
    inquiries: impl IntoIterator<Item = (&'a str, &'a str, i64)>,
    seen_up_to: Option<i64>,
) -> (Vec<&'a str>, Option<i64>) {
    let mut newest = seen_up_to;
    let mut fresh = Vec::new();
    for (id, status, created_at) in inquiries {
        if let Some(mark) = seen_up_to
            && created_at > mark
            && status == "open"
        {
            fresh.push(id);
        }
        newest = Some(newest.map_or(created_at, |n| n.max(created_at)));
    }
    (fresh, newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_move_between_open_in_progress_and_resolved_but_never_close() {
        assert_eq!(check_move("open", "in_progress"), Ok(()));
        assert_eq!(check_move("resolved", "open"), Ok(()));
        assert_eq!(
            check_move("closed", "in_progress"),
            Ok(()),
            "an admin may re-open"
        );
        assert_eq!(
            check_move("resolved", "closed"),
            Err(MoveRefusal::AdminCannotClose)
        );
        assert_eq!(
            check_move("open", "waiting"),
            Err(MoveRefusal::UnknownStatus)
        );
        assert_eq!(check_move("open", "open"), Err(MoveRefusal::AlreadyThere));
    }

    #[test]
    fn filters_combine_and_ignore_case() {
        let i = InquiryFields {
            kind: "bug",
            subtype: "upload_error",
            author_name: Some("Kenji Sato"),
            author_email: Some("kenji.sato@example.com"),
            title: "PDF upload fails",
            content: "Stops at 99%",
            admin_note: Some("Raised FILE_MAX_SIZE"),
        };
        let f = |kind: Option<&str>, author: Option<&str>, text: Option<&str>| InquiryFilter {
            kind: kind.map(str::to_owned),
            subtype: None,
            author: author.map(str::to_owned),
            text: text.map(str::to_owned),
        };
        assert!(f(Some("bug"), Some("SATO"), Some("file_max")).matches(&i));
        assert!(!f(Some("feature"), None, None).matches(&i));
        assert!(!f(None, Some("minji"), None).matches(&i));
        let gone = InquiryFields {
            author_name: None,
            author_email: None,
            ..i
        };
        assert!(!f(None, Some("kenji"), None).matches(&gone));
        assert!(InquiryFilter::default().matches(&gone));
    }

    #[test]
    fn only_open_inquiries_newer_than_the_mark_are_new_and_a_first_look_announces_none() {
        let list = [
            ("a", "open", 100),
            ("b", "resolved", 200),
            ("c", "open", 300),
        ];
        assert_eq!(new_open_since(list, None), (vec![], Some(300)));
        assert_eq!(new_open_since(list, Some(150)), (vec!["c"], Some(300)));
        assert_eq!(new_open_since(list, Some(300)), (vec![], Some(300)));
    }
}
