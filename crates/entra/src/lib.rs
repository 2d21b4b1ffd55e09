//! Microsoft Graph for the Entra ID sync, run from the admin's machine.
//!
//! | module | owns |
//! | --- | --- |
//! | [`cloud`] | the sign-in and Graph base URLs of each national cloud, and which URLs are allowed |
//! | [`auth`] | the three sign-ins (client secret, certificate assertion, device code) and token renewal |
//! | [`graph`] | one Graph client: paging, retries after `Retry-After`, pacing, bounded concurrency, cancel |
//! | [`read`] | the directory read: organization, administrative units, groups, users, members |
//! | [`delta`] | later reads with Graph's delta links, merged into the directory kept from the last run |
//! | [`model`] | what a read holds |
//! | [`build`] | the organization import payload, the server's way (`parity`) or the recommended way |
//! | [`error`] | what can go wrong, each naming the call |
//!
//! The crate knows nothing of Cloosphere's API: it turns a directory into the JSON payload of
//! `POST /api/v1/organizations/sync/json` (entra-sync.md, "Building the identical JSON payload").
//! It fails closed: a call that finally fails fails the read; nothing partial is ever returned.

#![deny(missing_docs)]

pub mod auth;
pub mod build;
pub mod cloud;
pub mod delta;
pub mod error;
pub mod graph;
pub mod model;
pub mod read;

pub use auth::{Credential, DeviceCodePrompt, TokenSource};
pub use build::{BuildMode, BuildOptions, Built};
pub use cloud::{Cloud, Endpoints};
pub use error::{EntraError, EntraResult};
pub use graph::{GraphClient, ReadSettings, ReadStats};
pub use model::Directory;
pub use read::{ReadOptions, read_directory};
