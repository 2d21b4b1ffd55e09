-- Knowledge bases and uploaded files (resources.md §2.2, settings.md §4): what the Documents
-- tab's irreversible actions remove. The real server keeps a knowledge base's files in
-- `data.file_ids`; the sandbox links each file to its knowledge base instead, which answers the
-- same `file_count`.
CREATE TABLE knowledge (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- Backs a project (`[Project] …`): left out of both knowledge lists.
    project INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE file (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    -- NULL: uploaded to a chat, not to a knowledge base.
    knowledge_id TEXT,
    created_at INTEGER NOT NULL
);
