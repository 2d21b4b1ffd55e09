//! The sandbox's SQLite store.

use crate::algorithms::membership::quoted_pattern;
use crate::algorithms::pyjson;
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{FromRow, SqlitePool};
use std::path::Path;
use std::str::FromStr;

pub mod audit;
pub mod inquiries;
mod workspace;
pub use workspace::{NewFile, NewKnowledge};

/// A user row, as the server's `UserModel`.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub profile_image_url: String,
    pub last_active_at: i64,
    pub updated_at: i64,
    pub created_at: i64,
    pub api_key: Option<String>,
    pub settings: Option<String>,
    pub info: Option<String>,
    pub oauth_sub: Option<String>,
    pub oauth_oid: Option<String>,
}

impl UserRow {
    /// The full `UserModel` JSON, plaintext `api_key` included, as the real server sends it.
    pub fn to_model(&self) -> Value {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .unwrap_or(Value::Null)
        };
        json!({
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "role": self.role,
            "profile_image_url": self.profile_image_url,
            "last_active_at": self.last_active_at,
            "updated_at": self.updated_at,
            "created_at": self.created_at,
            "api_key": self.api_key,
            "settings": parse(&self.settings),
            "info": parse(&self.info),
            "oauth_sub": self.oauth_sub,
            "oauth_oid": self.oauth_oid,
        })
    }
}

/// A user to insert with its login credential.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub profile_image_url: String,
    pub created_at: i64,
    pub last_active_at: i64,
    pub api_key: Option<String>,
    pub oauth_sub: Option<String>,
    /// The Entra object id, set when the account signed in with Microsoft.
    pub oauth_oid: Option<String>,
    pub password_hash: String,
}

impl NewUser {
    /// A local (password) account created at `created_at`, active then, without API key or SSO.
    pub fn local(
        name: String,
        email: String,
        role: String,
        profile_image_url: Option<String>,
        created_at: i64,
        password_hash: String,
    ) -> Self {
        NewUser {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            email,
            role,
            profile_image_url: profile_image_url.unwrap_or_else(|| "/user.png".to_owned()),
            created_at,
            last_active_at: created_at,
            api_key: None,
            oauth_sub: None,
            oauth_oid: None,
            password_hash,
        }
    }
}

