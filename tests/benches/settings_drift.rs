//! Settings drift across fifty deployments, as a figure table (`./dev bench`): issue 11 asks
//! that reading fifty tenants' settings for a diff take seconds, not minutes. Fifty sandbox
//! processes, every tab, read through the console's bounded parallel reads
//! (`DRIFT_READS_AT_ONCE` tenants at a time) and compared; the baseline, measured in the same
//! run, is the same tabs read one tenant after another.

use cloo_console::settings::DRIFT_READS_AT_ONCE;
use cloo_console::{Console, Credential, DirectTarget, Target};
use cloo_domain::Secret;
use cloo_domain::settings::Tab;
use cloo_tests::SandboxProcess;
use std::sync::Arc;
use std::time::Instant;

const TENANTS: usize = 50;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sandboxes: Vec<SandboxProcess> = (0..TENANTS)
        .map(|_| SandboxProcess::start(&[]).expect("a sandbox"))
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let console = Console::open(
        Some(dir.path()),
        Arc::new(cloo_store::MemorySecrets::default()),
    )
    .await
    .expect("console");
    let targets: Vec<(String, Target)> = sandboxes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                format!("tenant-{i}"),
                Target::Direct(DirectTarget {
                    url: s.url.clone(),
                    credential: Credential::Password {
                        email: s.admin_email.clone(),
                        password: Secret::new(&s.admin_password),
                    },
                    ca_pem: None,
                }),
            )
        })
        .collect();
    // Every tenant signs in once first, so both runs time reads, not sign-ins.
    for (_, target) in &targets {
        console
            .settings()
            .get_section(target, "code_execution")
            .await
            .expect("signed in");
    }

    let start = Instant::now();
    let mut sections = 0;
    for (_, target) in &targets {
        for tab in Tab::ALL {
            sections += console
                .settings()
                .get_tab(target, tab)
                .await
                .expect("a tab")
                .sections
                .len();
        }
    }
    let one_by_one = start.elapsed();

    let start = Instant::now();
    let report = console.settings().diff(&targets, &[]).await.expect("diff");
    let drift = start.elapsed();

    println!(
        "{TENANTS} deployments, every tab ({} sections each), {} keys not the same everywhere",
        sections / TENANTS,
        report.rows.len()
    );
    println!("| question | time | baseline | ratio |");
    println!("| --- | ---: | --- | ---: |");
    println!(
        "| settings drift of {TENANTS} tenants ({DRIFT_READS_AT_ONCE} read at once) | {:.2} s | the same tabs read one tenant after another: {:.2} s | {:.2}× |",
        drift.as_secs_f64(),
        one_by_one.as_secs_f64(),
        drift.as_secs_f64() / one_by_one.as_secs_f64()
    );
}
