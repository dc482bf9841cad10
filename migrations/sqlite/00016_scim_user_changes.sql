-- +goose Up
-- changes counts every insert and delete of an org's directory users, and never goes down. An
-- instance remembers where deep pages of an unfiltered SCIM user list start (the id at an
-- offset) with the value it read; while it is the same, no directory user of the org was added
-- or removed, so the remembered id still starts that page and the page is one index range
-- instead of an offset walk.
ALTER TABLE scim_user_counts ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER scim_user_counts_add;
DROP TRIGGER scim_user_counts_remove;

-- +goose StatementBegin
CREATE TRIGGER scim_user_counts_add AFTER INSERT ON scim_users BEGIN
    INSERT INTO scim_user_counts (org_id, slot, n, changes) VALUES (new.org_id, 0, 1, 1)
        ON CONFLICT (org_id, slot) DO UPDATE SET n = n + 1, changes = changes + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER scim_user_counts_remove AFTER DELETE ON scim_users BEGIN
    UPDATE scim_user_counts SET n = n - 1, changes = changes + 1 WHERE org_id = old.org_id AND slot = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER scim_user_counts_remove;
DROP TRIGGER scim_user_counts_add;

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

ALTER TABLE scim_user_counts DROP COLUMN changes;
