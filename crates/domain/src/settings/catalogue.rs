//! The System Settings tabs and the endpoints behind each (settings.md): where a section is read
//! and written, who may do it, how the server takes a write, and which of its secrets the server
//! stores literally when they come back masked.

use serde::{Deserialize, Serialize};

/// The tabs of Admin → Settings, in the web panel's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    /// Sign-up, API keys, JWT, usage-limit globals, LDAP, the admin webhook.
    General,
    /// OpenAI-compatible and Ollama connections, Google, image and file storage.
    Connections,
    /// Model rows and per-model limits.
    Models,
    /// Embedding, extraction, chunking, uploads, guardrails.
    Documents,
    /// The vector search backend and reranker.
    SearchEngine,
    /// Web search engines and loaders.
    WebSearch,
    /// The code execution engine.
    CodeExecution,
    /// Task model, banners, prompt suggestions.
    Interface,
    /// Speech to text, text to speech, avatar.
    Audio,
    /// Image generation (license module `image_generation`).
    Images,
    /// Pipeline servers (hidden in the current web panel).
    Pipelines,
    /// OpenAPI tool servers (hidden in the current web panel).
    Tools,
    /// App name and images (license module `branding`).
    Branding,
    /// The license key and its modules.
    License,
}

impl Tab {
    /// All fourteen, in order.
    pub const ALL: [Tab; 14] = [
        Tab::General,
        Tab::Connections,
        Tab::Models,
        Tab::Documents,
        Tab::SearchEngine,
        Tab::WebSearch,
        Tab::CodeExecution,
        Tab::Interface,
        Tab::Audio,
        Tab::Images,
        Tab::Pipelines,
        Tab::Tools,
        Tab::Branding,
        Tab::License,
    ];

    /// The wire and command-line name (`search_engine`).
    pub fn name(self) -> &'static str {
        match self {
            Tab::General => "general",
            Tab::Connections => "connections",
            Tab::Models => "models",
            Tab::Documents => "documents",
            Tab::SearchEngine => "search_engine",
            Tab::WebSearch => "web_search",
            Tab::CodeExecution => "code_execution",
            Tab::Interface => "interface",
            Tab::Audio => "audio",
            Tab::Images => "images",
            Tab::Pipelines => "pipelines",
            Tab::Tools => "tools",
            Tab::Branding => "branding",
            Tab::License => "license",
        }
    }

    /// The tab called `name` (its wire name; `-` may stand for `_`).
    pub fn parse(name: &str) -> Option<Tab> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The sections shown on this tab that the console reads and writes field by field.
    pub fn sections(self) -> impl Iterator<Item = &'static Section> {
        SECTIONS.iter().filter(move |s| s.tab == self)
    }
}

/// Who may call a section's endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Caller {
    /// Role `admin` only.
    Admin,
    /// An admin, or a user whose groups grant `admin.settings` (read to read, write to write).
    Settings,
    /// Anyone signed in may read; writing needs `admin.settings` at write.
    VerifiedReadSettingsWrite,
}

/// How the server takes a section's POST body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// Every field is required: the whole object is sent.
    Whole,
    /// A field left out (or null) keeps its value, so only changed fields are sent; nested
    /// objects are sent key by key, except `whole_groups`, which the server assigns field by
    /// field when present (absent fields become null), so they go complete or not at all.
    /// `always` are required by the POST and sent whether changed or not.
    Changed {
        /// Fields the POST requires.
        always: &'static [&'static str],
        /// Object fields sent complete when anything in them changed.
        whole_groups: &'static [&'static str],
    },
}

/// What the server does with a secret that comes back in its masked form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MaskedWrite {
    /// It puts the stored value back: sending the masked form keeps the secret.
    Keeps,
    /// It stores the masked text as the new secret: the secret would be destroyed.
    StoresLiterally,
    /// It keeps the stored value but also starts a live client with the value as sent (image and
    /// file storage), which then fails until the next restart: send the real value or nothing.
    UsesAsSent,
    /// It resolves masked values by position, not by what they belong to (Ollama connection
    /// keys): a masked value may only go back where it was read, beside the same URL.
    KeepsByPosition,
    /// It matches a masked value to a stored one by its last four characters, preferring the
    /// slot with the same URL (OpenAI connection keys): two keys with the same tail may be
    /// swapped when their URLs change.
    KeepsByTail,
}

