-- Deployments the console administers. Secrets are never here: the credential and the session
-- token live in the OS keychain under the tenant's id.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    base_url TEXT NOT NULL,
    auth_kind TEXT NOT NULL CHECK (auth_kind IN ('password', 'api_key')),
    -- The sign-in e-mail for password tenants (not a secret).
    account TEXT,
    colour TEXT NOT NULL,
    read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    -- Extra trusted CA certificates (PEM, public) for deployments behind a private CA.
    ca_pem TEXT,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);

-- Small console-wide preferences, such as the current tenant.
CREATE TABLE preferences (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
