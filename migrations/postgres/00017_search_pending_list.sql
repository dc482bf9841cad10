-- +goose Up
-- A membership row that is inserted, or updated outside HOT (a role change: role is indexed),
-- writes every trigram of its sort name into memberships_search. With fastupdate off that is
-- one GIN descent per trigram: a 500-member role update spent two thirds of its time there
-- (150 ms against 45 ms without the index). A pending list takes the new entries in one append
-- and merges them in bulk when it outgrows gin_pending_list_limit. The limit is kept small
-- (256 kB, not the 4 MB default) so that a search, which reads the whole pending list, and the
-- planner, which prices it, still see an index of sorted entries on a freshly loaded org.
ALTER INDEX memberships_search SET (fastupdate = on, gin_pending_list_limit = 256);

-- +goose Down
ALTER INDEX memberships_search RESET (gin_pending_list_limit);
ALTER INDEX memberships_search SET (fastupdate = off);
