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
            Some(value) => {
                let ok = match field.kind {
                    Kind::Str => value.is_string(),
                    Kind::OptStr => value.is_string() || value.is_null(),
                };
                if !ok {
                    issues.push(json!({
                        "type": "string_type",
                        "loc": ["body", field.name],
                        "msg": "Input should be a valid string",
                        "input": value,
                    }));
                }
            }
        }
    }
    issues
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
