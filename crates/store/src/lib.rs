//! The console's local store.
//!
//! Tenants (the deployments the console administers), the operation journal, stored plans and
//! their apply steps, and organization snapshots live in a SQLite database in the platform's
//! application-data folder, created and upgraded by the sqlx migrations in `migrations/`.
//! Secrets never go there: [`keychain`] keeps them in the OS keychain.

#![deny(missing_docs)]

mod audit_copy;
mod entra;
mod journal;
pub mod keychain;
mod plans;
pub mod sealed;
mod sr_outbox;
mod tenants;
mod watch;

pub use audit_copy::{AuditCopyFilter, AuditCopyRow};
pub use entra::{EntraHistoryRow, EntraProfileRow};
pub use journal::{JournalFilter, JournalOutcome, JournalRow, NewJournalEntry};
pub use keychain::{KeychainError, MemorySecrets, OsKeychain, SecretSlot, SecretStore};
pub use plans::{PlanStep, StoredPlan};
pub use sr_outbox::OutboxRow;
pub use tenants::{AuthKind, NewTenant, Tenant, TenantChange};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable that overrides where the store lives.
pub const DATA_DIR_ENV: &str = "CLOOCTL_DATA_DIR";
/// The database file inside the data folder.
pub const DATABASE_FILE: &str = "console.db";

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No data folder could be determined or created.
    #[error("cannot use the data folder {path}: {cause}")]
    DataDir {
        /// The folder.
        path: String,
        /// What went wrong.
        cause: String,
    },
    /// A tenant with that name exists.
    #[error("a tenant named {0:?} already exists")]
    NameTaken(String),
    /// No tenant with that name or id.
    #[error("no tenant named {0:?}")]
    UnknownTenant(String),
    /// SQLite or migration failure.
    #[error("local database error: {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// Where the store lives: `explicit` (a `--data-dir` flag), else [`DATA_DIR_ENV`], else the
/// platform's application-data folder.
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_owned());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("com", "Cloosphere", "Cloosphere Console")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or_else(|| StoreError::DataDir {
            path: "(platform default)".into(),
            cause: "no home folder is known; pass --data-dir or set CLOOCTL_DATA_DIR".into(),
        })
}

/// The local database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens the store in `dir`, creating the folder and database and running migrations.
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::DataDir {
            path: dir.display().to_string(),
            cause: e.to_string(),
        })?;
        let path = dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations").run(&pool).await?;
        Ok(Store { pool, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the pool, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A preference value.
    pub async fn preference(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM preferences WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets (or with `None` clears) a preference.
    pub async fn set_preference(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO preferences (key, value) VALUES (?, ?) \
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(v)
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM preferences WHERE key = ?")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Epoch seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
