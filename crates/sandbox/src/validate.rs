//! Request validation the way FastAPI + Pydantic v2 answer it: 422 with a `detail` list of
//! `{type, loc, msg, input}`.

use crate::errors::ApiFailure;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The JSON type a body field must have.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string.
    Str,
    /// A string or null.
    OptStr,
    /// An object or null.
    OptObject,
    /// A list of strings, or null.
    OptStrList,
    /// `dict[str, int]`: integers (digit strings coerced), never null.
    IntMap,
    /// A boolean or null (lax: "true"/"false"/0/1 accepted as Pydantic does).
    OptBool,
    /// An integer or null.
    OptInt,
    /// `dict[str, int]` or null.
    OptIntMap,
    /// A JSON object (`dict`), never null.
    Object,
    /// A list of objects (`list[dict]`), never null.
    ObjectList,
    /// A list of strings, never null.
    StrList,
}

/// One declared body field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Field name.
    pub name: &'static str,
    /// Expected type.
    pub kind: Kind,
    /// Required (no default).
    pub required: bool,
}

impl Field {
    /// A required string field.
    pub const fn string(name: &'static str) -> Self {
        Field {
            name,
            kind: Kind::Str,
            required: true,
        }
    }

    /// An optional field that may be a string or null.
    pub const fn optional_string(name: &'static str) -> Self {
        Field {
            name,
            kind: Kind::OptStr,
            required: false,
        }
    }

    /// An optional field of another kind.
    pub const fn optional(name: &'static str, kind: Kind) -> Self {
        Field {
            name,
            kind,
            required: false,
        }
    }
}

/// A request body model: its fields, checked before deserialising.
pub trait Form: DeserializeOwned {
    /// The declared fields.
    const FIELDS: &'static [Field];
}

/// A JSON body validated against its [`Form`].
pub struct Valid<T>(pub T);

impl<S: Send + Sync, T: Form> FromRequest<S> for Valid<T> {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(ApiFailure::internal)?;
        let value = parse_body(&bytes)?;
        let object = match &value {
            Value::Object(map) => map,
            other => {
                return Err(ApiFailure::validation(vec![json!({
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": other,
                })]));
            }
        };
        let issues = check_fields(object, T::FIELDS);
        if !issues.is_empty() {
            return Err(ApiFailure::validation(issues));
        }
        serde_json::from_value(value)
            .map(Valid)
            .map_err(ApiFailure::internal)
    }
}

fn parse_body(bytes: &[u8]) -> Result<Value, ApiFailure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiFailure::validation(vec![json!({
            "type": "missing", "loc": ["body"], "msg": "Field required", "input": null,
        })]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let position = byte_offset(bytes, e.line(), e.column());
        ApiFailure::validation(vec![json!({
            "type": "json_invalid",
            "loc": ["body", position],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": e.to_string()},
        })])
    })
}

/// The 0-based byte offset of a 1-based line/column, as Python's JSON decoder reports it.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    line_start + column.saturating_sub(1)
}

fn check_fields(object: &Map<String, Value>, fields: &[Field]) -> Vec<Value> {
    let mut issues = Vec::new();
    for field in fields {
        match object.get(field.name) {
            None if field.required => issues.push(json!({
                "type": "missing",
                "loc": ["body", field.name],
                "msg": "Field required",
                "input": object,
            })),
            None => {}
            Some(value) => check_value(&["body", field.name], value, field.kind, &mut issues),
        }
    }
    issues
}

fn loc(path: &[&str]) -> Value {
    Value::Array(
        path.iter()
            .map(|p| Value::String((*p).to_owned()))
            .collect(),
    )
}

fn issue(kind: &str, path: &[&str], msg: &str, input: &Value) -> Value {
    json!({"type": kind, "loc": loc(path), "msg": msg, "input": input})
}

