-- +goose Up
-- changes counts every insert and delete of an org's directory users, and never goes down
-- (summed over the org's slots). An instance remembers where deep pages of an unfiltered SCIM
-- user list start (the id at an offset) with the sum it read; while the sum is the same, no
-- directory user of the org was added or removed, so the remembered id still starts that
-- page and the page is one index range instead of an offset walk.
ALTER TABLE scim_user_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION scim_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scim_user_counts (org_id, slot, n, changes)
        SELECT org_id, floor(random() * 16)::int, COUNT(*), COUNT(*) FROM added GROUP BY org_id ORDER BY org_id
    ON CONFLICT (org_id, slot) DO UPDATE SET n = scim_user_counts.n + EXCLUDED.n,
        changes = scim_user_counts.changes + EXCLUDED.changes;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION scim_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scim_user_counts c SET n = c.n - d.n, changes = c.changes + d.n
      FROM (SELECT org_id, COUNT(*) AS n FROM removed GROUP BY org_id) d
     WHERE c.org_id = d.org_id
       AND c.slot = (SELECT min(s.slot) FROM scim_user_counts s WHERE s.org_id = d.org_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION scim_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO scim_user_counts (org_id, slot, n)
        SELECT org_id, floor(random() * 16)::int, COUNT(*) FROM added GROUP BY org_id ORDER BY org_id
    ON CONFLICT (org_id, slot) DO UPDATE SET n = scim_user_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION scim_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scim_user_counts c SET n = c.n - d.n
      FROM (SELECT org_id, COUNT(*) AS n FROM removed GROUP BY org_id) d
     WHERE c.org_id = d.org_id
       AND c.slot = (SELECT min(s.slot) FROM scim_user_counts s WHERE s.org_id = d.org_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

ALTER TABLE scim_user_counts DROP COLUMN changes;
