-- +goose Up
-- A member list of a large org sorts and searches on the membership side: the user's sort name
-- and email are copied onto each membership (kept up to date in the transaction that changes the
-- user), so a page reads one org's index range in order instead of every user of the
-- installation. Lists that hide removed members use the partial indexes; a list of one status
-- uses memberships_status_name; role filters use memberships_role_name. Substring search (q=)
-- uses trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE memberships
    ADD COLUMN sort_name TEXT NOT NULL DEFAULT '',
    ADD COLUMN email     TEXT NOT NULL DEFAULT '';

UPDATE memberships m SET sort_name = u.sort_name, email = u.email FROM users u WHERE u.id = m.user_id;

CREATE INDEX memberships_list_name ON memberships(org_id, sort_name, id) WHERE status <> 'removed';
CREATE INDEX memberships_list_email ON memberships(org_id, email, id) WHERE status <> 'removed';
CREATE INDEX memberships_list_joined ON memberships(org_id, joined_at, id) WHERE status <> 'removed';
CREATE INDEX memberships_status_name ON memberships(org_id, status, sort_name, id);
CREATE INDEX memberships_role_name ON memberships(org_id, role, sort_name, id) WHERE status <> 'removed';
CREATE INDEX memberships_search_name ON memberships USING gin (sort_name gin_trgm_ops);
CREATE INDEX memberships_search_email ON memberships USING gin (email gin_trgm_ops);

-- The emails[...] filter of a SCIM list is scoped to the org and finds the user through this
-- index alone.
CREATE INDEX scim_user_emails_org_value ON scim_user_emails(org_id, value_key, scim_user_id);
DROP INDEX scim_user_emails_value;

-- +goose Down
CREATE INDEX scim_user_emails_value ON scim_user_emails(org_id, value_key);
DROP INDEX scim_user_emails_org_value;
DROP INDEX memberships_search_email;
DROP INDEX memberships_search_name;
DROP INDEX memberships_role_name;
DROP INDEX memberships_status_name;
DROP INDEX memberships_list_joined;
DROP INDEX memberships_list_email;
DROP INDEX memberships_list_name;
ALTER TABLE memberships DROP COLUMN email, DROP COLUMN sort_name;
