//! What a directory read holds: the organization, administrative units, groups, users and each
//! unit's direct members, as Graph gives them (only the selected properties).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// `GET /organization`, first element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The tenant id.
    pub id: String,
    /// The tenant's name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Verified domains in Graph order.
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
    /// Kept as Graph sent it.
    #[serde(default)]
    pub country_letter_code: Value,
    /// Kept as Graph sent it.
    #[serde(default)]
    pub created_date_time: Value,
    /// Kept as Graph sent it.
    #[serde(default)]
    pub tenant_type: Value,
}

/// One verified domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// The domain name.
    #[serde(default)]
    pub name: Option<String>,
    /// The tenant's default domain.
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// An administrative unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminUnit {
    /// Object id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `Assigned` or `Dynamic`.
    #[serde(default)]
    pub membership_type: Option<String>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Object id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `Unified`, `DynamicMembership`, …; null for plain security groups.
    #[serde(default)]
    pub group_types: Option<Vec<String>>,
    /// The dynamic membership rule.
    #[serde(default)]
    pub membership_rule: Option<String>,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Mail address (may be absent).
    #[serde(default)]
    pub mail: Option<String>,
    /// Sign-in name.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Department, verbatim.
    #[serde(default)]
    pub department: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// Company.
    #[serde(default)]
    pub company_name: Option<String>,
    /// False for a disabled account.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
}

impl User {
    /// `mail` when non-empty, else the user principal name (the server's rule).
    pub fn email(&self) -> Option<&str> {
        match self.mail.as_deref() {
            Some(m) if !m.is_empty() => Some(m),
            _ => self.user_principal_name.as_deref(),
        }
    }

    /// A guest account.
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    }

    /// A disabled account.
    pub fn is_disabled(&self) -> bool {
        self.account_enabled == Some(false)
    }
}

/// What kind of object a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// `#microsoft.graph.user`.
    User,
    /// `#microsoft.graph.group`.
    Group,
    /// Devices, service principals, contacts, …
    Other,
}

/// One direct member of a unit or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Object id.
    pub id: String,
    /// Its kind.
    pub kind: MemberKind,
}

/// A member as Graph lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct RawMember {
    pub(crate) id: String,
    #[serde(rename = "@odata.type", default)]
    pub(crate) odata_type: Option<String>,
}

impl From<RawMember> for Member {
    fn from(m: RawMember) -> Member {
        let kind = match m.odata_type.as_deref() {
            Some("#microsoft.graph.user") => MemberKind::User,
            Some("#microsoft.graph.group") => MemberKind::Group,
            _ => MemberKind::Other,
        };
        Member { id: m.id, kind }
    }
}

/// Everything one read found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// The organization.
    pub organization: Option<Organization>,
    /// Administrative units, in Graph order (empty when not read).
    pub admin_units: Vec<AdminUnit>,
    /// Groups, in Graph order (empty when not read).
    pub groups: Vec<Group>,
    /// Users in Graph order, when read.
    pub users: Option<Vec<User>>,
    /// Direct members of each administrative unit and group, by its object id.
    pub members: HashMap<String, Vec<Member>>,
}
