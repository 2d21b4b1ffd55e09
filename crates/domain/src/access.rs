//! Resource access (`access_control` on workspace resources), evaluated in the server's order
//! (permissions.md §5.2): admin, owner, public read, then any grant — the user herself, one of
//! her groups (direct or OU-linked), or one of her OUs or their ancestors. Write implies read.
//!
//! Before any of that, every workspace endpoint requires a *verified* user (role `user` or
//! `admin`, auth.md §2): a `pending` user, or one with any other role string, is refused even
//! when a grant names her.
//!
//! Differences from the product documents, reproduced here: `null` grants *read* only (the
//! organization docs say full access); `user_ids` work although the guide only mentions groups
//! and OUs; OU grants are inherited downwards only — sharing with a parent reaches members of
//! every unit below it, sharing with a child does not reach the parent's members.

use crate::permissions::{UnitRef, Via};
use serde_json::Value;
use std::fmt;

/// One list of grants (`read` or `write`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Groups.
    pub group_ids: Vec<String>,
    /// Users.
    pub user_ids: Vec<String>,
    /// Organizational units (and everything below each).
    pub org_unit_ids: Vec<String>,
}

impl Grants {
    fn from_json(v: Option<&Value>) -> Grants {
        let list = |key: &str| -> Vec<String> {
            v.and_then(|o| o.get(key))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Grants {
            group_ids: list("group_ids"),
            user_ids: list("user_ids"),
            org_unit_ids: list("org_unit_ids"),
        }
    }

    /// True when nobody is granted.
    pub fn is_empty(&self) -> bool {
        self.group_ids.is_empty() && self.user_ids.is_empty() && self.org_unit_ids.is_empty()
    }
}

/// A resource's `access_control`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessControl {
    /// `null`: every verified user may read; only the owner and admins may write.
    Public,
    /// An object: `{}` is private (owner and admins only); otherwise the two lists.
    Restricted {
        /// `read` lists.
        read: Grants,
        /// `write` lists (they also give read).
        write: Grants,
    },
}

impl AccessControl {
    /// Reads the field. Missing lists are empty, as on the server; a list that is not an array
    /// is treated as empty too (the server would fail on it).
    pub fn from_json(value: &Value) -> AccessControl {
        match value {
            Value::Null => AccessControl::Public,
            other => AccessControl::Restricted {
                read: Grants::from_json(other.get("read")),
                write: Grants::from_json(other.get("write")),
            },
        }
    }

    /// The `write` lists, if any.
    pub fn write_grants(&self) -> Option<&Grants> {
        match self {
            AccessControl::Public => None,
            AccessControl::Restricted { write, .. } => Some(write),
        }
    }
}

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// View and use.
    Read,
    /// Modify and manage.
    Write,
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Want::Read => "read",
            Want::Write => "write",
        })
    }
}

/// A group the user belongs to, for access purposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectGroup {
    /// Group id.
    pub id: std::sync::Arc<str>,
    /// Name.
    pub name: std::sync::Arc<str>,
    /// Direct, or through an OU link.
    pub via: Via,
}

/// An OU the user counts as a member of: one she belongs to directly, or an ancestor of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectUnit {
    /// The unit.
    pub unit: UnitRef,
    /// The unit she directly belongs to, from which this one is reached upwards.
    pub member_of: UnitRef,
}

impl SubjectUnit {
    /// Reached through a descendant rather than directly.
    pub fn inherited(&self) -> bool {
        self.unit.id != self.member_of.id
    }
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// User id.
    pub user_id: &'a str,
    /// Role.
    pub role: &'a crate::Role,
    /// Groups, direct first.
    pub groups: &'a [SubjectGroup],
    /// Units, direct ones first.
    pub units: &'a [SubjectUnit],
}

/// Which list a grant was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The `read` list.
    Read,
    /// The `write` list.
    Write,
}

/// Why access is allowed or denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessReason {
    /// Refused before access control: the role is not `user` or `admin`.
    NotVerified(crate::Role),
    /// Role `admin`.
    Admin,
    /// The resource's owner.
    Owner,
    /// `access_control` is null (read only).
    Public,
    /// The user's id is listed.
    User(ListKind),
    /// One of her groups is listed.
    Group(SubjectGroup, ListKind),
    /// One of her units (or an ancestor of one) is listed.
    Unit(SubjectUnit, ListKind),
    /// Nothing grants it.
    Denied,
}

