//! System Settings against a sandbox process: each endpoint that stores a masked secret
//! literally is edited through the console with its secret intact, a write that would lose a
//! secret is refused with nothing sent, and over random sequences of edits to other fields every
//! secret stays what it was.

use cloo_console::settings::SettingsChange;
use cloo_console::{ConsoleError, ErrorCode, Observer, Target};
use cloo_domain::Secret;
use cloo_domain::settings::{Edit, NewSecret, SECTIONS, editable_view, get_path, is_secret_name};
use cloo_tests::SandboxProcess;
use serde_json::{Value, json};

/// The stored value of a setting, unmasked (the sandbox's test hook).
async fn stored(sandbox: &SandboxProcess, name: &str) -> Value {
    reqwest::get(format!("{}/_sandbox/stored_setting/{name}", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json")
}

async fn version(sandbox: &SandboxProcess) -> i64 {
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .config_version(&token)
        .await
        .expect("version")
}

/// Writes real secrets straight to the deployment, as an admin would in the web panel.
async fn plant_secrets(sandbox: &SandboxProcess) {
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    for (path, body) in [
        (
            "api/v1/configs/tool_servers",
            json!({"TOOL_SERVER_CONNECTIONS": [
                {"url": "https://tools.example/jira", "path": "openapi.json", "auth_type": "bearer",
                 "key": "tool-bearer-real-9f3a", "config": {"enable": true, "access_control": null}},
                {"url": "https://tools.example/wiki", "path": "openapi.json", "auth_type": "session",
                 "key": "", "config": {"enable": true, "access_control": null}}]}),
        ),
        (
            "api/v1/configs/storage",
            json!({"image_upload_mode": "storage", "provider": "s3",
                   "s3": {"bucket_name": "imgs", "region_name": "ap-northeast-2", "endpoint_url": "",
                          "access_key_id": "AKIAREALKEY0001", "secret_access_key": "s3-secret-real-0001",
                          "key_prefix": ""}}),
        ),
        (
            "api/v1/configs/file-storage",
            json!({"provider": "s3",
                   "s3": {"bucket_name": "files", "region_name": "ap-northeast-2", "endpoint_url": "",
                          "access_key_id": "AKIAFILEKEY0002", "secret_access_key": "s3-secret-file-0002",
                          "key_prefix": ""}}),
        ),
        (
            "api/v1/retrieval/config/update",
            json!({"CHUNK_SIZE": 1000, "MISTRAL_OCR_API_KEY": "mistral-real-0003",
                   "web": {"ENABLE_WEB_SEARCH": true, "WEB_SEARCH_ENGINE": "sougou", "WEB_SEARCH_RESULT_COUNT": 3,
                           "BRAVE_SEARCH_API_KEY": "", "TAVILY_API_KEY": "tavily-real-0004",
                           "SOUGOU_API_SID": "sid-1", "SOUGOU_API_SK": "sougou-real-0005"}}),
        ),
        (
            "api/v1/configs/code_execution",
            json!({"ENABLE_CODE_EXECUTION": true, "CODE_EXECUTION_ENGINE": "jupyter",
                   "CODE_EXECUTION_JUPYTER_URL": "http://jupyter:8888", "CODE_EXECUTION_JUPYTER_AUTH": "token",
                   "CODE_EXECUTION_JUPYTER_AUTH_TOKEN": "jupyter-token-0006",
                   "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD": "pw7", "CODE_EXECUTION_JUPYTER_TIMEOUT": 60}),
        ),
        (
            "ollama/config/update",
            json!({"ENABLE_OLLAMA_API": true, "OLLAMA_BASE_URLS": ["http://ollama-a:11434", "http://ollama-b:11434"],
                   "OLLAMA_API_CONFIGS": {"0": {"enable": true, "key": ""}, "1": {"enable": true, "key": "ollama-key-0008"}}}),
        ),
        (
            "api/v1/auths/admin/config/ldap/server",
            json!({"label": "Corp AD", "host": "ldap.corp.example", "port": 636, "attribute_for_mail": "mail",
                   "attribute_for_username": "sAMAccountName", "app_dn": "cn=svc,dc=corp", "app_dn_password": "ldap-bind-0011",
                   "search_base": "dc=corp", "search_filters": "", "use_tls": true, "certificate_path": null, "ciphers": "ALL"}),
        ),
        (
            "api/v1/configs/google_cloud",
            json!({"GOOGLE_CLOUD_ENABLED": true, "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY": "{\"type\":\"service_account\",\"k\":\"gcp-0012\"}"}),
        ),
        (
            "api/v1/audio/config/update",
            json!({"tts": {"OPENAI_API_BASE_URL": "https://api.openai.com/v1", "OPENAI_API_KEY": "tts-key-real-0013",
                           "API_KEY": "", "ENGINE": "openai", "MODEL": "tts-1", "VOICE": "alloy", "SPLIT_ON": "punctuation",
                           "AZURE_SPEECH_REGION": "", "AZURE_SPEECH_OUTPUT_FORMAT": ""},
                   "stt": {"OPENAI_API_BASE_URL": "", "OPENAI_API_KEY": "", "ENGINE": "deepgram", "MODEL": "nova-2",
                           "WHISPER_MODEL": "base", "DEEPGRAM_API_KEY": "deepgram-real-0014", "AZURE_API_KEY": "",
                           "AZURE_REGION": "", "AZURE_LOCALES": ""},
                   "avatar": {"ENGINE": "azure", "API_KEY": "avatar-real-0015", "REGION": "koreacentral",
                              "CHARACTER": "lisa", "STYLE": "casual-sitting", "GREETING": "안녕하세요"}}),
        ),
        (
            "api/v1/configs/banners",
            json!({"banners": [{"id": "b1", "type": "info", "title": "Maintenance", "content": "Saturday 02:00",
                                "dismissible": true, "timestamp": 1_700_000_000}]}),
        ),
        (
            "api/v1/retrieval/embedding/update",
            json!({"embedding_engine": "openai", "embedding_model": "text-embedding-3-small",
                   "embedding_batch_size": 8, "embedding_dimensions": 0,
                   "openai_config": {"url": "https://api.openai.com/v1", "key": "emb-openai-real-0016"},
                   "ollama_config": {"url": "", "key": ""},
                   "azure_openai_config": {"url": "", "key": "", "version": ""},
                   "gemini_config": {"key": ""},
                   "vertex_ai_config": {"project_id": "", "location": "", "service_account_key": ""}}),
        ),
        (
            "api/v1/images/config/update",
            json!({"enabled": true, "engine": "openai", "prompt_generation": true,
                   "openai": {"OPENAI_API_BASE_URL": "https://api.openai.com/v1", "OPENAI_API_KEY": "img-openai-real-0017"},
                   "automatic1111": {"AUTOMATIC1111_BASE_URL": "http://a1111:7860", "AUTOMATIC1111_API_AUTH": "user:pass-0018",
                                     "AUTOMATIC1111_CFG_SCALE": 7.0, "AUTOMATIC1111_SAMPLER": "Euler a",
                                     "AUTOMATIC1111_SCHEDULER": null},
                   "comfyui": {"COMFYUI_BASE_URL": "http://comfy:8188", "COMFYUI_API_KEY": "comfy-real-0019",
                               "COMFYUI_WORKFLOW": "{}", "COMFYUI_WORKFLOW_NODES": []},
                   "gemini": {"GEMINI_API_BASE_URL": "", "GEMINI_API_KEY": ""}}),
        ),
        (
            "api/v1/images/connections/config/update",
            json!({"IMAGE_API_URLS": ["https://img-a.example", "https://img-b.example"],
                   "IMAGE_API_KEYS": ["img-key-a-0020", "img-key-b-0021"],
                   "IMAGE_API_CONFIGS": {"0": {"enable": true, "engine": "openai", "name": "A",
                                               "model": "dall-e-3", "size": "1024x1024"}}}),
        ),
        (
            "openai/config/update",
            json!({"ENABLE_OPENAI_API": true,
                   "OPENAI_API_BASE_URLS": ["https://api.openai.com/v1", "https://aoai.example"],
                   "OPENAI_API_KEYS": ["sk-openai-real-0009", "aoai-real-0010"],
                   "OPENAI_API_CONFIGS": {"0": {"enable": true}, "1": {"enable": true}}}),
        ),
    ] {
        client
            .write_settings_section(&token, path, &body)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

/// Every planted secret, where the sandbox stores it, and its real value.
async fn secrets_now(sandbox: &SandboxProcess) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for name in [
        "TOOL_SERVER_CONNECTIONS",
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "FILE_S3_ACCESS_KEY_ID",
        "FILE_S3_SECRET_ACCESS_KEY",
        "MISTRAL_OCR_API_KEY",
        "TAVILY_API_KEY",
        "SOUGOU_API_SK",
        "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
        "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
        "OLLAMA_API_CONFIGS",
        "OPENAI_API_KEYS",
        "LDAP_APP_PASSWORD",
        "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY",
        "AUDIO_TTS_OPENAI_API_KEY",
        "DEEPGRAM_API_KEY",
        "AUDIO_AVATAR_API_KEY",
        "RAG_OPENAI_API_KEY",
        "IMAGES_OPENAI_API_KEY",
        "AUTOMATIC1111_API_AUTH",
        "COMFYUI_API_KEY",
        "IMAGE_API_KEYS",
    ] {
        let v = stored(sandbox, name).await;
        let v = match name {
            "TOOL_SERVER_CONNECTIONS" => json!(
                v.as_array()
                    .map(|a| a.iter().map(|c| c["key"].clone()).collect::<Vec<_>>())
            ),
            "OLLAMA_API_CONFIGS" => json!([v["0"]["key"], v["1"]["key"]]),
            _ => v,
        };
        out.push((name.to_owned(), v));
    }
    out
}

fn edit(path: &str, value: Value) -> Edit {
    Edit {
        path: path.into(),
        value,
    }
}

fn secret(path: &str, value: &str) -> NewSecret {
    NewSecret {
        path: path.into(),
        value: Secret::new(value),
    }
}

async fn set(
    console: &cloo_console::Console,
    target: &Target,
    section: &str,
    edits: &[Edit],
    secrets: &[NewSecret],
) -> Result<SettingsChange, ConsoleError> {
    console
        .settings()
        .set_section(target, section, edits, secrets, &Observer::quiet())
        .await
}

#[tokio::test]
async fn each_literal_storing_endpoint_keeps_its_secret_through_console_edits() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    plant_secrets(&sandbox).await;
    let planted = secrets_now(&sandbox).await;
    assert_eq!(
        planted[0].1,
        json!(["tool-bearer-real-9f3a", ""]),
        "the planted tool key is stored"
    );

    // Tool servers: the POST stores keys as sent, so an edit needs every masked key typed again.
    let before = version(&sandbox).await;
    let refused = set(
        &console,
        &target,
        "tool_servers",
        &[edit(
            "TOOL_SERVER_CONNECTIONS.1.url",
            json!("https://tools.example/kb"),
        )],
        &[],
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.code(), ErrorCode::SecretWouldBeLost);
    assert!(refused.code().is_guard());
    assert_eq!(
        refused.view().field.as_deref(),
        Some("TOOL_SERVER_CONNECTIONS.0.key")
    );
    assert_eq!(version(&sandbox).await, before, "nothing was sent");
    let change = set(
        &console,
        &target,
        "tool_servers",
        &[edit(
            "TOOL_SERVER_CONNECTIONS.1.url",
            json!("https://tools.example/kb"),
        )],
        &[secret(
            "TOOL_SERVER_CONNECTIONS.0.key",
            "tool-bearer-real-9f3a",
        )],
    )
    .await
    .expect("written with the key typed again");
    assert!(change.differences.is_empty(), "{:?}", change.differences);
    assert_eq!(
        stored(&sandbox, "TOOL_SERVER_CONNECTIONS").await[1]["url"],
        "https://tools.example/kb"
    );

    // Image and file storage: a top-level edit leaves the S3 group (and its literal key id) out.
    for (section, key_id) in [
        ("storage", "S3_ACCESS_KEY_ID"),
        ("file_storage", "FILE_S3_ACCESS_KEY_ID"),
    ] {
        let change = set(
            &console,
            &target,
            section,
            &[edit("provider", json!("local"))],
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{section}: {e}"));
        assert_eq!(change.changed, vec!["provider"]);
        assert_eq!(
            stored(
                &sandbox,
                &format!(
                    "{}STORAGE_PROVIDER",
                    if section == "storage" { "" } else { "FILE_" }
                )
            )
            .await,
            "local"
        );
        // Touching the S3 group needs its secrets typed again.
        let refused = set(
            &console,
            &target,
            section,
            &[edit("s3.bucket_name", json!("other"))],
            &[],
        )
        .await
        .expect_err("refused");
        assert_eq!(refused.code(), ErrorCode::SecretWouldBeLost, "{section}");
        assert!(
            stored(&sandbox, key_id)
                .await
                .as_str()
                .is_some_and(|k| k.starts_with("AKIA"))
        );
    }

    // Documents: a chunking edit leaves `web` (and its literal SOUGOU key) out entirely.
    let change = set(
        &console,
        &target,
        "retrieval",
        &[edit("CHUNK_SIZE", json!(800))],
        &[],
    )
    .await
    .expect("chunk size");
    assert_eq!(change.changed, vec!["CHUNK_SIZE"]);
    assert_eq!(stored(&sandbox, "CHUNK_SIZE").await, 800);
    // Web search: the whole `web` group goes, so its SOUGOU key must be typed again.
    let refused = set(
        &console,
        &target,
        "web",
        &[edit("WEB_SEARCH_RESULT_COUNT", json!(5))],
        &[],
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.view().field.as_deref(), Some("SOUGOU_API_SK"));
    set(
        &console,
        &target,
        "web",
        &[edit("WEB_SEARCH_RESULT_COUNT", json!(5))],
        &[secret("SOUGOU_API_SK", "sougou-real-0005")],
    )
    .await
    .expect("web written");
    assert_eq!(stored(&sandbox, "WEB_SEARCH_RESULT_COUNT").await, 5);

    // Code execution: a secret of three characters or fewer reads back as `***`, which the
    // server would store; the write is refused until it is typed.
    let refused = set(
        &console,
        &target,
        "code_execution",
        &[edit("CODE_EXECUTION_JUPYTER_TIMEOUT", json!(120))],
        &[],
    )
    .await
    .expect_err("short secret");
    assert_eq!(
        refused.view().field.as_deref(),
        Some("CODE_EXECUTION_JUPYTER_AUTH_PASSWORD")
    );
    set(
        &console,
        &target,
        "code_execution",
        &[edit("CODE_EXECUTION_JUPYTER_TIMEOUT", json!(120))],
        &[secret("CODE_EXECUTION_JUPYTER_AUTH_PASSWORD", "pw7")],
    )
    .await
    .expect("written");

    // Ollama: keys resolve by index, so swapping URLs would attach the key to the other server.
    let refused = set(
        &console,
        &target,
        "ollama",
        &[edit(
            "OLLAMA_BASE_URLS",
            json!(["http://ollama-b:11434", "http://ollama-a:11434"]),
        )],
        &[],
    )
    .await
    .expect_err("would move");
    assert_eq!(refused.code(), ErrorCode::SecretWouldBeLost);

    assert_eq!(
        secrets_now(&sandbox).await,
        planted,
        "every secret unchanged"
    );
    // The journal holds the masked forms only.
    let page = console
        .journal()
        .list(&cloo_console::journal::JournalQuery::default())
        .await
        .expect("journal");
    let text = serde_json::to_string(&page.entries).expect("json");
    for real in [
        "tool-bearer-real-9f3a",
        "sougou-real-0005",
        "pw7\"",
        "AKIAREALKEY0001",
    ] {
        assert!(!text.contains(real), "{real} is in the journal");
    }
    assert!(
        page.entries
            .iter()
            .any(|e| e.operation == "settings.set" && e.outcome == "refused")
    );
}

/// A small deterministic generator (xorshift), so a failing sequence can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Leaf fields of a section that are not secrets, with a new value of the same type.
fn editable_leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if is_secret_name(k) {
                    continue;
                }
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                editable_leaves(&p, x, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                editable_leaves(&format!("{prefix}.{i}"), x, out);
            }
        }
        Value::Bool(b) => out.push((prefix.to_owned(), json!(!b))),
        Value::Number(n) => out.push((prefix.to_owned(), json!(n.as_i64().unwrap_or(1) + 1))),
        Value::String(s) if !prefix.ends_with("URLS") => {
            out.push((prefix.to_owned(), json!(format!("{s}x"))))
        }
        _ => {}
    }
}

