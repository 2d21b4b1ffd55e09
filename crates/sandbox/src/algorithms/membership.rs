//! Who belongs to an organizational unit (organizations.md, "Membership semantics"). There is
//! no join table: the server scans every unit per request.
//!
//! * Access control and OU-linked groups: the user's `oauth_sub` is an element of `member_ids`
//!   (exact), or her lower-cased e-mail equals the lower-cased `email` of an entry of
//!   `meta.members`; a member of a unit counts as a member of every ancestor.
//! * Usage limits: a SQL `LIKE` text search of the stored columns, direct units only; that one
//!   runs in the database (see `Db::units_matching_text`).

use serde_json::Value;
use std::collections::HashMap;

/// Is the user a direct member of a unit for access control?
pub fn is_access_member(
    email: &str,
    oauth_sub: Option<&str>,
    member_ids: &Value,
    meta: &Value,
) -> bool {
    let by_sub = oauth_sub.is_some_and(|sub| {
        member_ids
            .as_array()
            .is_some_and(|ids| ids.iter().any(|m| m.as_str() == Some(sub)))
    });
    if by_sub {
        return true;
    }
    let email = email.to_lowercase();
    meta.get("members")
        .and_then(Value::as_array)
        .is_some_and(|members| {
            members.iter().any(|m| {
                m.get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.to_lowercase() == email)
            })
        })
}

/// `[unit, parent, grandparent, …]`: `parent_id` followed over every unit of every
/// organization, stopping at an empty or unknown parent (or a loop).
pub fn self_and_ancestors(unit: &str, parents: &HashMap<&str, Option<&str>>) -> Vec<String> {
    let mut out = vec![unit.to_owned()];
    let mut cursor = parents.get(unit).copied().flatten();
    while let Some(parent) = cursor.filter(|p| !p.is_empty()) {
        if !parents.contains_key(parent) || out.iter().any(|seen| seen == parent) {
            break;
        }
        out.push(parent.to_owned());
        cursor = parents.get(parent).copied().flatten();
    }
    out
}

/// The `LIKE` pattern the server searches a column with: the value as a quoted JSON string
/// anywhere in the text (`%` and `_` in the value keep their wildcard meaning).
pub fn quoted_pattern(value: &str) -> String {
    format!("%\"{value}\"%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_match_by_exact_sub_or_by_e_mail_in_meta() {
        let ids = json!(["microsoft@abc", "kim@example.com"]);
        let meta = json!({"members": [{"email": "Lee@Example.com"}]});
        assert!(is_access_member(
            "x@y.z",
            Some("microsoft@abc"),
            &ids,
            &meta
        ));
        assert!(!is_access_member(
            "x@y.z",
            Some("microsoft@ABC"),
            &ids,
            &meta
        ));
        assert!(
            !is_access_member("kim@example.com", None, &ids, &meta),
            "an e-mail in member_ids does not count"
        );
        assert!(is_access_member("LEE@example.COM", None, &ids, &meta));
    }

    #[test]
    fn ancestors_stop_at_unknown_parents_and_loops() {
        let parents: HashMap<&str, Option<&str>> = [
            ("a", None),
            ("b", Some("a")),
            ("c", Some("b")),
            ("d", Some("gone")),
            ("x", Some("y")),
            ("y", Some("x")),
        ]
        .into_iter()
        .collect();
        assert_eq!(self_and_ancestors("c", &parents), ["c", "b", "a"]);
        assert_eq!(self_and_ancestors("d", &parents), ["d"]);
        assert_eq!(self_and_ancestors("x", &parents), ["x", "y"]);
    }
}
