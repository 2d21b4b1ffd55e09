//! Whether a user belongs to an OU. The server answers this two different ways, depending on
//! what asks (organizations.md, "Membership semantics"):
//!
//! * for resource access, OU-linked groups and guardrails ([`access_membership`]): the user's
//!   `oauth_sub` is an element of `member_ids` (exact), or her e-mail equals, ignoring case, the
//!   `email` of an entry of `meta.members`;
//! * for usage limits ([`usage_limit_membership`]): a SQL `LIKE` on the stored JSON text —
//!   `member_ids` must contain `"<oauth_sub>"`, or the *whole* `meta` must contain
//!   `"<lower-cased e-mail>"` anywhere (any key, any value). `LIKE` is ASCII-case-insensitive on
//!   SQLite and case-sensitive on PostgreSQL, and `_` / `%` in the searched value are
//!   wildcards (the server does not escape them), so `a_b@x.com` also matches `a.b@x.com`.
//!
//! Direct membership only, in both: inheritance through ancestors is applied by the callers
//! that need it (resource access), and never for usage limits.

use serde_json::Value;

/// The identity fields a membership rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    /// E-mail as stored on the user.
    pub email: &'a str,
    /// SSO subject, `<provider>@<sub>`; local users have none.
    pub oauth_sub: Option<&'a str>,
}

/// Which identity matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// `oauth_sub` in `member_ids`.
    OauthSub,
    /// The e-mail, in `meta.members` (access) or anywhere in `meta` (usage limits).
    Email,
}

/// How the deployment's database compares text in `LIKE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LikeCase {
    /// SQLite: ASCII letters compare without case.
    #[default]
    SqliteAsciiInsensitive,
    /// PostgreSQL: exact case.
    Sensitive,
}

/// An OU's membership data, prepared once: the member ids, the lower-cased member e-mails, and
/// every string of `meta` as it appears in the stored JSON text.
#[derive(Debug, Clone, Default)]
pub struct UnitMembers {
    /// `member_ids` (strings only).
    pub member_ids: Vec<String>,
    /// `meta.members[].email`, lower-cased.
    pub member_emails: Vec<String>,
    /// Every key and string value of `meta`, escaped as Python's `json.dumps` writes it.
    pub meta_strings: Vec<String>,
}

