//! The sandbox's SQLite store.

use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{FromRow, SqlitePool};
use std::path::Path;
use std::str::FromStr;

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
                 updated_at, created_at, api_key, oauth_sub) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    /// Stores a config value.
    pub async fn set_config(&self, key: &str, value: &Value) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
