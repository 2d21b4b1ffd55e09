//! Inquiries through the console against the demo sandbox (inquiries in every status): the
//! board and the server's counts, filters the server lacks, moves as the admin UI allows them
//! (closing refused with nothing sent; a closed one re-opened), a note, a delete, and the new
//! open inquiries announced once — not the backlog on a first look.

use cloo_console::{ErrorCode, Observer};
use cloo_domain::inquiries::InquiryFilter;
use cloo_tests::SandboxProcess;
use serde_json::{Value, json};

/// Every demo person's password.
const DEMO_PASSWORD: &str = "Sandbox-Demo-1";

async fn status_of(sandbox: &SandboxProcess, id: &str) -> String {
    let token = sandbox.admin_token().await;
    sandbox
        .client()
        .inquiries(&token, None, None)
        .await
        .expect("list")
        .into_iter()
        .find(|i| i.id == id)
        .map(|i| i.status)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_board_counts_filters_moves_notes_and_deletes_as_the_admin_ui_does() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let inquiries = console.inquiries();
    let board = inquiries
        .board(&target, &InquiryFilter::default())
        .await
        .expect("board");
    let sizes: Vec<(String, usize)> = board
        .columns
        .iter()
        .map(|c| (c.status.clone(), c.items.len()))
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("open".into(), 3),
            ("in_progress".into(), 2),
            ("resolved".into(), 2),
            ("closed".into(), 1)
        ]
    );
    for c in &board.columns {
        assert_eq!(
            board.counts.get(&c.status).copied(),
            Some(c.items.len() as i64),
            "{}",
            c.status
        );
    }
    assert_eq!(board.types.len(), 5);
    let first = &board.columns[0].items[0];
    assert!(
        first.author_email.is_some(),
        "the admin list names the author"
    );

    // Filters the server lacks: subtype, author, text.
    let by_text = inquiries
        .board(
            &target,
            &InquiryFilter {
                text: Some("FINANCE".into()),
                ..Default::default()
            },
        )
        .await
        .expect("filtered");
    assert_eq!((by_text.shown, by_text.total), (1, 8));
    let author = first.author_name.clone().unwrap_or_default();
    let by_author = inquiries
        .board(
            &target,
            &InquiryFilter {
                author: Some(author.to_lowercase()),
                ..Default::default()
            },
        )
        .await
        .expect("filtered");
    assert!(
        by_author
            .columns
            .iter()
            .flat_map(|c| &c.items)
            .all(|i| i.author_name.as_deref() == Some(author.as_str()))
    );
    let by_subtype = inquiries
        .board(
            &target,
            &InquiryFilter {
                kind: Some("bug".into()),
                subtype: Some("upload_error".into()),
                ..Default::default()
            },
        )
        .await
        .expect("filtered");
    assert_eq!(by_subtype.shown, 1);

    let id = first.id.clone();
    let moved = inquiries
        .move_to(&target, &id, "in_progress", &Observer::quiet())
        .await
        .expect("moved");
    assert_eq!(moved.status, "in_progress");
    assert_eq!(status_of(&sandbox, &id).await, "in_progress");
    let refused = inquiries
        .move_to(&target, &id, "closed", &Observer::quiet())
        .await
        .expect_err("an admin does not close");
    assert_eq!(refused.code(), ErrorCode::Validation);
    assert!(refused.to_string().contains("resolved"), "{refused}");
    assert_eq!(
        status_of(&sandbox, &id).await,
        "in_progress",
        "nothing was sent"
    );
    let closed = &board.columns[3].items[0];
    let reopened = inquiries
        .move_to(&target, &closed.id, "open", &Observer::quiet())
        .await
        .expect("re-open");
    assert_eq!(reopened.status, "open");

    let noted = inquiries
        .set_note(&target, &id, "Raised to 400k.", &Observer::quiet())
        .await
        .expect("note");
    assert_eq!(noted.admin_note.as_deref(), Some("Raised to 400k."));
    let gone = inquiries
        .delete(&target, &id, &Observer::quiet())
        .await
        .expect("deleted");
    assert_eq!(gone.id, id);
    assert_eq!(status_of(&sandbox, &id).await, "", "deleted");
    let missing = inquiries
        .delete(&target, &id, &Observer::quiet())
        .await
        .expect_err("gone");
    assert_eq!(missing.code(), ErrorCode::NotFound);
    let journal = console
        .journal()
        .list(&Default::default())
        .await
        .expect("journal");
    let ops: Vec<&str> = journal
        .entries
        .iter()
        .map(|e| e.operation.as_str())
        .collect();
    for op in ["inquiry.move", "inquiry.note", "inquiry.delete"] {
        assert!(ops.contains(&op), "{op} journaled: {ops:?}");
    }
}

