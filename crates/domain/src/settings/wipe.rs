//! The three irreversible settings actions (reset the vector database, delete all files, delete
//! all models): which endpoint each calls, and the statement of exactly what goes that an admin
//! reads before typing the deployment's name to confirm (settings.md §3 and §4, resources.md).

use serde::{Deserialize, Serialize};

/// One irreversible action of the Documents or Models tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Wipe {
    /// `POST /api/v1/retrieval/reset/db`: clears the knowledge vector index **and deletes every
    /// knowledge base row** (admin).
    VectorDb,
    /// `DELETE /api/v1/files/all`: deletes every file row, then all stored file content (admin).
    AllFiles,
    /// `DELETE /api/v1/models/delete/all`: deletes every model row, agents and overrides alike
    /// (`admin.settings` write).
    AllModels,
}

/// The HTTP method of a wipe's endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeMethod {
    /// `POST` with an empty body.
    Post,
    /// `DELETE`.
    Delete,
}

impl Wipe {
    /// Every wipe, in the order the tabs show them.
    pub const ALL: [Wipe; 3] = [Wipe::VectorDb, Wipe::AllFiles, Wipe::AllModels];

    /// Its stable name (journal targets, CLI values).
    pub fn name(self) -> &'static str {
        match self {
            Wipe::VectorDb => "vector_db",
            Wipe::AllFiles => "all_files",
            Wipe::AllModels => "all_models",
        }
    }

    /// The wipe called `name` (`vector-db` and `vector_db` alike).
    pub fn parse(name: &str) -> Option<Wipe> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Wipe::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The endpoint it calls (no leading slash).
    pub fn endpoint(self) -> (WipeMethod, &'static str) {
        match self {
            Wipe::VectorDb => (WipeMethod::Post, "api/v1/retrieval/reset/db"),
            Wipe::AllFiles => (WipeMethod::Delete, "api/v1/files/all"),
            Wipe::AllModels => (WipeMethod::Delete, "api/v1/models/delete/all"),
        }
    }

    /// The settings tab that offers it.
    pub fn tab(self) -> super::Tab {
        match self {
            Wipe::VectorDb | Wipe::AllFiles => super::Tab::Documents,
            Wipe::AllModels => super::Tab::Models,
        }
    }

    /// Whether only role `admin` may call it (otherwise `admin.settings` at write suffices).
    pub fn admin_only(self) -> bool {
        !matches!(self, Wipe::AllModels)
    }
}

/// One kind of thing a wipe removes or changes, worded by the shells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum WipeItemKind {
    /// Knowledge bases the admin can list (every one but project knowledge bases): deleted.
    KnowledgeBase,
    /// Knowledge bases that back projects: deleted too, but an admin cannot list them.
    ProjectKnowledgeBase,
    /// The vector index of every knowledge base: cleared (documents must be uploaded again).
    VectorIndex,
    /// Files attached to knowledge bases (their `file_count`s): deleted with their content.
    KnowledgeFile,
    /// Files uploaded to chats and elsewhere: deleted too, but no admin endpoint counts them.
    OtherFile,
    /// Knowledge bases that stay, emptied of their files.
    KnowledgeBaseEmptied,
    /// Agents (model rows with a base model): deleted.
    Agent,
    /// Base-model rows (provider-model overrides and agent flows): deleted.
    BaseModelRow,
    /// Provider models that lose their row: hidden from every non-admin from then on, because a
    /// user sees only models with a row they may read (resources.md §2.1).
    ProviderModelHidden,
}

/// One line of a wipe's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct WipeItem {
    /// What it is.
    pub kind: WipeItemKind,
    /// How many, when the deployment can tell.
    pub count: Option<u64>,
    /// Up to [`EXAMPLES`] names, so the admin recognises what goes.
    pub examples: Vec<String>,
}

/// How many names a statement line shows.
pub const EXAMPLES: usize = 8;

/// What the console read before a wipe, from which the statement is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WipeFacts {
    /// Knowledge bases as listed (name, file count); `None` when the list cannot be read (the
    /// `kbsphere` module is off).
    pub knowledge: Option<Vec<(String, u64)>>,
    /// Agents (name); `None` when the account may not list them (`admin.settings` without
    /// `workspace.agents`).
    pub agents: Option<Vec<String>>,
    /// Base-model rows (name).
    pub base_rows: Vec<String>,
}

