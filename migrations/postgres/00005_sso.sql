-- +goose Up
-- An org's SAML or OIDC connection. config holds the protocol settings as JSON (owned by package
-- sso); secret holds the OIDC client secret sealed with AES-GCM, never in clear.
CREATE TABLE sso_connections (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    protocol   TEXT NOT NULL,
    name       TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    config     TEXT NOT NULL,
    secret     BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sso_connections_org ON sso_connections(org_id, created_at);

-- A sign-in in progress: what the callback needs (SAML request id, OIDC nonce and PKCE verifier,
-- the app's redirect) kept server-side, found by the hash of the state/RelayState, used once.
CREATE TABLE sso_flows (
    id            TEXT PRIMARY KEY,
    token_hash    BYTEA NOT NULL UNIQUE,
    connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    nonce         TEXT NOT NULL DEFAULT '',
    verifier      TEXT NOT NULL DEFAULT '',
    browser_hash  BYTEA,
    redirect_uri  TEXT NOT NULL DEFAULT '',
    app_state     TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);
CREATE INDEX sso_flows_expires ON sso_flows(expires_at);

-- Every accepted SAML assertion id, kept until the assertion could no longer be accepted: the
-- primary key makes a replay fail on any instance.
CREATE TABLE sso_assertions (
    connection_id TEXT NOT NULL,
    assertion_id  TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX sso_assertions_expires ON sso_assertions(expires_at);

-- One-time codes the SaaS app exchanges for a sign-in's profile; only their hash is stored.
CREATE TABLE sso_codes (
    id            TEXT PRIMARY KEY,
    code_hash     BYTEA NOT NULL UNIQUE,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    membership_id TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    groups_json   TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);
CREATE INDEX sso_codes_expires ON sso_codes(expires_at);

-- +goose Down
DROP TABLE sso_codes;
DROP TABLE sso_assertions;
DROP TABLE sso_flows;
DROP TABLE sso_connections;
