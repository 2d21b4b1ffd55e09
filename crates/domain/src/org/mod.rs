//! Organizations: the OU tree and OU membership.

pub mod membership;
pub mod tree;

pub use membership::{
    LikeCase, MatchedBy, Person, UnitMembers, access_membership, like, python_json_escape,
    usage_limit_membership,
};
pub use tree::{OuTree, TreeProblem, UnitInput, UnitIx};
