//! The model rows a save of the OpenAI connections creates or deletes (settings.md §2): the
//! server compares the union of every connection's `model_ids` (each as `prefix_id.model_id`
//! when the connection has a prefix) before and after, deletes the model rows of ids that left
//! the union — with their access settings — and creates a public row for each id that joined.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// What a save does to the model table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ModelRowEffect {
    /// Model ids whose rows are deleted (their access settings and overrides go with them).
    pub removed: Vec<String>,
    /// Model ids that get a new public row when they have none.
    pub added: Vec<String>,
}

impl ModelRowEffect {
    /// Whether the save touches no model row.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }
}

/// The union of the connections' explicit model ids in an OpenAI config (as read or edited).
pub fn model_id_union(config: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(configs) = config.get("OPENAI_API_CONFIGS").and_then(Value::as_object) else {
        return out;
    };
    for connection in configs.values() {
        let prefix = connection
            .get("prefix_id")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty());
        let Some(ids) = connection.get("model_ids").and_then(Value::as_array) else {
            continue;
        };
        for id in ids.iter().filter_map(Value::as_str) {
            out.insert(match prefix {
                Some(p) => format!("{p}.{id}"),
                None => id.to_owned(),
            });
        }
    }
    out
}

/// What saving `edited` over `before` does to the model table, for the section that has this
/// side effect (`openai`); `None` for every other section.
pub fn model_row_effect(section: &str, before: &Value, edited: &Value) -> Option<ModelRowEffect> {
    if section != "openai" {
        return None;
    }
    let (old, new) = (model_id_union(before), model_id_union(edited));
    Some(ModelRowEffect {
        removed: old.difference(&new).cloned().collect(),
        added: new.difference(&old).cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_prefixed_when_the_connection_has_a_prefix() {
        let config = json!({"OPENAI_API_CONFIGS": {
            "0": {"model_ids": ["gpt-4o", "o3"]},
            "1": {"prefix_id": "az", "model_ids": ["gpt-4o"]},
            "2": {"prefix_id": "", "model_ids": ["o3"]},
            "3": {"enable": true}
        }});
        let union: Vec<String> = model_id_union(&config).into_iter().collect();
        assert_eq!(union, ["az.gpt-4o", "gpt-4o", "o3"]);
    }

    #[test]
    fn removing_an_id_from_every_connection_deletes_its_row_but_not_while_another_lists_it() {
        let before = json!({"OPENAI_API_CONFIGS": {
            "0": {"model_ids": ["gpt-4o", "o3"]},
            "1": {"model_ids": ["o3"]}
        }});
        let edited = json!({"OPENAI_API_CONFIGS": {
            "0": {"model_ids": ["gpt-4o", "gpt-4.1"]},
            "1": {"model_ids": ["o3"]}
        }});
        let effect = model_row_effect("openai", &before, &edited).expect("openai");
        assert!(
            effect.removed.is_empty(),
            "o3 is still listed by connection 1"
        );
        assert_eq!(effect.added, ["gpt-4.1"]);
        let dropped = json!({"OPENAI_API_CONFIGS": {"0": {"model_ids": ["gpt-4o"]}}});
        let effect = model_row_effect("openai", &before, &dropped).expect("openai");
        assert_eq!(effect.removed, ["o3"]);
    }

    #[test]
    fn a_prefix_change_moves_every_row_of_the_connection() {
        let before = json!({"OPENAI_API_CONFIGS": {"0": {"prefix_id": "", "model_ids": ["m"]}}});
        let edited = json!({"OPENAI_API_CONFIGS": {"0": {"prefix_id": "p", "model_ids": ["m"]}}});
        let effect = model_row_effect("openai", &before, &edited).expect("openai");
        assert_eq!(effect.removed, ["m"]);
        assert_eq!(effect.added, ["p.m"]);
    }

    #[test]
    fn other_sections_have_no_such_effect() {
        assert_eq!(model_row_effect("ollama", &json!({}), &json!({})), None);
    }
}