/// Checks one value against its kind, pushing Pydantic's issues.
fn check_value(path: &[&str], value: &Value, kind: Kind, issues: &mut Vec<Value>) {
    match kind {
        Kind::Str if !value.is_string() => issues.push(issue(
            "string_type",
            path,
            "Input should be a valid string",
            value,
        )),
        Kind::OptStr if !(value.is_string() || value.is_null()) => issues.push(issue(
            "string_type",
            path,
            "Input should be a valid string",
            value,
        )),
        Kind::OptObject if !(value.is_object() || value.is_null()) => issues.push(issue(
            "dict_type",
            path,
            "Input should be a valid dictionary",
            value,
        )),
        Kind::Object if !value.is_object() => issues.push(issue(
            "dict_type",
            path,
            "Input should be a valid dictionary",
            value,
        )),
        Kind::ObjectList => match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_object() {
                        let idx = i.to_string();
                        let mut p = path.to_vec();
                        p.push(&idx);
                        let mut it =
                            issue("dict_type", &p, "Input should be a valid dictionary", item);
                        it["loc"][p.len() - 1] = json!(i);
                        issues.push(it);
                    }
                }
            }
            other => issues.push(issue(
                "list_type",
                path,
                "Input should be a valid list",
                other,
            )),
        },
        Kind::StrList if value.is_null() => issues.push(issue(
            "list_type",
            path,
            "Input should be a valid list",
            value,
        )),
        Kind::OptStrList | Kind::StrList => match value {
            Value::Null => {}
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        let idx = i.to_string();
                        let mut p = path.to_vec();
                        p.push(&idx);
                        let mut it =
                            issue("string_type", &p, "Input should be a valid string", item);
                        it["loc"][p.len() - 1] = json!(i);
                        issues.push(it);
                    }
                }
            }
            other => issues.push(issue(
                "list_type",
                path,
                "Input should be a valid list",
                other,
            )),
        },
        Kind::OptIntMap if value.is_null() => {}
        Kind::IntMap | Kind::OptIntMap => match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut p = path.to_vec();
                    p.push(k);
                    if int_value(v).is_none() {
                        let (kind, msg) = match v {
                            Value::Number(n) if n.is_f64() => (
                                "int_from_float",
                                "Input should be a valid integer, got a number with a fractional part",
                            ),
                            Value::String(_) => (
                                "int_parsing",
                                "Input should be a valid integer, unable to parse string as an integer",
                            ),
                            _ => ("int_type", "Input should be a valid integer"),
                        };
                        issues.push(issue(kind, &p, msg, v));
                    }
                }
            }
            other => issues.push(issue(
                "dict_type",
                path,
                "Input should be a valid dictionary",
                other,
            )),
        },
        Kind::OptBool if !(value.is_null() || bool_value(value).is_some()) => issues.push(issue(
            "bool_parsing",
            path,
            "Input should be a valid boolean, unable to interpret input",
            value,
        )),
        Kind::OptInt if !(value.is_null() || int_value(value).is_some()) => issues.push(issue(
            "int_type",
            path,
            "Input should be a valid integer",
            value,
        )),
        _ => {}
    }
}

/// An integer as Pydantic's lax mode reads it: an integer, a float without fraction, or a
/// string of digits.
pub fn int_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean as Pydantic's lax mode reads it.
pub fn bool_value(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_i64() == Some(1) => Some(true),
        Value::Number(n) if n.as_i64() == Some(0) => Some(false),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Parses an optional integer query parameter, or answers 422 `int_parsing` like FastAPI.
pub fn optional_int_query(name: &str, raw: Option<&str>) -> Result<Option<i64>, ApiFailure> {
    match raw {
        None => Ok(None),
        Some(text) => text.trim().parse::<i64>().map(Some).map_err(|_| {
            ApiFailure::validation(vec![json!({
                "type": "int_parsing",
                "loc": ["query", name],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": text,
            })])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[Field::string("email"), Field::optional_string("role")];

    #[test]
    fn missing_and_wrongly_typed_fields_are_all_reported() {
        let object = json!({"role": 5});
        let issues = check_fields(object.as_object().expect("object"), FIELDS);
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0]["type"], "missing");
        assert_eq!(issues[0]["loc"], json!(["body", "email"]));
        assert_eq!(issues[1]["type"], "string_type");
    }

    #[test]
    fn json_errors_report_the_byte_position() {
        let err = parse_body(b"{\n  \"a\": }").expect_err("invalid");
        let body = format!("{err:?}");
        assert!(body.contains("json_invalid"), "{body}");
        assert_eq!(byte_offset(b"{\n  \"a\": }", 2, 8), 9);
    }
}
