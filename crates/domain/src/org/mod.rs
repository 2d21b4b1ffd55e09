//! Organizations: the OU tree, OU membership, and the offline JSON import (file, plan).

mod digest;
pub mod hr_csv;
pub mod import_file;
pub mod import_plan;
pub mod membership;
pub mod tree;

pub use membership::{
    LikeCase, MatchedBy, Person, UnitMembers, access_membership, like, python_json_escape,
    usage_limit_membership,
};
pub use tree::{OuTree, TreeProblem, UnitInput, UnitIx};

/// A content digest of a JSON value (0 for none): key order does not matter, and the result is
/// the same on every platform and in every build.
pub fn content_digest(value: Option<&serde_json::Value>) -> u64 {
    digest::digest_of(value)
}
