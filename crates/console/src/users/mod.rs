//! Users of a deployment: the directory (`directory`), one user in detail with what may be done
//! to her (`detail`), changes to one user (`change`), the Super Admin (`super_admin`), her
//! effective permissions, limits and usage (`access`), and bulk plans on a selection (`bulk`).

mod access;
mod bulk;
mod change;
mod detail;
mod directory;
mod super_admin;

pub use access::{
    LimitReport, ModelUsageRow, OtherDatabaseLimit, PermissionEntry, PermissionsReport, UserUsage,
};
pub use bulk::{BulkAction, BulkItem, BulkPlan, BulkResult};
pub use change::{EditUserRequest, NewUserRequest};
pub use detail::{
    DelegatedRight, DeletionImpact, NamedRef, RoleChoice, UserDetail, deletion_impact, roles,
};
pub use directory::{KEPT_AVATAR_BYTES, UserPage, UserRow, UsersPageRequest};
pub use super_admin::SuperAdminView;

pub(crate) use directory::{directory_user_of, kept_avatar};

use crate::error::{ConsoleError, ConsoleResult};
use crate::snapshot::Snapshot;
use crate::{Console, Target};
use std::sync::Arc;

impl Console {
    /// A user by e-mail or id, refreshing the snapshot once if she is not in it.
    pub(crate) async fn resolve_user(
        &self,
        target: &Target,
        who: &str,
    ) -> ConsoleResult<(Arc<Snapshot>, usize)> {
        let snapshot = self.snapshot(target, false).await?;
        if let Some((ix, _)) = snapshot.find_user(who) {
            return Ok((snapshot, ix));
        }
        let fresh = self.snapshot(target, true).await?;
        let ix = fresh.find_user(who).map(|(ix, _)| ix).ok_or_else(|| {
            ConsoleError::not_found("user", who, format!("no user with e-mail or id {who:?}"))
        })?;
        Ok((fresh, ix))
    }
}
