//! Importing users from CSV, GAM-style but safer: every row is planned (create, skip, or an
//! error with its line and reason) before anything is written, and the plan is exactly what an
//! apply does.
//!
//! Files come as Excel saves them: UTF-8 with or without a BOM, or CP949 / EUC-KR from Korean
//! Excel. Quoting is RFC 4180 (fields may hold commas, quotes and line breaks). Errors name the
//! physical line where the record starts.

use crate::{Role, check_email_format, check_password_policy};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A text encoding of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileEncoding {
    /// UTF-8 (a BOM is allowed and ignored).
    Utf8,
    /// CP949 / EUC-KR (Korean Excel's "CSV" format).
    Cp949,
}

impl FileEncoding {
    /// Parses a name given on a command line.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(FileEncoding::Utf8),
            "cp949" | "euc-kr" | "euckr" | "ks-c-5601-1987" | "windows-949" => {
                Some(FileEncoding::Cp949)
            }
            _ => None,
        }
    }
}

impl fmt::Display for FileEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileEncoding::Utf8 => "UTF-8",
            FileEncoding::Cp949 => "CP949",
        })
    }
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportFileError {
    /// The bytes are not text in the encoding.
    Encoding(String),
    /// The CSV is malformed.
    Csv {
        /// Physical line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A required column is missing.
    MissingColumn(&'static str),
    /// The file has no header row.
    Empty,
}

impl ImportFileError {
    /// The physical line the error is on, when it is on one.
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportFileError::Csv { line, .. } => Some(*line),
            ImportFileError::MissingColumn(_) => Some(1),
            ImportFileError::Encoding(_) | ImportFileError::Empty => None,
        }
    }
}

impl fmt::Display for ImportFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportFileError::Encoding(m) => f.write_str(m),
            ImportFileError::Csv { line, message } => write!(f, "line {line}: {message}"),
            ImportFileError::MissingColumn(c) => write!(
                f,
                "line 1: no {c} column (the header needs name, email, password, role; groups is optional)"
            ),
            ImportFileError::Empty => f.write_str("the file is empty"),
        }
    }
}

/// Decodes a file: UTF-8 (BOM stripped) when it is valid UTF-8 or `encoding` says so, else
/// CP949. Refuses bytes that are neither instead of guessing.
pub fn decode(
    bytes: &[u8],
    encoding: Option<FileEncoding>,
) -> Result<(String, FileEncoding), ImportFileError> {
    let utf8 = |b: &[u8]| {
        std::str::from_utf8(b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)).map(str::to_owned)
    };
    match encoding {
        Some(FileEncoding::Utf8) => utf8(bytes).map(|t| (t, FileEncoding::Utf8)).map_err(|e| {
            ImportFileError::Encoding(format!(
                "not UTF-8 (byte {}): is it a Korean Excel file? choose the CP949 encoding",
                e.valid_up_to()
            ))
        }),
        Some(FileEncoding::Cp949) => {
            let (text, _, errors) = encoding_rs::EUC_KR.decode(bytes);
            if errors {
                Err(ImportFileError::Encoding(
                    "not CP949/EUC-KR text: choose the UTF-8 encoding".into(),
                ))
            } else {
                Ok((text.into_owned(), FileEncoding::Cp949))
            }
        }
        None => match utf8(bytes) {
            Ok(t) => Ok((t, FileEncoding::Utf8)),
            Err(_) => decode(bytes, Some(FileEncoding::Cp949)).map_err(|_| {
                ImportFileError::Encoding(
                    "neither UTF-8 nor CP949/EUC-KR text: choose the encoding".into(),
                )
            }),
        },
    }
}

/// One CSV record with the physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// Physical line (1 = header).
    pub line: u64,
    /// Fields.
    pub fields: Vec<String>,
}