/// One endpoint pair behind a tab: an object read with a GET and written with a POST.
#[derive(Debug)]
pub struct Section {
    /// A stable name (`code_execution`, `tool_servers`).
    pub key: &'static str,
    /// The tab it belongs to.
    pub tab: Tab,
    /// The GET path (no leading slash).
    pub read: &'static str,
    /// The POST path.
    pub write: &'static str,
    /// Who may call it.
    pub caller: Caller,
    /// The license module that gates it, if any.
    pub license: Option<&'static str>,
    /// How the POST takes its body.
    pub shape: BodyShape,
    /// When the section is one key of a larger answer (`web` of the retrieval config): that key;
    /// the POST body is then `{key: body}`.
    pub within: Option<&'static str>,
    /// Fields of the answer the POST does not take (computed or status fields).
    pub read_only: &'static [&'static str],
    /// Fields renamed on the way in (`ENABLE_LDAP` is read, `enable_ldap` is written).
    pub renamed: &'static [(&'static str, &'static str)],
    /// Secrets the server does not simply keep when they come back masked, as dotted paths in
    /// which `*` stands for any list index or object key. Every other secret-named field
    /// (`masking::is_secret_name`) is [`MaskedWrite::Keeps`].
    pub secrets: &'static [(&'static str, MaskedWrite)],
    /// For connection lists: the list of URLs that positions belong to (`OLLAMA_BASE_URLS`).
    pub urls: Option<&'static str>,
    /// When the GET answers a bare list (banners): the key it is edited under, which is also
    /// how the POST takes it (`{"banners": [...]}`).
    pub wrapped: Option<&'static str>,
    /// When the section is one key of an answer it is not written back into (the prompt
    /// suggestions are `default_prompt_suggestions` of `GET /api/config`): that key.
    pub read_key: Option<&'static str>,
    /// The GET identifies the caller only by the `token` cookie (`/api/config`).
    pub cookie_read: bool,
}

impl Section {
    /// A section whose POST takes the whole object, with nothing renamed, read-only, gated or
    /// stored literally; the catalogue states only what differs.
    const fn base(
        key: &'static str,
        tab: Tab,
        read: &'static str,
        write: &'static str,
        caller: Caller,
    ) -> Section {
        Section {
            key,
            tab,
            read,
            write,
            caller,
            license: None,
            shape: BodyShape::Whole,
            within: None,
            read_only: NONE,
            renamed: &[],
            secrets: &[],
            urls: None,
            wrapped: None,
            read_key: None,
            cookie_read: false,
        }
    }

    /// What the server does with a masked value at `path` (dotted, with indexes and keys).
    pub fn masked_write(&self, path: &str) -> MaskedWrite {
        self.secrets
            .iter()
            .find(|(pattern, _)| path_matches(pattern, path))
            .map(|(_, how)| *how)
            .unwrap_or(MaskedWrite::Keeps)
    }

    /// The section called `key`.
    pub fn find(key: &str) -> Option<&'static Section> {
        SECTIONS.iter().find(|s| s.key == key)
    }
}

/// Whether a dotted `path` fits `pattern`, where a pattern segment `*` fits any one segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('.');
    let mut q = path.split('.');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

const NONE: &[&str] = &[];