#[tokio::test]
async fn over_random_edits_of_other_fields_every_secret_stays() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    plant_secrets(&sandbox).await;
    let planted = secrets_now(&sandbox).await;
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    let sections: Vec<_> = SECTIONS
        .iter()
        .filter(|s| {
            [
                "tool_servers",
                "storage",
                "file_storage",
                "retrieval",
                "web",
                "code_execution",
                "ollama",
                "openai",
                "search_engine",
                "tasks",
                "direct_connections",
                "ldap_server",
                "google_cloud",
                "webhook",
                "audio",
                "banners",
                "embedding",
                "images",
                "image_connections",
                "google_integration",
            ]
            .contains(&s.key)
        })
        .collect();
    let (mut written, mut refused) = (0, 0);
    for seed in 1..=60u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let section = sections[rng.below(sections.len())];
        let answer = client
            .settings_section(&token, section.read)
            .await
            .expect("read");
        let mut leaves = Vec::new();
        editable_leaves("", &editable_view(section, &answer), &mut leaves);
        if leaves.is_empty() {
            continue;
        }
        let edits: Vec<Edit> = (0..1 + rng.below(3))
            .map(|_| {
                let (path, value) = leaves[rng.below(leaves.len())].clone();
                edit(&path, value)
            })
            .collect();
        match set(&console, &target, section.key, &edits, &[]).await {
            Ok(change) => {
                written += 1;
                let after = client
                    .settings_section(&token, section.read)
                    .await
                    .expect("read");
                for e in &edits {
                    // settings.md: Google Cloud reads as enabled whenever a key is stored, so
                    // turning it off with the key kept cannot read back off.
                    let computed =
                        section.key == "google_cloud" && e.path == "GOOGLE_CLOUD_ENABLED";
                    if !computed && edits.iter().filter(|x| x.path == e.path).count() == 1 {
                        // The server converts some values silently (a cfg scale to a float).
                        let stored_as = cloo_domain::settings::field_rules::as_stored(
                            section.key,
                            &e.path,
                            e.value.clone(),
                        );
                        assert_eq!(
                            get_path(&editable_view(section, &after), &e.path),
                            Some(&stored_as),
                            "seed {seed}: {} {} ({:?})",
                            section.key,
                            e.path,
                            change.changed
                        );
                    }
                }
            }
            Err(e) => {
                // The embedding settings other than engine and model are refused (validation)
                // once a random edit has made the engine a local one: the server would ignore
                // them. Every other refusal is a secret that would be lost.
                let ignored = section.key == "embedding" && e.code() == ErrorCode::Validation;
                assert!(
                    ignored || e.code() == ErrorCode::SecretWouldBeLost,
                    "seed {seed}: {}: {e}",
                    section.key
                );
                refused += 1;
            }
        }
        assert_eq!(
            secrets_now(&sandbox).await,
            planted,
            "seed {seed}: a secret changed after an edit of {} ({edits:?})",
            section.key
        );
    }
    assert!(
        written >= 20 && refused >= 5,
        "written {written}, refused {refused}"
    );
}

