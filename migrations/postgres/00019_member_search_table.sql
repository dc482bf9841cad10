-- +goose Up
-- The member search moves out of the memberships row into its own table, kept by triggers as
-- SQLite's FTS5 table is. A membership updated outside HOT (a role change: role is indexed)
-- wrote every trigram of its unchanged sort name into memberships_search again; a mapped group
-- change of 500 members spent about half of its role UPDATE there. Only an insert or a rename
-- writes this table.
DROP INDEX memberships_search;
CREATE TABLE memberships_search (
    membership_id TEXT PRIMARY KEY REFERENCES memberships(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    sort_name     TEXT NOT NULL
);
INSERT INTO memberships_search (membership_id, org_id, sort_name) SELECT id, org_id, sort_name FROM memberships;
CREATE INDEX memberships_search_trgm ON memberships_search USING gin (org_id, sort_name gin_trgm_ops)
    WITH (fastupdate = on, gin_pending_list_limit = 256);
-- +goose StatementBegin
CREATE FUNCTION rollcall_member_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memberships_search (membership_id, org_id, sort_name) VALUES (NEW.id, NEW.org_id, NEW.sort_name)
        ON CONFLICT (membership_id) DO UPDATE SET sort_name = EXCLUDED.sort_name;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER memberships_search_insert AFTER INSERT ON memberships
    FOR EACH ROW EXECUTE FUNCTION rollcall_member_search_sync();
CREATE TRIGGER memberships_search_update AFTER UPDATE OF sort_name ON memberships
    FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name) EXECUTE FUNCTION rollcall_member_search_sync();

-- +goose Down
DROP TRIGGER memberships_search_update ON memberships;
DROP TRIGGER memberships_search_insert ON memberships;
DROP FUNCTION rollcall_member_search_sync();
DROP TABLE memberships_search;
CREATE INDEX memberships_search ON memberships USING gin (org_id, sort_name gin_trgm_ops)
    WITH (fastupdate = on, gin_pending_list_limit = 256);
