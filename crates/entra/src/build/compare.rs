//! What the other build mode would have done differently, unit by unit: units only one way
//! makes, different members, a different parent, members listed by e-mail or not.

use cloo_domain::org::content_digest;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};

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

/// One unit as the comparison needs it: its name, its parent's key, and digests of its members
/// (the member lists themselves are most of a payload and are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnitSummary {
    name: String,
    parent: Option<String>,
    /// How many distinct member ids, and a digest of the set.
    member_ids: (usize, u64),
    /// A digest of `meta.members` (key order does not matter).
    member_details: u64,
}

/// A payload reduced to what [`compare`] reads, by external id. A few hundred bytes per unit,
/// so the payload it was made from can go before the other way is compared with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadSummary(BTreeMap<String, UnitSummary>);

/// The key under which a unit made for a comparison only ([`Keep::Summary`]) carries its member
/// digests, `[distinct member ids, digest of their set, digest of meta.members]`.
const SUMMARY_KEY: &str = "$summary";

/// What a build keeps of each unit it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The unit as it will be pushed.
    Whole,
    /// Only what [`summarize`] reads: the member lists (most of a payload) are reduced to their
    /// digests as soon as the unit is made, so a build for comparison never holds them all.
    Summary,
}

impl Keep {
    /// `unit` as this build keeps it.
    pub(crate) fn unit(self, mut unit: Value) -> Value {
        if self == Keep::Whole {
            return unit;
        }
        let (count, ids) = set_digest(member_id_set(&unit));
        let details = content_digest(unit.get("meta").and_then(|m| m.get("members")));
        if let Value::Object(map) = &mut unit {
            map.remove("member_ids");
            if let Some(Value::Object(meta)) = map.get_mut("meta") {
                meta.remove("members");
            }
            map.insert(SUMMARY_KEY.into(), json!([count, ids, details]));
        }
        unit
    }
}

/// A unit's member ids as a set.
fn member_id_set(unit: &Value) -> BTreeSet<&str> {
    unit.get("member_ids")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Digest of a set of strings: order and repeats do not matter. Compared only within one
/// process, so std's hasher is enough.
fn set_digest(ids: BTreeSet<&str>) -> (usize, u64) {
    let mut hasher = DefaultHasher::new();
    for id in &ids {
        id.hash(&mut hasher);
    }
    (ids.len(), hasher.finish())
}

/// Reduces `payload` (an import file's shape) to its [`PayloadSummary`].
pub fn summarize(payload: &Value) -> PayloadSummary {
    fn walk(units: &[Value], parent: Option<&str>, out: &mut BTreeMap<String, UnitSummary>) {
        for u in units {
            let key = u
                .get("external_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let kept = u.get(SUMMARY_KEY).and_then(Value::as_array).and_then(|d| {
                Some((
                    d.first()?.as_u64()?,
                    d.get(1)?.as_u64()?,
                    d.get(2)?.as_u64()?,
                ))
            });
            let (member_ids, member_details) = match kept {
                Some((count, ids, details)) => ((count as usize, ids), details),
                None => (
                    set_digest(member_id_set(u)),
                    content_digest(u.get("meta").and_then(|m| m.get("members"))),
                ),
            };
            out.insert(
                key.to_owned(),
                UnitSummary {
                    name: u
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    parent: parent.map(str::to_owned),
                    member_ids,
                    member_details,
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
    PayloadSummary(out)
}

/// Compares `here` (this plan's payload, summarized) with `other` (the other mode's).
pub fn compare(here: &PayloadSummary, other: &PayloadSummary, other_mode: &str) -> ModeDifferences {
    let (a, b) = (&here.0, &other.0);
    let mut d = ModeDifferences {
        other: other_mode.to_owned(),
        ..ModeDifferences::default()
    };
    let mut lines = Vec::new();
    for (key, unit) in a {
        let Some(theirs) = b.get(key) else {
            d.only_here.push(key.clone());
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
                unit.name, unit.member_ids.0, theirs.member_ids.0
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
                name_of(a, unit.parent.as_deref()),
                name_of(b, theirs.parent.as_deref()),
            ));
        }
    }
    for (key, unit) in b {
        if !a.contains_key(key) {
            d.only_other.push(key.clone());
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

/// The name of the unit with `key` for a line ("the top" for none; the key when unknown).
fn name_of<'a>(units: &'a BTreeMap<String, UnitSummary>, key: Option<&'a str>) -> &'a str {
    match key {
        None => "the top",
        Some(k) => units.get(k).map_or(k, |u| u.name.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(members: Value, details: Value, parent_of_b: bool) -> Value {
        let b = json!({"external_id": "b", "name": "B", "member_ids": members, "meta": {"members": details}});
        if parent_of_b {
            json!({"units": [{"external_id": "a", "name": "A", "children": [b]}]})
        } else {
            json!({"units": [{"external_id": "a", "name": "A"}, b]})
        }
    }

    #[test]
    fn member_order_repeats_and_key_order_are_not_differences() {
        let here = payload(
            json!(["x", "y"]),
            json!([{"email": "x@e.com", "name": "X"}]),
            true,
        );
        let there = payload(
            json!(["y", "x", "y"]),
            json!([{"name": "X", "email": "x@e.com"}]),
            true,
        );
        let d = compare(&summarize(&here), &summarize(&there), "parity");
        assert_eq!(
            (d.members_differ, d.member_details_differ, d.parents_differ),
            (0, 0, 0),
            "{d:?}"
        );
        assert!(d.lines.is_empty() && d.only_here.is_empty() && d.only_other.is_empty());
    }

    #[test]
    fn a_different_member_set_details_or_parent_is_counted_and_named() {
        let here = payload(json!(["x", "y"]), json!([{"email": "x@e.com"}]), true);
        let there = payload(json!(["x", "z"]), json!([{"email": "z@e.com"}]), false);
        let d = compare(&summarize(&here), &summarize(&there), "parity");
        assert_eq!(
            (d.members_differ, d.member_details_differ, d.parents_differ),
            (1, 1, 1)
        );
        assert_eq!(
            d.lines,
            vec![
                "\"B\": 2 member id(s) here, 2 in parity".to_owned(),
                "\"B\": under A here, under the top in parity".to_owned(),
            ]
        );
    }
}
