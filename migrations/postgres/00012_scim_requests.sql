-- +goose Up
-- The recent activity of each org's SCIM directory: a ring of its last 50 requests, in which
-- request number seq takes slot seq % 50. scim_request_counts numbers them. A row holds no
-- body and no token, and its path is redacted.
CREATE TABLE scim_request_counts (
    org_id   TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    requests BIGINT NOT NULL
);

CREATE TABLE scim_requests (
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      INTEGER NOT NULL,
    scim_type   TEXT NOT NULL DEFAULT '',
    token_id    TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (org_id, slot)
);

-- +goose Down
DROP TABLE scim_requests;
DROP TABLE scim_request_counts;
