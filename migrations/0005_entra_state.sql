-- The Entra directory as of each tenant's last read, with Graph's delta links: what lets the
-- next run read only the changes. Object ids, names, e-mails and departments; no secret (a delta
-- link is useless without a token).
CREATE TABLE entra_state (
    tenant_id TEXT PRIMARY KEY NOT NULL,
    read_at INTEGER NOT NULL,
    state TEXT NOT NULL
);
