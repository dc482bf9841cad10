-- +goose Up
ALTER TABLE api_tokens ADD COLUMN rate_limit_per_minute INTEGER;
ALTER TABLE api_tokens ADD COLUMN usage_limit BIGINT;
ALTER TABLE api_tokens ADD COLUMN daily_limit BIGINT;
ALTER TABLE api_tokens ADD COLUMN total_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN minute_start TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN minute_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN day_start TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN day_calls BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN day_calls;
ALTER TABLE api_tokens DROP COLUMN day_start;
ALTER TABLE api_tokens DROP COLUMN minute_calls;
ALTER TABLE api_tokens DROP COLUMN minute_start;
ALTER TABLE api_tokens DROP COLUMN total_calls;
ALTER TABLE api_tokens DROP COLUMN daily_limit;
ALTER TABLE api_tokens DROP COLUMN usage_limit;
ALTER TABLE api_tokens DROP COLUMN rate_limit_per_minute;
