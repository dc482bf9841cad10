-- +goose Up
-- From this version seats_used is kept only while an org has a seat limit (joins into an org
-- without one run side by side instead of queueing on its row), and setting a limit recounts
-- it. The migration recounts every org and marks the schema, so a binary that still keeps the
-- counter everywhere refuses this database instead of trusting a stale count.
UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
    WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer');

-- +goose Down
UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
    WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer');
