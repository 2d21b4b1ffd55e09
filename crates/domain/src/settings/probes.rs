//! The connection tests the server offers and how each is asked for (settings.md §2, §5, §10):
//! which endpoint, with which body, built from the section as read. A secret always goes as
//! the masked form read, with the connection's index where the server resolves it, so no real
//! secret ever leaves the deployment; where the server does not resolve one, it is withheld.

use super::masking::{hides_a_secret, is_secret_name};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How a connection test is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The endpoint (no leading slash).
    pub path: &'static str,
    /// `true`: a `GET` with no body; else a `POST` of `body`.
    pub get: bool,
    /// The body.
    pub body: Value,
    /// What is being reached, for people (a URL, or `host:port/database`).
    pub reaches: String,
    /// Something the test cannot do or does besides testing.
    pub caveat: Option<ProbeCaveat>,
}

/// Which connection test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// An OpenAI-compatible connection, by index.
    Openai,
    /// An Ollama connection, by index.
    Ollama,
    /// The search engine's pgvector database.
    Pgvector,
    /// The image engine's URL.
    Images,
    /// The image storage's credentials (typed: the server tests the values sent).
    Storage,
    /// The file storage's credentials (typed likewise).
    FileStorage,
}

impl ProbeKind {
    /// Whether the test names a connection by its index.
    pub fn needs_index(self) -> bool {
        matches!(self, ProbeKind::Openai | ProbeKind::Ollama)
    }
}

/// What a test's result must be read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ProbeCaveat {
    /// The connection has a key the server's test does not resolve: it was tested without it,
    /// so a refusal may only mean the key is needed.
    KeyWithheld,
    /// A failed probe of the image engine also turns image generation off on the deployment.
    FailureTurnsImagesOff,
}

/// The Azure OpenAI API version the server assumes when none is set.
pub const AZURE_DEFAULT_API_VERSION: &str = "2024-02-15-preview";

