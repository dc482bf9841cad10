-- +goose Up
-- From this version seats_used is kept only while an org has a seat limit (joins into an org
-- without one run side by side instead of queueing on its row), and setting a limit recounts
-- it. The migration recounts every org and marks the schema, so a binary that still keeps the
-- counter everywhere refuses this database instead of trusting a stale count.
UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
    WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer');

-- One directory user per membership: two SCIM users resolving to one person (userName "ann"
-- with email ann@x.com, then userName ann@x.com) would share a membership.
DROP INDEX scim_users_membership;
CREATE UNIQUE INDEX scim_users_membership ON scim_users(membership_id);

-- +goose Down
DROP INDEX scim_users_membership;
CREATE INDEX scim_users_membership ON scim_users(membership_id);
UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
    WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer');