#[tokio::test]
async fn clooctl_reads_a_tab_and_refuses_with_exit_3_until_the_secret_is_typed_on_stdin() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let cli = cloo_tests::Clooctl::new("cli-settings");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);

    let got = cli.run(&["settings", "get", "tools", "-o", "json"], "");
    assert_eq!(got.code, 0, "{}", got.stderr);
    let sections = got.json();
    assert_eq!(sections[0]["key"], "tool_servers");
    assert_eq!(
        sections[0]["values"]["TOOL_SERVER_CONNECTIONS"][0]["key"], "*****************9f3a",
        "shown masked"
    );
    assert_eq!(
        sections[0]["secrets"][0]["on_masked_write"],
        "stores_literally"
    );
    let table = cli.run(&["settings", "get", "tools"], "");
    assert!(
        table
            .stdout
            .contains("TOOL_SERVER_CONNECTIONS.0.key = \"*****************9f3a\"  (secret; any write of it needs the real value)"),
        "{}",
        table.stdout
    );

    let refused = cli.run(
        &[
            "settings",
            "set",
            "tool_servers",
            "TOOL_SERVER_CONNECTIONS.1.path=spec.json",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    let error: Value = serde_json::from_str(refused.stderr.trim()).expect("one JSON error");
    assert_eq!(error["error"]["code"], "secret_would_be_lost");
    assert_eq!(
        error["error"]["refusals"][0]["path"],
        "TOOL_SERVER_CONNECTIONS.0.key"
    );
    assert_eq!(error["error"]["refusals"][0]["because"], "stores_literally");

    let written = cli.run(
        &[
            "settings",
            "set",
            "tool_servers",
            "TOOL_SERVER_CONNECTIONS.1.path=spec.json",
            "--secret",
            "TOOL_SERVER_CONNECTIONS.0.key",
            "--yes",
        ],
        "tool-bearer-rotated-77aa\n",
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(
        written.stdout.contains(
            "tool_servers.TOOL_SERVER_CONNECTIONS.1.path: \"openapi.json\" -> \"spec.json\""
        ),
        "{}",
        written.stdout
    );
    assert!(
        !written.stdout.contains("rotated"),
        "the typed secret is never printed"
    );
    let keys = stored(&sandbox, "TOOL_SERVER_CONNECTIONS").await;
    assert_eq!(keys[0]["key"], "tool-bearer-rotated-77aa");
    assert_eq!(keys[1]["path"], "spec.json");

    let bad = cli.run(&["settings", "get", "nope"], "");
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("no settings tab \"nope\""),
        "{}",
        bad.stderr
    );
}

#[tokio::test]
async fn the_general_tab_is_written_through_the_console_and_silent_server_rules_are_refused_first()
{
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    plant_secrets(&sandbox).await;
    let tab = console
        .settings()
        .get_tab(&target, cloo_domain::settings::Tab::General)
        .await
        .expect("general");
    let keys: Vec<&str> = tab.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["admin_config", "ldap", "webhook", "ldap_server"]);
    assert!(
        tab.sections.iter().all(|s| s.error.is_none()),
        "{:?}",
        tab.sections
    );
    assert_eq!(tab.sections[3].values["app_dn_password"], "**********0011");

    // Sign-up off through the admin config (13 required fields sent whole).
    let change = set(
        &console,
        &target,
        "admin_config",
        &[edit("ENABLE_SIGNUP", json!(false))],
        &[],
    )
    .await
    .expect("sign-up off");
    assert_eq!(change.changed, vec!["ENABLE_SIGNUP"]);
    assert_eq!(change.after["ENABLE_SIGNUP"], false);
    assert_eq!(stored(&sandbox, "ENABLE_SIGNUP").await, false);

    // Values the server would silently ignore are refused before anything is sent.
    let before = version(&sandbox).await;
    for (field, value) in [
        ("JWT_EXPIRES_IN", json!("forever")),
        ("DEFAULT_USER_ROLE", json!("owner")),
        ("DEFAULT_USER_ROLE", json!("user:group:no-such-group")),
    ] {
        let refused = set(
            &console,
            &target,
            "admin_config",
            &[edit(field, value.clone())],
            &[],
        )
        .await
        .expect_err("refused");
        assert_eq!(refused.code(), ErrorCode::Validation, "{field} {value}");
        assert_eq!(refused.view().field.as_deref(), Some(field));
    }
    assert_eq!(version(&sandbox).await, before, "nothing was sent");
    set(
        &console,
        &target,
        "admin_config",
        &[edit("JWT_EXPIRES_IN", json!("4w"))],
        &[],
    )
    .await
    .expect("a real duration");
    assert_eq!(stored(&sandbox, "JWT_EXPIRES_IN").await, "4w");

    // LDAP: the renamed switch, and the server settings with the bind password kept.
    set(
        &console,
        &target,
        "ldap",
        &[edit("ENABLE_LDAP", json!(true))],
        &[],
    )
    .await
    .expect("ldap on");
    assert_eq!(stored(&sandbox, "ENABLE_LDAP").await, true);
    let change = set(
        &console,
        &target,
        "ldap_server",
        &[edit("host", json!("ldap2.corp.example"))],
        &[],
    )
    .await
    .expect("host");
    assert_eq!(change.kept_masked, vec!["app_dn_password"]);
    assert_eq!(
        stored(&sandbox, "LDAP_APP_PASSWORD").await,
        "ldap-bind-0011"
    );
    assert_eq!(
        stored(&sandbox, "LDAP_SERVER_HOST").await,
        "ldap2.corp.example"
    );
}

#[tokio::test]
async fn settings_as_code_round_trips_one_edited_key_and_refuses_a_stale_plan() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let cli = cloo_tests::Clooctl::new("cli-settings-code");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let dir = tempfile::tempdir().expect("dir");

    let exported = cli.run(&["settings", "export"], "");
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let mut document: Value = serde_json::from_str(&exported.stdout).expect("a JSON document");
    for real in [
        "tool-bearer-real-9f3a",
        "sougou-real-0005",
        "AKIAREALKEY0001",
        "ldap-bind-0011",
    ] {
        assert!(!exported.stdout.contains(real), "{real} in the export");
    }
    assert!(!exported.stdout.contains("***"), "no masked value either");
    assert_eq!(
        document["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"],
        "keep"
    );

    // The export planned as is changes nothing (exit 0).
    let file = dir.path().join("settings.json");
    std::fs::write(&file, &exported.stdout).expect("write");
    let same = cli.run(&["settings", "plan", file.to_str().expect("utf-8")], "");
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert!(same.stdout.contains("no changes"), "{}", same.stdout);

    // One key edited: the plan shows exactly that key (exit 1), applies, and a new export
    // equals the edited document.
    document["documents"]["CHUNK_SIZE"] = json!(640);
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&document).expect("json"),
    )
    .expect("write");
    let plan_file = dir.path().join("plan.json");
    let planned = cli.run(
        &[
            "settings",
            "plan",
            file.to_str().expect("utf-8"),
            "--out",
            plan_file.to_str().expect("utf-8"),
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    let plan = planned.json();
    assert_eq!(
        plan["keys"],
        json!([{"key": "documents.CHUNK_SIZE", "before": 1000, "after": 640}])
    );
    let plan_text = std::fs::read_to_string(&plan_file).expect("plan file");
    assert!(!plan_text.contains("real-"), "no secret in the plan file");
    let applied = cli.run(
        &["settings", "apply", plan_file.to_str().expect("utf-8")],
        "",
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stdout.contains("retrieval.CHUNK_SIZE: 1000 -> 640"),
        "{}",
        applied.stdout
    );
    let again: Value =
        serde_json::from_str(&cli.run(&["settings", "export"], "").stdout).expect("json");
    let strip = |mut d: Value| {
        d.as_object_mut().expect("object").remove("version");
        d
    };
    assert_eq!(strip(again), strip(document.clone()));
    assert_eq!(
        secrets_now(&sandbox).await[0].1,
        json!(["tool-bearer-real-9f3a", ""])
    );

    // A plan made, then the deployment changed by someone else: refused, exit 3, nothing written.
    document["documents"]["CHUNK_SIZE"] = json!(320);
    std::fs::write(&file, serde_json::to_string(&document).expect("json")).expect("write");
    let planned = cli.run(
        &[
            "settings",
            "plan",
            file.to_str().expect("utf-8"),
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    let id = planned.json()["id"].as_str().expect("id").to_owned();
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/configs/direct_connections",
            &json!({"ENABLE_DIRECT_CONNECTIONS": false}),
        )
        .await
        .expect("someone else's change");
    let before = version(&sandbox).await;
    let stale = cli.run(&["settings", "apply", &id, "-o", "json"], "");
    assert_eq!(stale.code, 3, "{}", stale.stderr);
    assert!(stale.stderr.contains("stale_plan"), "{}", stale.stderr);
    assert_eq!(version(&sandbox).await, before, "nothing written");
    assert_eq!(stored(&sandbox, "CHUNK_SIZE").await, 640);
    let journal = cli.run(
        &["journal", "list", "--outcome", "refused", "-o", "json"],
        "",
    );
    assert_eq!(journal.code, 0, "{}", journal.stderr);
    let refusals = journal.json();
    assert!(
        refusals
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["operation"] == "settings.apply_plan"
                && e["error_code"] == "stale_plan"
                && e["plan_id"] == id.as_str()),
        "the stale refusal is journaled: {refusals}"
    );

    // A document holding a real secret is refused at its JSON path.
    document["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"] = json!("pasted-real-token");
    std::fs::write(&file, serde_json::to_string(&document).expect("json")).expect("write");
    let refused = cli.run(&["settings", "plan", file.to_str().expect("utf-8")], "");
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("$.tools.TOOL_SERVER_CONNECTIONS[0].key"),
        "{}",
        refused.stderr
    );
}

