-- +goose Up
-- Member search keeps the FTS5 trigram index of 00014 (it narrows by rowid, then the org's
-- rows are checked).
SELECT 1;

-- +goose Down
SELECT 1;