/// Parses CSV text into its header and records. Blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<(CsvRow, Vec<CsvRow>), ImportFileError> {
    // The csv reader accepts a quote that never closes and swallows the rest of the file into
    // one field; a file like that is refused at the line where the quote opened.
    if let Some(line) = unterminated_quote_line(text) {
        return Err(ImportFileError::Csv {
            line,
            message: format!("a quoted field opened on line {line} never closes"),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The reader's own line numbers drift after blank lines; its byte offset points
                // at the skipped blank, so the record starts after any line breaks from there.
                let byte = record.position().map_or(0, |p| p.byte() as usize);
                let start = byte
                    + text[byte.min(text.len())..]
                        .bytes()
                        .take_while(|b| *b == b'\n' || *b == b'\r')
                        .count();
                let line = 1 + text.as_bytes()[..start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                if fields.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                rows.push(CsvRow { line, fields });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(ImportFileError::Csv {
                    line,
                    message: e.to_string(),
                });
            }
        }
    }
    let mut rows = rows.into_iter();
    let header = rows.next().ok_or(ImportFileError::Empty)?;
    Ok((header, rows.collect()))
}

/// The line where a quoted field opens that the text never closes (RFC 4180: a quote opens only
/// at the start of a field; `""` inside it is an escaped quote).
fn unterminated_quote_line(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let mut line = 1u64;
    let mut field_start = true;
    let mut open_since: Option<u64> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if open_since.is_some() {
            match b {
                b'"' if bytes.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => {
                    open_since = None;
                    field_start = false;
                }
                b'\n' => line += 1,
                _ => {}
            }
        } else {
            match b {
                b'"' if field_start => open_since = Some(line),
                b',' => field_start = true,
                b'\n' => {
                    line += 1;
                    field_start = true;
                }
                b'\r' => {}
                _ => field_start = false,
            }
        }
        i += 1;
    }
    open_since
}

/// Column positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    name: usize,
    email: usize,
    password: usize,
    role: usize,
    groups: Option<usize>,
}

fn find_columns(header: &CsvRow) -> Result<Columns, ImportFileError> {
    let find = |names: &[&str]| {
        header.fields.iter().position(|h| {
            let h = h.trim().to_lowercase();
            names.iter().any(|n| h == *n)
        })
    };
    Ok(Columns {
        name: find(&["name", "이름"]).ok_or(ImportFileError::MissingColumn("name"))?,
        email: find(&["email", "e-mail", "이메일"])
            .ok_or(ImportFileError::MissingColumn("email"))?,
        password: find(&["password", "비밀번호"])
            .ok_or(ImportFileError::MissingColumn("password"))?,
        role: find(&["role", "역할"]).ok_or(ImportFileError::MissingColumn("role"))?,
        groups: find(&["groups", "group", "그룹"]),
    })
}

/// What a row will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RowAction {
    /// A new user.
    Create,
    /// The e-mail is already registered: nothing to do.
    Skip {
        /// Why.
        reason: String,
    },
    /// The row cannot be imported: never written.
    Error {
        /// Why.
        reason: String,
    },
}

/// One row of a plan. Holds no password (the apply reads it from the file again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRow {
    /// Physical line of the record.
    pub line: u64,
    /// E-mail, lower-cased.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role to create with.
    pub role: String,
    /// Group names or ids to add her to.
    pub groups: Vec<String>,
    /// What happens.
    #[serde(flatten)]
    pub action: RowAction,
}

/// A planned row with the password read from the file (only ever in memory).
#[derive(Debug, Clone)]
pub struct RowWithPassword {
    /// The row.
    pub row: PlannedRow,
    /// Its password.
    pub password: crate::Secret,
}

/// The plan for a file: every row, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    /// The encoding the file was read in.
    pub encoding: FileEncoding,
    /// Rows.
    pub rows: Vec<PlannedRow>,
}

impl ImportPlan {
    /// Rows that will be created.
    pub fn creates(&self) -> impl Iterator<Item = &PlannedRow> {
        self.rows.iter().filter(|r| r.action == RowAction::Create)
    }

    /// Counts: (create, skip, error).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.rows
            .iter()
            .fold((0, 0, 0), |(c, s, e), r| match r.action {
                RowAction::Create => (c + 1, s, e),
                RowAction::Skip { .. } => (c, s + 1, e),
                RowAction::Error { .. } => (c, s, e + 1),
            })
    }
}