#[tokio::test]
async fn a_diff_of_two_sandboxes_finds_exactly_the_planted_differences() {
    let a = SandboxProcess::start(&[]).expect("sandbox a");
    let b = SandboxProcess::start(&[]).expect("sandbox b");
    plant_secrets(&a).await;
    plant_secrets(&b).await;
    // Planted: a chunk size, a tool server key with another tail, and a code-execution password
    // of three characters on both (unknown: `***` tells nothing).
    let token = b.admin_token().await;
    let client = b.client();
    client
        .write_settings_section(
            &token,
            "api/v1/retrieval/config/update",
            &json!({"CHUNK_SIZE": 512}),
        )
        .await
        .expect("chunk size");
    client
        .write_settings_section(
            &token,
            "api/v1/configs/tool_servers",
            &json!({"TOOL_SERVER_CONNECTIONS": [
                {"url": "https://tools.example/jira", "path": "openapi.json", "auth_type": "bearer",
                 "key": "another-bearer-real-7c1d", "config": {"enable": true, "access_control": null}},
                {"url": "https://tools.example/wiki", "path": "openapi.json", "auth_type": "session",
                 "key": "", "config": {"enable": true, "access_control": null}}]}),
        )
        .await
        .expect("tool key");
    let cli = cloo_tests::Clooctl::new("cli-settings-diff");
    assert_eq!(cli.add_tenant(&a, "a", &[]).code, 0);
    assert_eq!(cli.add_tenant(&b, "b", &[]).code, 0);
    let diff = cli.run(&["settings", "diff", "a", "b", "-o", "json"], "");
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let report = diff.json();
    assert_eq!(report["tenants"], json!(["a", "b"]));
    let rows: Vec<(String, String)> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap_or_default().to_owned(),
                r["verdict"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("general.ldap_server.app_dn_password", "same_tail"),
        ("connections.OPENAI_API_KEYS.0", "same_tail"),
        ("connections.OPENAI_API_KEYS.1", "same_tail"),
        ("connections.OLLAMA_API_CONFIGS.1.key", "same_tail"),
        ("connections.GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY", "same_tail"),
        ("connections.storage.s3.access_key_id", "same_tail"),
        ("connections.storage.s3.secret_access_key", "same_tail"),
        ("connections.file_storage.s3.access_key_id", "same_tail"),
        ("connections.file_storage.s3.secret_access_key", "same_tail"),
        ("documents.DOCUMENT_INTELLIGENCE_KEY", "same"),
        ("documents.MISTRAL_OCR_API_KEY", "same_tail"),
        ("documents.CHUNK_SIZE", "differs"),
        ("web_search.TAVILY_API_KEY", "same_tail"),
        ("web_search.SOUGOU_API_SK", "same_tail"),
        (
            "code_execution.CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
            "same_tail",
        ),
        (
            "code_execution.CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
            "unknown",
        ),
        ("tools.TOOL_SERVER_CONNECTIONS.0.key", "differs"),
        ("audio.tts.OPENAI_API_KEY", "same_tail"),
        ("audio.stt.DEEPGRAM_API_KEY", "same_tail"),
        ("audio.avatar.API_KEY", "same_tail"),
        ("documents.openai_config.key", "same_tail"),
        ("images.openai.OPENAI_API_KEY", "same_tail"),
        ("images.automatic1111.AUTOMATIC1111_API_AUTH", "same_tail"),
        ("images.comfyui.COMFYUI_API_KEY", "same_tail"),
        ("images.IMAGE_API_KEYS.0", "same_tail"),
        ("images.IMAGE_API_KEYS.1", "same_tail"),
    ]
    .into_iter()
    .filter(|(_, v)| *v != "same")
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut got = rows.clone();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    // Identical settings: secrets show as same tail, and the exit code says no drift.
    let same = cli.run(&["settings", "diff", "a", "a", "--tab", "web_search"], "");
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert!(same.stdout.contains("same tail"), "{}", same.stdout);
    // Only the tools tab: just its key.
    let tools = cli.run(&["settings", "diff", "a", "b", "--tab", "tools"], "");
    assert_eq!(tools.code, 1);
    assert!(
        tools.stdout.contains("TOOL_SERVER_CONNECTIONS.0.key"),
        "{}",
        tools.stdout
    );
    assert!(!tools.stdout.contains("CHUNK_SIZE"), "{}", tools.stdout);
}

#[tokio::test]
async fn a_delegated_reader_sees_the_delegated_sections_read_only_and_cannot_write() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    let password = Secret::new("Delegated-Reader-1");
    let reader = client
        .add_user(
            &token,
            &cloo_api::AddUserForm {
                name: "Settings Reader",
                email: "reader@example.com",
                password: &password,
                role: "user",
                profile_image_url: None,
            },
        )
        .await
        .expect("reader");
    let group = client
        .create_group(
            &token,
            "Settings readers",
            "read settings",
            Some(&json!({"admin": {"settings": "read"}})),
        )
        .await
        .expect("group");
    let mut form = cloo_api::GroupUpdateForm::from_group(&group);
    form.user_ids = Some(vec![reader.id.clone()]);
    client
        .update_group(&token, &group.id, &form)
        .await
        .expect("member");
    let (console, target, _dir) = cloo_tests::console_signed_in(
        &sandbox.url,
        "reader@example.com",
        "Delegated-Reader-1",
        None,
    )
    .await;

    let tools = console
        .settings()
        .get_tab(&target, cloo_domain::settings::Tab::Tools)
        .await
        .expect("tools tab");
    assert_eq!(tools.access, cloo_console::settings::SettingsAccess::Read);
    assert!(
        tools.sections[0].error.is_none(),
        "a delegated section reads"
    );
    assert_eq!(
        tools.sections[0].values["TOOL_SERVER_CONNECTIONS"][0]["key"],
        "*****************9f3a"
    );
    // Admin-only sections carry their refusal instead of failing the tab.
    let general = console
        .settings()
        .get_tab(&target, cloo_domain::settings::Tab::General)
        .await
        .expect("general tab");
    assert!(general.sections.iter().all(|s| {
        s.error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::Forbidden)
    }));
    // The deployment refuses a write at read level.
    let before = version(&sandbox).await;
    let refused = set(
        &console,
        &target,
        "code_execution",
        &[edit("CODE_EXECUTION_JUPYTER_TIMEOUT", json!(90))],
        &[secret("CODE_EXECUTION_JUPYTER_AUTH_PASSWORD", "pw7")],
    )
    .await
    .expect_err("read only");
    assert_eq!(refused.code(), ErrorCode::Forbidden);
    assert_eq!(version(&sandbox).await, before);
}

/// A provider that lists one model for one key and refuses any other (an OpenAI-compatible
/// `/models`).
async fn provider(accepted: &'static str) -> String {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/v1/models",
        axum::routing::get(move |headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if auth == format!("Bearer {accepted}") {
                (
                    StatusCode::OK,
                    axum::Json(json!({"data": [{"id": "gpt-4o"}, {"id": "gpt-4o-mini"}]})),
                )
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"error": {"message": "Incorrect API key provided"}})),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    url
}

// Multi-threaded: the provider must answer while a clooctl process is waited for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_test_uses_the_stored_key_without_the_console_ever_holding_it() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let url = provider("sk-openai-real-0009").await;
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "openai/config/update",
            &json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": [url, url],
                    "OPENAI_API_KEYS": ["sk-openai-real-0009", "sk-wrong-key-0000"],
                    "OPENAI_API_CONFIGS": {}}),
        )
        .await
        .expect("connections");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let good = console
        .settings()
        .test_openai(&target, 0)
        .await
        .expect("test 0");
    assert!(good.ok, "{good:?}");
    assert_eq!(good.models, Some(2));
    let bad = console
        .settings()
        .test_openai(&target, 1)
        .await
        .expect("test 1");
    assert!(!bad.ok);
    assert!(bad.detail.contains("Incorrect API key"), "{}", bad.detail);
    let missing = console
        .settings()
        .test_openai(&target, 5)
        .await
        .expect_err("no such");
    assert_eq!(missing.code(), ErrorCode::NotFound);

    let cli = cloo_tests::Clooctl::new("cli-settings-test");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let ok = cli.run(&["settings", "test", "openai", "0"], "");
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("reachable, 2 model(s)"), "{}", ok.stdout);
    let failed = cli.run(&["settings", "test", "openai", "1"], "");
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(failed.stdout.contains("failed"), "{}", failed.stdout);
}

