//! The deployment's built-in permission object, as far as it can be known from outside.
//!
//! Built-in values come from the server's environment (`USER_PERMISSIONS_*`), which no endpoint
//! shows. They matter for the keys the stored defaults do not hold (and for everything when
//! defaults were never saved). The one observation available is the signed-in admin's own
//! effective permissions: for a key the stored defaults lack and none of the admin's groups
//! sets, the admin's value *is* the built-in value. Keys a group of the admin sets stay
//! [`PermValue::Unknown`], unless the stored defaults make the built-in value irrelevant or the
//! server fixes it in code (`admin.*`, `features.scheduled_tasks`: no environment variable).

use super::{Key, Node, PermValue, PermissionTree, Tree, builtin_defaults, key_spec};

/// The built-in object: the catalogue's shape, each value read from the admin's own effective
/// permissions where that is sound, unknown where it is not.
///
/// `stored` is the stored default object (`None`: never saved); `admin_effective` the admin's
/// `GET /users/permissions`; `admin_groups` the permission objects of every group that reaches
/// the admin (direct or OU-linked).
pub fn observed_builtin(
    stored: Option<&PermissionTree>,
    admin_effective: &PermissionTree,
    admin_groups: &[&PermissionTree],
) -> PermissionTree {
    let catalogue = builtin_defaults();
    let mut out: PermissionTree = Tree::new();
    for (section, node) in catalogue.entries() {
        let Node::Branch(keys) = node else { continue };
        let mut inner = Tree::new();
        for (key, _) in keys.entries() {
            let path = format!("{section}.{key}");
            let in_stored = stored.is_some_and(|s| s.leaf(&path).is_some());
            let set_by_group = admin_groups.iter().any(|g| g.leaf(&path).is_some());
            let fixed = key_spec(section, key).is_some_and(|k| k.builtin_is_fixed());
            let value = if in_stored || fixed {
                // Fixed in code, or irrelevant because the stored defaults hold the key.
                catalogue.leaf(&path).cloned().unwrap_or(PermValue::Unknown)
            } else if set_by_group {
                PermValue::Unknown
            } else {
                admin_effective
                    .leaf(&path)
                    .cloned()
                    .unwrap_or(PermValue::Unknown)
            };
            inner.push(Key::clone(key), Node::Leaf(value));
        }
        out.push(Key::clone(section), Node::Branch(inner));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::{Base, GroupGrant, Via, effective_permissions};
    use serde_json::json;

    #[test]
    fn values_come_from_the_admin_where_sound_and_are_unknown_elsewhere() {
        // The deployment's environment turned Gmail off for everyone; the admin's group sets Drive.
        let stored = crate::permissions::post_defaults();
        let admin_group = PermissionTree::from_json(&json!({"features": {"drive": false}}));
        let mut admin_view = builtin_defaults().to_json();
        admin_view["features"]["gmail"] = json!(false);
        admin_view["features"]["drive"] = json!(false);
        let admin_effective = PermissionTree::from_json(&admin_view);
        let builtin = observed_builtin(Some(&stored), &admin_effective, &[&admin_group]);
        assert_eq!(
            builtin.leaf("features.gmail"),
            Some(&PermValue::Bool(false)),
            "read from the admin"
        );
        assert_eq!(
            builtin.leaf("features.drive"),
            Some(&PermValue::Unknown),
            "her group hides it"
        );

        // A user in no group: Gmail is known to be off, Drive cannot be known.
        let e = effective_permissions(Base::Stored(&stored), &builtin, &[]);
        assert_eq!(e.value("features.gmail"), Some(&PermValue::Bool(false)));
        assert_eq!(e.unknown_paths(), ["features.drive"]);
        assert_eq!(e.to_json()["features"]["drive"], json!(null));
        // A group that sets Drive makes it known again.
        let drive_on = PermissionTree::from_json(&json!({"features": {"drive": true}}));
        let grants = [GroupGrant {
            id: "g",
            name: "Drive users",
            via: Via::Direct,
            permissions: &drive_on,
        }];
        let e = effective_permissions(Base::Stored(&stored), &builtin, &grants);
        assert!(e.unknown_paths().is_empty());
        assert_eq!(e.value("features.drive"), Some(&PermValue::Bool(true)));
    }

    #[test]
    fn admin_keys_are_fixed_in_code_so_a_group_of_the_admin_hides_nothing() {
        let admin_group = PermissionTree::from_json(&json!({"admin": {"users": "write"}}));
        let mut admin_view = builtin_defaults().to_json();
        admin_view["admin"]["users"] = json!("write");
        let builtin = observed_builtin(
            None,
            &PermissionTree::from_json(&admin_view),
            &[&admin_group],
        );
        assert_eq!(
            builtin.leaf("admin.users"),
            Some(&PermValue::Level(crate::permissions::Level::None))
        );
    }
}
