//! What the screens offer to pick from: the permission keys of the matrix, grouped as the seed
//! groups them, and units to link a group to.

use crate::error::ConsoleResult;
use crate::{Groups, Target};
use cloo_domain::permissions::{KEYS, KeyKind};
use serde::Serialize;
use ts_rs::TS;

/// One key of the permission matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PermissionKeyView {
    /// `section.key`.
    pub path: String,
    /// Section id (`workspace`, `admin`, `sharing`, `chat`, `features`).
    pub section: String,
    /// `level` (none/access/read/write) or `toggle` (on/off).
    pub kind: String,
    /// Human name.
    pub label: String,
    /// What an admin should know before changing it.
    pub warning: Option<String>,
}

/// A section of the matrix, in the seed's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PermissionSection {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What the section governs.
    pub note: String,
    /// Its keys.
    pub keys: Vec<PermissionKeyView>,
}

fn label(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The permission matrix's sections: workspace, admin delegation, sharing, chat, features.
pub fn permission_catalogue() -> Vec<PermissionSection> {
    let sections = [
        (
            "workspace",
            "Workspace",
            "Which workspace areas members may open (access), use (read) or create and edit (write).",
        ),
        (
            "admin",
            "Admin delegation",
            "Admin pages delegated to members. Only groups grant these: default permissions never do.",
        ),
        (
            "sharing",
            "Sharing",
            "Whether members may make their resources public.",
        ),
        ("chat", "Chat", "Chat controls members may use."),
        (
            "features",
            "Features",
            "Features members may switch on in chat.",
        ),
    ];
    sections
        .iter()
        .map(|(id, title, note)| PermissionSection {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            note: (*note).to_owned(),
            keys: KEYS
                .iter()
                .filter(|k| k.section == *id)
                .map(|k| PermissionKeyView {
                    path: k.path(),
                    section: k.section.to_owned(),
                    kind: match k.kind {
                        KeyKind::Level => "level",
                        KeyKind::Toggle => "toggle",
                    }
                    .to_owned(),
                    label: label(k.key),
                    warning: (k.section == "admin" && k.key == "users")
                        .then(|| super::USER_ADMIN_WARNING.to_owned()),
                })
                .collect(),
        })
        .collect()
}

/// A unit as a picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnitChoice {
    /// Unit id.
    pub id: String,
    /// Display name or name.
    pub name: String,
    /// Its ancestors' names, top first, joined with " / ".
    pub path: String,
    /// The organization's name.
    pub organization: String,
}

impl Groups<'_> {
    /// Units whose name or path contains `text` (case-insensitive), at most `limit`, by path.
    pub async fn search_units(
        &self,
        target: &Target,
        text: &str,
        limit: usize,
    ) -> ConsoleResult<Vec<UnitChoice>> {
        let snapshot = self.c.snapshot(target, false).await?;
        let tree = snapshot.rules.tree();
        let needle = text.trim().to_lowercase();
        let org_name = |id: &str| {
            snapshot
                .organizations
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.display_name.clone().unwrap_or_else(|| o.name.clone()))
                .unwrap_or_default()
        };
        let mut found: Vec<UnitChoice> = (0..tree.len() as u32)
            .filter_map(|ix| {
                let unit = tree.unit(ix);
                let mut names: Vec<&str> =
                    tree.ancestors(ix).map(|a| tree.unit(a).label()).collect();
                names.reverse();
                let path = names.join(" / ");
                let hit = needle.is_empty()
                    || unit.label().to_lowercase().contains(&needle)
                    || path.to_lowercase().contains(&needle);
                hit.then(|| UnitChoice {
                    id: unit.id.clone(),
                    name: unit.label().to_owned(),
                    path,
                    organization: org_name(&unit.organization_id),
                })
            })
            .collect();
        found.sort_by(|a, b| {
            (&a.organization, &a.path, &a.name).cmp(&(&b.organization, &b.path, &b.name))
        });
        found.truncate(limit);
        Ok(found)
    }
}
