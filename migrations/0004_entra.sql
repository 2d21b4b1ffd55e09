-- Entra ID sync, per console tenant: how to sign in to Microsoft (never the secret itself: a
-- client secret lives in the keychain; a certificate's private key, too long for Windows
-- Credential Manager, is kept here encrypted (ChaCha20-Poly1305) under a key held in the keychain),
-- and the history of every read, plan and apply.
CREATE TABLE entra_profiles (
    tenant_id TEXT PRIMARY KEY NOT NULL,
    entra_tenant TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- `client_secret`, `certificate` or `device_code`.
    method TEXT NOT NULL CHECK (method IN ('client_secret', 'certificate', 'device_code')),
    authority TEXT NOT NULL,
    graph_url TEXT NOT NULL,
    -- The certificate (public, PEM) and its SHA-256 thumbprint, for the certificate method.
    certificate_pem TEXT,
    certificate_thumbprint TEXT,
    -- The private key, sealed under the keychain's `entra-key-encryption-key` (base64).
    sealed_private_key TEXT,
    -- The sync options (JSON).
    options TEXT NOT NULL DEFAULT '{}',
    updated_at INTEGER NOT NULL
);

CREATE TABLE entra_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    -- Epoch milliseconds.
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    -- The console's account on the deployment.
    actor TEXT NOT NULL,
    -- `plan`, `apply` or `sync`.
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    -- `parity` or `recommended`.
    mode TEXT NOT NULL,
    plan_id TEXT,
    -- Graph figures (requests, throttled, pages, objects) and the plan's counts (JSON).
    figures TEXT NOT NULL DEFAULT '{}',
    -- `planned`, `no_changes`, `applied`, `failed`, `refused`, `cancelled`.
    outcome TEXT NOT NULL,
    error_code TEXT,
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entra_history_by_tenant ON entra_history (tenant_id, started_at);
