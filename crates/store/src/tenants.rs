//! Tenants: the deployments the console knows.

use crate::{Store, StoreError, now};
use serde::{Deserialize, Serialize};

/// How the console signs in to a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// E-mail and password; the session token is renewed by signing in again.
    Password,
    /// An admin's `sk-` API key, used directly as the bearer token.
    ApiKey,
}

impl AuthKind {
    fn as_str(self) -> &'static str {
        match self {
            AuthKind::Password => "password",
            AuthKind::ApiKey => "api_key",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "password" => Ok(AuthKind::Password),
            "api_key" => Ok(AuthKind::ApiKey),
            other => Err(StoreError::Database(format!("unknown auth kind {other:?}"))),
        }
    }
}

/// A stored tenant. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// Stable id; also the keychain key of its secrets.
    pub id: String,
    /// Display name, unique (case-insensitive); what `--tenant` takes.
    pub name: String,
    /// Normalised base URL.
    pub base_url: String,
    /// How to sign in.
    pub auth_kind: AuthKind,
    /// Sign-in e-mail for password tenants.
    pub account: Option<String>,
    /// Colour shown beside the name.
    pub colour: String,
    /// When set, the console refuses every write to this tenant.
    pub read_only: bool,
    /// Extra trusted CA certificates (PEM).
    pub ca_pem: Option<String>,
    /// Epoch seconds.
    pub created_at: i64,
    /// Epoch seconds of the last use, if any.
    pub last_used_at: Option<i64>,
}

/// A tenant to add.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Id chosen by the caller (its secrets are filed under it before the row is written).
    pub id: String,
    /// Display name (checked by the caller).
    pub name: String,
    /// Normalised base URL.
    pub base_url: String,
    /// How to sign in.
    pub auth_kind: AuthKind,
    /// Sign-in e-mail for password tenants.
    pub account: Option<String>,
    /// Read-only flag.
    pub read_only: bool,
    /// Extra trusted CA certificates (PEM).
    pub ca_pem: Option<String>,
}

/// Changes to a stored tenant; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantChange {
    /// New display name (checked by the caller).
    pub name: Option<String>,
    /// New colour (checked by the caller).
    pub colour: Option<String>,
    /// New read-only flag.
    pub read_only: Option<bool>,
    /// New normalised base URL.
    pub base_url: Option<String>,
    /// New way of signing in, with the account e-mail for password tenants.
    pub auth: Option<(AuthKind, Option<String>)>,
    /// New extra CA (`Some(None)` removes it).
    pub ca_pem: Option<Option<String>>,
}

type TenantRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    bool,
    Option<String>,
    i64,
    Option<i64>,
);

/// The tenant columns in [`TenantRow`] order (a macro so queries stay static strings).
macro_rules! tenant_columns {
    () => {
        "id, name, base_url, auth_kind, account, colour, read_only, ca_pem, created_at, last_used_at"
    };
}

fn from_row(row: TenantRow) -> Result<Tenant, StoreError> {
    let (id, name, base_url, kind, account, colour, read_only, ca_pem, created_at, last_used_at) =
        row;
    Ok(Tenant {
        id,
        name,
        base_url,
        auth_kind: AuthKind::parse(&kind)?,
        account,
        colour,
        read_only,
        ca_pem,
        created_at,
        last_used_at,
    })
}

impl Store {
    /// All tenants, by name.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows: Vec<TenantRow> = sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants ORDER BY name COLLATE NOCASE"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// A tenant by name (case-insensitive) or id.
    pub async fn tenant(&self, name_or_id: &str) -> Result<Tenant, StoreError> {
        let row: Option<TenantRow> = sqlx::query_as(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE name = ? COLLATE NOCASE OR id = ?"
        ))
        .bind(name_or_id)
        .bind(name_or_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(from_row)
            .transpose()?
            .ok_or_else(|| StoreError::UnknownTenant(name_or_id.to_owned()))
    }

