-- +goose Up
-- Member search (q=) moves its trigram index off memberships into a narrow table of its own,
-- memberships_search (membership, org, sort name), kept by triggers. A change of role, status or
-- activity is not a HOT update of memberships (role and status are in its list indexes), so
-- with the trigram index on memberships every such change also wrote the sort name's trigrams
-- into the GIN index, one posting-tree descent per trigram: two thirds of the time of a large
-- group's role re-evaluation. Now only an insert or a change of sort name touches it. The
-- index stays org-scoped (btree_gin) with fastupdate off, as 00015 built it.
DROP INDEX memberships_search;

CREATE TABLE memberships_search (
    membership_id TEXT PRIMARY KEY REFERENCES memberships(id) ON DELETE CASCADE,
    org_id        TEXT NOT NULL,
    sort_name     TEXT NOT NULL
);

INSERT INTO memberships_search (membership_id, org_id, sort_name) SELECT id, org_id, sort_name FROM memberships;

CREATE INDEX memberships_search_trgm ON memberships_search USING gin (org_id, sort_name gin_trgm_ops) WITH (fastupdate = off);

-- +goose StatementBegin
CREATE FUNCTION memberships_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memberships_search (membership_id, org_id, sort_name) SELECT id, org_id, sort_name FROM added;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION memberships_search_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships_search SET sort_name = NEW.sort_name WHERE membership_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER memberships_search_add AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION memberships_search_add();
CREATE TRIGGER memberships_search_rename AFTER UPDATE OF sort_name ON memberships
    FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name) EXECUTE FUNCTION memberships_search_rename();

-- +goose Down
DROP TRIGGER memberships_search_rename ON memberships;
DROP TRIGGER memberships_search_add ON memberships;
DROP FUNCTION memberships_search_rename();
DROP FUNCTION memberships_search_add();
DROP TABLE memberships_search;
CREATE INDEX memberships_search ON memberships USING gin (org_id, sort_name gin_trgm_ops) WITH (fastupdate = off);
