//! `clooctl users import` against a sandbox process: plans with positioned errors, exactly the
//! planned rows written, Korean Excel files, saved plans, and an interrupted apply resumed.

use cloo_tests::{CliRun, Clooctl, SandboxProcess, wait_until};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file of `n` people, some with quoted names, Korean names and blank lines between them;
/// `bad` rows are broken in five different ways.
fn people_csv(n: usize, bad: &[(usize, &str)]) -> String {
    let mut out = String::from("Name,Email,Password,Role\n");
    for i in 0..n {
        if let Some((_, kind)) = bad.iter().find(|(at, _)| *at == i) {
            out.push_str(match *kind {
                "email" => "Broken Email,not-an-email,Strong-Pass-1,user\n",
                "weak" => "Weak Password,weak@import.example.com,password,user\n",
                "role" => "Bad Role,role@import.example.com,Strong-Pass-1,superuser\n",
                "duplicate" => "Same Again,person0@import.example.com,Strong-Pass-1,user\n",
                _ => "No Password,nopass@import.example.com,,user\n",
            });
            continue;
        }
        let name = match i % 3 {
            0 => format!("\"Lee, Person {i}\""),
            1 => format!("김민준{i}"),
            _ => format!("Person {i}"),
        };
        out.push_str(&format!(
            "{name},person{i}@import.example.com,Strong-Pass-{i}A,user\n"
        ));
        if i % 250 == 249 {
            out.push('\n');
        }
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn user_count(sandbox: &SandboxProcess) -> usize {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sandbox
            .client()
            .list_users(&sandbox.admin_token().await, None, None)
            .await
            .map(|u| u.len())
            .unwrap_or(0)
    })
}

fn setup(test: &str, sandbox: &SandboxProcess) -> Clooctl {
    let cli = Clooctl::new(test);
    assert_eq!(cli.add_tenant(sandbox, "demo", &[]).code, 0);
    cli
}

fn result_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).expect("result csv");
    reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn a_thousand_rows_with_five_bad_ones_plan_then_apply_exactly_the_plan() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = setup("import-1000", &sandbox);
    let bad = [
        (17, "email"),
        (123, "weak"),
        (456, "role"),
        (789, "duplicate"),
        (990, "missing"),
    ];
    let file = write(
        cli.data_dir(),
        "people.csv",
        people_csv(1000, &bad).as_bytes(),
    );
    let before = user_count(&sandbox);

    let plan = cli.run(
        &["users", "import", file.to_str().expect("path"), "--plan"],
        "",
    );
    assert_eq!(
        plan.code, 1,
        "kubectl diff convention: changes → 1\n{}",
        plan.stderr
    );
    let errors: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    // Physical lines: the header is line 1, and a blank line follows every 250th person.
    let line_of = |i: usize| i + 2 + i / 250;
    let reasons = [
        "bad e-mail",
        "weak password",
        "unknown role",
        "duplicate of line 2",
        "missing password",
    ];
    for (((at, _), reason), line) in bad.iter().zip(reasons).zip(&errors) {
        let prefix = format!("line {}: error: ", line_of(*at));
        assert!(
            line.starts_with(&prefix) && line.contains(reason),
            "{line} should start with {prefix} and say {reason}"
        );
    }
    assert_eq!(
        plan.stdout
            .lines()
            .filter(|l| l.contains(": create "))
            .count(),
        995
    );
    assert!(
        plan.stderr
            .contains("995 to create, 0 to skip, 5 with errors"),
        "{}",
        plan.stderr
    );
    assert_eq!(user_count(&sandbox), before, "planning writes nothing");

    let apply = cli.run(
        &[
            "users",
            "import",
            file.to_str().expect("path"),
            "--apply",
            "--yes",
        ],
        "",
    );
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stdout.contains("995 created, 0 skipped, 0 failed"),
        "{}",
        apply.stdout
    );
    assert_eq!(
        user_count(&sandbox),
        before + 995,
        "exactly the planned rows"
    );
    let rows = result_rows(&cli.data_dir().join("people.result.csv"));
    assert_eq!(rows.len(), 1000);
    assert_eq!(rows.iter().filter(|r| r[3] == "created").count(), 995);
    assert_eq!(rows.iter().filter(|r| r[3] == "not written").count(), 5);
    let quoted = rows
        .iter()
        .find(|r| r[1] == "person0@import.example.com")
        .expect("row");
    assert_eq!((quoted[0].as_str(), quoted[2].as_str()), ("2", "create"));

    // Running it again changes nothing: every row is now "already registered".
    let again = cli.run(
        &["users", "import", file.to_str().expect("path"), "--plan"],
        "",
    );
    assert_eq!(again.code, 0, "nothing to create → 0\n{}", again.stderr);
    assert!(
        again.stderr.contains("0 to create, 995 to skip"),
        "{}",
        again.stderr
    );
    // The imported people can sign in with their passwords, and the names kept their commas.
    let users = cli
        .run(
            &["users", "list", "--search", "person0@import", "-o", "json"],
            "",
        )
        .json();
    assert_eq!(users[0]["name"], "Lee, Person 0");
}