/// Exactly what a wipe takes away, line by line; every line is shown, also when its count is
/// zero, so the admin sees what was checked.
pub fn statement(wipe: Wipe, facts: &WipeFacts) -> Vec<WipeItem> {
    let names = |list: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        list.take(EXAMPLES).cloned().collect()
    };
    let knowledge = facts.knowledge.as_deref();
    let kb_line = |kind| WipeItem {
        kind,
        count: knowledge.map(|k| k.len() as u64),
        examples: knowledge
            .map(|k| k.iter().take(EXAMPLES).map(|(n, _)| n.clone()).collect())
            .unwrap_or_default(),
    };
    let unknown = |kind| WipeItem {
        kind,
        count: None,
        examples: Vec::new(),
    };
    match wipe {
        Wipe::VectorDb => vec![
            kb_line(WipeItemKind::KnowledgeBase),
            unknown(WipeItemKind::ProjectKnowledgeBase),
            unknown(WipeItemKind::VectorIndex),
        ],
        Wipe::AllFiles => vec![
            WipeItem {
                kind: WipeItemKind::KnowledgeFile,
                count: knowledge.map(|k| k.iter().map(|(_, files)| files).sum()),
                examples: Vec::new(),
            },
            unknown(WipeItemKind::OtherFile),
            WipeItem {
                kind: WipeItemKind::KnowledgeBaseEmptied,
                count: knowledge.map(|k| k.iter().filter(|(_, files)| *files > 0).count() as u64),
                examples: knowledge
                    .map(|k| {
                        k.iter()
                            .filter(|(_, files)| *files > 0)
                            .take(EXAMPLES)
                            .map(|(n, _)| n.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        ],
        Wipe::AllModels => vec![
            WipeItem {
                kind: WipeItemKind::Agent,
                count: facts.agents.as_ref().map(|a| a.len() as u64),
                examples: facts
                    .agents
                    .as_ref()
                    .map(|a| names(&mut a.iter()))
                    .unwrap_or_default(),
            },
            WipeItem {
                kind: WipeItemKind::BaseModelRow,
                count: Some(facts.base_rows.len() as u64),
                examples: names(&mut facts.base_rows.iter()),
            },
            unknown(WipeItemKind::ProviderModelHidden),
        ],
    }
}

/// Whether `typed` confirms a wipe of the deployment called `tenant`: its name exactly, spaces
/// around it aside. Case matters: the confirmation is the one place a wrong tenant is caught.
pub fn confirms(typed: &str, tenant: &str) -> bool {
    !tenant.trim().is_empty() && typed.trim() == tenant.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> WipeFacts {
        WipeFacts {
            knowledge: Some(vec![
                ("Policies".into(), 3),
                ("Empty".into(), 0),
                ("Manuals".into(), 5),
            ]),
            agents: Some(vec!["Helper".into()]),
            base_rows: vec!["gpt-4o".into(), "llama3".into()],
        }
    }

    #[test]
    fn names_parse_both_ways() {
        for w in Wipe::ALL {
            assert_eq!(Wipe::parse(w.name()), Some(w));
        }
        assert_eq!(Wipe::parse("vector-db"), Some(Wipe::VectorDb));
        assert_eq!(Wipe::parse("All-Files"), Some(Wipe::AllFiles));
        assert_eq!(Wipe::parse("everything"), None);
    }

    #[test]
    fn resetting_the_vector_db_names_every_listed_knowledge_base_and_the_unlisted_ones() {
        let lines = statement(Wipe::VectorDb, &facts());
        assert_eq!(lines[0].kind, WipeItemKind::KnowledgeBase);
        assert_eq!(lines[0].count, Some(3));
        assert_eq!(lines[0].examples, ["Policies", "Empty", "Manuals"]);
        assert_eq!(lines[1].kind, WipeItemKind::ProjectKnowledgeBase);
        assert_eq!(lines[1].count, None);
    }

    #[test]
    fn deleting_all_files_counts_knowledge_files_and_says_the_rest_cannot_be_counted() {
        let lines = statement(Wipe::AllFiles, &facts());
        assert_eq!(lines[0].count, Some(8));
        assert_eq!(lines[1].kind, WipeItemKind::OtherFile);
        assert_eq!(lines[1].count, None);
        assert_eq!(lines[2].count, Some(2));
        assert_eq!(lines[2].examples, ["Policies", "Manuals"]);
    }

    #[test]
    fn an_unreadable_knowledge_list_is_unknown_not_zero() {
        let lines = statement(Wipe::VectorDb, &WipeFacts::default());
        assert_eq!(lines[0].count, None);
        let lines = statement(Wipe::AllFiles, &WipeFacts::default());
        assert_eq!(lines[0].count, None);
        let lines = statement(Wipe::AllModels, &WipeFacts::default());
        assert_eq!(
            lines[0].count, None,
            "agents that cannot be listed are not zero"
        );
        assert_eq!(lines[1].count, Some(0));
    }

    #[test]
    fn deleting_all_models_counts_both_kinds_of_row_and_names_the_consequence() {
        let lines = statement(Wipe::AllModels, &facts());
        assert_eq!(lines[0].count, Some(1));
        assert_eq!(lines[1].count, Some(2));
        assert_eq!(lines[1].examples, ["gpt-4o", "llama3"]);
        assert_eq!(lines[2].kind, WipeItemKind::ProviderModelHidden);
    }

    #[test]
    fn examples_stop_at_eight() {
        let many = WipeFacts {
            agents: Some((0..20).map(|i| format!("a{i}")).collect()),
            ..WipeFacts::default()
        };
        let lines = statement(Wipe::AllModels, &many);
        assert_eq!(lines[0].count, Some(20));
        assert_eq!(lines[0].examples.len(), EXAMPLES);
    }

    #[test]
    fn only_the_exact_name_confirms() {
        assert!(confirms(" Practice ", "Practice"));
        assert!(!confirms("practice", "Practice"));
        assert!(!confirms("", ""));
        assert!(!confirms("Prod", "Practice"));
    }
}
