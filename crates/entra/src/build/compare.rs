//! What the other build mode would have done differently, unit by unit: units only one way
//! makes, different members, a different parent, members listed by e-mail or not.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The differences between this plan's payload and the other mode's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeDifferences {
    /// The other mode (`parity` or `recommended`).
    pub other: String,
    /// Units only this mode creates or keeps (external ids).
    pub only_here: Vec<String>,
    /// Units only the other mode would create or keep.
    pub only_other: Vec<String>,
    /// Units whose `member_ids` differ.
    pub members_differ: usize,
    /// Units whose `meta.members` differ.
    pub member_details_differ: usize,
    /// Units under a different parent.
    pub parents_differ: usize,
    /// Readable lines, at most [`MAX_LINES`].
    pub lines: Vec<String>,
}

/// Lines kept in [`ModeDifferences::lines`].
pub const MAX_LINES: usize = 50;

/// One unit, borrowed from its payload.
struct Flat<'a> {
    name: &'a str,
    parent: Option<&'a str>,
    member_ids: BTreeSet<&'a str>,
    member_details: Option<&'a Value>,
}

fn flatten(payload: &Value) -> BTreeMap<&str, Flat<'_>> {
    fn walk<'a>(
        units: &'a [Value],
        parent: Option<&'a str>,
        out: &mut BTreeMap<&'a str, Flat<'a>>,
    ) {
        for u in units {
            let key = u
                .get("external_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let member_ids = u
                .get("member_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            out.insert(
                key,
                Flat {
                    name: u.get("name").and_then(Value::as_str).unwrap_or_default(),
                    parent,
                    member_ids,
                    member_details: u.get("meta").and_then(|m| m.get("members")),
                },
            );
            if let Some(children) = u.get("children").and_then(Value::as_array) {
                walk(children, Some(key), out);
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(units) = payload.get("units").and_then(Value::as_array) {
        walk(units, None, &mut out);
    }
    out
}

/// Compares `here` (this plan's payload) with `other` (the other mode's).
pub fn compare(here: &Value, other: &Value, other_mode: &str) -> ModeDifferences {
    let a = flatten(here);
    let b = flatten(other);
    let mut d = ModeDifferences {
        other: other_mode.to_owned(),
        ..ModeDifferences::default()
    };
    let mut lines = Vec::new();
    for (key, unit) in &a {
        let Some(theirs) = b.get(key) else {
            d.only_here.push((*key).to_owned());
            lines.push(format!(
                "{:?}: only this plan has it; {other_mode} would not",
                unit.name
            ));
            continue;
        };
        if unit.member_ids != theirs.member_ids {
            d.members_differ += 1;
            lines.push(format!(
                "{:?}: {} member id(s) here, {} in {other_mode}",
                unit.name,
                unit.member_ids.len(),
                theirs.member_ids.len()
            ));
        }
        if unit.member_details != theirs.member_details {
            d.member_details_differ += 1;
        }
        if unit.parent != theirs.parent {
            d.parents_differ += 1;
            lines.push(format!(
                "{:?}: under {} here, under {} in {other_mode}",
                unit.name,
                unit.parent
                    .map(|p| a.get(p).map(|u| u.name).unwrap_or(p))
                    .unwrap_or("the top"),
                theirs
                    .parent
                    .map(|p| b.get(p).map(|u| u.name).unwrap_or(p))
                    .unwrap_or("the top"),
            ));
        }
    }
    for (key, unit) in &b {
        if !a.contains_key(key) {
            d.only_other.push((*key).to_owned());
            lines.push(format!(
                "{:?}: {other_mode} would have it; this plan does not",
                unit.name
            ));
        }
    }
    lines.truncate(MAX_LINES);
    d.lines = lines;
    d
}