/// The sandbox database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (and migrates) a database file, or an in-memory one when `path` is `None`.
    pub async fn open(path: Option<&Path>) -> Result<Self, sqlx::Error> {
        let pool = match path {
            Some(p) => {
                let opts = SqliteConnectOptions::new()
                    .filename(p)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal);
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?
            }
            None => {
                // One connection that never closes: an in-memory database lives as long as it.
                let opts = SqliteConnectOptions::from_str("sqlite::memory:")?;
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(opts)
                    .await?
            }
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db { pool })
    }

    /// Number of users.
    pub async fn user_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM user")
            .fetch_one(&self.pool)
            .await
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM user WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// A user by (already lower-cased) e-mail.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM user WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
    }

    /// The owner of an API key.
    pub async fn user_by_api_key(&self, key: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM user WHERE api_key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }

    /// The oldest user (the server's "first user").
    pub async fn first_user(&self) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM user ORDER BY created_at ASC, rowid ASC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
    }

    /// The password hash of the active credential for an e-mail.
    pub async fn password_hash(
        &self,
        email: &str,
    ) -> Result<Option<(String, String)>, sqlx::Error> {
        sqlx::query_as("SELECT id, password FROM auth WHERE email = ? AND active = 1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
    }

    /// Inserts users with their credentials in one transaction.
    pub async fn insert_users(&self, users: &[NewUser]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for u in users {
            sqlx::query(
                "INSERT INTO user (id, name, email, role, profile_image_url, last_active_at, \
                 updated_at, created_at, api_key, oauth_sub, oauth_oid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&u.id)
            .bind(&u.name)
            .bind(&u.email)
            .bind(&u.role)
            .bind(&u.profile_image_url)
            .bind(u.last_active_at)
            .bind(u.created_at)
            .bind(u.created_at)
            .bind(&u.api_key)
            .bind(&u.oauth_sub)
            .bind(&u.oauth_oid)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO auth (id, email, password, active) VALUES (?, ?, ?, 1)")
                .bind(&u.id)
                .bind(&u.email)
                .bind(&u.password_hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Users newest first, with the server's `skip`/`limit` (absent or 0 = no offset / no cap).
    pub async fn list_users(
        &self,
        skip: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<UserRow>, sqlx::Error> {
        let limit = limit.filter(|l| *l != 0).unwrap_or(-1);
        let skip = skip.unwrap_or(0).max(0);
        sqlx::query_as("SELECT * FROM user ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?")
            .bind(limit)
            .bind(skip)
            .fetch_all(&self.pool)
            .await
    }

    /// Sets or clears a user's API key.
    pub async fn set_api_key(&self, id: &str, key: Option<&str>) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("UPDATE user SET api_key = ? WHERE id = ?")
            .bind(key)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Records activity, as every authenticated request does on the server.
    pub async fn touch(&self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE user SET last_active_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A config value.
    pub async fn config(&self, key: &str) -> Result<Option<Value>, sqlx::Error> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM config WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Stores a config value: one write, and the config document's version moves on (the
    /// server bumps it on every single-key save).
    pub async fn set_config(&self, key: &str, value: &Value) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value.to_string())
            .execute(&self.pool)
            .await?;
        self.bump_config_version().await
    }

    /// Removes a config value (a whole-document import without it).
    pub async fn delete_config(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM config WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The config document's version.
    pub async fn config_version(&self) -> Result<i64, sqlx::Error> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM config WHERE key = ?")
            .bind(CONFIG_VERSION_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
    }

    /// Moves the config document's version on by one.
    pub async fn bump_config_version(&self) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO config (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            .bind(CONFIG_VERSION_KEY)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Where the config document's version is kept (not a setting).
const CONFIG_VERSION_KEY: &str = "__config_version";

fn parse_json(s: &Option<String>) -> Value {
    s.as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .unwrap_or(Value::Null)
}

fn json_text(v: &Value) -> Option<String> {
    (!v.is_null()).then(|| v.to_string())
}

/// A group row.
#[derive(Debug, Clone, FromRow)]
pub struct GroupRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub description: String,
    pub permissions: Option<String>,
    pub data: Option<String>,
    pub meta: Option<String>,
    pub user_ids: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl GroupRow {
    /// The group record of groups.md §1.
    pub fn to_model(&self) -> Value {
        json!({
            "id": self.id,
            "user_id": self.user_id,
            "name": self.name,
            "description": self.description,
            "permissions": parse_json(&self.permissions),
            "data": parse_json(&self.data),
            "meta": parse_json(&self.meta),
            "user_ids": self.member_ids(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }

    /// Direct member ids.
    pub fn member_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.user_ids).unwrap_or_default()
    }

    /// `permissions` as JSON (null when none).
    pub fn permissions_json(&self) -> Value {
        parse_json(&self.permissions)
    }

    /// `meta` as JSON (null when none).
    pub fn meta_json(&self) -> Value {
        parse_json(&self.meta)
    }
}

/// An organization row.
#[derive(Debug, Clone, FromRow)]
pub struct OrgRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub domain: Option<String>,
    pub meta: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OrgRow {
    /// The organization record.
    pub fn to_model(&self) -> Value {
        json!({
            "id": self.id, "tenant_id": self.tenant_id, "name": self.name,
            "display_name": self.display_name, "domain": self.domain, "meta": parse_json(&self.meta),
            "created_at": self.created_at, "updated_at": self.updated_at,
        })
    }
}

/// An organizational-unit row.
#[derive(Debug, Clone, FromRow)]
pub struct UnitRow {
    pub id: String,
    pub organization_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub level: i64,
    #[sqlx(rename = "type")]
    pub kind: Option<String>,
    pub external_id: Option<String>,
    pub member_ids: String,
    pub meta: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UnitRow {
    /// The OU record.
    pub fn to_model(&self) -> Value {
        json!({
            "id": self.id, "organization_id": self.organization_id, "parent_id": self.parent_id,
            "name": self.name, "display_name": self.display_name, "description": self.description,
            "level": self.level, "type": self.kind, "external_id": self.external_id,
            "member_ids": self.member_ids_json(), "meta": parse_json(&self.meta),
            "created_at": self.created_at, "updated_at": self.updated_at,
        })
    }

    /// `member_ids` as JSON.
    pub fn member_ids_json(&self) -> Value {
        serde_json::from_str(&self.member_ids).unwrap_or(Value::Array(vec![]))
    }

    /// `meta` as JSON.
    pub fn meta_json(&self) -> Value {
        parse_json(&self.meta)
    }

    /// `display_name or name`.
    pub fn label(&self) -> String {
        self.display_name
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.name.clone())
    }
}

/// Fields of a user edit; `None` leaves the field as it is.
#[derive(Debug, Default)]
pub struct UserEdit {
    pub name: String,
    pub email: String,
    pub profile_image_url: String,
    pub role: Option<String>,
    pub password_hash: Option<String>,
}

impl Db {
    /// Users whose name or e-mail contains `q` (case-insensitive), by name.
    pub async fn search_users(&self, q: &str, limit: i64) -> Result<Vec<UserRow>, sqlx::Error> {
        let pattern = format!("%{}%", q.to_lowercase());
        sqlx::query_as("SELECT * FROM user WHERE lower(name) LIKE ? OR lower(email) LIKE ? ORDER BY name LIMIT ?")
            .bind(&pattern)
            .bind(&pattern)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// Applies an edit to a user and her credential.
    pub async fn edit_user(&self, id: &str, edit: &UserEdit) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE user SET name = ?, email = ?, profile_image_url = ?, role = COALESCE(?, role) WHERE id = ?")
            .bind(&edit.name)
            .bind(&edit.email)
            .bind(&edit.profile_image_url)
            .bind(&edit.role)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE auth SET email = ?, password = COALESCE(?, password) WHERE id = ?")
            .bind(&edit.email)
            .bind(&edit.password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Sets a user's role.
    pub async fn set_role(&self, id: &str, role: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE user SET role = ? WHERE id = ?")
            .bind(role)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces a user's `info`.
    pub async fn set_info(&self, id: &str, info: &Value) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE user SET info = ? WHERE id = ?")
            .bind(json_text(info))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes a user and her credentials; returns whether she existed.
    pub async fn delete_user(&self, id: &str, email: &str) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM user WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        sqlx::query("DELETE FROM auth WHERE id = ? OR email = ?")
            .bind(id)
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(gone)
    }

    /// Every group, most recently updated first.
    pub async fn groups(&self) -> Result<Vec<GroupRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM \"group\" ORDER BY updated_at DESC, rowid DESC")
            .fetch_all(&self.pool)
            .await
    }

    /// One group.
    pub async fn group(&self, id: &str) -> Result<Option<GroupRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM \"group\" WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Inserts a group.
    pub async fn insert_group(&self, row: &GroupRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO \"group\" (id, user_id, name, description, permissions, data, meta, user_ids, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&row.id)
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.description)
        .bind(&row.permissions)
        .bind(&row.data)
        .bind(&row.meta)
        .bind(&row.user_ids)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Writes a group back (after the caller changed it).
    pub async fn save_group(&self, row: &GroupRow) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE \"group\" SET name = ?, description = ?, permissions = ?, meta = ?, user_ids = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&row.name)
        .bind(&row.description)
        .bind(&row.permissions)
        .bind(&row.meta)
        .bind(&row.user_ids)
        .bind(row.updated_at)
        .bind(&row.id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Deletes a group.
    pub async fn delete_group(&self, id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM \"group\" WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Every organization, most recently updated first.
    pub async fn organizations(&self) -> Result<Vec<OrgRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organization ORDER BY updated_at DESC, rowid DESC")
            .fetch_all(&self.pool)
            .await
    }

    /// Inserts an organization.
    pub async fn insert_organization(&self, row: &OrgRow) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO organization (id, tenant_id, name, display_name, domain, meta, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(&row.id)
            .bind(&row.tenant_id)
            .bind(&row.name)
            .bind(&row.display_name)
            .bind(&row.domain)
            .bind(&row.meta)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The organization with this `tenant_id`.
    pub async fn organization_by_tenant(
        &self,
        tenant_id: &str,
    ) -> Result<Option<OrgRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organization WHERE tenant_id = ?")
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// One organization.
    pub async fn organization(&self, id: &str) -> Result<Option<OrgRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organization WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Writes every field of an organization row back.
    pub async fn update_organization(&self, row: &OrgRow) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE organization SET name = ?, display_name = ?, domain = ?, meta = ?, updated_at = ? WHERE id = ?")
            .bind(&row.name)
            .bind(&row.display_name)
            .bind(&row.domain)
            .bind(&row.meta)
            .bind(row.updated_at)
            .bind(&row.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes an organization and, in one statement, all its units.
    pub async fn delete_organization(&self, id: &str) -> Result<bool, sqlx::Error> {
        sqlx::query("DELETE FROM organizational_unit WHERE organization_id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        let r = sqlx::query("DELETE FROM organization WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The units of one organization, by level then name.
    pub async fn units_of(&self, organization_id: &str) -> Result<Vec<UnitRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT * FROM organizational_unit WHERE organization_id = ? ORDER BY level, name",
        )
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The units of one organization in insertion order (what an unordered SQL read returns).
    pub async fn units_of_in_storage_order(
        &self,
        organization_id: &str,
    ) -> Result<Vec<UnitRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organizational_unit WHERE organization_id = ? ORDER BY rowid")
            .bind(organization_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Writes every mutable field of a unit row back.
    pub async fn update_unit(&self, row: &UnitRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE organizational_unit SET parent_id = ?, name = ?, display_name = ?, description = ?, level = ?, \
             type = ?, member_ids = ?, meta = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&row.parent_id)
        .bind(&row.name)
        .bind(&row.display_name)
        .bind(&row.description)
        .bind(row.level)
        .bind(&row.kind)
        .bind(pyjson::normalize(&row.member_ids))
        .bind(row.meta.as_deref().map(pyjson::normalize))
        .bind(row.updated_at)
        .bind(&row.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes one unit (its children keep their parent id).
    pub async fn delete_unit(&self, id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM organizational_unit WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Every unit, by level then name.
    pub async fn units(&self) -> Result<Vec<UnitRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organizational_unit ORDER BY level, name")
            .fetch_all(&self.pool)
            .await
    }

    /// The units a usage-limit check finds for a user: the server's text search, `LIKE` on the
    /// stored `member_ids` for her `oauth_sub` and on the stored `meta` for her lower-cased
    /// e-mail, each as a quoted JSON string (SQLite's `LIKE` ignores ASCII case).
    pub async fn units_matching_text(
        &self,
        oauth_sub: Option<&str>,
        email: &str,
    ) -> Result<Vec<UnitRow>, sqlx::Error> {
        let email = quoted_pattern(&email.to_lowercase());
        match oauth_sub {
            Some(sub) => {
                sqlx::query_as(
                    "SELECT * FROM organizational_unit WHERE member_ids LIKE ? OR meta LIKE ? ORDER BY rowid",
                )
                .bind(quoted_pattern(sub))
                .bind(email)
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query_as("SELECT * FROM organizational_unit WHERE meta LIKE ? ORDER BY rowid")
                    .bind(email)
                    .fetch_all(&self.pool)
                    .await
            }
        }
    }

    /// One unit.
    pub async fn unit(&self, id: &str) -> Result<Option<UnitRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM organizational_unit WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Inserts a unit.
    pub async fn insert_unit(&self, row: &UnitRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO organizational_unit (id, organization_id, parent_id, name, display_name, description, level, type, \
             external_id, member_ids, meta, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&row.id)
        .bind(&row.organization_id)
        .bind(&row.parent_id)
        .bind(&row.name)
        .bind(&row.display_name)
        .bind(&row.description)
        .bind(row.level)
        .bind(&row.kind)
        .bind(&row.external_id)
        .bind(pyjson::normalize(&row.member_ids))
        .bind(row.meta.as_deref().map(pyjson::normalize))
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// A guardrail (the columns the sandbox serves).
#[derive(Debug, Clone, FromRow)]
pub struct GuardrailRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub description: Option<String>,
    pub access_control: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl GuardrailRow {
    /// The `GuardrailUserModel` record with the defaults of the fields the sandbox does not keep.
    pub fn to_model(&self) -> Value {
        json!({
            "id": self.id, "user_id": self.user_id, "name": self.name, "description": self.description,
            "pii_types": [], "pii_strategy": "redact", "custom_patterns": [], "blocked_words": [],
            "apply_to_input": true, "apply_to_output": false, "llm_judge_enabled": false,
            "llm_judge_model": null, "llm_judge_prompt": null, "llm_judge_pass_examples": [],
            "llm_judge_block_examples": [], "llm_judge_apply_to_input": true,
            "llm_judge_apply_to_output": false, "access_control": parse_json(&self.access_control),
            "created_at": self.created_at, "updated_at": self.updated_at, "user": null,
        })
    }
}

impl Db {
    /// Every guardrail, by name.
    pub async fn guardrails(&self) -> Result<Vec<GuardrailRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM guardrail ORDER BY name")
            .fetch_all(&self.pool)
            .await
    }

    /// Inserts guardrails.
    pub async fn insert_guardrails(&self, rows: &[GuardrailRow]) -> Result<(), sqlx::Error> {
        for row in rows {
            sqlx::query("INSERT INTO guardrail (id, user_id, name, description, access_control, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(&row.id)
                .bind(&row.user_id)
                .bind(&row.name)
                .bind(&row.description)
                .bind(&row.access_control)
                .bind(row.created_at)
                .bind(row.updated_at)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// A model the deployment serves; an agent has a base model.
#[derive(Debug, Clone, FromRow)]
pub struct ModelRow {
    pub id: String,
    pub name: String,
    pub base_model_id: Option<String>,
    pub is_active: bool,
    pub created_at: i64,
}

/// One usage row (the columns the sandbox reads).
#[derive(Debug, Clone)]
pub struct UsageRow {
    pub user_id: String,
    pub agent_id: Option<String>,
    pub model_id: String,
    pub message_type: String,
    pub total_tokens: i64,
    pub created_at: i64,
}

impl Db {
    /// Every model, by name.
    pub async fn models(&self) -> Result<Vec<ModelRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM model ORDER BY name")
            .fetch_all(&self.pool)
            .await
    }

    /// Inserts models.
    pub async fn insert_models(&self, rows: &[ModelRow]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for m in rows {
            sqlx::query(
                "INSERT INTO model (id, name, base_model_id, is_active, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&m.id)
            .bind(&m.name)
            .bind(&m.base_model_id)
            .bind(m.is_active)
            .bind(m.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Appends usage rows.
    pub async fn insert_usage(&self, rows: &[UsageRow]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for u in rows {
            sqlx::query(
                "INSERT INTO log_usage (user_id, agent_id, model_id, message_type, total_tokens, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&u.user_id)
            .bind(&u.agent_id)
            .bind(&u.model_id)
            .bind(&u.message_type)
            .bind(u.total_tokens)
            .bind(u.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// A user's tokens since `since` per model id; with `types`, only rows of those types.
    pub async fn usage_by_model(
        &self,
        user_id: &str,
        since: i64,
        types: Option<&[&str]>,
    ) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT model_id, message_type, SUM(total_tokens) FROM log_usage \
             WHERE user_id = ? AND created_at >= ? GROUP BY model_id, message_type",
        )
        .bind(user_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
        for (model, kind, tokens) in rows {
            if types.is_none_or(|t| t.contains(&kind.as_str())) {
                *sums.entry(model).or_default() += tokens;
            }
        }
        Ok(sums.into_iter().collect())
    }

    /// A user's tokens since `since`, all models and all message types.
    pub async fn usage_total(&self, user_id: &str, since: i64) -> Result<i64, sqlx::Error> {
        let (sum,): (Option<i64>,) = sqlx::query_as(
            "SELECT SUM(total_tokens) FROM log_usage WHERE user_id = ? AND created_at >= ?",
        )
        .bind(user_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(sum.unwrap_or(0))
    }
}
