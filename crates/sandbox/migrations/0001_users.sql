-- The slice of a Cloosphere server's schema that the sandbox serves.
CREATE TABLE user (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    profile_image_url TEXT NOT NULL,
    last_active_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    api_key TEXT UNIQUE,
    settings TEXT,
    info TEXT,
    oauth_sub TEXT UNIQUE,
    oauth_oid TEXT
);
CREATE INDEX user_created_at ON user (created_at);

-- Login credentials, as the server keeps them apart from the user row.
CREATE TABLE auth (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    password TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX auth_email ON auth (email);

-- Admin settings (and the sandbox's JWT signing key), JSON values by key.
CREATE TABLE config (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
