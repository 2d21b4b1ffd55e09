-- Service Requests saved before they are sent, and what became of each send. A row is claimed
-- (`sending`, with the time) in its own commit before the request goes out; a row found still
-- `sending` after the send could have finished is `unknown`: it may have arrived, and neither
-- side de-duplicates, so only the admin sends it again. No secret: the SR key stays in the
-- keychain; the request's text is the admin's own.
CREATE TABLE sr_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    tenant_name TEXT NOT NULL,
    route TEXT NOT NULL,
    central_url TEXT,
    body TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX sr_outbox_due ON sr_outbox (state, next_attempt_at);

-- Where a tenant's Service Requests go when they go straight to Cloocus: the central
-- instance's URL (the key itself is in the keychain).
CREATE TABLE sr_direct (
    tenant_id TEXT PRIMARY KEY NOT NULL,
    central_url TEXT NOT NULL
);