#[tokio::test]
async fn new_open_inquiries_are_announced_once_and_the_backlog_never() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let (console, target, _dir) = cloo_tests::direct_console(&sandbox).await;
    let inquiries = console.inquiries();
    assert!(
        inquiries
            .new_open(&target)
            .await
            .expect("first look")
            .is_empty(),
        "the backlog is not news"
    );
    // A user asks something (signed in as a demo person).
    let token = sandbox.admin_token().await;
    let people = sandbox
        .client()
        .inquiries(&token, None, None)
        .await
        .expect("list");
    let author_email = people[0].user_email.clone().expect("an author");
    let user = sandbox
        .client()
        .signin(&author_email, &cloo_domain::Secret::new(DEMO_PASSWORD))
        .await
        .expect("a demo person signs in");
    let created: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/inquiries/", sandbox.url.trim_end_matches('/')))
        .bearer_auth(user.token.expose())
        .json(&json!({"title": "Where is the glossary?", "type": "feature", "subtype": "knowledge", "content": "I cannot find it."}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    assert_eq!(created["status"], "open");
    let notice = inquiries
        .new_open_notice(&target)
        .await
        .expect("second look")
        .expect("one new inquiry");
    assert_eq!(notice.count, 1);
    assert!(notice.title.starts_with("A new inquiry in "), "{notice:?}");
    assert!(
        notice.body.starts_with("Where is the glossary? — "),
        "{notice:?}"
    );
    assert!(
        inquiries
            .new_open(&target)
            .await
            .expect("third look")
            .is_empty(),
        "announced once"
    );
}

#[test]
fn clooctl_lists_filters_moves_notes_and_deletes_inquiries() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = cloo_tests::Clooctl::new("cli-inquiries");
    assert_eq!(cli.add_tenant(&sandbox, "d", &[]).code, 0);
    let open = cli.run(&["inquiries", "list", "--status", "open", "-o", "json"], "");
    assert_eq!(open.code, 0, "{}", open.stderr);
    let items = open.json().as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3);
    let id = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let table = cli.run(&["inquiries", "list", "--text", "finance"], "");
    assert!(
        table
            .stdout
            .starts_with("open 3 · in_progress 2 · resolved 2 · closed 1 (showing 1 of 8)"),
        "{}",
        table.stdout
    );

    let moved = cli.run(
        &["inquiries", "move", &id, "--to", "resolved", "-o", "json"],
        "",
    );
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    assert_eq!(moved.json()["status"], "resolved");
    let closing = cli.run(&["inquiries", "move", &id, "--to", "closed"], "");
    assert_eq!(closing.code, 2);
    assert!(
        closing.stderr.contains("only the author closes"),
        "{}",
        closing.stderr
    );
    assert_eq!(
        cli.run(&["inquiries", "note", &id, "Done: limit raised."], "")
            .code,
        0
    );
    let shown = cli.run(&["inquiries", "show", &id], "");
    assert!(
        shown.stdout.contains("note: Done: limit raised."),
        "{}",
        shown.stdout
    );
    let refused = cli.run(&["inquiries", "delete", &id], "");
    assert_eq!(refused.code, 2, "needs --yes without a terminal");
    assert_eq!(cli.run(&["inquiries", "delete", &id, "--yes"], "").code, 0);
    let after = cli.run(&["inquiries", "list", "-o", "json"], "");
    assert_eq!(after.json().as_array().map(Vec::len), Some(7));
}