#[test]
fn korean_excel_files_and_saved_plans() {
    let sandbox = SandboxProcess::demo().expect("sandbox");
    let cli = setup("import-cp949", &sandbox);
    let text = "이름,이메일,비밀번호,역할\n김민준,minjun@import.example.com,Strong-Pass-1,user\n이서연,seoyeon@import.example.com,Strong-Pass-2,pending\n";
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
    let file = write(cli.data_dir(), "korean.csv", &bytes);
    let plan_file = cli.data_dir().join("korean.plan.json");
    let planned = cli.run(
        &[
            "users",
            "import",
            file.to_str().expect("path"),
            "--plan",
            "--out",
            plan_file.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(planned.code, 1, "{}", planned.stderr);
    assert!(
        planned.stderr.contains("read as CP949"),
        "{}",
        planned.stderr
    );
    let saved = std::fs::read_to_string(&plan_file).expect("plan file");
    assert!(
        !saved.contains("Strong-Pass"),
        "a plan never holds a password"
    );
    let forced = cli.run(
        &[
            "users",
            "import",
            file.to_str().expect("path"),
            "--plan",
            "--encoding",
            "utf-8",
        ],
        "",
    );
    assert_eq!(forced.code, 2);
    assert!(
        forced.stderr.contains("--encoding cp949"),
        "{}",
        forced.stderr
    );

    // The saved plan applies without a prompt (it was the review)…
    let applied = cli.run(
        &[
            "users",
            "import",
            "--apply-plan",
            plan_file.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let found = cli
        .run(
            &["users", "get", "minjun@import.example.com", "-o", "json"],
            "",
        )
        .json();
    assert_eq!(found["user"]["name"], "김민준");
    // …and is refused once the file has changed.
    let longer = format!(
        "{text}박지호,jiho@import.example.com,Strong-Pass-3,user
"
    );
    let (changed, _, _) = encoding_rs::EUC_KR.encode(&longer);
    std::fs::write(&file, &changed).expect("change");
    let stale = cli.run(
        &[
            "users",
            "import",
            "--apply-plan",
            plan_file.to_str().expect("path"),
        ],
        "",
    );
    assert_eq!(
        stale.code, 3,
        "a stale plan is a guard's refusal: {}",
        stale.stderr
    );
    assert!(
        stale.stderr.contains("changed since the plan"),
        "{}",
        stale.stderr
    );
    let as_json = cli.run(
        &[
            "users",
            "import",
            "--apply-plan",
            plan_file.to_str().expect("path"),
            "-o",
            "json",
        ],
        "",
    );
    assert_eq!(as_json.code, 3);
    let error: serde_json::Value =
        serde_json::from_str(as_json.stderr.trim()).expect("one JSON object on stderr");
    assert_eq!(error["error"]["code"], "stale_plan");
    assert_eq!(error["error"]["changed_count"], 1);
}

#[test]
fn an_interrupted_apply_resumes_without_duplicates() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("deployment.db");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
        .to_string();
    let args = [
        "--seed",
        "demo",
        "--data",
        db.to_str().expect("db"),
        "--port",
        &port,
    ];
    let mut sandbox = SandboxProcess::start(&args).expect("sandbox");
    let cli = setup("import-resume", &sandbox);
    let file = write(cli.data_dir(), "many.csv", people_csv(3000, &[]).as_bytes());
    let before = user_count(&sandbox);

    // Apply in the background, and take the deployment away after some rows were created.
    // Output goes to files: a 3,000-line plan would fill a pipe nobody reads until the end.
    let (out_path, err_path) = (
        cli.data_dir().join("first.out"),
        cli.data_dir().join("first.err"),
    );
    let binary = cloo_tests::binary("clooctl").expect("clooctl");
    let mut child = std::process::Command::new(binary)
        .args([
            "users",
            "import",
            file.to_str().expect("path"),
            "--apply",
            "--yes",
        ])
        .env("CLOOCTL_DATA_DIR", cli.data_dir())
        .env(
            "CLOOCTL_KEYCHAIN_SERVICE",
            cloo_tests::test_keychain_service("import-resume"),
        )
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("out"))
        .stderr(std::fs::File::create(&err_path).expect("err"))
        .spawn()
        .expect("clooctl");
    assert!(
        wait_until(Duration::from_secs(60), || user_count(&sandbox)
            >= before + 200),
        "the import started"
    );
    sandbox.kill();
    let status = child.wait().expect("wait");
    let first = CliRun {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&out_path).expect("out"),
        stderr: std::fs::read_to_string(&err_path).expect("err"),
    };
    assert_eq!(first.code, 2, "{}", first.stdout);
    assert!(
        first.stderr.contains("apply the same plan again"),
        "says how to resume: {}",
        first.stderr
    );
    let first_rows = result_rows(&cli.data_dir().join("many.result.csv"));
    let created_first = first_rows.iter().filter(|r| r[3] == "created").count();
    assert!((200..3000).contains(&created_first), "{created_first}");
    assert!(
        first_rows.iter().any(|r| r[3] == "not attempted"),
        "the rest is marked, not lost"
    );

    // The deployment comes back (same data, same address); the same command finishes the job.
    let sandbox = SandboxProcess::start(&args).expect("sandbox again");
    let second = cli.run(
        &[
            "users",
            "import",
            file.to_str().expect("path"),
            "--apply",
            "--yes",
        ],
        "",
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    let rows = result_rows(&cli.data_dir().join("many.result.csv"));
    let created_second = rows.iter().filter(|r| r[3] == "created").count();
    let skipped = rows.iter().filter(|r| r[3] == "skipped").count();
    // Every row ends up created in one of the runs, or found already there by the second:
    // the row in flight when the deployment died may have been committed before it did.
    let unknown_first = first_rows.iter().filter(|r| r[3] == "unknown").count();
    assert!(
        unknown_first <= 1,
        "at most the one request in flight is unknown"
    );
    assert_eq!(created_second + skipped, 3000, "every row accounted for");
    assert!(
        (created_first..=created_first + unknown_first).contains(&skipped),
        "exactly the earlier rows are skipped"
    );
    assert_eq!(user_count(&sandbox), before + 3000, "no duplicates");
}
