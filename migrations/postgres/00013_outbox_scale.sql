-- +goose Up
-- Delivery workers claim pending messages in (next_attempt_at, id) order straight from this
-- index, so a large backlog is never sorted; sent and failed rows are not in it.
CREATE INDEX outbox_pending ON outbox(kind, next_attempt_at, id) WHERE state = 'pending';
-- An ordered claim (webhooks) checks that no earlier message of the same org is still pending.
CREATE INDEX outbox_pending_org ON outbox(kind, org_id, id, next_attempt_at) WHERE state = 'pending';
-- Sent messages are purged after the retention period, oldest first.
CREATE INDEX outbox_sent ON outbox(kind, sent_at) WHERE state = 'sent';
-- The operator's webhooks page lists failed deliveries newest first.
CREATE INDEX outbox_failed ON outbox(kind, created_at) WHERE state = 'failed';
-- Superseded by outbox_pending (they also held every sent row).
DROP INDEX outbox_due;
DROP INDEX outbox_kind_due;

-- +goose Down
CREATE INDEX outbox_kind_due ON outbox(kind, state, next_attempt_at);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
DROP INDEX outbox_failed;
DROP INDEX outbox_sent;
DROP INDEX outbox_pending_org;
DROP INDEX outbox_pending;
