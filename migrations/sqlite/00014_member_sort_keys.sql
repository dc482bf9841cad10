-- +goose Up
-- A member list of a large org sorts and searches on the membership side: the user's sort name
-- and email are copied onto each membership (kept up to date in the transaction that changes the
-- user), so a page reads one org's index range in order instead of every user of the
-- installation. Substring search (q=) narrows through the FTS5 trigram index
-- memberships_search, kept by triggers and keyed by the membership's rowid (after a VACUUM,
-- run INSERT INTO memberships_search(memberships_search) VALUES ('rebuild')).
ALTER TABLE memberships ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN email TEXT NOT NULL DEFAULT '';

UPDATE memberships SET
    sort_name = (SELECT u.sort_name FROM users u WHERE u.id = memberships.user_id),
    email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id);

CREATE INDEX memberships_list_name ON memberships(org_id, sort_name, id) WHERE status <> 'removed';
CREATE INDEX memberships_list_email ON memberships(org_id, email, id) WHERE status <> 'removed';
CREATE INDEX memberships_list_joined ON memberships(org_id, joined_at, id) WHERE status <> 'removed';
CREATE INDEX memberships_status_name ON memberships(org_id, status, sort_name, id);
CREATE INDEX memberships_role_name ON memberships(org_id, role, sort_name, id) WHERE status <> 'removed';

CREATE VIRTUAL TABLE memberships_search USING fts5(email, sort_name, content='memberships', tokenize='trigram');

-- +goose StatementBegin
CREATE TRIGGER memberships_search_insert AFTER INSERT ON memberships BEGIN
    INSERT INTO memberships_search(rowid, email, sort_name) VALUES (new.rowid, new.email, new.sort_name);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_search_delete AFTER DELETE ON memberships BEGIN
    INSERT INTO memberships_search(memberships_search, rowid, email, sort_name)
        VALUES ('delete', old.rowid, old.email, old.sort_name);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_search_update AFTER UPDATE OF email, sort_name ON memberships BEGIN
    INSERT INTO memberships_search(memberships_search, rowid, email, sort_name)
        VALUES ('delete', old.rowid, old.email, old.sort_name);
    INSERT INTO memberships_search(rowid, email, sort_name) VALUES (new.rowid, new.email, new.sort_name);
END;
-- +goose StatementEnd

INSERT INTO memberships_search(memberships_search) VALUES ('rebuild');

-- The emails[...] filter of a SCIM list is scoped to the org and finds the user through this
-- index alone.
CREATE INDEX scim_user_emails_org_value ON scim_user_emails(org_id, value_key, scim_user_id);
DROP INDEX scim_user_emails_value;

-- +goose Down
CREATE INDEX scim_user_emails_value ON scim_user_emails(org_id, value_key);
DROP INDEX scim_user_emails_org_value;
DROP TRIGGER memberships_search_update;
DROP TRIGGER memberships_search_delete;
DROP TRIGGER memberships_search_insert;
DROP TABLE memberships_search;
DROP INDEX memberships_role_name;
DROP INDEX memberships_status_name;
DROP INDEX memberships_list_joined;
DROP INDEX memberships_list_email;
DROP INDEX memberships_list_name;
ALTER TABLE memberships DROP COLUMN email;
ALTER TABLE memberships DROP COLUMN sort_name;
