-- +goose Up
-- A test sign-in started from the console ("Test sign-in"): the flow names the user who started
-- it and the console page that shows its result; the callback stores what arrived (JSON owned by
-- package sso) instead of signing anyone in, and the row is kept a while for that page.
ALTER TABLE sso_flows ADD COLUMN test_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_flows ADD COLUMN test_return TEXT NOT NULL DEFAULT '';
ALTER TABLE sso_flows ADD COLUMN test_result TEXT;

-- The operator's webhooks page lists the newest deliveries first.
CREATE INDEX outbox_kind_created ON outbox(kind, created_at);

-- +goose Down
DROP INDEX outbox_kind_created;
ALTER TABLE sso_flows DROP COLUMN test_result;
ALTER TABLE sso_flows DROP COLUMN test_return;
ALTER TABLE sso_flows DROP COLUMN test_by;
