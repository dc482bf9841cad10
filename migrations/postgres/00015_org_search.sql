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

-- totalResults of an unfiltered SCIM user list reads a per-org count instead of counting the
-- org. Triggers keep it in the statement that inserts or deletes directory users (cascades
-- included). Inserts add to one of 16 slots picked at random, so concurrent creates in one org
-- rarely wait on the same row; deletes take from the org's lowest slot (a slot may go negative,
-- the sum is the count). Deleting the org deletes its slots.
CREATE TABLE scim_user_counts (
    org_id TEXT    NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    slot   INTEGER NOT NULL,
    n      BIGINT  NOT NULL,
    PRIMARY KEY (org_id, slot)
);

INSERT INTO scim_user_counts (org_id, slot, n) SELECT org_id, 0, COUNT(*) FROM scim_users GROUP BY org_id;

-- +goose StatementBegin
CREATE FUNCTION scim_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scim_user_counts (org_id, slot, n)
        SELECT org_id, floor(random() * 16)::int, COUNT(*) FROM added GROUP BY org_id ORDER BY org_id
    ON CONFLICT (org_id, slot) DO UPDATE SET n = scim_user_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION scim_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scim_user_counts c SET n = c.n - d.n
      FROM (SELECT org_id, COUNT(*) AS n FROM removed GROUP BY org_id) d
     WHERE c.org_id = d.org_id
       AND c.slot = (SELECT min(s.slot) FROM scim_user_counts s WHERE s.org_id = d.org_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER scim_user_counts_add AFTER INSERT ON scim_users
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION scim_user_counts_add();
CREATE TRIGGER scim_user_counts_remove AFTER DELETE ON scim_users
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION scim_user_counts_remove();

-- +goose Down
DROP TRIGGER scim_user_counts_remove ON scim_users;
DROP TRIGGER scim_user_counts_add ON scim_users;
DROP FUNCTION scim_user_counts_remove();
DROP FUNCTION scim_user_counts_add();
DROP TABLE scim_user_counts;
CREATE INDEX memberships_search_email ON memberships USING gin (email gin_trgm_ops);
CREATE INDEX memberships_search_name ON memberships USING gin (sort_name gin_trgm_ops);
DROP INDEX memberships_search;