#[tokio::test]
async fn a_tab_is_copied_to_another_tenant_as_a_plan_that_keeps_the_targets_secrets() {
    let a = SandboxProcess::start(&[]).expect("sandbox a");
    let b = SandboxProcess::start(&[]).expect("sandbox b");
    plant_secrets(&a).await;
    plant_secrets(&b).await;
    let token = a.admin_token().await;
    a.client()
        .write_settings_section(
            &token,
            "api/v1/configs/code_execution",
            &json!({"ENABLE_CODE_EXECUTION": true, "CODE_EXECUTION_ENGINE": "jupyter",
                   "CODE_EXECUTION_JUPYTER_URL": "http://jupyter-a:8888", "CODE_EXECUTION_JUPYTER_AUTH": "token",
                   "CODE_EXECUTION_JUPYTER_AUTH_TOKEN": "a-own-token-1111",
                   "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD": "a-pass-2222", "CODE_EXECUTION_JUPYTER_TIMEOUT": 300}),
        )
        .await
        .expect("a's code execution");
    let cli = cloo_tests::Clooctl::new("cli-settings-copy");
    assert_eq!(cli.add_tenant(&a, "a", &[]).code, 0);
    assert_eq!(cli.add_tenant(&b, "b", &[]).code, 0);
    let copied = cli.run(
        &[
            "settings",
            "copy",
            "--from",
            "a",
            "--to",
            "b",
            "--tab",
            "code_execution",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(copied.code, 1, "{}", copied.stderr);
    let plans = copied.json();
    let keys: Vec<&str> = plans[0]["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "code_execution.CODE_EXECUTION_JUPYTER_URL",
            "code_execution.CODE_EXECUTION_JUPYTER_TIMEOUT"
        ]
    );
    let id = plans[0]["id"].as_str().expect("id").to_owned();
    // b's password is 3 characters ("pw7"), which reads as *** and cannot be sent back: the
    // apply refuses before writing, as a form would.
    let refused = cli.run(&["--tenant", "b", "settings", "apply", &id], "");
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert_eq!(stored(&b, "CODE_EXECUTION_JUPYTER_TIMEOUT").await, 60);
    // With a longer password on b, the same copy applies and b keeps its own secrets.
    let token_b = b.admin_token().await;
    b.client()
        .write_settings_section(
            &token_b,
            "api/v1/configs/code_execution",
            &json!({"ENABLE_CODE_EXECUTION": true, "CODE_EXECUTION_ENGINE": "jupyter",
                   "CODE_EXECUTION_JUPYTER_URL": "http://jupyter:8888", "CODE_EXECUTION_JUPYTER_AUTH": "token",
                   "CODE_EXECUTION_JUPYTER_AUTH_TOKEN": "jupyter-token-0006",
                   "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD": "b-longer-pass-3333", "CODE_EXECUTION_JUPYTER_TIMEOUT": 60}),
        )
        .await
        .expect("b's longer password");
    let copied = cli.run(
        &[
            "settings",
            "copy",
            "--from",
            "a",
            "--to",
            "b",
            "--tab",
            "code_execution",
            "-o",
            "json",
        ],
        "",
    );
    let id = copied.json()[0]["id"].as_str().expect("id").to_owned();
    let applied = cli.run(&["--tenant", "b", "settings", "apply", &id], "");
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        stored(&b, "CODE_EXECUTION_JUPYTER_URL").await,
        "http://jupyter-a:8888"
    );
    assert_eq!(stored(&b, "CODE_EXECUTION_JUPYTER_TIMEOUT").await, 300);
    assert_eq!(
        stored(&b, "CODE_EXECUTION_JUPYTER_AUTH_TOKEN").await,
        "jupyter-token-0006"
    );
    assert_eq!(
        stored(&b, "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD").await,
        "b-longer-pass-3333"
    );
}

#[tokio::test]
async fn a_read_back_that_fails_after_the_write_says_the_section_was_written() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let token = sandbox.admin_token().await;
    // The console's first read passes; the read-back after its write fails.
    reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.url))
        .bearer_auth(token.expose())
        .json(&json!({"settings_reads_fail_after": 1}))
        .send()
        .await
        .expect("fault")
        .error_for_status()
        .expect("fault set");
    let e = set(
        &console,
        &target,
        "code_execution",
        &[edit("CODE_EXECUTION_JUPYTER_TIMEOUT", json!(45))],
        &[secret("CODE_EXECUTION_JUPYTER_AUTH_PASSWORD", "pw7")],
    )
    .await
    .expect_err("the read-back fails");
    assert_eq!(e.code(), ErrorCode::Interrupted, "{e}");
    let partial = e.view().partial.expect("what was applied");
    assert!(
        partial.applied.starts_with("code_execution was written (")
            && partial.applied.contains("CODE_EXECUTION_JUPYTER_TIMEOUT"),
        "{}",
        partial.applied
    );
    assert_eq!(stored(&sandbox, "CODE_EXECUTION_JUPYTER_TIMEOUT").await, 45);
    // The journal says interrupted, not failed.
    let page = console
        .journal()
        .list(&cloo_console::journal::JournalQuery::default())
        .await
        .expect("journal");
    assert_eq!(page.entries[0].operation, "settings.set");
    assert_eq!(page.entries[0].outcome, "interrupted");
}