/// A decision with its reason: the two are one value, so they cannot disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDecision {
    /// What was asked.
    pub want: Want,
    /// Why (and, through [`AccessReason::Denied`], whether).
    pub reason: AccessReason,
}

impl AccessDecision {
    /// Allowed?
    pub fn allowed(&self) -> bool {
        !matches!(
            self.reason,
            AccessReason::Denied | AccessReason::NotVerified(_)
        )
    }
}

impl fmt::Display for AccessDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, l: &ListKind| match (self.want, l) {
            (_, ListKind::Write) if self.want == Want::Read => {
                f.write_str(" (write list, which includes read)")
            }
            (_, ListKind::Write) => f.write_str(" (write list)"),
            (_, ListKind::Read) => f.write_str(" (read list)"),
        };
        match &self.reason {
            AccessReason::NotVerified(role) => {
                write!(
                    f,
                    "no {}: her role is {role}, and only users and admins reach the workspace",
                    self.want
                )
            }
            AccessReason::Denied => write!(f, "no {}: nothing grants it", self.want),
            AccessReason::Admin => write!(f, "{}: admin role", self.want),
            AccessReason::Owner => write!(f, "{}: owner", self.want),
            AccessReason::Public => write!(f, "{}: public (access_control is null)", self.want),
            AccessReason::User(l) => {
                write!(f, "{}: shared with her directly", self.want)?;
                list(f, l)
            }
            AccessReason::Group(g, l) => {
                write!(f, "{}: group {}", self.want, g.name)?;
                if let Via::OrgUnit { linked, member } = &g.via {
                    write!(f, ", which OU {} is linked to", linked.name)?;
                    if linked.id != member.id {
                        write!(f, " (member of {})", member.name)?;
                    }
                }
                list(f, l)
            }
            AccessReason::Unit(u, l) => {
                write!(f, "{}: OU {}", self.want, u.unit.name)?;
                if u.inherited() {
                    write!(f, ", inherited through {}", u.member_of.name)?;
                }
                list(f, l)
            }
        }
    }
}

fn find_grant(subject: &Subject<'_>, grants: &Grants, kind: ListKind) -> Option<AccessReason> {
    if grants.user_ids.iter().any(|u| u == subject.user_id) {
        return Some(AccessReason::User(kind));
    }
    if let Some(g) = subject
        .groups
        .iter()
        .find(|g| grants.group_ids.iter().any(|id| **id == *g.id))
    {
        return Some(AccessReason::Group(g.clone(), kind));
    }
    subject
        .units
        .iter()
        .find(|u| grants.org_unit_ids.iter().any(|id| **id == *u.unit.id))
        .map(|u| AccessReason::Unit(u.clone(), kind))
}

