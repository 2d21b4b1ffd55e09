-- The newest inquiry creation time each tenant's new-inquiry notice has seen (Unix seconds),
-- so a restart does not announce the same inquiries again.
CREATE TABLE inquiry_watch (
    tenant_id TEXT PRIMARY KEY NOT NULL,
    seen_up_to INTEGER NOT NULL
);
