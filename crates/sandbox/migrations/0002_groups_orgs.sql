-- Groups, organizations and organizational units, as the server keeps them (JSON in text).
CREATE TABLE "group" (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    permissions TEXT,
    data TEXT,
    meta TEXT,
    user_ids TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE organization (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    display_name TEXT,
    domain TEXT,
    meta TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE organizational_unit (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    display_name TEXT,
    description TEXT,
    level INTEGER NOT NULL DEFAULT 0,
    type TEXT,
    external_id TEXT,
    member_ids TEXT NOT NULL DEFAULT '[]',
    meta TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX organizational_unit_org ON organizational_unit (organization_id);