impl UnitMembers {
    /// Prepares an OU's `member_ids` and `meta`.
    pub fn new(member_ids: &[Value], meta: Option<&Value>) -> UnitMembers {
        let member_emails = meta
            .and_then(|m| m.get("members"))
            .and_then(Value::as_array)
            .map(|members| {
                members
                    .iter()
                    .filter_map(|m| m.get("email").and_then(Value::as_str))
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let mut meta_strings = Vec::new();
        if let Some(meta) = meta {
            collect_strings(meta, &mut meta_strings);
        }
        UnitMembers {
            member_ids: member_ids
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            member_emails,
            meta_strings,
        }
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(python_json_escape(s)),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(python_json_escape(k));
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

/// A string's content as Python's `json.dumps` (ensure_ascii) writes it between the quotes:
/// non-ASCII characters become `\uXXXX`, so a non-ASCII e-mail never matches the text search.
pub fn python_json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Membership for resource access, OU-linked groups and guardrails.
pub fn access_membership(person: Person<'_>, unit: &UnitMembers) -> Option<MatchedBy> {
    if let Some(sub) = person.oauth_sub
        && unit.member_ids.iter().any(|m| m == sub)
    {
        return Some(MatchedBy::OauthSub);
    }
    let email = person.email.to_lowercase();
    unit.member_emails
        .contains(&email)
        .then_some(MatchedBy::Email)
}

/// Membership for OU usage limits: the server's text search.
pub fn usage_limit_membership(
    person: Person<'_>,
    unit: &UnitMembers,
    case: LikeCase,
) -> Option<MatchedBy> {
    if let Some(sub) = person.oauth_sub
        && unit
            .member_ids
            .iter()
            .any(|m| like(&python_json_escape(m), sub, case))
    {
        return Some(MatchedBy::OauthSub);
    }
    let email = person.email.to_lowercase();
    unit.meta_strings
        .iter()
        .any(|s| like(s, &email, case))
        .then_some(MatchedBy::Email)
}

/// Does `text` match the whole `pattern` under SQL `LIKE` (`%` any run, `_` any one character,
/// no escape character)?
pub fn like(text: &str, pattern: &str, case: LikeCase) -> bool {
    if !pattern.contains(['%', '_']) {
        return match case {
            LikeCase::Sensitive => text == pattern,
            LikeCase::SqliteAsciiInsensitive => text.eq_ignore_ascii_case(pattern),
        };
    }
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let same = |a: char, b: char| match case {
        LikeCase::Sensitive => a == b,
        LikeCase::SqliteAsciiInsensitive => a.eq_ignore_ascii_case(&b),
    };
    // Greedy matching with one backtrack point for the last `%`: O(len(text) * len(pattern)).
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || (p[pi] != '%' && same(p[pi], t[ti]))) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unit() -> UnitMembers {
        UnitMembers::new(
            &[
                json!("microsoft@abc-123"),
                json!("MixedCase@Example.com"),
                json!(7),
            ],
            Some(&json!({
                "members": [{"id": "1", "name": "Mina", "email": "Mina.Lee@Contoso.com", "job_title": ""}],
                "manager_email": "boss@contoso.com",
                "usage_limit": {"per_model": {"gpt-4o": 1000}},
            })),
        )
    }

    #[test]
    fn access_matches_sub_exactly_or_member_email_ignoring_case() {
        let u = unit();
        let by_sub = Person {
            email: "x@y.com",
            oauth_sub: Some("microsoft@abc-123"),
        };
        assert_eq!(access_membership(by_sub, &u), Some(MatchedBy::OauthSub));
        let by_mail = Person {
            email: "mina.lee@contoso.com",
            oauth_sub: None,
        };
        assert_eq!(access_membership(by_mail, &u), Some(MatchedBy::Email));
        // An e-mail in member_ids does not count for access; neither does one elsewhere in meta.
        assert_eq!(
            access_membership(
                Person {
                    email: "mixedcase@example.com",
                    oauth_sub: None
                },
                &u
            ),
            None
        );
        assert_eq!(
            access_membership(
                Person {
                    email: "boss@contoso.com",
                    oauth_sub: None
                },
                &u
            ),
            None
        );
        assert_eq!(
            access_membership(
                Person {
                    email: "z@y.com",
                    oauth_sub: Some("MICROSOFT@abc-123")
                },
                &u
            ),
            None
        );
    }

    #[test]
    fn usage_limits_search_the_whole_meta_text_with_the_database_case_rule() {
        let u = unit();
        let boss = Person {
            email: "boss@contoso.com",
            oauth_sub: None,
        };
        assert_eq!(
            usage_limit_membership(boss, &u, LikeCase::Sensitive),
            Some(MatchedBy::Email),
            "any key counts"
        );
        let mina = Person {
            email: "mina.lee@contoso.com",
            oauth_sub: None,
        };
        // Stored mixed-case: SQLite's LIKE finds it, PostgreSQL's does not.
        assert_eq!(
            usage_limit_membership(mina, &u, LikeCase::SqliteAsciiInsensitive),
            Some(MatchedBy::Email)
        );
        assert_eq!(usage_limit_membership(mina, &u, LikeCase::Sensitive), None);
        let by_sub = Person {
            email: "q@q.com",
            oauth_sub: Some("microsoft@abc-123"),
        };
        assert_eq!(
            usage_limit_membership(by_sub, &u, LikeCase::Sensitive),
            Some(MatchedBy::OauthSub)
        );
    }

    #[test]
    fn underscores_in_an_email_are_wildcards() {
        let u = UnitMembers::new(&[], Some(&json!({"members": [{"email": "a.b@x.com"}]})));
        let other = Person {
            email: "a_b@x.com",
            oauth_sub: None,
        };
        assert_eq!(
            usage_limit_membership(other, &u, LikeCase::Sensitive),
            Some(MatchedBy::Email)
        );
        assert_eq!(
            access_membership(other, &u),
            None,
            "access compares exactly"
        );
    }

    #[test]
    fn non_ascii_emails_never_match_the_escaped_text() {
        let u = UnitMembers::new(&[], Some(&json!({"members": [{"email": "김@회사.한국"}]})));
        let person = Person {
            email: "김@회사.한국",
            oauth_sub: None,
        };
        assert_eq!(access_membership(person, &u), Some(MatchedBy::Email));
        assert_eq!(
            usage_limit_membership(person, &u, LikeCase::SqliteAsciiInsensitive),
            None
        );
        assert_eq!(python_json_escape("김"), "\\uae40");
        assert_eq!(python_json_escape("😀"), "\\ud83d\\ude00");
        assert_eq!(python_json_escape("a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn like_semantics() {
        use LikeCase::*;
        assert!(like("abc", "abc", Sensitive));
        assert!(like("abc", "a_c", Sensitive));
        assert!(like("abc", "%", Sensitive));
        assert!(like("abc", "a%", Sensitive));
        assert!(like("abc", "%c", Sensitive));
        assert!(like("aXbXc", "a%b%c", Sensitive));
        assert!(!like("abc", "ab", Sensitive));
        assert!(!like("ab", "abc", Sensitive));
        assert!(!like("ABC", "abc", Sensitive));
        assert!(like("ABC", "abc", SqliteAsciiInsensitive));
        assert!(
            !like("Ä", "ä", SqliteAsciiInsensitive),
            "SQLite folds ASCII only"
        );
        assert!(like("", "%", Sensitive));
        assert!(!like("", "_", Sensitive));
    }
}
