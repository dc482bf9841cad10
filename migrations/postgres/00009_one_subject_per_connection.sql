-- +goose Up
-- One subject per connection and account: an IdP's second person never links to an account
-- by its email. Where earlier versions linked two subjects of one connection to one account,
-- the earliest link stays.
DELETE FROM identities WHERE EXISTS (
    SELECT 1 FROM identities older
    WHERE older.issuer = identities.issuer AND older.user_id = identities.user_id
      AND (older.created_at < identities.created_at
           OR (older.created_at = identities.created_at AND older.subject < identities.subject)));
CREATE UNIQUE INDEX identities_issuer_user ON identities(issuer, user_id);

-- +goose Down
DROP INDEX identities_issuer_user;