/// The test of the OpenAI-compatible connection at `index` of `config` (`GET /openai/config`),
/// by its provider type: Azure OpenAI, Azure AI Foundry and Vertex AI have their own
/// endpoints. `None` when there is no such connection.
pub fn openai_probe(config: &Value, index: usize) -> Option<Probe> {
    let url = config["OPENAI_API_BASE_URLS"]
        .get(index)?
        .as_str()?
        .to_owned();
    let key = config["OPENAI_API_KEYS"]
        .get(index)
        .and_then(Value::as_str)
        .unwrap_or_default();
    let settings = &config["OPENAI_API_CONFIGS"][index.to_string()];
    let text = |k: &str| {
        settings
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (path, body) = match text("provider_type").unwrap_or("openai") {
        "azure-openai" => (
            "openai/verify/azure-openai",
            json!({"url": url, "key": key, "idx": index,
                   "api_version": text("api_version").unwrap_or(AZURE_DEFAULT_API_VERSION)}),
        ),
        "azure-ai-foundry" => (
            "openai/verify/azure-ai-foundry",
            json!({"url": url, "key": key, "idx": index,
                   "api_version": text("api_version").unwrap_or(AZURE_DEFAULT_API_VERSION)}),
        ),
        "vertex-ai" => (
            "openai/verify/vertex-ai",
            json!({"project_id": text("project_id").unwrap_or_default(),
                   "location": text("location").unwrap_or("us-central1"),
                   "service_account_key": text("service_account_key").unwrap_or_default(),
                   "use_global_gcp_key": settings.get("use_global_gcp_key").and_then(Value::as_bool).unwrap_or(false),
                   "idx": index}),
        ),
        _ => (
            "openai/verify",
            json!({"url": url, "key": key, "idx": index}),
        ),
    };
    Some(Probe {
        path,
        get: false,
        body,
        reaches: url,
        caveat: None,
    })
}

/// The test of the Ollama connection at `index` of `config` (`GET /ollama/config`): the server
/// probes `<url>/api/version` with the key sent, and resolves no masked key, so a stored key is
/// withheld and the result says so.
pub fn ollama_probe(config: &Value, index: usize) -> Option<Probe> {
    let url = config["OLLAMA_BASE_URLS"].get(index)?.as_str()?.to_owned();
    let has_key = config["OLLAMA_API_CONFIGS"][index.to_string()]["key"]
        .as_str()
        .is_some_and(|k| !k.is_empty());
    Some(Probe {
        path: "ollama/verify",
        get: false,
        body: json!({"url": url}),
        reaches: url,
        caveat: has_key.then_some(ProbeCaveat::KeyWithheld),
    })
}

/// The pgvector test with the search-engine settings as read (`GET
/// /retrieval/search-engine/config`): the server replaces the masked password by the stored one.
pub fn pgvector_probe(search_engine: &Value) -> Probe {
    let mut body = search_engine.clone();
    if let Value::Object(map) = &mut body {
        map.remove("status");
    }
    let text = |k: &str| search_engine[k].as_str().unwrap_or_default().to_owned();
    Probe {
        path: "api/v1/retrieval/search-engine/pgvector/test",
        get: false,
        reaches: format!(
            "{}:{}/{}",
            text("pgvector_host"),
            search_engine["pgvector_port"],
            text("pgvector_database")
        ),
        body,
        caveat: None,
    }
}

/// The probe of the image engine's URL (AUTOMATIC1111 or ComfyUI), given the Images config as
/// read; other engines need no probe and the server answers `true`.
pub fn image_url_probe(images: &Value) -> Probe {
    let engine = images["engine"].as_str().unwrap_or_default();
    let reaches = match engine {
        "automatic1111" => images["automatic1111"]["AUTOMATIC1111_BASE_URL"].as_str(),
        "comfyui" => images["comfyui"]["COMFYUI_BASE_URL"].as_str(),
        _ => None,
    }
    .unwrap_or(engine)
    .to_owned();
    Probe {
        path: "api/v1/images/config/url/verify",
        get: true,
        body: Value::Null,
        reaches,
        caveat: Some(ProbeCaveat::FailureTurnsImagesOff),
    }
}

/// The storage credentials test (`POST /configs/storage/test` or `/configs/file-storage/test`)
/// for the provider `view` is set to (`GET /configs/storage` as the console shows it). The
/// server tests the values sent and resolves no masked one, so every secret of that provider's
/// group that is set must be typed (`typed`: dotted path → value); the paths still missing are
/// the error.
pub fn storage_probe(
    file: bool,
    view: &Value,
    typed: &[(String, String)],
) -> Result<Probe, Vec<String>> {
    let provider = view["provider"].as_str().unwrap_or("local").to_owned();
    let mut body = json!({"provider": provider});
    let mut missing = Vec::new();
    if let Some(group) = view.get(&provider).and_then(Value::as_object) {
        let mut sent = serde_json::Map::new();
        for (field, value) in group {
            let path = format!("{provider}.{field}");
            let typed_value = typed.iter().find(|(p, _)| *p == path).map(|(_, v)| v);
            let value = match (typed_value, value) {
                (Some(v), _) => Value::String(v.clone()),
                (None, Value::String(s)) if is_secret_name(field) && hides_a_secret(s) => {
                    missing.push(path);
                    continue;
                }
                (None, other) => other.clone(),
            };
            sent.insert(field.clone(), value);
        }
        body[&provider] = Value::Object(sent);
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let reaches = match provider.as_str() {
        "s3" => format!(
            "s3://{}",
            view["s3"]["bucket_name"].as_str().unwrap_or_default()
        ),
        "azure" => view["azure"]["endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        "gcs" => format!(
            "gs://{}",
            view["gcs"]["bucket_name"].as_str().unwrap_or_default()
        ),
        other => other.to_owned(),
    };
    Ok(Probe {
        path: if file {
            "api/v1/configs/file-storage/test"
        } else {
            "api/v1/configs/storage/test"
        },
        get: false,
        body,
        reaches,
        caveat: None,
    })
}

#[cfg(test)]
mod storage_tests {
    use super::*;

    fn s3() -> Value {
        json!({"image_upload_mode": "storage", "provider": "s3",
               "s3": {"bucket_name": "imgs", "region_name": "us-east-1", "endpoint_url": "",
                      "access_key_id": "***********0001", "secret_access_key": "**************0001",
                      "key_prefix": ""},
               "azure": {"endpoint": "", "container_name": "", "storage_key": ""}})
    }

    #[test]
    fn every_set_secret_of_the_provider_must_be_typed() {
        let missing = storage_probe(false, &s3(), &[]).expect_err("masked");
        assert_eq!(missing, ["s3.access_key_id", "s3.secret_access_key"]);
        let typed = [
            ("s3.access_key_id".to_owned(), "AKIA1".to_owned()),
            ("s3.secret_access_key".to_owned(), "shh".to_owned()),
        ];
        let probe = storage_probe(false, &s3(), &typed).expect("typed");
        assert_eq!(probe.path, "api/v1/configs/storage/test");
        assert_eq!(probe.body["s3"]["access_key_id"], "AKIA1");
        assert_eq!(probe.body["s3"]["bucket_name"], "imgs");
        assert!(
            probe.body.get("azure").is_none(),
            "only the provider's group"
        );
        assert_eq!(probe.reaches, "s3://imgs");
    }

    #[test]
    fn local_storage_needs_nothing() {
        let probe = storage_probe(true, &json!({"provider": "local"}), &[]).expect("local");
        assert_eq!(probe.path, "api/v1/configs/file-storage/test");
        assert_eq!(probe.body, json!({"provider": "local"}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openai() -> Value {
        json!({
            "OPENAI_API_BASE_URLS": ["https://api.openai.com/v1", "https://corp.openai.azure.com", "https://x"],
            "OPENAI_API_KEYS": ["*****0009", "*****0010", ""],
            "OPENAI_API_CONFIGS": {
                "1": {"provider_type": "azure-openai", "api_version": "2024-10-21"},
                "2": {"provider_type": "vertex-ai", "project_id": "p", "service_account_key": "****abcd"}
            }
        })
    }

    #[test]
    fn each_provider_type_has_its_own_endpoint_and_the_key_goes_masked_with_its_index() {
        let plain = openai_probe(&openai(), 0).expect("0");
        assert_eq!(plain.path, "openai/verify");
        assert_eq!(plain.body["key"], "*****0009");
        assert_eq!(plain.body["idx"], 0);
        let azure = openai_probe(&openai(), 1).expect("1");
        assert_eq!(azure.path, "openai/verify/azure-openai");
        assert_eq!(azure.body["api_version"], "2024-10-21");
        let vertex = openai_probe(&openai(), 2).expect("2");
        assert_eq!(vertex.path, "openai/verify/vertex-ai");
        assert_eq!(vertex.body["location"], "us-central1");
        assert_eq!(vertex.body["service_account_key"], "****abcd");
        assert_eq!(openai_probe(&openai(), 3), None);
    }

    #[test]
    fn an_ollama_key_is_withheld_and_said_so() {
        let config = json!({"OLLAMA_BASE_URLS": ["http://a", "http://b"],
                            "OLLAMA_API_CONFIGS": {"1": {"key": "****beef"}}});
        let a = ollama_probe(&config, 0).expect("a");
        assert_eq!(a.body, json!({"url": "http://a"}));
        assert_eq!(a.caveat, None);
        let b = ollama_probe(&config, 1).expect("b");
        assert_eq!(b.caveat, Some(ProbeCaveat::KeyWithheld));
        assert!(b.body.get("key").is_none(), "a masked key is never sent");
    }

    #[test]
    fn the_pgvector_test_sends_the_form_as_read_without_its_status() {
        let read = json!({"status": true, "pgvector_host": "db", "pgvector_port": 5432,
                          "pgvector_database": "rag", "pgvector_password": "****word"});
        let probe = pgvector_probe(&read);
        assert!(probe.body.get("status").is_none());
        assert_eq!(probe.reaches, "db:5432/rag");
    }

    #[test]
    fn the_image_probe_names_the_engine_url_and_its_side_effect() {
        let images =
            json!({"engine": "comfyui", "comfyui": {"COMFYUI_BASE_URL": "http://comfy:8188"}});
        let probe = image_url_probe(&images);
        assert!(probe.get);
        assert_eq!(probe.reaches, "http://comfy:8188");
        assert_eq!(probe.caveat, Some(ProbeCaveat::FailureTurnsImagesOff));
    }
}
