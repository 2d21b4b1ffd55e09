//! Entra ID sync profiles and history in the local store. No secret is ever stored here in the
//! clear: a profile row holds the sign-in method, URLs and options, a certificate (public), and
//! for the certificate method the private key sealed under a keychain-held key ([`crate::sealed`]).

use crate::{Store, StoreError};

/// One tenant's Entra profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraProfileRow {
    /// The console tenant.
    pub tenant_id: String,
    /// The Entra tenant (id or domain).
    pub entra_tenant: String,
    /// The app registration's client id.
    pub client_id: String,
    /// `client_secret`, `certificate` or `device_code`.
    pub method: String,
    /// Sign-in host.
    pub authority: String,
    /// Graph base, version included.
    pub graph_url: String,
    /// The certificate (PEM), certificate method only.
    pub certificate_pem: Option<String>,
    /// Its `x5t#S256`.
    pub certificate_thumbprint: Option<String>,
    /// The private key, sealed (base64).
    pub sealed_private_key: Option<String>,
    /// Sync options (JSON).
    pub options: String,
    /// Epoch seconds.
    pub updated_at: i64,
}

/// One history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraHistoryRow {
    /// Row id (0 when new).
    pub id: i64,
    /// The console tenant.
    pub tenant_id: String,
    /// Epoch milliseconds.
    pub started_at: i64,
    /// How long it took.
    pub duration_ms: i64,
    /// The console's account on the deployment.
    pub actor: String,
    /// `plan`, `apply` or `sync`.
    pub action: String,
    /// Sign-in method.
    pub method: String,
    /// `parity` or `recommended`.
    pub mode: String,
    /// The plan.
    pub plan_id: Option<String>,
    /// Figures (JSON).
    pub figures: String,
    /// Outcome.
    pub outcome: String,
    /// Error code, when it failed.
    pub error_code: Option<String>,
    /// A sentence.
    pub message: String,
}

type ProfileTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
);

impl Store {
    /// Saves (replaces) a tenant's Entra profile.
    pub async fn save_entra_profile(&self, p: &EntraProfileRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO entra_profiles (tenant_id, entra_tenant, client_id, method, authority, graph_url, \
             certificate_pem, certificate_thumbprint, sealed_private_key, options, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&p.tenant_id)
        .bind(&p.entra_tenant)
        .bind(&p.client_id)
        .bind(&p.method)
        .bind(&p.authority)
        .bind(&p.graph_url)
        .bind(&p.certificate_pem)
        .bind(&p.certificate_thumbprint)
        .bind(&p.sealed_private_key)
        .bind(&p.options)
        .bind(p.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A tenant's Entra profile.
    pub async fn entra_profile(
        &self,
        tenant_id: &str,
    ) -> Result<Option<EntraProfileRow>, StoreError> {
        let row: Option<ProfileTuple> = sqlx::query_as(
            "SELECT tenant_id, entra_tenant, client_id, method, authority, graph_url, certificate_pem, \
             certificate_thumbprint, sealed_private_key, options, updated_at FROM entra_profiles WHERE tenant_id = ?",
        )
        .bind(tenant_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| EntraProfileRow {
            tenant_id: r.0,
            entra_tenant: r.1,
            client_id: r.2,
            method: r.3,
            authority: r.4,
            graph_url: r.5,
            certificate_pem: r.6,
            certificate_thumbprint: r.7,
            sealed_private_key: r.8,
            options: r.9,
            updated_at: r.10,
        }))
    }

    /// Keeps the directory and delta links of a tenant's last read (JSON).
    pub async fn save_entra_state(
        &self,
        tenant_id: &str,
        read_at: i64,
        state: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO entra_state (tenant_id, read_at, state) VALUES (?, ?, ?)",
        )
        .bind(tenant_id)
        .bind(read_at)
        .bind(state)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The last read's state of a tenant: when, and the JSON.
    pub async fn entra_state(&self, tenant_id: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT read_at, state FROM entra_state WHERE tenant_id = ?")
                .bind(tenant_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Forgets a tenant's last read (its profile changed).
    pub async fn forget_entra_state(&self, tenant_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM entra_state WHERE tenant_id = ?")
            .bind(tenant_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Adds a history row; gives its id.
    pub async fn add_entra_history(&self, h: &EntraHistoryRow) -> Result<i64, StoreError> {
        let done = sqlx::query(
            "INSERT INTO entra_history (tenant_id, started_at, duration_ms, actor, action, method, mode, plan_id, \
             figures, outcome, error_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&h.tenant_id)
        .bind(h.started_at)
        .bind(h.duration_ms)
        .bind(&h.actor)
        .bind(&h.action)
        .bind(&h.method)
        .bind(&h.mode)
        .bind(&h.plan_id)
        .bind(&h.figures)
        .bind(&h.outcome)
        .bind(&h.error_code)
        .bind(&h.message)
        .execute(&self.pool)
        .await?;
        Ok(done.last_insert_rowid())
    }

    /// The build mode recorded when plan `plan_id` was made (`None`: no plan run names it, as
    /// for a plan file made on another machine).
    pub async fn entra_plan_mode(&self, plan_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT mode FROM entra_history WHERE plan_id = ? AND action = 'plan' ORDER BY id LIMIT 1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A tenant's history, newest first.
    pub async fn entra_history(
        &self,
        tenant_id: &str,
        limit: i64,
    ) -> Result<Vec<EntraHistoryRow>, StoreError> {
        type Row = (
            i64,
            String,
            i64,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, tenant_id, started_at, duration_ms, actor, action, method, mode, plan_id, figures, outcome, \
             error_code, message FROM entra_history WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(tenant_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| EntraHistoryRow {
                id: r.0,
                tenant_id: r.1,
                started_at: r.2,
                duration_ms: r.3,
                actor: r.4,
                action: r.5,
                method: r.6,
                mode: r.7,
                plan_id: r.8,
                figures: r.9,
                outcome: r.10,
                error_code: r.11,
                message: r.12,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(action: &str, mode: &str, plan_id: Option<&str>) -> EntraHistoryRow {
        EntraHistoryRow {
            id: 0,
            tenant_id: "t1".into(),
            started_at: 1_000,
            duration_ms: 5,
            actor: "admin@example.com".into(),
            action: action.into(),
            method: "client_secret".into(),
            mode: mode.into(),
            plan_id: plan_id.map(str::to_owned),
            figures: "{}".into(),
            outcome: "planned".into(),
            error_code: None,
            message: String::new(),
        }
    }

    #[tokio::test]
    async fn a_plans_mode_is_the_one_its_plan_run_recorded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("open");
        store
            .add_entra_history(&run("plan", "parity", Some("p1")))
            .await
            .expect("plan run");
        // A later apply row naming another mode does not change what the plan was made in.
        store
            .add_entra_history(&run("apply", "recommended", Some("p1")))
            .await
            .expect("apply run");
        store
            .add_entra_history(&run("plan", "recommended", Some("p2")))
            .await
            .expect("other plan");
        assert_eq!(
            store.entra_plan_mode("p1").await.expect("read"),
            Some("parity".into())
        );
        assert_eq!(store.entra_plan_mode("p3").await.expect("read"), None);
    }
}
