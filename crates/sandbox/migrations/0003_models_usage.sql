-- The models the deployment serves (agents have a base model) and the usage log the quota and
-- usage views count from (usage.md §1; only the columns the sandbox reads).
CREATE TABLE model (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    base_model_id TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE log_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    chat_id TEXT,
    agent_id TEXT,
    model_id TEXT NOT NULL,
    message_type TEXT NOT NULL,
    total_tokens INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX log_usage_user_time ON log_usage (user_id, created_at);
