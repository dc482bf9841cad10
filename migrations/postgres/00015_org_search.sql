-- +goose Up
-- Member search (q=) reads one trigram index scoped to the org: btree_gin puts org_id in the
-- same GIN index as the sort name's trigrams, so a search of one org does not walk the posting
-- lists of every org's members. The sort name holds the lower-cased email (SortName), so the
-- search matches on it alone and the email trigram index goes. fastupdate is off so new
-- members go into the index itself, not a pending list that every search scans until a vacuum
-- (with one, the planner prefers a scan of the table on a freshly loaded org).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX memberships_search ON memberships USING gin (org_id, sort_name gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX memberships_search_name;
DROP INDEX memberships_search_email;

-- +goose Down
CREATE INDEX memberships_search_email ON memberships USING gin (email gin_trgm_ops);
CREATE INDEX memberships_search_name ON memberships USING gin (sort_name gin_trgm_ops);
DROP INDEX memberships_search;
