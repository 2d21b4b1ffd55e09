//! Feature permissions: levels, the permission object, the server's merge, the default
//! permissions endpoints' rules, and delegated admin rights.

pub mod baseline;
pub mod catalogue;
pub mod defaults;
pub mod delegation;
pub mod group_check;
pub mod merge;
mod tree;
mod value;

pub use baseline::observed_builtin;
pub use catalogue::{KEYS, KeyKind, KeySpec, builtin_defaults, key_spec, post_defaults};
pub use defaults::{DefaultsNote, default_permissions_post, default_permissions_view};
pub use delegation::{AdminArea, AdminCapability, Delegation, Gate, delegated};
pub use group_check::{
    GroupNote, GroupPermissionError, check_group_permissions, grants_user_administration,
};
pub use merge::{
    Base, Decided, EffectivePermissions, GroupGrant, Quirk, Source, UnitRef, Via, combine,
    effective_permissions,
};
pub use tree::{Key, Node, PermissionTree, Tree};
pub use value::{Level, PermValue};

#[cfg(test)]
mod tests;