/// The sandbox's own counts of knowledge bases (project ones included), files and model rows.
async fn counts(sandbox: &SandboxProcess) -> Value {
    reqwest::get(format!("{}/_sandbox/counts", sandbox.url))
        .await
        .expect("hook")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn each_wipe_states_exactly_what_goes_and_runs_only_when_the_deployments_name_is_typed() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = cloo_tests::Clooctl::new("cli-settings-wipe");
    assert_eq!(cli.add_tenant(&sandbox, "Practice", &[]).code, 0);
    let before = counts(&sandbox).await;
    assert_eq!(before, json!({"knowledge": 4, "files": 8, "models": 5}));

    // The statement for deleting all files: the files of the listed knowledge bases, counted;
    // chat uploads said to go too, uncounted; the knowledge bases that stay emptied, named.
    let stated = cli.run(
        &["settings", "wipe", "files", "--dry-run", "-o", "json"],
        "",
    );
    assert_eq!(stated.code, 0, "{}", stated.stderr);
    let stated = stated.json();
    assert_eq!(stated["confirm"], "Practice");
    assert_eq!(stated["endpoint"], "DELETE /api/v1/files/all");
    assert_eq!(stated["items"][0]["kind"], "knowledge_file");
    assert_eq!(
        stated["items"][0]["count"], 5,
        "the project's file is not listed"
    );
    assert_eq!(stated["items"][1]["kind"], "other_file");
    assert_eq!(stated["items"][1]["count"], Value::Null);
    assert_eq!(stated["items"][2]["count"], 2);
    let table = cli.run(&["settings", "wipe", "vector-db", "--dry-run"], "");
    assert!(
        table.stdout.contains("3 knowledge base(s) deleted: ")
            && table.stdout.contains("HR Policies")
            && table
                .stdout
                .contains("every project's knowledge base deleted too"),
        "{}",
        table.stdout
    );
    assert_eq!(counts(&sandbox).await, before, "a statement writes nothing");

    // A wrong name is refused before anything is sent (exit 3), and journaled as refused.
    let wrong = cli.run(
        &[
            "settings",
            "wipe",
            "vector-db",
            "--confirm",
            "practice",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("confirmation_mismatch"),
        "{}",
        wrong.stderr
    );
    // Without a terminal and without --yes or --confirm, nothing happens either.
    let unasked = cli.run(&["settings", "wipe", "models"], "");
    assert_ne!(unasked.code, 0);
    assert_eq!(counts(&sandbox).await, before);

    // The right name: every knowledge base goes, the project's too; the files stay.
    let done = cli.run(
        &[
            "settings",
            "wipe",
            "vector-db",
            "--confirm",
            "Practice",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    let done = done.json();
    assert_eq!(done["statement"]["items"][0]["count"], 3);
    assert_eq!(done["remaining"][0]["count"], 0);
    assert_eq!(
        counts(&sandbox).await,
        json!({"knowledge": 0, "files": 8, "models": 5})
    );

    // Files, then models, confirmed with --yes as a script would.
    assert_eq!(cli.run(&["settings", "wipe", "files", "--yes"], "").code, 0);
    let models = cli.run(
        &["settings", "wipe", "models", "--dry-run", "-o", "json"],
        "",
    );
    let models = models.json();
    assert_eq!(models["items"][0]["kind"], "agent");
    assert_eq!(models["items"][0]["count"], 1);
    assert_eq!(models["items"][0]["examples"], json!(["HR Helper"]));
    assert_eq!(models["items"][1]["count"], 4);
    assert_eq!(models["items"][2]["kind"], "provider_model_hidden");
    let gone = cli.run(&["settings", "wipe", "models", "--yes"], "");
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert!(gone.stdout.contains("0 agent(s) left"), "{}", gone.stdout);
    assert_eq!(
        counts(&sandbox).await,
        json!({"knowledge": 0, "files": 0, "models": 0})
    );

    // The journal has each wipe with what was stated before and what remained after.
    let journal = cli.run(&["journal", "list", "-o", "json"], "").json();
    let wipes: Vec<(String, String, String)> = journal
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["operation"] == "settings.wipe")
        .map(|e| {
            (
                e["target"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
                e["id"].to_string(),
            )
        })
        .collect();
    let shape: Vec<(&str, &str)> = wipes
        .iter()
        .map(|(t, o, _)| (t.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            ("all_models", "done"),
            ("all_files", "done"),
            ("vector_db", "done"),
            ("vector_db", "refused"),
        ]
    );
    let shown = cli
        .run(&["journal", "show", &wipes[2].2, "-o", "json"], "")
        .json();
    assert_eq!(shown["before"]["items"][0]["count"], 3);
    assert_eq!(shown["after"][0]["count"], 0);
}

#[tokio::test]
async fn rules_that_depend_on_another_field_are_refused_before_the_server_half_applies_them() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let token = sandbox.admin_token().await;
    let client = sandbox.client();

    // The server's own order: MODEL is written, then a bad size is refused.
    let e = client
        .write_settings_section(
            &token,
            "api/v1/images/image/config/update",
            &json!({"MODEL": "sdxl", "IMAGE_SIZE": "big", "IMAGE_STEPS": 30}),
        )
        .await
        .expect_err("a bad size");
    assert!(e.to_string().contains("512x512"), "{e}");
    assert_eq!(stored(&sandbox, "IMAGE_GENERATION_MODEL").await, "sdxl");

    // Through the console, the same change is refused with nothing sent.
    let before = version(&sandbox).await;
    let e = set(
        &console,
        &target,
        "image_config",
        &[
            edit("MODEL", json!("flux")),
            edit("IMAGE_SIZE", json!("big")),
        ],
        &[],
    )
    .await
    .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert!(e.to_string().contains("WIDTHxHEIGHT"), "{e}");
    assert_eq!(version(&sandbox).await, before, "nothing was written");
    assert_eq!(stored(&sandbox, "IMAGE_GENERATION_MODEL").await, "sdxl");
    set(
        &console,
        &target,
        "image_config",
        &[
            edit("MODEL", json!("flux")),
            edit("IMAGE_SIZE", json!("1024x768")),
        ],
        &[],
    )
    .await
    .expect("a good size");
    assert_eq!(stored(&sandbox, "IMAGE_SIZE").await, "1024x768");

    // The embedding batch size is dropped by the server while the engine is the local one.
    let e = set(
        &console,
        &target,
        "embedding",
        &[edit("embedding_batch_size", json!(16))],
        &[],
    )
    .await
    .expect_err("ignored with the local engine");
    assert!(e.to_string().contains("remote engine"), "{e}");
    let changed = set(
        &console,
        &target,
        "embedding",
        &[
            edit("embedding_engine", json!("openai")),
            edit("embedding_batch_size", json!(16)),
        ],
        &[secret("openai_config.key", "sk-embed-typed-0042")],
    )
    .await
    .expect("with a remote engine");
    assert!(changed.differences.is_empty(), "{:?}", changed.differences);
    assert_eq!(stored(&sandbox, "RAG_EMBEDDING_BATCH_SIZE").await, 16);
    assert_eq!(
        stored(&sandbox, "RAG_OPENAI_API_KEY").await,
        "sk-embed-typed-0042"
    );

    // The AUTOMATIC1111 cfg scale is stored as a float: the console says so in advance, so the
    // read-back finds no difference.
    let changed = set(
        &console,
        &target,
        "images",
        &[
            edit("automatic1111.AUTOMATIC1111_CFG_SCALE", json!(7)),
            edit("automatic1111.AUTOMATIC1111_SAMPLER", json!("")),
        ],
        &[],
    )
    .await
    .expect("images");
    assert!(changed.differences.is_empty(), "{:?}", changed.differences);
    assert_eq!(
        stored(&sandbox, "AUTOMATIC1111_CFG_SCALE").await,
        json!(7.0)
    );
}

#[tokio::test]
async fn a_model_id_dropped_from_every_connection_is_shown_before_its_row_is_deleted() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "openai/config/update",
            &json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": ["https://api.openai.com/v1"],
                    "OPENAI_API_KEYS": ["sk-openai-real-0009"],
                    "OPENAI_API_CONFIGS": {"0": {"enable": true, "model_ids": ["gpt-4o", "gpt-4o-mini"]}}}),
        )
        .await
        .expect("plant");
    assert_eq!(counts(&sandbox).await["models"], 5, "both ids had rows");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let drop_mini = [edit(
        "OPENAI_API_CONFIGS.0.model_ids",
        json!(["gpt-4o", "o3"]),
    )];
    let review = console
        .settings()
        .review_section(&target, "openai", &drop_mini, &[])
        .await
        .expect("review");
    let effect = review.model_rows.expect("an effect");
    assert_eq!(effect.removed, ["gpt-4o-mini"]);
    assert_eq!(effect.added, ["o3"]);

    // clooctl asks first; a script without --yes writes nothing.
    let cli = cloo_tests::Clooctl::new("cli-settings-model-rows");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let assignment = r#"OPENAI_API_CONFIGS.0.model_ids=["gpt-4o","o3"]"#;
    let unasked = cli.run(&["settings", "set", "openai", assignment], "");
    assert_eq!(unasked.code, 2, "{}", unasked.stderr);
    assert!(unasked.stderr.contains("--yes"), "{}", unasked.stderr);
    assert_eq!(counts(&sandbox).await["models"], 5);
    let done = cli.run(&["settings", "set", "openai", assignment, "--yes"], "");
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stdout.contains("model rows deleted: gpt-4o-mini")
            && done.stdout.contains("model rows created: o3"),
        "{}",
        done.stdout
    );
    assert_eq!(
        counts(&sandbox).await["models"],
        5,
        "one row gone, one made"
    );
    let base = sandbox
        .client()
        .list_base_models(&token)
        .await
        .expect("base models");
    let ids: Vec<&str> = base.iter().map(|m| m.id.as_str()).collect();
    assert!(
        ids.contains(&"o3") && !ids.contains(&"gpt-4o-mini"),
        "{ids:?}"
    );
    assert_eq!(
        stored(&sandbox, "OPENAI_API_KEYS").await,
        json!(["sk-openai-real-0009"]),
        "the key was kept by its tail"
    );
    let journal = cli.run(&["journal", "list", "-o", "json"], "").json();
    let id = journal[0]["id"].to_string();
    let shown = cli.run(&["journal", "show", &id, "-o", "json"], "").json();
    assert_eq!(
        shown["after"]["(model rows)"]["removed"],
        json!(["gpt-4o-mini"])
    );
}

