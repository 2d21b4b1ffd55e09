//! The directory read of entra-sync.md, steps 1–7, done so that a failure is never mistaken for
//! "no data": the organization, the administrative units, the groups (with the optional
//! `$filter`), the users, then every unit's direct members in parallel up to the client's
//! concurrency. `memberOf` is not called: the server throws its answer away, and the recommended
//! build finds nesting in the member lists instead.

use crate::error::{EntraError, EntraResult};
use crate::graph::GraphClient;
use crate::model::{AdminUnit, Directory, Group, Member, Organization, RawMember, User};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// `$select` of the administrative-unit list (the server's).
pub const ADMIN_UNIT_SELECT: &str = "id,displayName,description,membershipType";
/// `$select` of the group list (the server's).
pub const GROUP_SELECT: &str = "id,displayName,description,groupTypes,membershipRule";
/// `$select` of the user list: the server's, plus what tells guests and disabled accounts.
pub const USER_SELECT: &str =
    "id,displayName,mail,userPrincipalName,department,jobTitle,companyName,accountEnabled,userType";

/// What to read (the server's options; users are also read when the build needs them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Administrative units (server default: on).
    pub admin_units: bool,
    /// Groups (server default: off).
    pub groups: bool,
    /// Users, for departments or for the recommended build's member details.
    pub users: bool,
    /// Raw OData `$filter` for the group list; empty means none.
    pub group_filter: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            admin_units: true,
            groups: false,
            users: false,
            group_filter: None,
        }
    }
}

/// Reads the directory. Any call that finally fails fails the read.
pub async fn read_directory(
    client: &Arc<GraphClient>,
    options: &ReadOptions,
) -> EntraResult<Directory> {
    let top = client.settings().page_size;
    let organizations: Vec<Organization> = client
        .all_pages("GET /organization", &client.url("/organization"))
        .await?;
    let Some(organization) = organizations.into_iter().next() else {
        return Err(EntraError::BadAnswer {
            call: "GET /organization".into(),
            cause: "no organization in the answer (is Organization.Read.All granted?)".into(),
        });
    };
    let mut directory = Directory {
        organization: Some(organization),
        ..Directory::default()
    };
    if options.admin_units {
        let url = client.url(&format!(
            "/directory/administrativeUnits?$select={ADMIN_UNIT_SELECT}&$top={top}"
        ));
        directory.admin_units = client
            .all_pages::<AdminUnit>("GET /directory/administrativeUnits", &url)
            .await?;
    }
    if options.groups {
        let mut url = client.url(&format!("/groups?$select={GROUP_SELECT}&$top={top}"));
        if let Some(filter) = options.group_filter.as_deref().filter(|f| !f.is_empty()) {
            url.push_str("&$filter=");
            url.push_str(&url_escape(filter));
        }
        directory.groups = client.all_pages::<Group>("GET /groups", &url).await?;
    }
    if options.users {
        let url = client.url(&format!("/users?$select={USER_SELECT}&$top={top}"));
        directory.users = Some(client.all_pages::<User>("GET /users", &url).await?);
    }
    let mut targets: Vec<(String, String, String)> = Vec::new();
    for au in &directory.admin_units {
        targets.push((
            au.id.clone(),
            "GET /directory/administrativeUnits/{id}/members".into(),
            format!("/directory/administrativeUnits/{}/members", au.id),
        ));
    }
    for g in &directory.groups {
        targets.push((
            g.id.clone(),
            "GET /groups/{id}/members".into(),
            format!("/groups/{}/members", g.id),
        ));
    }
    directory.members = read_members(client, targets).await?;
    Ok(directory)
}

/// Direct members of every unit, in parallel (the client bounds how many at once). The first
/// failure cancels the rest and fails the read.
pub(crate) async fn read_members(
    client: &Arc<GraphClient>,
    targets: Vec<(String, String, String)>,
) -> EntraResult<HashMap<String, Vec<Member>>> {
    let top = client.settings().page_size;
    client.expect_member_lists(targets.len());
    let mut tasks = JoinSet::new();
    for (id, call, path) in targets {
        let client = client.clone();
        tasks.spawn(async move {
            let url = client.url(&format!("{path}?$select=id&$top={top}"));
            let call = call.replace("{id}", &id);
            let members = client.all_pages::<RawMember>(&call, &url).await?;
            Ok::<_, EntraError>((id, members.into_iter().map(Member::from).collect()))
        });
    }
    let mut members = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        let outcome = done.map_err(|e| EntraError::BadAnswer {
            call: "member read".into(),
            cause: e.to_string(),
        });
        match outcome.and_then(|r| r) {
            Ok((id, list)) => {
                client.member_list_read();
                members.insert(id, list);
            }
            Err(e) => {
                tasks.abort_all();
                return Err(e);
            }
        }
    }
    Ok(members)
}

/// Percent-encodes an OData filter for a query string.
fn url_escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