    /// Adds a tenant with a colour no other tenant uses (when one is free).
    pub async fn insert_tenant(&self, new: &NewTenant) -> Result<Tenant, StoreError> {
        let existing = self.tenants().await?;
        if existing
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(&new.name))
        {
            return Err(StoreError::NameTaken(new.name.clone()));
        }
        let colour =
            cloo_domain::pick_colour(&new.name, existing.iter().map(|t| t.colour.as_str()));
        let id = new.id.clone();
        let result = sqlx::query(
            "INSERT INTO tenants (id, name, base_url, auth_kind, account, colour, read_only, ca_pem, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&new.name)
        .bind(&new.base_url)
        .bind(new.auth_kind.as_str())
        .bind(&new.account)
        .bind(colour)
        .bind(new.read_only)
        .bind(&new.ca_pem)
        .bind(now())
        .execute(self.pool())
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::NameTaken(new.name.clone()))
            }
            other => {
                other?;
                self.tenant(&id).await
            }
        }
    }

    /// Changes a stored tenant; returns it as it is now.
    pub async fn update_tenant(
        &self,
        id: &str,
        change: &TenantChange,
    ) -> Result<Tenant, StoreError> {
        let current = self.tenant(id).await?;
        if let Some(name) = &change.name
            && self
                .tenants()
                .await?
                .iter()
                .any(|t| t.id != current.id && t.name.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::NameTaken(name.clone()));
        }
        let (auth_kind, account) = change
            .auth
            .clone()
            .unwrap_or((current.auth_kind, current.account.clone()));
        let result = sqlx::query(
            "UPDATE tenants SET name = ?, colour = ?, read_only = ?, base_url = ?, auth_kind = ?,              account = ?, ca_pem = ? WHERE id = ?",
        )
        .bind(change.name.as_ref().unwrap_or(&current.name))
        .bind(change.colour.as_ref().unwrap_or(&current.colour))
        .bind(change.read_only.unwrap_or(current.read_only))
        .bind(change.base_url.as_ref().unwrap_or(&current.base_url))
        .bind(auth_kind.as_str())
        .bind(account)
        .bind(change.ca_pem.clone().unwrap_or(current.ca_pem.clone()))
        .bind(&current.id)
        .execute(self.pool())
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::NameTaken(
                change.name.clone().unwrap_or(current.name),
            )),
            other => {
                other?;
                self.tenant(&current.id).await
            }
        }
    }

    /// Removes a tenant; clears it as the current one. Returns whether it existed.
    pub async fn remove_tenant(&self, id: &str) -> Result<bool, StoreError> {
        let removed = sqlx::query("DELETE FROM tenants WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected()
            == 1;
        if self.current_tenant_id().await?.as_deref() == Some(id) {
            self.set_preference(CURRENT_TENANT, None).await?;
        }
        Ok(removed)
    }

    /// Records that a tenant was just used.
    pub async fn touch_tenant(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE tenants SET last_used_at = ? WHERE id = ?")
            .bind(now())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The id of the tenant chosen with `tenant use`, if it still exists.
    pub async fn current_tenant_id(&self) -> Result<Option<String>, StoreError> {
        self.preference(CURRENT_TENANT).await
    }

    /// Chooses the current tenant.
    pub async fn set_current_tenant(&self, id: Option<&str>) -> Result<(), StoreError> {
        self.set_preference(CURRENT_TENANT, id).await
    }
}

const CURRENT_TENANT: &str = "current_tenant";

#[cfg(test)]
mod tests {
    use super::*;

    fn acme(name: &str) -> NewTenant {
        NewTenant {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.into(),
            base_url: "https://acme.example.com/".into(),
            auth_kind: AuthKind::Password,
            account: Some("admin@acme.example.com".into()),
            read_only: false,
            ca_pem: None,
        }
    }

    #[tokio::test]
    async fn tenants_round_trip_through_migrated_sqlite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("open");
        let a = store.insert_tenant(&acme("Acme")).await.expect("insert");
        let b = store.insert_tenant(&acme("beta")).await.expect("insert");
        assert_ne!(a.colour, b.colour, "each tenant gets its own colour");
        assert_eq!(store.tenant("ACME").await.expect("by name").id, a.id);
        assert_eq!(store.tenant(&b.id).await.expect("by id").name, "beta");
        let names: Vec<String> = store
            .tenants()
            .await
            .expect("list")
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["Acme", "beta"]);
        assert!(matches!(
            store.insert_tenant(&acme("acme")).await,
            Err(StoreError::NameTaken(_))
        ));
        store.set_current_tenant(Some(&a.id)).await.expect("use");
        assert_eq!(
            store.current_tenant_id().await.expect("current"),
            Some(a.id.clone())
        );
        assert!(store.remove_tenant(&a.id).await.expect("remove"));
        assert_eq!(store.current_tenant_id().await.expect("current"), None);
        assert!(matches!(
            store.tenant("Acme").await,
            Err(StoreError::UnknownTenant(_))
        ));
        let edited = store
            .update_tenant(
                &b.id,
                &TenantChange {
                    name: Some("Beta Corp".into()),
                    colour: Some("#0ea5e9".into()),
                    read_only: Some(true),
                    auth: Some((AuthKind::ApiKey, None)),
                    ..TenantChange::default()
                },
            )
            .await
            .expect("edit");
        assert_eq!(
            (
                edited.name.as_str(),
                edited.colour.as_str(),
                edited.read_only
            ),
            ("Beta Corp", "#0ea5e9", true)
        );
        assert_eq!((edited.auth_kind, edited.account), (AuthKind::ApiKey, None));
        assert_eq!(edited.base_url, b.base_url, "untouched fields stay");
        let other = store.insert_tenant(&acme("Gamma")).await.expect("insert");
        assert!(matches!(
            store
                .update_tenant(
                    &other.id,
                    &TenantChange {
                        name: Some("beta corp".into()),
                        ..TenantChange::default()
                    }
                )
                .await,
            Err(StoreError::NameTaken(_))
        ));
        store.remove_tenant(&other.id).await.expect("remove");
        store.close().await;
        // Reopening runs the migrations again without harm and keeps the data.
        let again = Store::open(dir.path()).await.expect("reopen");
        assert_eq!(again.tenants().await.expect("list").len(), 1);
    }
}
