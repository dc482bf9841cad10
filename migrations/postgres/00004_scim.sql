-- +goose Up
CREATE TABLE scim_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hint         TEXT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX scim_tokens_org ON scim_tokens(org_id, created_at);

CREATE TABLE scim_rate (
    org_id       TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL
);

CREATE TABLE scim_users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users(id),
    membership_id TEXT NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    user_name     TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    given_name    TEXT NOT NULL DEFAULT '',
    family_name   TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL,
    attrs_json    TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, user_name_key)
);
CREATE INDEX scim_users_org_id ON scim_users(org_id, id);
CREATE INDEX scim_users_external ON scim_users(org_id, external_id);
CREATE INDEX scim_users_updated ON scim_users(org_id, updated_at);
CREATE INDEX scim_users_membership ON scim_users(membership_id);

CREATE TABLE scim_user_emails (
    scim_user_id TEXT NOT NULL REFERENCES scim_users(id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    position     INTEGER NOT NULL,
    type         TEXT NOT NULL DEFAULT '',
    value        TEXT NOT NULL,
    value_key    TEXT NOT NULL,
    is_primary   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (scim_user_id, position)
);
CREATE INDEX scim_user_emails_value ON scim_user_emails(org_id, value_key);

CREATE TABLE scim_groups (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    display_name     TEXT NOT NULL,
    display_name_key TEXT NOT NULL,
    external_id      TEXT NOT NULL DEFAULT '',
    attrs_json       TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX scim_groups_org_id ON scim_groups(org_id, id);
CREATE INDEX scim_groups_name ON scim_groups(org_id, display_name_key);
CREATE INDEX scim_groups_external ON scim_groups(org_id, external_id);

CREATE TABLE scim_group_members (
    group_id     TEXT NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
    scim_user_id TEXT NOT NULL REFERENCES scim_users(id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    PRIMARY KEY (group_id, scim_user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members(scim_user_id);

CREATE TABLE scim_role_mappings (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    group_key  TEXT NOT NULL,
    group_name TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, group_key)
);

-- +goose Down
DROP TABLE scim_role_mappings;
DROP TABLE scim_group_members;
DROP TABLE scim_groups;
DROP TABLE scim_user_emails;
DROP TABLE scim_users;
DROP TABLE scim_rate;
DROP TABLE scim_tokens;
