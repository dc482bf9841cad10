-- +goose Up
-- seats_used counts active non-viewer memberships; the store keeps it in step with every
-- membership write, so seat decisions read one row instead of counting the org.
ALTER TABLE orgs ADD COLUMN seats_used INTEGER NOT NULL DEFAULT 0;
UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
    WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer');

-- +goose Down
ALTER TABLE orgs DROP COLUMN seats_used;
