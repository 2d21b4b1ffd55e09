//! The pure rules of Cloosphere administration.
//!
//! Nothing here performs I/O: every function is a decision over data, so the desktop app, the
//! CLI and the tests all share exactly the same rules. Where the real server and its product
//! documents disagree, the server's behaviour is reproduced and the difference is noted.

#![deny(missing_docs)]

pub mod credentials;
pub mod role;

pub use credentials::{EmailError, PasswordProblem, check_email_format, check_password_policy};
pub use role::{Role, RoleError};
pub mod secret;
pub use secret::Secret;
pub mod tenant;
pub use tenant::{TenantNameError, pick_colour, validate_tenant_name};
pub mod directory;
pub use directory::{
    DirectoryIndex, DirectoryUser, SortDirection, UserQuery, UserSort, query_directory,
};
pub mod access;
pub mod admin;
pub mod audit;
pub mod deployment;
pub mod guard;
pub mod import;
pub mod inquiries;
pub mod limits;
pub mod notifications;
pub mod org;
pub mod permissions;
pub mod service_request;
pub mod settings;
pub mod synthetic;
