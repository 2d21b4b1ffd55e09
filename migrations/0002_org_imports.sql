-- Organization imports. Plans are kept so one made offline can be reviewed and applied later;
-- the journal records what an apply did, so an interrupted apply can resume; the snapshot is the
-- last organization state read from a deployment, for planning offline. No secrets here: plans
-- hold unit names and member e-mails, never credentials.
CREATE TABLE org_plans (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    org_tenant_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- The whole plan document (JSON), as written with --out.
    document TEXT NOT NULL
);
CREATE INDEX org_plans_tenant ON org_plans (tenant_id, created_at);

CREATE TABLE org_apply_journal (
    plan_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    -- push_started, push_done, push_failed, fixup_done, fixup_failed, verified, refused
    step TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, seq)
);

CREATE TABLE org_snapshots (
    tenant_id TEXT NOT NULL,
    org_tenant_id TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (tenant_id, org_tenant_id)
);
