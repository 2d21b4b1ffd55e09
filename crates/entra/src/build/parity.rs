//! The server's own sync, reproduced: the payload with which the deployment ends up exactly as
//! `POST /organizations/sync/msgraph` would leave it on the same clean read (entra-sync.md,
//! steps 1–7 and "Building the identical JSON payload").

use super::compare::Keep;
use super::{
    BuildCounts, BuildMode, BuildOptions, Built, admin_unit_unit, department_unit, group_unit,
    organization_record, unique_ids,
};
use crate::model::{Directory, MemberKind};
use serde_json::{Value, json};

/// Builds the parity payload.
pub fn build(directory: &Directory, options: &BuildOptions) -> Built {
    build_kept(directory, options, Keep::Whole)
}

/// [`build`], keeping each unit as `keep` says.
pub(crate) fn build_kept(directory: &Directory, options: &BuildOptions, keep: Keep) -> Built {
    let mut counts = BuildCounts::default();
    let mut warnings = Vec::new();
    let mut units: Vec<Value> = Vec::new();
    let user_members = |id: &str, counts: &mut BuildCounts| -> Vec<Value> {
        let list = directory.members.get(id).map(Vec::as_slice).unwrap_or(&[]);
        counts.non_user_members += list.iter().filter(|m| m.kind != MemberKind::User).count();
        list.iter()
            .filter(|m| m.kind == MemberKind::User)
            .map(|m| Value::String(m.id.clone()))
            .collect()
    };
    if options.admin_units {
        for au in &directory.admin_units {
            let member_ids = user_members(&au.id, &mut counts);
            units.push(keep.unit(admin_unit_unit(au, member_ids, None)));
            counts.admin_units += 1;
        }
    }
    if options.groups {
        for g in &directory.groups {
            let member_ids = user_members(&g.id, &mut counts);
            units.push(keep.unit(group_unit(g, member_ids, None)));
            counts.groups += 1;
        }
    }
    if options.departments {
        for (name, people) in departments(directory) {
            let member_ids: Vec<Value> =
                people.iter().map(|u| Value::String(u.id.clone())).collect();
            let members: Vec<Value> = people
                .iter()
                .map(|u| {
                    json!({
                        "id": u.id,
                        "name": u.display_name,
                        "email": u.email(),
                        "job_title": u.job_title,
                    })
                })
                .collect();
            units.push(keep.unit(department_unit(name, member_ids, members)));
            counts.departments += 1;
        }
    }
    counts.members_by_email_only = 0;
    unique_ids(&mut units, &mut warnings);
    Built {
        mode: BuildMode::Parity,
        payload: json!({"organization": organization_record(directory), "units": units}),
        counts,
        warnings,
    }
}

/// Users grouped by `department` exactly as the server does: first-seen order, no trimming,
/// case-sensitive, empty and missing departments skipped.
pub(crate) fn departments(directory: &Directory) -> Vec<(&str, Vec<&crate::model::User>)> {
    let mut order: Vec<(&str, Vec<&crate::model::User>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for u in directory.users.iter().flatten() {
        let Some(d) = u.department.as_deref().filter(|d| !d.is_empty()) else {
            continue;
        };
        match index.get(d) {
            Some(&i) => order[i].1.push(u),
            None => {
                index.insert(d, order.len());
                order.push((d, vec![u]));
            }
        }
    }
    order
}
