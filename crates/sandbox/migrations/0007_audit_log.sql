-- The audit log (audit-logs.md §1): one row per recorded event, states kept as masked JSON
-- text, newest read first.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT,
    user_email TEXT,
    user_name TEXT,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    resource_name TEXT,
    action TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    changed_fields TEXT,
    ip_address TEXT,
    user_agent TEXT,
    request_path TEXT,
    meta TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at DESC);