/// A provider of every kind the probes reach: Azure OpenAI (needs its `api-key` header),
/// Ollama, AUTOMATIC1111. ComfyUI's `/object_info` is missing, so a ComfyUI probe fails.
async fn many_providers() -> (String, u16) {
    use axum::http::HeaderMap;
    let app = axum::Router::new()
        .route(
            "/openai/models",
            axum::routing::get(|headers: HeaderMap| async move {
                let ok = headers.get("api-key").and_then(|h| h.to_str().ok())
                    == Some("azure-key-real-1234");
                if ok {
                    Ok(axum::Json(json!({"data": [{"id": "gpt-4o"}]})))
                } else {
                    Err(axum::http::StatusCode::UNAUTHORIZED)
                }
            }),
        )
        .route(
            "/api/version",
            axum::routing::get(|| async { axum::Json(json!({"version": "0.5.7"})) }),
        )
        .route(
            "/sdapi/v1/options",
            axum::routing::get(|| async { axum::Json(json!({})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (format!("http://127.0.0.1:{port}"), port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_test_reaches_its_provider_from_the_deployment() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (url, port) = many_providers().await;
    let token = sandbox.admin_token().await;
    let client = sandbox.client();
    for (path, body) in [
        (
            "openai/config/update",
            json!({"ENABLE_OPENAI_API": true, "OPENAI_API_BASE_URLS": [url],
                   "OPENAI_API_KEYS": ["azure-key-real-1234"],
                   "OPENAI_API_CONFIGS": {"0": {"enable": true, "provider_type": "azure-openai",
                                                "api_version": "2024-10-21"}}}),
        ),
        (
            "ollama/config/update",
            json!({"ENABLE_OLLAMA_API": true, "OLLAMA_BASE_URLS": [url],
                   "OLLAMA_API_CONFIGS": {"0": {"enable": true, "key": "ollama-key-9999"}}}),
        ),
        (
            "api/v1/retrieval/search-engine/config/update",
            json!({"engine_type": "pgvector", "pgvector_host": "127.0.0.1", "pgvector_port": port,
                   "pgvector_database": "rag", "pgvector_user": "rag", "pgvector_password": "pg-real-0001"}),
        ),
        (
            "api/v1/images/config/update",
            json!({"enabled": true, "engine": "automatic1111", "prompt_generation": true,
                   "openai": {"OPENAI_API_BASE_URL": "", "OPENAI_API_KEY": ""},
                   "automatic1111": {"AUTOMATIC1111_BASE_URL": url, "AUTOMATIC1111_API_AUTH": ""},
                   "comfyui": {"COMFYUI_BASE_URL": url, "COMFYUI_API_KEY": "", "COMFYUI_WORKFLOW": "",
                               "COMFYUI_WORKFLOW_NODES": []},
                   "gemini": {"GEMINI_API_BASE_URL": "", "GEMINI_API_KEY": ""}}),
        ),
    ] {
        client
            .write_settings_section(&token, path, &body)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let cli = cloo_tests::Clooctl::new("cli-settings-probes");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);

    // Azure OpenAI through its own test: the key resolved by index on the deployment.
    let azure = cli.run(&["settings", "test", "openai", "0"], "");
    assert_eq!(azure.code, 0, "{}{}", azure.stdout, azure.stderr);
    assert!(
        azure.stdout.contains("reachable, 1 model(s)"),
        "{}",
        azure.stdout
    );

    // Ollama: reached, and the withheld key said.
    let ollama = cli.run(&["settings", "test", "ollama", "0"], "");
    assert_eq!(ollama.code, 0, "{}", ollama.stderr);
    assert!(
        ollama.stdout.contains("reachable: 0.5.7")
            && ollama.stdout.contains("without its stored key"),
        "{}",
        ollama.stdout
    );
    let no_index = cli.run(&["settings", "test", "ollama"], "");
    assert_eq!(no_index.code, 2, "{}", no_index.stderr);

    // pgvector: the port answers; then a port nothing listens on fails (exit 1).
    let pg = cli.run(&["settings", "test", "pgvector", "-o", "json"], "");
    assert_eq!(pg.code, 0, "{}", pg.stderr);
    assert_eq!(pg.json()["url"], format!("127.0.0.1:{port}/rag"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    client
        .write_settings_section(
            &token,
            "api/v1/retrieval/search-engine/config/update",
            &json!({"pgvector_port": closed}),
        )
        .await
        .expect("port");
    let pg = cli.run(&["settings", "test", "pgvector"], "");
    assert_eq!(pg.code, 1, "{}", pg.stdout);
    assert!(pg.stdout.contains("Connection failed"), "{}", pg.stdout);
    assert_eq!(
        stored(&sandbox, "SEARCH_ENGINE_PGVECTOR_PASSWORD").await,
        "pg-real-0001",
        "the test sent the masked password, which stored nothing"
    );

    // The image probe asks first; AUTOMATIC1111 answers.
    let unasked = cli.run(&["settings", "test", "images"], "");
    assert_eq!(unasked.code, 2, "{}", unasked.stderr);
    let a1111 = cli.run(&["settings", "test", "images", "--yes", "-o", "json"], "");
    assert_eq!(a1111.code, 0, "{}", a1111.stderr);
    assert_eq!(a1111.json()["turned_images_off"], false);
    // ComfyUI does not: the deployment turns image generation off, and the result says so.
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    set(
        &console,
        &target,
        "images",
        &[edit("engine", json!("comfyui"))],
        &[],
    )
    .await
    .expect("engine");
    let comfy = console
        .settings()
        .test_image_url(&target, &Observer::quiet())
        .await
        .expect("probe");
    assert!(!comfy.ok);
    assert!(comfy.turned_images_off);
    assert_eq!(stored(&sandbox, "ENABLE_IMAGE_GENERATION").await, false);
    let page = console
        .journal()
        .list(&cloo_console::journal::JournalQuery::default())
        .await
        .expect("journal");
    assert_eq!(page.entries[0].operation, "settings.probe_images");
}

#[tokio::test]
async fn a_document_takes_a_secret_from_the_os_keychain_by_name() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let cli = cloo_tests::Clooctl::new("cli-settings-keychain-ref");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let dir = tempfile::tempdir().expect("dir");
    let exported = cli.run(&["settings", "export", "--tab", "tools"], "");
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let mut document: Value = serde_json::from_str(&exported.stdout).expect("json");
    assert_eq!(
        document["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"], "keep",
        "exported as a reference"
    );
    document["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"] = json!("keychain:jira-token");
    let file = dir.path().join("tools.json");
    std::fs::write(&file, document.to_string()).expect("write");
    let file = file.to_str().expect("utf-8");

    let planned = cli.run(&["settings", "plan", file, "-o", "json"], "");
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    let plan = planned.json();
    assert_eq!(plan["from_keychain"], json!(["jira-token"]));
    let id = plan["id"].as_str().expect("id").to_owned();

    // Not filed yet: refused, nothing written.
    let early = cli.run(&["settings", "apply", &id], "");
    assert_eq!(early.code, 2, "{}", early.stderr);
    assert!(
        early.stderr.contains("clooctl secret set jira-token"),
        "{}",
        early.stderr
    );
    assert_eq!(
        stored(&sandbox, "TOOL_SERVER_CONNECTIONS").await[0]["key"],
        "tool-bearer-real-9f3a"
    );

    // Filed through stdin, never echoed; then the apply sends it.
    let filed = cli.run(
        &["secret", "set", "jira-token"],
        "tool-bearer-keychain-5150\n",
    );
    assert_eq!(filed.code, 0, "{}", filed.stderr);
    assert!(!filed.stdout.contains("5150"), "{}", filed.stdout);
    assert_eq!(cli.run(&["secret", "check", "jira-token"], "").code, 0);
    assert_eq!(cli.run(&["secret", "check", "other"], "").code, 1);
    assert_eq!(cli.run(&["secret", "set", "bad name"], "x\n").code, 2);
    let applied = cli.run(&["settings", "apply", &id], "");
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        !applied.stdout.contains("keychain-5150"),
        "{}",
        applied.stdout
    );
    assert_eq!(
        stored(&sandbox, "TOOL_SERVER_CONNECTIONS").await[0]["key"],
        "tool-bearer-keychain-5150"
    );
    assert_eq!(
        cli.run(&["secret", "remove", "jira-token", "--yes"], "")
            .code,
        0
    );
    assert_eq!(cli.run(&["secret", "check", "jira-token"], "").code, 1);

    // A reference that names nothing valid is refused where it stands.
    document["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"] = json!("keychain:no spaces");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, document.to_string()).expect("write");
    let refused = cli.run(&["settings", "plan", bad.to_str().expect("utf-8")], "");
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("$.tools.TOOL_SERVER_CONNECTIONS[0].key"),
        "{}",
        refused.stderr
    );
}

#[tokio::test]
async fn a_yaml_document_round_trips_and_its_syntax_errors_are_placed() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let cli = cloo_tests::Clooctl::new("cli-settings-yaml");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    let exported = cli.run(
        &[
            "settings",
            "export",
            "--tab",
            "code_execution",
            "-o",
            "yaml",
        ],
        "",
    );
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let yaml = exported.stdout;
    assert!(
        yaml.contains("code_execution:") && yaml.contains("CODE_EXECUTION_JUPYTER_TIMEOUT: 60"),
        "{yaml}"
    );
    assert!(
        yaml.contains("CODE_EXECUTION_JUPYTER_AUTH_TOKEN: keep"),
        "secrets are references: {yaml}"
    );
    assert!(!yaml.contains("jupyter-token-0006"), "{yaml}");
    let dir = tempfile::tempdir().expect("dir");
    let same = dir.path().join("settings.yaml");
    std::fs::write(&same, &yaml).expect("write");
    let unchanged = cli.run(&["settings", "plan", same.to_str().expect("utf-8")], "");
    assert_eq!(
        unchanged.code, 0,
        "{}{}",
        unchanged.stdout, unchanged.stderr
    );
    let edited = dir.path().join("edited.yml");
    std::fs::write(
        &edited,
        yaml.replace(
            "CODE_EXECUTION_JUPYTER_TIMEOUT: 60",
            "CODE_EXECUTION_JUPYTER_TIMEOUT: 45",
        ),
    )
    .expect("write");
    let planned = cli.run(
        &[
            "settings",
            "plan",
            edited.to_str().expect("utf-8"),
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    let keys = planned.json()["keys"].clone();
    assert_eq!(keys.as_array().map(Vec::len), Some(1), "{keys}");
    assert_eq!(
        keys[0]["key"],
        "code_execution.CODE_EXECUTION_JUPYTER_TIMEOUT"
    );

    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "code_execution:\n  A: [1, 2\n  B: 3\n").expect("write");
    let refused = cli.run(&["settings", "plan", broken.to_str().expect("utf-8")], "");
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("broken.yaml:"),
        "{}",
        refused.stderr
    );
    // YAML is for settings documents only.
    let elsewhere = cli.run(&["users", "list", "-o", "yaml"], "");
    assert_eq!(elsewhere.code, 2, "{}", elsewhere.stderr);
}

#[tokio::test]
async fn chosen_keys_are_copied_to_another_tenant_and_nothing_else() {
    let a = SandboxProcess::start(&[]).expect("a");
    let b = SandboxProcess::start(&[]).expect("b");
    plant_secrets(&a).await;
    plant_secrets(&b).await;
    let token = a.admin_token().await;
    a.client()
        .write_settings_section(
            &token,
            "api/v1/retrieval/config/update",
            &json!({"CHUNK_SIZE": 700, "CHUNK_OVERLAP": 50}),
        )
        .await
        .expect("source");
    let cli = cloo_tests::Clooctl::new("cli-settings-copy-keys");
    assert_eq!(cli.add_tenant(&a, "a", &[]).code, 0);
    assert_eq!(cli.add_tenant(&b, "b", &[]).code, 0);
    // Two keys differ on the source; only the one asked for is planned.
    let planned = cli.run(
        &[
            "settings",
            "copy",
            "--from",
            "a",
            "--to",
            "b",
            "--key",
            "documents.CHUNK_SIZE",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    let plans = planned.json();
    let keys: Vec<&str> = plans[0]["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["key"].as_str())
        .collect();
    assert_eq!(keys, ["documents.CHUNK_SIZE"]);
    let id = plans[0]["id"].as_str().expect("id").to_owned();
    let applied = cli.run(&["--tenant", "b", "settings", "apply", &id], "");
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(stored(&b, "CHUNK_SIZE").await, 700);
    let b_token = b.admin_token().await;
    let retrieval = b
        .client()
        .settings_section(&b_token, "api/v1/retrieval/config")
        .await
        .expect("b's retrieval");
    assert_eq!(
        retrieval["CHUNK_OVERLAP"], 100,
        "the other key was not copied"
    );
    let unknown = cli.run(
        &[
            "settings",
            "copy",
            "--from",
            "a",
            "--to",
            "b",
            "--key",
            "documents.NOPE",
        ],
        "",
    );
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("documents.NOPE"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test]
async fn prompt_suggestions_are_read_by_the_token_cookie_and_written_whole() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    // The Authorization header is not enough for /api/config: its answer has no suggestions.
    let token = sandbox.admin_token().await;
    let public = sandbox
        .client()
        .settings_section(&token, "api/config")
        .await
        .expect("config");
    assert!(
        public.get("default_prompt_suggestions").is_none(),
        "{public}"
    );
    let tab = console
        .settings()
        .get_tab(&target, cloo_domain::settings::Tab::Interface)
        .await
        .expect("tab");
    let section = tab
        .sections
        .iter()
        .find(|s| s.key == "suggestions")
        .expect("the suggestions section");
    assert!(section.error.is_none(), "{:?}", section.error);
    assert_eq!(section.values, json!({"suggestions": []}));
    let wanted = json!([{"title": ["Summarise", "a document"], "content": "Summarise this:"}]);
    let change = set(
        &console,
        &target,
        "suggestions",
        &[edit("suggestions", wanted.clone())],
        &[],
    )
    .await
    .expect("set");
    assert!(change.differences.is_empty(), "{:?}", change.differences);
    assert_eq!(stored(&sandbox, "DEFAULT_PROMPT_SUGGESTIONS").await, wanted);
}

#[tokio::test]
async fn a_storage_test_sends_typed_credentials_and_stores_nothing() {
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    plant_secrets(&sandbox).await;
    let cli = cloo_tests::Clooctl::new("cli-settings-storage-test");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);
    // The server would test the masked values as sent: the console asks for the real ones.
    let untyped = cli.run(&["settings", "test", "storage"], "");
    assert_eq!(untyped.code, 2, "{}", untyped.stderr);
    assert!(
        untyped
            .stderr
            .contains("type s3.access_key_id, s3.secret_access_key"),
        "{}",
        untyped.stderr
    );
    let typed = cli.run(
        &[
            "settings",
            "test",
            "storage",
            "--secret",
            "s3.access_key_id",
            "--secret",
            "s3.secret_access_key",
        ],
        "AKIAREALKEY0001\ns3-secret-real-0001\n",
    );
    assert_eq!(typed.code, 0, "{}{}", typed.stdout, typed.stderr);
    assert!(
        typed.stdout.contains("s3://imgs: reachable"),
        "{}",
        typed.stdout
    );
    assert!(!typed.stdout.contains("s3-secret-real"), "{}", typed.stdout);
    // A masked value typed back is refused before anything is sent.
    let masked = cli.run(
        &[
            "settings",
            "test",
            "file-storage",
            "--secret",
            "s3.access_key_id",
            "--secret",
            "s3.secret_access_key",
        ],
        "AKIAFILEKEY0002\n****************0002\n",
    );
    assert_eq!(masked.code, 2, "{}{}", masked.stdout, masked.stderr);
    assert!(masked.stderr.contains("masked form"), "{}", masked.stderr);
    // An endpoint that does not answer is the provider's failure (exit 1); nothing is stored
    // by a test either way.
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "api/v1/configs/file-storage",
            &json!({"provider": "s3", "s3": {"bucket_name": "files", "region_name": "ap-northeast-2",
                    "endpoint_url": "http://127.0.0.1:9", "access_key_id": "AKIAFILEKEY0002",
                    "secret_access_key": "s3-secret-file-0002", "key_prefix": ""}}),
        )
        .await
        .expect("an endpoint nothing listens on");
    let version_before = version(&sandbox).await;
    let file = cli.run(
        &[
            "settings",
            "test",
            "file-storage",
            "--secret",
            "s3.access_key_id",
            "--secret",
            "s3.secret_access_key",
        ],
        "AKIAFILEKEY0002\ns3-secret-file-0002\n",
    );
    assert_eq!(file.code, 1, "{}{}", file.stdout, file.stderr);
    assert!(
        file.stdout.contains("File storage connection test failed"),
        "{}",
        file.stdout
    );
    assert_eq!(
        version(&sandbox).await,
        version_before,
        "a test writes nothing"
    );
    assert_eq!(
        stored(&sandbox, "S3_ACCESS_KEY_ID").await,
        "AKIAREALKEY0001"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_are_listed_installed_removed_and_their_valves_changed_without_losing_a_secret() {
    use cloo_tests::pipelines::{PIPELINES_KEY, PipelinesServer};
    let sandbox = SandboxProcess::start(&[]).expect("sandbox");
    let server = PipelinesServer::start().await;
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .write_settings_section(
            &token,
            "openai/config/update",
            &json!({"ENABLE_OPENAI_API": true,
                    "OPENAI_API_BASE_URLS": [server.url, "http://127.0.0.1:9/v1"],
                    "OPENAI_API_KEYS": [PIPELINES_KEY, "sk-nothing-there"],
                    "OPENAI_API_CONFIGS": {}}),
        )
        .await
        .expect("connections");
    let cli = cloo_tests::Clooctl::new("cli-settings-pipelines");
    assert_eq!(cli.add_tenant(&sandbox, "s", &[]).code, 0);

    // Only the connection that serves pipelines is a pipeline server.
    let listed = cli.run(&["settings", "pipelines", "list", "-o", "json"], "");
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let servers = listed.json();
    assert_eq!(servers.as_array().map(Vec::len), Some(1), "{servers}");
    assert_eq!(servers[0]["idx"], 0);
    assert_eq!(servers[0]["pipelines"][0]["id"], "rate_limit");
    assert_eq!(servers[0]["pipelines"][0]["kind"], "filter");

    // Valves: a secret one is shown masked, and a change of another keeps it as stored.
    let valves = cli.run(
        &[
            "settings",
            "pipelines",
            "valves",
            "--server",
            "0",
            "rate_limit",
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(valves.code, 0, "{}", valves.stderr);
    assert_eq!(valves.json()["api_key"], "**********0001");
    let set = cli.run(
        &[
            "settings",
            "pipelines",
            "set-valves",
            "--server",
            "0",
            "rate_limit",
            "requests_per_minute=30",
            "--yes",
        ],
        "",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let stored_valves = server.stored_valves("rate_limit").expect("valves");
    assert_eq!(stored_valves["requests_per_minute"], 30);
    assert_eq!(
        stored_valves["api_key"], "rl-secret-0001",
        "not its masked form"
    );
    let plain = cli.run(
        &[
            "settings",
            "pipelines",
            "set-valves",
            "--server",
            "0",
            "rate_limit",
            "api_key=typed-in-the-open",
            "--yes",
        ],
        "",
    );
    assert_eq!(plain.code, 2, "{}", plain.stderr);
    let rotated = cli.run(
        &[
            "settings",
            "pipelines",
            "set-valves",
            "--server",
            "0",
            "rate_limit",
            "--secret",
            "api_key",
            "--yes",
        ],
        "rl-secret-rotated-0002\n",
    );
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    assert_eq!(
        server.stored_valves("rate_limit").expect("valves")["api_key"],
        "rl-secret-rotated-0002"
    );

    // Install from a URL; a URL that is not a pipeline file is the server's 404.
    let added = cli.run(
        &[
            "settings",
            "pipelines",
            "add",
            "--server",
            "0",
            "https://example.com/filters/detoxify.py",
            "--yes",
        ],
        "",
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added.stdout.contains("detoxify (filter)"),
        "{}",
        added.stdout
    );
    let not_a_pipeline = cli.run(
        &[
            "settings",
            "pipelines",
            "add",
            "--server",
            "0",
            "https://example.com/README.md",
            "--yes",
        ],
        "",
    );
    assert_eq!(not_a_pipeline.code, 2, "{}", not_a_pipeline.stderr);
    assert!(
        not_a_pipeline.stderr.contains("Pipeline not found"),
        "{}",
        not_a_pipeline.stderr
    );
    // Removal asks first.
    let unasked = cli.run(
        &[
            "settings",
            "pipelines",
            "delete",
            "--server",
            "0",
            "detoxify",
        ],
        "",
    );
    assert_eq!(unasked.code, 2, "{}", unasked.stderr);
    assert!(server.stored_valves("detoxify").is_some());
    let removed = cli.run(
        &[
            "settings",
            "pipelines",
            "delete",
            "--server",
            "0",
            "detoxify",
            "--yes",
        ],
        "",
    );
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(server.stored_valves("detoxify").is_none());

    // The journal has each change, and no valve secret.
    let journal = cli.run(&["journal", "list", "-o", "json"], "");
    let text = journal.stdout.clone();
    let operations: Vec<String> = journal
        .json()
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["operation"].as_str().map(str::to_owned))
        .filter(|o| o.starts_with("pipelines."))
        .collect();
    assert_eq!(
        operations,
        [
            "pipelines.delete",
            "pipelines.add",
            "pipelines.add",
            "pipelines.set_valves",
            "pipelines.set_valves",
            "pipelines.set_valves",
        ]
    );
    for entry in journal.json().as_array().expect("entries") {
        let id = entry["id"].to_string();
        let shown = cli.run(&["journal", "show", &id, "-o", "json"], "");
        assert!(
            !shown.stdout.contains("rl-secret") && !text.contains("rl-secret"),
            "a valve secret in the journal: {}",
            shown.stdout
        );
    }
}
