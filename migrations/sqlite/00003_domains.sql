-- +goose Up
CREATE TABLE domains (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL,
    token       TEXT NOT NULL,
    auto_join   BOOLEAN NOT NULL DEFAULT FALSE,
    join_role   TEXT NOT NULL DEFAULT 'member',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    verified_at TEXT,
    checked_at  TEXT,
    UNIQUE (org_id, name)
);
-- A domain is verified for at most one org at a time.
CREATE UNIQUE INDEX domains_one_verified ON domains(name) WHERE state = 'verified';
CREATE INDEX domains_state_checked ON domains(state, checked_at);

-- +goose Down
DROP TABLE domains;
