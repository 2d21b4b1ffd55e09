-- A local copy of each tenant's audit log (clooctl audit pull), for searches over months that
-- are instant, work offline and outlive the server's retention. States are stored as the
-- console shows them: secrets masked, webhook URLs and connection strings cut down.
CREATE TABLE audit_copy (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    resource_name TEXT,
    user_id TEXT,
    user_email TEXT,
    user_name TEXT,
    row TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_copy_time ON audit_copy (tenant_id, created_at DESC);