/// Plans an import. `existing` holds the deployment's e-mails (lower-cased); `groups` says
/// whether a group name or id exists and is unambiguous.
pub fn plan_import(
    text: &str,
    encoding: FileEncoding,
    existing: &HashSet<String>,
    group_exists: &dyn Fn(&str) -> Result<(), String>,
) -> Result<(ImportPlan, Vec<RowWithPassword>), ImportFileError> {
    let (header, records) = parse_csv(text)?;
    let cols = find_columns(&header)?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    let mut with_passwords = Vec::new();
    for record in records {
        let field = |i: usize| {
            record
                .fields
                .get(i)
                .map(|f| f.trim().to_owned())
                .unwrap_or_default()
        };
        let email = field(cols.email).to_lowercase();
        let name = field(cols.name);
        let password = record
            .fields
            .get(cols.password)
            .cloned()
            .unwrap_or_default();
        let role_text = field(cols.role);
        let groups: Vec<String> = cols
            .groups
            .map(field)
            .unwrap_or_default()
            .split([';', '|'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        let role = if role_text.is_empty() {
            Ok(Role::Pending)
        } else {
            Role::parse_assignable(&role_text)
        };
        let error = if email.is_empty() {
            Some("missing e-mail".to_owned())
        } else if let Err(e) = check_email_format(&email) {
            Some(format!("bad e-mail: {e}"))
        } else if let Some(first) = seen.get(&email) {
            Some(format!("duplicate of line {first} (same e-mail)"))
        } else if name.is_empty() {
            Some("missing name".to_owned())
        } else if password.is_empty() {
            Some("missing password".to_owned())
        } else if let Err(e) = &role {
            Some(e.to_string())
        } else {
            let problems = check_password_policy(&password);
            if !problems.is_empty() {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                Some(format!("weak password: {}", list.join(", ")))
            } else {
                groups.iter().find_map(|g| group_exists(g).err())
            }
        };
        if !email.is_empty() {
            seen.entry(email.clone()).or_insert(record.line);
        }
        let action = match error {
            Some(reason) => RowAction::Error { reason },
            None if existing.contains(&email) => RowAction::Skip {
                reason: "already registered".into(),
            },
            None => RowAction::Create,
        };
        let row = PlannedRow {
            line: record.line,
            email,
            name,
            role: role.map(|r| r.to_string()).unwrap_or(role_text),
            groups,
            action,
        };
        if row.action == RowAction::Create {
            with_passwords.push(RowWithPassword {
                row: row.clone(),
                password: crate::Secret::new(password),
            });
        }
        rows.push(row);
    }
    Ok((ImportPlan { encoding, rows }, with_passwords))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_groups(g: &str) -> Result<(), String> {
        Err(format!("no group named {g:?}"))
    }

    fn plan(text: &str, existing: &[&str]) -> ImportPlan {
        let existing: HashSet<String> = existing.iter().map(|e| e.to_string()).collect();
        plan_import(text, FileEncoding::Utf8, &existing, &no_groups)
            .expect("plan")
            .0
    }

    #[test]
    fn quoted_fields_blank_lines_and_physical_line_numbers() {
        let text = "Name,EMAIL,Password,Role\n\n\"Lee, Mina\",mina@x.com,Strong-Pass-1,user\n\"Says \"\"hi\"\"\nover two lines\",b@x.com,Strong-Pass-1,admin\n   \nC,c@x.com,Strong-Pass-1,\n";
        let p = plan(text, &[]);
        let lines: Vec<u64> = p.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 7], "the physical line each record starts on");
        assert_eq!(p.rows[0].name, "Lee, Mina");
        assert_eq!(p.rows[1].name, "Says \"hi\"\nover two lines");
        assert_eq!(
            p.rows[2].role, "pending",
            "an empty role is the server's default"
        );
        assert_eq!(p.counts(), (3, 0, 0));
    }

    #[test]
    fn every_kind_of_bad_row_is_an_error_with_its_reason() {
        let text = "name,email,password,role,groups\n\
                    Ok,ok@x.com,Strong-Pass-1,user,\n\
                    Bad,not-an-email,Strong-Pass-1,user,\n\
                    NoPass,np@x.com,,user,\n\
                    Weak,w@x.com,weakpass,user,\n\
                    Role,r@x.com,Strong-Pass-1,superuser,\n\
                    Dup,OK@x.com,Strong-Pass-1,user,\n\
                    ,noname@x.com,Strong-Pass-1,user,\n\
                    Group,g@x.com,Strong-Pass-1,user,Nope\n\
                    Old,old@x.com,Strong-Pass-1,user,\n";
        let p = plan(text, &["old@x.com"]);
        let reasons: Vec<String> = p
            .rows
            .iter()
            .map(|r| match &r.action {
                RowAction::Create => "create".into(),
                RowAction::Skip { reason } | RowAction::Error { reason } => reason.clone(),
            })
            .collect();
        assert_eq!(reasons[0], "create");
        assert!(reasons[1].starts_with("bad e-mail"), "{}", reasons[1]);
        assert_eq!(reasons[2], "missing password");
        assert!(
            reasons[3].starts_with("weak password: no upper-case letter, no digit"),
            "{}",
            reasons[3]
        );
        assert!(reasons[4].contains("unknown role"), "{}", reasons[4]);
        assert_eq!(reasons[5], "duplicate of line 2 (same e-mail)");
        assert_eq!(reasons[6], "missing name");
        assert_eq!(reasons[7], "no group named \"Nope\"");
        assert_eq!(reasons[8], "already registered");
        assert_eq!(p.counts(), (1, 1, 7));
    }

    #[test]
    fn encodings_bom_and_korean_excel() {
        let csv = "이름,이메일,비밀번호,역할\n김민준,minjun@x.com,Strong-Pass-1,user\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat();
        assert_eq!(decode(&bom, None).expect("bom").0, csv);
        let (cp949, _, _) = encoding_rs::EUC_KR.encode(csv);
        let (text, enc) = decode(&cp949, None).expect("detected");
        assert_eq!((text.as_str(), enc), (csv, FileEncoding::Cp949));
        assert!(
            decode(&cp949, Some(FileEncoding::Utf8))
                .expect_err("not utf-8")
                .to_string()
                .contains("choose the CP949 encoding")
        );
        let p = plan(&text, &[]);
        assert_eq!(p.rows[0].name, "김민준");
        assert!(
            decode(&[0x41, 0x81], None).is_err(),
            "a lead byte without its trail byte"
        );
    }

    #[test]
    fn files_without_the_required_columns_say_which() {
        let err = plan_import(
            "name,email,role\nA,a@x.com,user\n",
            FileEncoding::Utf8,
            &HashSet::new(),
            &no_groups,
        )
        .expect_err("missing");
        assert_eq!(
            err.to_string(),
            "line 1: no password column (the header needs name, email, password, role; groups is optional)"
        );
        assert_eq!(parse_csv("").expect_err("empty"), ImportFileError::Empty);
        assert_eq!(
            parse_csv("a,b\n\"unterminated,x\nc,d\n").expect_err("open quote"),
            ImportFileError::Csv {
                line: 2,
                message: "a quoted field opened on line 2 never closes".into()
            }
        );
        let (_, rows) =
            parse_csv("a,b\n\"two\nlines\",\"say \"\"hi\"\"\"\nx\"y,z\n").expect("closed");
        assert_eq!(rows.len(), 2, "a quote inside an unquoted field is text");
    }

    #[test]
    fn the_plan_never_holds_a_password() {
        let text = "name,email,password,role\nA,a@x.com,Very-Secret-9,user\n";
        let existing = HashSet::new();
        let (plan, rows) =
            plan_import(text, FileEncoding::Utf8, &existing, &no_groups).expect("plan");
        let json = serde_json::to_string(&plan).expect("json");
        assert!(!json.contains("Very-Secret-9"), "{json}");
        assert_eq!(rows[0].password.expose(), "Very-Secret-9");
    }
}
