-- +goose Up
-- Member search keeps the FTS5 trigram index of 00014 (it narrows by rowid, then the org's
-- rows are checked).
--
-- totalResults of an unfiltered SCIM user list reads a per-org count instead of counting the
-- org. Triggers keep it in the statement that inserts or deletes directory users (cascades
-- included); SQLite has one writer, so one slot per org. The table is its primary key, so the
-- read is one search of it. Deleting the org deletes its count.
CREATE TABLE scim_user_counts (
    org_id TEXT    NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    slot   INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (org_id, slot)
) WITHOUT ROWID;

INSERT INTO scim_user_counts (org_id, slot, n) SELECT org_id, 0, COUNT(*) FROM scim_users GROUP BY org_id;

-- +goose StatementBegin
CREATE TRIGGER scim_user_counts_add AFTER INSERT ON scim_users BEGIN
    INSERT INTO scim_user_counts (org_id, slot, n) VALUES (new.org_id, 0, 1)
        ON CONFLICT (org_id, slot) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER scim_user_counts_remove AFTER DELETE ON scim_users BEGIN
    UPDATE scim_user_counts SET n = n - 1 WHERE org_id = old.org_id AND slot = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER scim_user_counts_remove;
DROP TRIGGER scim_user_counts_add;
DROP TABLE scim_user_counts;
