-- Guardrails (the columns the sandbox serves). Their `access_control` may name OUs, which is
-- what the OU permission view (organizations.md #18) reports.
CREATE TABLE guardrail (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    access_control TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
