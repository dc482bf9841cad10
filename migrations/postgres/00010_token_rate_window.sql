-- +goose Up
-- The per-minute limit of member API tokens becomes a sliding window (provisioning.RateWindow,
-- encoded). minute_start and minute_calls, the fixed window it replaces, are no longer written;
-- they stay until a later migration, so that instances of the previous release still serving
-- while the new one rolls out keep answering.
ALTER TABLE api_tokens ADD COLUMN rate_window BYTEA;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN rate_window;
