//! The operation runner against real parts: every write the console can make is refused on a
//! read-only tenant before a single byte goes to the deployment; every write leaves a journal row
//! (with no secret in it); a cancelled import stops between requests, says what it applied, and
//! finishes without duplicates when applied again.

use cloo_console::imports::ApplyPath;
use cloo_console::imports::UserImportPlan;
use cloo_console::journal::JournalQuery;
use cloo_console::tenants::{AddTenantRequest, AuthInput};
use cloo_console::users::{BulkAction, EditUserRequest, NewUserRequest};
use cloo_console::{
    CancellationToken, Console, ConsoleError, ErrorCode, Observer, OperationKind, Progress, Target,
};
use cloo_domain::Secret;
use cloo_domain::org::import_plan::PlanOptions;
use cloo_store::{MemorySecrets, TenantChange};
use cloo_tests::{SandboxProcess, data_dir};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A TCP listener that counts every connection made to it and answers none.
struct CountingListener {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl CountingListener {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        CountingListener { url, connections }
    }

    fn count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn add_demo_tenant(console: &Console, sandbox: &SandboxProcess, name: &str) -> String {
    console
        .tenants()
        .add(&AddTenantRequest {
            name: name.into(),
            url: sandbox.url.clone(),
            auth: AuthInput::Password {
                email: sandbox.admin_email.clone(),
                password: Secret::new(&sandbox.admin_password),
            },
            read_only: false,
            ca_pem: None,
        })
        .await
        .expect("tenant added")
        .id
}

const CSV: &str = "name,email,password,role\nRo One,ro1@ops.example.com,Strong-Pass-1,user\n";

fn org_file(tenant_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "organization": {"tenant_id": tenant_id, "name": "Read Only Corp"},
        "units": [{"id": "ro-div", "name": "Division", "type": "division"}]
    }))
    .expect("json")
}

