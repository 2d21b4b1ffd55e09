-- The operation journal: one row per write the console makes (or refuses), in every area, with
-- who, when, which tenant, what, the before and after (JSON, never a secret), the outcome and the
-- error code. A row is written as `running` before the first request and finished after, so a
-- crash leaves evidence of what was under way.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    tenant_name TEXT NOT NULL,
    -- The account the console signs in with (an e-mail, or "API key").
    actor TEXT NOT NULL,
    -- Epoch milliseconds.
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    -- An OperationKind (`user.set_role`, `org.import`…).
    operation TEXT NOT NULL,
    -- What it acts on (an e-mail, a group name, a unit, a file).
    target TEXT NOT NULL DEFAULT '',
    plan_id TEXT,
    before TEXT,
    after TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('running', 'done', 'failed', 'refused', 'cancelled', 'interrupted')),
    error_code TEXT,
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX journal_by_time ON journal (started_at);
CREATE INDEX journal_by_tenant ON journal (tenant_id, started_at);

-- Plans of every kind (organization imports, CSV user imports, bulk user actions, default
-- permissions): made once, reviewed, applied by id from either shell. No secrets: a CSV plan
-- holds its file's digest, never a password.
CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- A file name or a short description.
    title TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX plans_by_tenant ON plans (tenant_id, created_at);

INSERT INTO plans (id, kind, tenant_id, created_at, title, document)
    SELECT id, 'org_import', tenant_id, created_at, file_name, document FROM org_plans;
DROP TABLE org_plans;

-- The apply steps of a plan (push started, fix-up done…): what lets an interrupted apply resume.
ALTER TABLE org_apply_journal RENAME TO plan_steps;
