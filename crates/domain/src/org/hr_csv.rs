//! The HR export IT really has: a CSV of people with a department path (`Engineering/Backend`),
//! turned into an import body: one `department` unit per distinct path, with a stable id derived
//! from the path, and the people in `meta.members` with lower-cased e-mails.

use crate::credentials::check_email_format;
use crate::import::{CsvRow, ImportFileError, parse_csv};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Header names accepted for each column (compared case-insensitively, trimmed).
const DEPARTMENT: &[&str] = &["department", "dept", "department path", "부서", "부서명"];
const NAME: &[&str] = &["name", "full name", "이름", "성명"];
const EMAIL: &[&str] = &["email", "e-mail", "mail", "이메일", "메일"];
const TITLE: &[&str] = &[
    "job title",
    "job_title",
    "title",
    "position",
    "직급",
    "직위",
    "직책",
];

/// A row that cannot be used, with its physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HrRowProblem {
    /// Physical line in the file.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The import body and the rows left out.
#[derive(Debug, Clone, PartialEq)]
pub struct HrConversion {
    /// The import JSON.
    pub body: Value,
    /// Units written.
    pub units: usize,
    /// People placed.
    pub people: usize,
    /// Rows left out, with why.
    pub problems: Vec<HrRowProblem>,
}

/// A stable unit id for a department path: `dept-` and a 64-bit FNV-1a of the normalised path,
/// so the same path gives the same id on every export.
pub fn unit_id_for_path(segments: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            hash ^= u64::from(b'/');
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        for b in segment.as_bytes() {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("dept-{hash:016x}")
}

fn column(header: &CsvRow, names: &[&str]) -> Option<usize> {
    header.fields.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| *n == h)
    })
}

/// Converts decoded CSV text. `tenant_id` and `org_name` fill the organization object.
pub fn hr_csv_to_import(
    text: &str,
    tenant_id: &str,
    org_name: Option<&str>,
) -> Result<HrConversion, ImportFileError> {
    let (header, rows) = parse_csv(text)?;
    let department =
        column(&header, DEPARTMENT).ok_or(ImportFileError::MissingColumn("department (부서)"))?;
    let email = column(&header, EMAIL).ok_or(ImportFileError::MissingColumn("email (이메일)"))?;
    let name = column(&header, NAME);
    let title = column(&header, TITLE);

    // Path (segments) → members; BTreeMap keeps parents before children and siblings sorted.
    let mut units: BTreeMap<Vec<String>, Vec<Value>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut people = 0;
    let cell = |row: &CsvRow, i: Option<usize>| -> String {
        i.and_then(|i| row.fields.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    for row in &rows {
        let path: Vec<String> = cell(row, Some(department))
            .split('/')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let address = cell(row, Some(email)).to_lowercase();
        if path.is_empty() {
            problems.push(HrRowProblem {
                line: row.line,
                message: "no department path".into(),
            });
            continue;
        }
        if check_email_format(&address).is_err() {
            problems.push(HrRowProblem {
                line: row.line,
                message: format!("{address:?} is not an e-mail address"),
            });
            continue;
        }
        for depth in 1..path.len() {
            units.entry(path[..depth].to_vec()).or_default();
        }
        let display = cell(row, name);
        units.entry(path.clone()).or_default().push(json!({
            "id": address,
            "name": if display.is_empty() { address.clone() } else { display },
            "email": address,
            "job_title": cell(row, title),
        }));
        people += 1;
    }

    // Nest: each path under its parent path.
    let count = units.len();
    let mut nodes: BTreeMap<Vec<String>, Map<String, Value>> = BTreeMap::new();
    for (path, members) in &units {
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut node = Map::new();
        node.insert("id".into(), json!(unit_id_for_path(&segments)));
        node.insert("name".into(), json!(path[path.len() - 1]));
        node.insert("type".into(), json!("department"));
        node.insert("description".into(), json!(path.join(" / ")));
        node.insert("member_ids".into(), json!([]));
        node.insert(
            "meta".into(),
            json!({"members": members, "member_count": members.len(), "path": path.join("/")}),
        );
        nodes.insert(path.clone(), node);
    }
    // Attach deepest first so children are complete when their parent is attached.
    let mut paths: Vec<Vec<String>> = nodes.keys().cloned().collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut roots: BTreeMap<Vec<String>, Value> = BTreeMap::new();
    for path in paths {
        let Some(node) = nodes.remove(&path) else {
            continue;
        };
        if path.len() == 1 {
            roots.insert(path, Value::Object(node));
        } else if let Some(parent) = nodes.get_mut(&path[..path.len() - 1]) {
            let children = parent
                .entry("children")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = children {
                list.insert(0, Value::Object(node));
            }
        }
    }
    let body = json!({
        "organization": {"tenant_id": tenant_id, "name": org_name.unwrap_or(tenant_id)},
        "units": roots.into_values().collect::<Vec<_>>(),
    });
    Ok(HrConversion {
        body,
        units: count,
        people,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::import_file::validate_import;

    #[test]
    fn korean_headers_and_paths_become_a_valid_nested_import() {
        let text = "부서,이름,이메일,직급\n\
                    개발본부/백엔드팀,김민지,MinJi.Kim@Example.com,선임\n\
                    개발본부/백엔드팀,이준,jun.lee@example.com,책임\n\
                    개발본부,박소라,sora@example.com,본부장\n\
                    영업본부/해외영업팀/APAC,최유나,yuna@example.com,사원\n\
                    ,무소속,nobody@example.com,\n\
                    영업본부,잘못,not-an-email,\n";
        let out = hr_csv_to_import(text, "acme", Some("ACME")).expect("converted");
        assert_eq!((out.units, out.people), (5, 4));
        let lines: Vec<u64> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![6, 7]);
        let bytes = serde_json::to_vec(&out.body).expect("json");
        let validated = validate_import(&bytes);
        assert!(validated.is_valid(), "{:?}", validated.problems);
        let file = validated.file.expect("file");
        let names: Vec<(&str, i64)> = file
            .units
            .iter()
            .map(|u| (u.text("name").unwrap_or(""), u.level))
            .collect();
        assert_eq!(
            names,
            vec![
                ("개발본부", 0),
                ("백엔드팀", 1),
                ("영업본부", 0),
                ("해외영업팀", 1),
                ("APAC", 2)
            ]
        );
        let backend = &file.units[1];
        assert_eq!(
            backend.fields["meta"]["members"][0]["email"], "minji.kim@example.com",
            "e-mails are lower-cased"
        );
        assert_eq!(
            backend.input_id(),
            Some(unit_id_for_path(&["개발본부", "백엔드팀"]).as_str()),
            "the id is derived from the path"
        );
    }

    #[test]
    fn english_headers_in_any_case_work_and_a_missing_department_column_is_named() {
        let out = hr_csv_to_import(
            "Name,E-Mail,Department,Job Title\nAnn,ann@example.com,Engineering/Backend,Dev\n",
            "t",
            None,
        )
        .expect("converted");
        assert_eq!(out.body["units"][0]["children"][0]["name"], "Backend");
        let err = hr_csv_to_import("name,email\nA,a@example.com\n", "t", None)
            .expect_err("no department column");
        assert!(err.to_string().contains("department"), "{err}");
    }
}
