//! A typed client for the HTTP API of a Cloosphere deployment.
//!
//! The contract is `shared/cloosphere-api/`: every path, field and status code here follows it,
//! including the server's quirks (401 for a wrong role, 403 for a missing token, plaintext API
//! keys in the user list). Secrets are carried as [`cloo_domain::Secret`]; the user list's
//! `api_key` is dropped while parsing and never reaches a caller.

#![deny(missing_docs)]

mod audit;
mod client;
mod error;
mod groups;
mod inquiries;
mod license;
mod notifications;
mod orgs;
mod pipelines;
mod resources;
mod service_requests;
mod settings;
mod types;
mod url_base;
mod users;

/// The server version the contract (`shared/cloosphere-api/`) describes; other versions may
/// differ in the quirks the console works around.
pub const CONTRACT_VERSION: &str = "0.6.5";

pub use audit::{AuditLog, AuditPage, AuditStats};
pub use client::{Client, ClientOptions};
pub use error::{ApiError, AuthFailure, KnownDetail, LocPart, ValidationIssue};
pub use groups::{Group, GroupName, GroupUpdateForm, MemberEmail};
pub use inquiries::{Inquiry, InquiryType};
pub use license::LicensePermissions;
pub use notifications::ChannelTestAnswer;
pub use orgs::{
    GuardrailSummary, ImportCounters, ImportResult, OrgUnit, Organization, ResourceGrant,
    UnitPermissions,
};
pub use pipelines::PipelineServer;
pub use resources::{KnowledgeBase, ModelRow};
pub use service_requests::{SrAttempt, SrConfig};
pub use types::*;
pub use url_base::normalize_base_url;
pub use users::{
    AdminDetails, ModelUsage, PerModel, PerModelLimits, SuperAdminAnswer, UsageLimitCheck,
    UsageLimitConfig, UsagePeriod, UserLimits, UserProfile, UserSearchHit, UserUnit,
    UserUpdateForm,
};