/// Can `subject` read or write a resource owned by `owner_id` with `access`?
pub fn evaluate(
    subject: &Subject<'_>,
    owner_id: &str,
    access: &AccessControl,
    want: Want,
) -> AccessDecision {
    let reason = if subject.role.is_admin() {
        AccessReason::Admin
    } else if !subject.role.is_verified() {
        AccessReason::NotVerified(subject.role.clone())
    } else if subject.user_id == owner_id {
        AccessReason::Owner
    } else {
        match (access, want) {
            (AccessControl::Public, Want::Read) => AccessReason::Public,
            (AccessControl::Public, Want::Write) => AccessReason::Denied,
            (AccessControl::Restricted { read, write }, Want::Read) => {
                find_grant(subject, read, ListKind::Read)
                    .or_else(|| find_grant(subject, write, ListKind::Write))
                    .unwrap_or(AccessReason::Denied)
            }
            (AccessControl::Restricted { write, .. }, Want::Write) => {
                find_grant(subject, write, ListKind::Write).unwrap_or(AccessReason::Denied)
            }
        }
    };
    AccessDecision { want, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unit(id: &str, name: &str) -> UnitRef {
        UnitRef {
            id: id.into(),
            name: name.into(),
        }
    }

    /// Seed 003's example subject: in the AI Team group directly, and a member of Backend Team,
    /// which sits under Engineering.
    fn dev_subject() -> (Vec<SubjectGroup>, Vec<SubjectUnit>) {
        let groups = vec![SubjectGroup {
            id: "g-ai".into(),
            name: "AI Team".into(),
            via: Via::Direct,
        }];
        let backend = unit("ou-be", "Backend Team");
        let units = vec![
            SubjectUnit {
                unit: backend.clone(),
                member_of: backend.clone(),
            },
            SubjectUnit {
                unit: unit("ou-eng", "Engineering"),
                member_of: backend,
            },
        ];
        (groups, units)
    }

    #[test]
    fn seed_examples_per_department_agents() {
        let (groups, units) = dev_subject();
        let subject = Subject {
            user_id: "u-1",
            role: &crate::Role::User,
            groups: &groups,
            units: &units,
        };
        // Shared Assistant: public read, write for AI Team.
        let shared = AccessControl::Public;
        assert_eq!(
            evaluate(&subject, "owner", &shared, Want::Read).to_string(),
            "read: public (access_control is null)"
        );
        assert!(
            !evaluate(&subject, "owner", &shared, Want::Write).allowed(),
            "null never grants write"
        );
        // Dev Helper: read Engineering OU, write Backend Team group (she is not in that group).
        let dev = AccessControl::from_json(&json!({
            "read": {"org_unit_ids": ["ou-eng"]}, "write": {"group_ids": ["g-backend"]}
        }));
        let read = evaluate(&subject, "owner", &dev, Want::Read);
        assert_eq!(
            read.to_string(),
            "read: OU Engineering, inherited through Backend Team (read list)"
        );
        assert!(!evaluate(&subject, "owner", &dev, Want::Write).allowed());
        // Sales Analytics: write Data Team only — she is neither.
        let sales = AccessControl::from_json(
            &json!({"read": {"group_ids": ["g-exec", "g-sales"]}, "write": {"group_ids": ["g-data"]}}),
        );
        assert_eq!(
            evaluate(&subject, "owner", &sales, Want::Read).to_string(),
            "no read: nothing grants it"
        );
    }

    /// Seed 003: HR Assistant (read HR Team, write HR admins) and the Project Report Agent (read
    /// all staff and a partner organization, write Finance only), for four people.
    #[test]
    fn seed_examples_hr_and_project_report() {
        let hr = AccessControl::from_json(
            &json!({"read": {"group_ids": ["g-hr"]}, "write": {"group_ids": ["g-hr-admin"]}}),
        );
        let report = AccessControl::from_json(&json!({
            "read": {"group_ids": ["g-all"], "org_unit_ids": ["ou-partner"]},
            "write": {"group_ids": ["g-finance"]},
        }));
        let group = |id: &str, name: &str| SubjectGroup {
            id: id.into(),
            name: name.into(),
            via: Via::Direct,
        };
        let partner = unit("ou-partner", "Partner Co");
        let people: Vec<(&str, Vec<SubjectGroup>, Vec<SubjectUnit>)> = vec![
            (
                "hr-clerk",
                vec![group("g-hr", "HR Team"), group("g-all", "All staff")],
                vec![],
            ),
            ("hr-lead", vec![group("g-hr-admin", "HR admins")], vec![]),
            (
                "accountant",
                vec![
                    group("g-finance", "Finance Team"),
                    group("g-all", "All staff"),
                ],
                vec![],
            ),
            (
                "consultant",
                vec![],
                vec![SubjectUnit {
                    unit: partner.clone(),
                    member_of: partner,
                }],
            ),
        ];
        // (person, hr read, hr write, report read, report write)
        let expected = [
            ("hr-clerk", true, false, true, false),
            ("hr-lead", true, true, false, false),
            ("accountant", false, false, true, true),
            ("consultant", false, false, true, false),
        ];
        for ((id, groups, units), (eid, hr_r, hr_w, rep_r, rep_w)) in people.iter().zip(expected) {
            assert_eq!(*id, eid);
            let s = Subject {
                user_id: id,
                role: &crate::Role::User,
                groups,
                units,
            };
            let got = (
                evaluate(&s, "owner", &hr, Want::Read).allowed(),
                evaluate(&s, "owner", &hr, Want::Write).allowed(),
                evaluate(&s, "owner", &report, Want::Read).allowed(),
                evaluate(&s, "owner", &report, Want::Write).allowed(),
            );
            assert_eq!(got, (hr_r, hr_w, rep_r, rep_w), "{id}");
        }
    }

    #[test]
    fn evaluation_order_admin_owner_public_then_grants() {
        let (groups, units) = dev_subject();
        let private = AccessControl::from_json(&json!({}));
        let admin = Subject {
            user_id: "u-1",
            role: &crate::Role::Admin,
            groups: &groups,
            units: &units,
        };
        assert_eq!(
            evaluate(&admin, "x", &private, Want::Write).reason,
            AccessReason::Admin
        );
        let owner = Subject {
            user_id: "x",
            role: &crate::Role::User,
            groups: &groups,
            units: &units,
        };
        assert_eq!(
            evaluate(&owner, "x", &private, Want::Write).reason,
            AccessReason::Owner
        );
        let other = Subject {
            user_id: "u-1",
            role: &crate::Role::User,
            groups: &groups,
            units: &units,
        };
        assert!(
            !evaluate(&other, "x", &private, Want::Read).allowed(),
            "{{}} is private"
        );
    }

    #[test]
    fn pending_users_and_unknown_roles_are_refused_first() {
        let (groups, units) = dev_subject();
        let ac = AccessControl::from_json(
            &json!({"read": {"user_ids": ["u-1"]}, "write": {"group_ids": ["g-ai"]}}),
        );
        for role in [crate::Role::Pending, crate::Role::from_server("superuser")] {
            let subject = Subject {
                user_id: "u-1",
                role: &role,
                groups: &groups,
                units: &units,
            };
            let d = evaluate(&subject, "u-1", &ac, Want::Read);
            assert!(!d.allowed(), "even her own resource");
            assert!(d.to_string().starts_with("no read: her role is"), "{d}");
        }
    }

    #[test]
    fn write_implies_read_and_user_ids_work() {
        let (groups, units) = dev_subject();
        let subject = Subject {
            user_id: "u-1",
            role: &crate::Role::User,
            groups: &groups,
            units: &units,
        };
        let ac = AccessControl::from_json(&json!({"write": {"group_ids": ["g-ai"]}}));
        assert_eq!(
            evaluate(&subject, "o", &ac, Want::Write).to_string(),
            "write: group AI Team (write list)"
        );
        assert_eq!(
            evaluate(&subject, "o", &ac, Want::Read).to_string(),
            "read: group AI Team (write list, which includes read)"
        );
        let direct = AccessControl::from_json(&json!({"read": {"user_ids": ["u-1"]}}));
        assert_eq!(
            evaluate(&subject, "o", &direct, Want::Read).to_string(),
            "read: shared with her directly (read list)"
        );
        assert!(!evaluate(&subject, "o", &direct, Want::Write).allowed());
    }

    #[test]
    fn a_child_grant_does_not_reach_the_parent_members() {
        let eng = unit("ou-eng", "Engineering");
        let units = vec![SubjectUnit {
            unit: eng.clone(),
            member_of: eng,
        }];
        let subject = Subject {
            user_id: "u-2",
            role: &crate::Role::User,
            groups: &[],
            units: &units,
        };
        let to_child = AccessControl::from_json(&json!({"read": {"org_unit_ids": ["ou-be"]}}));
        assert!(!evaluate(&subject, "o", &to_child, Want::Read).allowed());
    }

    #[test]
    fn ou_linked_groups_are_named_with_their_unit() {
        let groups = vec![SubjectGroup {
            id: "g-eng".into(),
            name: "Engineers".into(),
            via: Via::OrgUnit {
                linked: unit("ou-eng", "Engineering"),
                member: unit("ou-be", "Backend Team"),
            },
        }];
        let subject = Subject {
            user_id: "u",
            role: &crate::Role::User,
            groups: &groups,
            units: &[],
        };
        let ac = AccessControl::from_json(&json!({"write": {"group_ids": ["g-eng"]}}));
        assert_eq!(
            evaluate(&subject, "o", &ac, Want::Write).to_string(),
            "write: group Engineers, which OU Engineering is linked to (member of Backend Team) (write list)"
        );
    }

    #[test]
    fn malformed_lists_are_empty() {
        let ac = AccessControl::from_json(&json!({"read": {"group_ids": "g-1"}, "write": 5}));
        assert_eq!(
            ac,
            AccessControl::Restricted {
                read: Grants::default(),
                write: Grants::default()
            }
        );
    }
}