/// Every section the console edits field by field.
pub static SECTIONS: &[Section] = &[
    Section::base(
        "admin_config",
        Tab::General,
        "api/v1/auths/admin/config",
        "api/v1/auths/admin/config",
        Caller::Admin,
    ),
    Section {
        renamed: &[("ENABLE_LDAP", "enable_ldap")],
        ..Section::base(
            "ldap",
            Tab::General,
            "api/v1/auths/admin/config/ldap",
            "api/v1/auths/admin/config/ldap",
            Caller::Admin,
        )
    },
    Section::base(
        "webhook",
        Tab::General,
        "api/webhook",
        "api/webhook",
        Caller::Admin,
    ),
    Section::base(
        "ldap_server",
        Tab::General,
        "api/v1/auths/admin/config/ldap/server",
        "api/v1/auths/admin/config/ldap/server",
        Caller::Admin,
    ),
    Section {
        secrets: &[("OPENAI_API_KEYS.*", MaskedWrite::KeepsByTail)],
        urls: Some("OPENAI_API_BASE_URLS"),
        ..Section::base(
            "openai",
            Tab::Connections,
            "openai/config",
            "openai/config/update",
            Caller::Admin,
        )
    },
    Section {
        secrets: &[("OLLAMA_API_CONFIGS.*.key", MaskedWrite::KeepsByPosition)],
        urls: Some("OLLAMA_BASE_URLS"),
        ..Section::base(
            "ollama",
            Tab::Connections,
            "ollama/config",
            "ollama/config/update",
            Caller::Admin,
        )
    },
    Section::base(
        "direct_connections",
        Tab::Connections,
        "api/v1/configs/direct_connections",
        "api/v1/configs/direct_connections",
        Caller::Settings,
    ),
    Section::base(
        "google_cloud",
        Tab::Connections,
        "api/v1/configs/google_cloud",
        "api/v1/configs/google_cloud",
        Caller::Settings,
    ),
    Section {
        shape: BodyShape::Changed {
            always: &["image_upload_mode", "provider"],
            whole_groups: &["s3", "azure", "gcs"],
        },
        secrets: STORAGE_SECRETS,
        ..Section::base(
            "storage",
            Tab::Connections,
            "api/v1/configs/storage",
            "api/v1/configs/storage",
            Caller::Settings,
        )
    },
    Section {
        shape: BodyShape::Changed {
            always: &["provider"],
            whole_groups: &["s3", "azure", "gcs"],
        },
        secrets: STORAGE_SECRETS,
        ..Section::base(
            "file_storage",
            Tab::Connections,
            "api/v1/configs/file-storage",
            "api/v1/configs/file-storage",
            Caller::Settings,
        )
    },
    Section {
        shape: BodyShape::Changed {
            always: NONE,
            whole_groups: &["web"],
        },
        read_only: &["status"],
        secrets: WEB_SECRETS_IN_RETRIEVAL,
        ..Section::base(
            "retrieval",
            Tab::Documents,
            "api/v1/retrieval/config",
            "api/v1/retrieval/config/update",
            Caller::Admin,
        )
    },
    Section {
        shape: BodyShape::Changed {
            always: NONE,
            whole_groups: NONE,
        },
        read_only: &["status"],
        ..Section::base(
            "search_engine",
            Tab::SearchEngine,
            "api/v1/retrieval/search-engine/config",
            "api/v1/retrieval/search-engine/config/update",
            Caller::Admin,
        )
    },
    Section {
        within: Some("web"),
        secrets: &[("SOUGOU_API_SK", MaskedWrite::StoresLiterally)],
        ..Section::base(
            "web",
            Tab::WebSearch,
            "api/v1/retrieval/config",
            "api/v1/retrieval/config/update",
            Caller::Admin,
        )
    },
    Section::base(
        "code_execution",
        Tab::CodeExecution,
        "api/v1/configs/code_execution",
        "api/v1/configs/code_execution",
        Caller::Settings,
    ),
    Section::base(
        "tasks",
        Tab::Interface,
        "api/v1/tasks/config",
        "api/v1/tasks/config/update",
        Caller::VerifiedReadSettingsWrite,
    ),
    Section {
        secrets: &[(
            "TOOL_SERVER_CONNECTIONS.*.key",
            MaskedWrite::StoresLiterally,
        )],
        ..Section::base(
            "tool_servers",
            Tab::Tools,
            "api/v1/configs/tool_servers",
            "api/v1/configs/tool_servers",
            Caller::Settings,
        )
    },
    Section {
        shape: BodyShape::Changed {
            always: &["tts", "stt"],
            whole_groups: &["tts", "stt", "avatar"],
        },
        ..Section::base(
            "audio",
            Tab::Audio,
            "api/v1/audio/config",
            "api/v1/audio/config/update",
            Caller::Admin,
        )
    },
    Section {
        shape: BodyShape::Changed {
            always: NONE,
            whole_groups: NONE,
        },
        read_only: &["GOOGLE_OAUTH_CONFIGURED"],
        ..Section::base(
            "google_integration",
            Tab::Connections,
            "api/v1/configs/google_integration",
            "api/v1/configs/google_integration",
            Caller::Settings,
        )
    },
    Section::base(
        "default_models",
        Tab::Models,
        "api/v1/configs/models",
        "api/v1/configs/models",
        Caller::Settings,
    ),
    Section {
        read_only: &["status"],
        ..Section::base(
            "embedding",
            Tab::Documents,
            "api/v1/retrieval/embedding",
            "api/v1/retrieval/embedding/update",
            Caller::Admin,
        )
    },
    Section {
        license: Some("image_generation"),
        ..Section::base(
            "images",
            Tab::Images,
            "api/v1/images/config",
            "api/v1/images/config/update",
            Caller::Admin,
        )
    },
    Section {
        license: Some("image_generation"),
        secrets: &[("IMAGE_API_KEYS.*", MaskedWrite::KeepsByPosition)],
        urls: Some("IMAGE_API_URLS"),
        ..Section::base(
            "image_connections",
            Tab::Images,
            "api/v1/images/connections/config",
            "api/v1/images/connections/config/update",
            Caller::Admin,
        )
    },
    Section {
        license: Some("image_generation"),
        ..Section::base(
            "image_config",
            Tab::Images,
            "api/v1/images/image/config",
            "api/v1/images/image/config/update",
            Caller::Admin,
        )
    },
    Section {
        wrapped: Some("suggestions"),
        read_key: Some("default_prompt_suggestions"),
        cookie_read: true,
        ..Section::base(
            "suggestions",
            Tab::Interface,
            "api/config",
            "api/v1/configs/suggestions",
            Caller::VerifiedReadSettingsWrite,
        )
    },
    Section {
        wrapped: Some("banners"),
        ..Section::base(
            "banners",
            Tab::Interface,
            "api/v1/configs/banners",
            "api/v1/configs/banners",
            Caller::VerifiedReadSettingsWrite,
        )
    },
];

