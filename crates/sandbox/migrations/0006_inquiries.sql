-- Inquiries (inquiries.md): "Contact Admin" tickets inside one deployment. `status` is any text
-- an admin sets; times are Unix seconds.
CREATE TABLE inquiry (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    subtype TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    admin_note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
