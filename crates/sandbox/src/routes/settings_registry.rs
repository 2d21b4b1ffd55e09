//! The persistent settings registry (settings.md appendix): which stored setting lives at which
//! path of the config document, and which are sensitive; the whole-document export built from it.

use crate::AppState;
use crate::algorithms::masking::{mask_str, mask_tree};
use crate::errors::ApiResult;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The appendix's table, as published.
const TABLE: &str = include_str!("../settings_registry.md");

/// Every registered setting: env name, dotted document path, sensitive.
pub(crate) fn entries() -> &'static [(&'static str, &'static str, bool)] {
    static ENTRIES: OnceLock<Vec<(&'static str, &'static str, bool)>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        TABLE
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let name = cells.get(1)?.trim_matches('`');
                let path = cells.get(2)?.trim_matches('`');
                (!name.is_empty() && !path.is_empty())
                    .then(|| (name, path, cells.get(3).is_some_and(|c| *c == "yes")))
            })
            .collect()
    })
}

/// The stored settings as the config document: each stored value at its path (sensitive ones
/// masked), the version at the top; keys never saved are absent.
pub(crate) async fn export(state: &AppState) -> ApiResult<Value> {
    let mut doc = Map::new();
    for (env, path, sensitive) in entries() {
        let Some(value) = state.db.config(env).await? else {
            continue;
        };
        let value = match (&value, sensitive) {
            (Value::String(s), true) => Value::String(mask_str(s)),
            (Value::Array(items), true) => Value::Array(
                items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Value::String(mask_str(s)),
                        other => other.clone(),
                    })
                    .collect(),
            ),
            _ => value,
        };
        let mut at = &mut doc;
        let segments: Vec<&str> = path.split('.').collect();
        for seg in &segments[..segments.len() - 1] {
            let next = at
                .entry((*seg).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            at = next.as_object_mut().expect("an object was just put here");
        }
        at.insert(segments[segments.len() - 1].to_owned(), value);
    }
    let mut masked = mask_tree(&Value::Object(doc));
    masked["version"] = Value::from(state.db.config_version().await?);
    Ok(masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_table_is_read_whole() {
        let all = entries();
        assert!(all.len() > 400, "{}", all.len());
        assert!(all.contains(&("SOUGOU_API_SK", "rag.web.search.sougou_api_sk", true)));
        assert!(all.contains(&("TOOL_SERVER_CONNECTIONS", "tool_server.connections", false)));
    }
}
