//! Knowledge bases, files and model rows as the irreversible settings actions see them: listed,
//! and deleted all at once.

use super::{Db, ModelRow};

/// One knowledge base with its file count.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnowledgeRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub file_count: i64,
}

/// A knowledge base to seed.
#[derive(Debug, Clone)]
pub struct NewKnowledge {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub project: bool,
    pub created_at: i64,
}

/// A file to seed.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: String,
    pub user_id: String,
    pub filename: String,
    pub knowledge_id: Option<String>,
    pub created_at: i64,
}

impl Db {
    /// Knowledge bases that are not a project's, newest change first, with their file counts.
    pub async fn listed_knowledge(&self) -> Result<Vec<KnowledgeRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT k.id, k.user_id, k.name, k.description, k.created_at, k.updated_at, \
                    (SELECT COUNT(*) FROM file f WHERE f.knowledge_id = k.id) AS file_count \
             FROM knowledge k WHERE k.project = 0 ORDER BY k.updated_at DESC, k.name",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// How many knowledge bases there are, project ones included.
    pub async fn knowledge_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM knowledge")
            .fetch_one(&self.pool)
            .await
    }

    /// How many files there are.
    pub async fn file_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM file")
            .fetch_one(&self.pool)
            .await
    }

    /// Seeds knowledge bases and files.
    pub async fn insert_knowledge(
        &self,
        bases: &[NewKnowledge],
        files: &[NewFile],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for k in bases {
            sqlx::query(
                "INSERT INTO knowledge (id, user_id, name, project, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&k.id)
            .bind(&k.user_id)
            .bind(&k.name)
            .bind(k.project)
            .bind(k.created_at)
            .bind(k.created_at)
            .execute(&mut *tx)
            .await?;
        }
        for f in files {
            sqlx::query(
                "INSERT INTO file (id, user_id, filename, knowledge_id, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&f.id)
            .bind(&f.user_id)
            .bind(&f.filename)
            .bind(&f.knowledge_id)
            .bind(f.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// `reset/db`: every knowledge base row goes, project ones too; files stay.
    pub async fn delete_all_knowledge(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM knowledge")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `files/all`: every file row goes.
    pub async fn delete_all_files(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM file").execute(&self.pool).await?;
        Ok(())
    }

    /// `models/delete/all`: every model row goes, agents and base rows alike.
    pub async fn delete_all_models(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM model").execute(&self.pool).await?;
        Ok(())
    }

    /// Agents (rows with a base model), by name.
    pub async fn agents(&self) -> Result<Vec<ModelRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM model WHERE base_model_id IS NOT NULL ORDER BY name")
            .fetch_all(&self.pool)
            .await
    }

    /// Rows without a base model (overrides and flows), by name.
    pub async fn base_models(&self) -> Result<Vec<ModelRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM model WHERE base_model_id IS NULL ORDER BY name")
            .fetch_all(&self.pool)
            .await
    }

    /// Deletes the model rows with these ids.
    pub async fn delete_models(&self, ids: &[String]) -> Result<(), sqlx::Error> {
        for id in ids {
            sqlx::query("DELETE FROM model WHERE id = ?")
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A public, active row named after its id, unless the id has one.
    pub async fn insert_model_if_absent(&self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR IGNORE INTO model (id, name, base_model_id, is_active, created_at) VALUES (?, ?, NULL, 1, ?)",
        )
        .bind(id)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
