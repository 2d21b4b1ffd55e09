//! Inquiries as the server keeps them: one row each, any status text, the author joined in
//! for the admin list (null when the author is gone).

use super::Db;

/// One inquiry, with its author's name and e-mail when listed for an admin.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InquiryRow {
    pub id: String,
    pub user_id: String,
    pub title: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub subtype: String,
    pub content: String,
    pub status: String,
    pub admin_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
}

const SELECT: &str = "SELECT i.id, i.user_id, i.title, i.type, i.subtype, i.content, i.status, i.admin_note, \
     i.created_at, i.updated_at, u.name AS user_name, u.email AS user_email \
     FROM inquiry i LEFT JOIN user u ON u.id = i.user_id";

impl Db {
    /// Stores a new inquiry.
    pub async fn insert_inquiry(&self, r: &InquiryRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO inquiry (id, user_id, title, type, subtype, content, status, admin_note, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&r.id)
        .bind(&r.user_id)
        .bind(&r.title)
        .bind(&r.kind)
        .bind(&r.subtype)
        .bind(&r.content)
        .bind(&r.status)
        .bind(&r.admin_note)
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every inquiry, newest first, filtered by exact status and type when given.
    pub async fn inquiries(
        &self,
        status: Option<&str>,
        kind: Option<&str>,
        author: Option<&str>,
    ) -> Result<Vec<InquiryRow>, sqlx::Error> {
        let sql = format!(
            "{SELECT} WHERE (?1 IS NULL OR i.status = ?1) AND (?2 IS NULL OR i.type = ?2) \
             AND (?3 IS NULL OR i.user_id = ?3) ORDER BY i.created_at DESC, i.id"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .bind(kind)
            .bind(author)
            .fetch_all(&self.pool)
            .await
    }

    /// One inquiry.
    pub async fn inquiry(&self, id: &str) -> Result<Option<InquiryRow>, sqlx::Error> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = ?")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Sets the fields given (and always `updated_at`); `false` when there is no such inquiry.
    pub async fn update_inquiry(
        &self,
        id: &str,
        status: Option<&str>,
        admin_note: Option<&str>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE inquiry SET status = COALESCE(?, status), admin_note = COALESCE(?, admin_note), updated_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(admin_note)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes one; `false` when there is no such inquiry.
    pub async fn delete_inquiry(&self, id: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM inquiry WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
