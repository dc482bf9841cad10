-- +goose Up
-- Postgres moves its member search index into a table of its own here. SQLite's search already
-- is one (the FTS5 table memberships_search of 00014, kept only on inserts, deletes and changes
-- of email or sort name), so nothing changes.
SELECT 1;

-- +goose Down
SELECT 1;