const STORAGE_SECRETS: &[(&str, MaskedWrite)] = &[
    ("s3.access_key_id", MaskedWrite::StoresLiterally),
    ("s3.secret_access_key", MaskedWrite::UsesAsSent),
    ("azure.storage_key", MaskedWrite::UsesAsSent),
    ("gcs.credentials_json", MaskedWrite::UsesAsSent),
];

const WEB_SECRETS_IN_RETRIEVAL: &[(&str, MaskedWrite)] =
    &[("web.SOUGOU_API_SK", MaskedWrite::StoresLiterally)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_parse_by_their_names() {
        for tab in Tab::ALL {
            assert_eq!(Tab::parse(tab.name()), Some(tab));
        }
        assert_eq!(Tab::parse("Search-Engine"), Some(Tab::SearchEngine));
        assert_eq!(Tab::parse("nope"), None);
    }

    #[test]
    fn section_keys_are_unique_and_found() {
        for s in SECTIONS {
            assert!(
                std::ptr::eq(Section::find(s.key).expect("present"), s),
                "{}",
                s.key
            );
        }
    }

    #[test]
    fn the_literal_storing_secrets_are_marked() {
        let tools = Section::find("tool_servers").expect("present");
        assert_eq!(
            tools.masked_write("TOOL_SERVER_CONNECTIONS.3.key"),
            MaskedWrite::StoresLiterally
        );
        assert_eq!(
            tools.masked_write("TOOL_SERVER_CONNECTIONS.3.url"),
            MaskedWrite::Keeps
        );
        let storage = Section::find("storage").expect("present");
        assert_eq!(
            storage.masked_write("s3.access_key_id"),
            MaskedWrite::StoresLiterally
        );
        assert_eq!(
            Section::find("retrieval")
                .expect("present")
                .masked_write("web.SOUGOU_API_SK"),
            MaskedWrite::StoresLiterally
        );
    }
}
