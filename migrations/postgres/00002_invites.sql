-- +goose Up
CREATE INDEX invitations_org_id ON invitations(org_id, id);
CREATE INDEX invitations_email ON invitations(email, state);

CREATE TABLE invite_links (
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    hint       TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, role)
);

CREATE TABLE invite_sends (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    day    TEXT NOT NULL,
    sends  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day)
);

CREATE TABLE email_logins (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX email_logins_expires ON email_logins(expires_at);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL
);

CREATE INDEX outbox_kind_due ON outbox(kind, state, next_attempt_at);

-- +goose Down
DROP INDEX outbox_kind_due;
DROP TABLE rate_limits;
DROP TABLE email_logins;
DROP TABLE invite_sends;
DROP TABLE invite_links;
DROP INDEX invitations_email;
DROP INDEX invitations_org_id;