#[tokio::test]
async fn every_write_is_refused_on_a_read_only_tenant_before_anything_is_sent() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let dir = data_dir();
    let secrets = Arc::new(MemorySecrets::default());
    let target = Target::Tenant("ro".into());

    // Plans are made while the tenant is writable and points at the deployment…
    let (id, bulk, csv_plan, org_plan, someone) = {
        let console = Console::open(Some(dir.path()), secrets.clone())
            .await
            .expect("console");
        let id = add_demo_tenant(&console, &sandbox, "ro").await;
        let page = console
            .users()
            .list(&target, &Default::default())
            .await
            .expect("users");
        let someone = page
            .iter()
            .find(|u| u.role.as_str() == "user")
            .expect("a user")
            .email
            .clone();
        let ids: Vec<String> = page.iter().take(3).map(|u| u.id.clone()).collect();
        let bulk = console
            .users()
            .plan_bulk(
                &target,
                &BulkAction::SetRole {
                    role: "pending".into(),
                },
                &ids,
            )
            .await
            .expect("bulk plan");
        let csv_plan = console
            .imports()
            .plan_users(&target, Path::new("ro.csv"), CSV.as_bytes(), None)
            .await
            .expect("csv plan");
        let org_plan = console
            .imports()
            .plan_org(
                &target,
                "ro.json",
                &org_file("ro-corp"),
                PlanOptions::default(),
                false,
            )
            .await
            .expect("org plan");
        console.close().await;
        (id, bulk.id, csv_plan.id, org_plan.id, someone)
    };

    // …then it is made read-only, and its URL now leads to a listener that counts connections:
    // a refusal that sent anything, even a sign-in, would show up there.
    let listener = CountingListener::start();
    {
        let store = cloo_store::Store::open(dir.path()).await.expect("store");
        store
            .update_tenant(
                &id,
                &TenantChange {
                    read_only: Some(true),
                    base_url: Some(format!("{}/", listener.url)),
                    ..TenantChange::default()
                },
            )
            .await
            .expect("read-only");
        store.close().await;
    }
    let console = Console::open(Some(dir.path()), secrets.clone())
        .await
        .expect("console");
    let q = Observer::quiet();
    let mut tried: HashSet<OperationKind> = HashSet::new();
    let mut refused = |kind: OperationKind, result: Result<(), ConsoleError>| {
        let e = result.expect_err(kind.as_str());
        assert_eq!(
            e.code(),
            ErrorCode::ReadOnlyTenant,
            "{}: {e}",
            kind.as_str()
        );
        tried.insert(kind);
    };
    let users = console.users();
    let groups = console.groups();
    let orgs = console.orgs();
    let imports = console.imports();
    let new_user = NewUserRequest {
        name: "Nobody".into(),
        email: "nobody@ops.example.com".into(),
        password: Secret::new("Strong-Pass-1"),
        role: "user".into(),
    };
    refused(
        OperationKind::UserAdd,
        users.add(&target, &new_user, &q).await.map(drop),
    );
    refused(
        OperationKind::UserEdit,
        users
            .edit(&target, &someone, &EditUserRequest::default(), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::UserSetRole,
        users
            .set_role(&target, &someone, "admin", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::UserDelete,
        users
            .delete(&target, &someone, &someone, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::UserSetLimit,
        users
            .set_limit(&target, &someone, "gpt-4o", Some(10), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::SuperAdminSet,
        users.set_super_admin(&target, &someone, &q).await.map(drop),
    );
    refused(
        OperationKind::UsersBulk,
        users
            .apply_bulk(&target, &bulk, None, None, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::UsersImport,
        imports
            .apply_users(&target, &csv_plan, Some(CSV.as_bytes()), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::GroupCreate,
        groups.create(&target, "G", "", None, &q).await.map(drop),
    );
    refused(
        OperationKind::GroupEdit,
        groups
            .edit(&target, "G", Some("H"), None, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::GroupDelete,
        groups.delete(&target, "G", &q).await.map(drop),
    );
    refused(
        OperationKind::GroupAddMembers,
        groups
            .add_members(&target, "G", std::slice::from_ref(&someone), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::GroupRemoveMembers,
        groups
            .remove_members(&target, "G", std::slice::from_ref(&someone), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::GroupSetPermissions,
        groups
            .set_permissions(&target, "G", &json!({}), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::GroupLinkUnits,
        groups.link_units(&target, "G", &[], &q).await.map(drop),
    );
    refused(
        OperationKind::GroupSetLimit,
        groups
            .set_limit(&target, "G", "gpt-4o", Some(1), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::DefaultsSet,
        console
            .defaults()
            .set(&target, &json!({}), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::OrgImport,
        imports
            .apply_org(&target, &org_plan, None, ApplyPath::Import, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::OrgUnitDelete,
        orgs.delete_unit(&target, "u", &q).await.map(drop),
    );
    refused(
        OperationKind::OrgUnitSetLimit,
        orgs.set_unit_limit(&target, "u", "m", Some(1), &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::OrgUnitSetGuardrails,
        orgs.set_unit_guardrails(&target, "u", &[], true, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::SettingsSet,
        console
            .settings()
            .set_section(&target, "code_execution", &[], &[], &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::SettingsApply,
        console
            .settings()
            .apply(&target, "no-such-plan", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::SettingsWipe,
        console
            .settings()
            .wipe(&target, cloo_domain::settings::wipe::Wipe::AllFiles, "", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::SettingsProbeImages,
        console
            .settings()
            .test_image_url(&target, &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::PipelineAdd,
        console
            .settings()
            .add_pipeline(&target, 0, "https://example.com/p.py", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::PipelineDelete,
        console
            .settings()
            .delete_pipeline(&target, 0, "p", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::PipelineValvesSet,
        console
            .settings()
            .set_pipeline_valves(&target, 0, "p", &[], &[], &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::ChannelsSave,
        console
            .notifications()
            .save_channels(&target, &[], &[], &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::InquiryMove,
        console
            .inquiries()
            .move_to(&target, "i", "resolved", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::InquiryNote,
        console
            .inquiries()
            .set_note(&target, "i", "n", &q)
            .await
            .map(drop),
    );
    refused(
        OperationKind::InquiryDelete,
        console.inquiries().delete(&target, "i", &q).await.map(drop),
    );

    // Every write to a deployment was tried: a new kind without a case here fails this test.
    let writes: HashSet<OperationKind> = OperationKind::ALL
        .iter()
        .copied()
        .filter(|k| k.writes_deployment())
        .collect();
    assert_eq!(tried, writes);
    assert_eq!(listener.count(), 0, "nothing was sent to the deployment");

    // Each refusal is in the journal, as refused with its code.
    let page = console
        .journal()
        .list(&JournalQuery {
            outcomes: vec!["refused".into()],
            ..JournalQuery::default()
        })
        .await
        .expect("journal");
    assert_eq!(page.total as usize, writes.len());
    assert!(
        page.entries
            .iter()
            .all(|e| e.error_code.as_deref() == Some("read_only_tenant") && e.tenant_name == "ro")
    );

    // Tenant changes are local: a read-only tenant stays editable, so it can be made writable.
    let edited = console
        .tenants()
        .edit(
            "ro",
            &cloo_console::tenants::EditTenantRequest {
                read_only: Some(false),
                colour: Some("#16a34a".into()),
                ..Default::default()
            },
        )
        .await
        .expect("edit");
    assert!(!edited.read_only);
    assert_eq!(edited.colour, "#16a34a");
    assert_eq!(
        listener.count(),
        0,
        "editing the name or flags connects nowhere"
    );
    console.close().await;
}

#[tokio::test]
async fn writes_are_journaled_with_before_and_after_and_no_secret() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let dir = data_dir();
    let console = Console::open(Some(dir.path()), Arc::new(MemorySecrets::default()))
        .await
        .expect("console");
    add_demo_tenant(&console, &sandbox, "journaled").await;
    let target = Target::Tenant("journaled".into());
    let q = Observer::quiet();
    let secret_password = "Journal-Secret-9";
    let added = console
        .users()
        .add(
            &target,
            &NewUserRequest {
                name: "Jo Urnal".into(),
                email: "jo@journal.example.com".into(),
                password: Secret::new(secret_password),
                role: "pending".into(),
            },
            &q,
        )
        .await
        .expect("add");
    console
        .users()
        .set_role(&target, &added.email, "user", &q)
        .await
        .expect("role");
    console
        .users()
        .edit(
            &target,
            &added.email,
            &EditUserRequest {
                password: Some(Secret::new("Other-Secret-8")),
                ..Default::default()
            },
            &q,
        )
        .await
        .expect("password");
    let weak = console
        .users()
        .edit(
            &target,
            &added.email,
            &EditUserRequest {
                password: Some(Secret::new("weak")),
                ..Default::default()
            },
            &q,
        )
        .await
        .expect_err("weak");
    assert_eq!(weak.code(), ErrorCode::Validation);

    let journal = console.journal();
    let page = journal
        .list(&JournalQuery {
            operation: Some("user".into()),
            ..JournalQuery::default()
        })
        .await
        .expect("journal");
    let ops: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.operation.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("user.edit", "refused"),
            ("user.edit", "done"),
            ("user.set_role", "done"),
            ("user.add", "done"),
        ],
        "newest first"
    );
    let role = journal.get(page.entries[2].id).await.expect("entry");
    assert_eq!(role.target, "jo@journal.example.com");
    assert_eq!(role.before["role"], "pending");
    assert_eq!(role.after["role"], "user");
    assert!(role.actor.contains(&sandbox.admin_email));
    let edit = journal.get(page.entries[1].id).await.expect("entry");
    assert_eq!(edit.after["password_changed"], true);

    // Neither the journal nor anything else in the store holds a password.
    let csv = journal
        .export_csv(&JournalQuery::default())
        .await
        .expect("csv");
    console.close().await;
    let mut bytes = csv.into_bytes();
    for entry in std::fs::read_dir(dir.path()).expect("data dir").flatten() {
        bytes.extend(std::fs::read(entry.path()).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&bytes);
    for secret in [
        secret_password,
        "Other-Secret-8",
        sandbox.admin_password.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the store");
    }
}

#[tokio::test]
async fn a_cancelled_import_stops_between_rows_and_finishes_without_duplicates() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let mut csv = String::from("name,email,password,role\n");
    for i in 0..60 {
        csv.push_str(&format!(
            "Cancel {i},cancel{i}@stop.example.com,Strong-Pass-{i}a,user\n"
        ));
    }
    let plan: UserImportPlan = console
        .imports()
        .plan_users(&target, Path::new("cancel.csv"), csv.as_bytes(), None)
        .await
        .expect("plan");
    let token = CancellationToken::new();
    let stop = token.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = seen.clone();
    let observer = Observer::watching(move |p: &Progress| {
        counted.fetch_add(1, Ordering::SeqCst);
        if p.counters.get("created").copied().unwrap_or(0) >= 10 {
            stop.cancel();
        }
    })
    .cancelled_by(token);
    let err = console
        .imports()
        .apply_users(&target, &plan.id, Some(csv.as_bytes()), &observer)
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), ErrorCode::Cancelled);
    let partial = err.view().partial.expect("what was applied");
    assert!(
        partial.applied.starts_with("10 user(s) created"),
        "{partial:?}"
    );
    assert!(seen.load(Ordering::SeqCst) > 10, "progress was reported");
    let count = |emails: Vec<String>| {
        emails
            .iter()
            .filter(|e| e.ends_with("@stop.example.com"))
            .count()
    };
    async fn emails(c: &Console, target: &Target) -> Vec<String> {
        c.users()
            .list(target, &Default::default())
            .await
            .expect("users")
            .into_iter()
            .map(|u| u.email)
            .collect()
    }
    assert_eq!(
        count(emails(&console, &target).await),
        10,
        "stopped after the tenth"
    );

    let outcome = console
        .imports()
        .apply_users(&target, &plan.id, Some(csv.as_bytes()), &Observer::quiet())
        .await
        .expect("resumed");
    assert_eq!((outcome.created, outcome.skipped), (50, 10));
    assert_eq!(count(emails(&console, &target).await), 60, "no duplicates");
    let outcomes: Vec<String> = console
        .journal()
        .list(&JournalQuery {
            operation: Some("users.import".into()),
            ..JournalQuery::default()
        })
        .await
        .expect("journal")
        .entries
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes, ["done", "cancelled"]);
}
