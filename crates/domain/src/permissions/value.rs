//! Permission levels and values, with the server's own comparison and truthiness rules.

use serde_json::Value;
use std::fmt;

/// The four levels of a level key, in order (permissions.md §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No access.
    None,
    /// See the menu or list; counts as *full* access in the legacy "any non-none" checks.
    Access,
    /// View details.
    Read,
    /// Create, edit, delete.
    Write,
}

impl Level {
    /// All levels, lowest first.
    pub const ALL: [Level; 4] = [Level::None, Level::Access, Level::Read, Level::Write];

    /// Parses one of the four exact strings (the server is case-sensitive).
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "none" => Some(Level::None),
            "access" => Some(Level::Access),
            "read" => Some(Level::Read),
            "write" => Some(Level::Write),
            _ => None,
        }
    }

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Access => "access",
            Level::Read => "read",
            Level::Write => "write",
        }
    }

    /// The server's numeric rank: 0 to 3.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value stored at a permission key. Group permissions are free-form JSON, so anything can
/// appear; each kind keeps the semantics the server gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum PermValue {
    /// One of the four level strings.
    Level(Level),
    /// Any other string (the server ranks it 0, but a non-empty one is "truthy").
    Text(String),
    /// A boolean: legacy level (`true` = write) or a toggle.
    Bool(bool),
    /// A number, null or list (boxed: rare, and it would triple the size of every value).
    Other(Box<Value>),
    /// A value the console cannot know (a built-in default set by the deployment's environment
    /// that nothing observable reveals). Written as JSON `null`, which the server never sends.
    Unknown,
}

impl PermValue {
    /// Reads a JSON leaf. Objects are not leaves: callers handle them as branches.
    pub fn from_json(value: &Value) -> PermValue {
        match value {
            Value::String(s) => {
                Level::parse(s).map_or_else(|| PermValue::Text(s.clone()), PermValue::Level)
            }
            Value::Bool(b) => PermValue::Bool(*b),
            other => PermValue::Other(Box::new(other.clone())),
        }
    }

    /// Back to JSON, exactly as read.
    pub fn to_json(&self) -> Value {
        match self {
            PermValue::Level(l) => Value::String(l.as_str().to_owned()),
            PermValue::Text(s) => Value::String(s.clone()),
            PermValue::Bool(b) => Value::Bool(*b),
            PermValue::Other(v) => (**v).clone(),
            PermValue::Unknown => Value::Null,
        }
    }

    /// Is this a JSON string (a level or any other text)?
    pub fn is_string(&self) -> bool {
        matches!(self, PermValue::Level(_) | PermValue::Text(_))
    }

    /// The rank used by minimum-level checks and by the merge of two strings: a level's rank,
    /// `true` = 3, `false` = 0, anything else 0 (permissions.md §2.2).
    pub fn rank(&self) -> u8 {
        match self {
            PermValue::Level(l) => l.rank(),
            PermValue::Bool(true) => Level::Write.rank(),
            _ => 0,
        }
    }

    /// The level a minimum-level check sees.
    pub fn as_level(&self) -> Level {
        Level::ALL[usize::from(self.rank())]
    }

    /// Python truthiness, which decides the merge of mixed types (`existing or new`): every
    /// non-empty string is true, `"none"` included.
    pub fn truthy(&self) -> bool {
        match self {
            PermValue::Level(_) => true,
            PermValue::Text(s) => !s.is_empty(),
            PermValue::Bool(b) => *b,
            PermValue::Other(v) => match &**v {
                Value::Null => false,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::String(s) => !s.is_empty(),
                Value::Bool(b) => *b,
            },
            PermValue::Unknown => false,
        }
    }

    /// The legacy "any non-none" test (the groups router): a string other than `"none"`, or
    /// `true`. Note that `"access"` and even unknown strings grant.
    pub fn grants_any(&self) -> bool {
        match self {
            PermValue::Level(l) => *l != Level::None,
            PermValue::Text(_) => true,
            PermValue::Bool(b) => *b,
            PermValue::Other(_) | PermValue::Unknown => false,
        }
    }
}

impl fmt::Display for PermValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermValue::Level(l) => f.write_str(l.as_str()),
            PermValue::Text(s) => write!(f, "{s:?}"),
            PermValue::Bool(b) => write!(f, "{b}"),
            PermValue::Other(v) => write!(f, "{v}"),
            PermValue::Unknown => f.write_str("unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_rank_in_order_and_round_trip() {
        assert!(
            Level::None < Level::Access
                && Level::Access < Level::Read
                && Level::Read < Level::Write
        );
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
            assert_eq!(
                PermValue::from_json(&json!(l.as_str())),
                PermValue::Level(l)
            );
        }
        assert_eq!(
            Level::parse("Write"),
            None,
            "case-sensitive like the server"
        );
    }

    #[test]
    fn booleans_compare_as_write_and_none_and_unknown_strings_as_none() {
        assert_eq!(PermValue::Bool(true).as_level(), Level::Write);
        assert_eq!(PermValue::Bool(false).as_level(), Level::None);
        assert_eq!(PermValue::Text("admin".into()).as_level(), Level::None);
        assert_eq!(PermValue::Other(Box::new(json!(5))).as_level(), Level::None);
    }

    #[test]
    fn values_stay_small() {
        assert!(
            std::mem::size_of::<PermValue>() <= 32,
            "{}",
            std::mem::size_of::<PermValue>()
        );
    }

    #[test]
    fn python_truthiness_is_reproduced() {
        assert!(
            PermValue::Level(Level::None).truthy(),
            "'none' is a non-empty string"
        );
        assert!(!PermValue::Text(String::new()).truthy());
        assert!(!PermValue::Bool(false).truthy());
        assert!(!PermValue::Other(Box::new(json!(null))).truthy());
        assert!(!PermValue::Other(Box::new(json!(0))).truthy());
        assert!(PermValue::Other(Box::new(json!([1]))).truthy());
    }

    #[test]
    fn any_non_none_counts_access_and_unknown_text() {
        assert!(PermValue::Level(Level::Access).grants_any());
        assert!(PermValue::Text("yes".into()).grants_any());
        assert!(PermValue::Bool(true).grants_any());
        assert!(!PermValue::Level(Level::None).grants_any());
        assert!(!PermValue::Bool(false).grants_any());
        assert!(!PermValue::Other(Box::new(json!(1))).grants_any());
    }
}
