package sqlstore

import (
	"context"
	"sync"

	"github.com/rollcall/rollcall/provisioning"
)

// An unfiltered SCIM user list is paged in id order. An IdP importing a directory asks for
// startIndex 1, 101, 201 … and an offset page walks every id before it, so reading an org of
// 100,000 in pages of 100 walks 50 million index entries. pageAnchors remembers, per org and
// offset, the id of the row at that offset together with the org's change count
// (scim_user_counts.changes, which every insert and delete of the org's directory users raises
// and nothing lowers). While the count is the same, the id still sits at that offset, and the
// page is one index range from it. A stale anchor is never trusted: the page statement itself
// compares the count, in the snapshot that reads the rows, so an instance needs no word from
// the others.

// minAnchoredOffset is the smallest offset worth an anchor: shorter walks cost less than a
// cache entry.
const minAnchoredOffset = 1000

// maxPageAnchors bounds the anchors kept per store (about 100 bytes each).
const maxPageAnchors = 8192

type anchorKey struct {
	org    string
	offset int
}

type pageAnchor struct {
	id      string
	changes int64
}

// pageAnchors is a bounded map of page anchors, the oldest dropped first.
type pageAnchors struct {
	mu    sync.Mutex
	m     map[anchorKey]pageAnchor
	order []anchorKey // ring of keys in insertion order
	next  int
}

func newPageAnchors() *pageAnchors {
	return &pageAnchors{m: map[anchorKey]pageAnchor{}, order: make([]anchorKey, 0, maxPageAnchors)}
}

func (p *pageAnchors) get(org string, offset int) (pageAnchor, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.m[anchorKey{org, offset}]
	return a, ok
}

func (p *pageAnchors) put(org string, offset int, a pageAnchor) {
	if offset < minAnchoredOffset {
		return
	}
	k := anchorKey{org, offset}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[k]; !ok {
		if len(p.order) < maxPageAnchors {
			p.order = append(p.order, k)
		} else {
			delete(p.m, p.order[p.next])
			p.order[p.next] = k
			p.next = (p.next + 1) % maxPageAnchors
		}
	}
	p.m[k] = a
}

// listAllDirectoryUsers is ListDirectoryUsers without a filter: the total and the change count
// from the org's kept counts, then the page from an anchor when one is current, else by the
// offset walk. The page reads one row more than asked, whose id anchors the next page.
func (t *Tx) listAllDirectoryUsers(ctx context.Context, q provisioning.DirectoryQuery) ([]provisioning.DirectoryUser, int, error) {
	var total int
	var changes int64
	count, page, args, err := DirectoryUserListSQL(q)
	if err != nil {
		return nil, 0, err
	}
	err = t.queryOne(ctx, "count", count, args, func(r Rows) error { return r.Scan(&total, &changes) })
	if err != nil || q.Limit <= 0 || q.Offset >= total {
		return nil, total, err
	}
	before, after := DirectoryPageSettings(t.d.Dialect())
	for _, set := range before {
		if err := t.execLater(ctx, "page setting", set); err != nil {
			return nil, 0, err
		}
	}
	var out []provisioning.DirectoryUser
	if a, ok := t.anchors.get(q.OrgID, q.Offset); ok && a.changes == changes {
		// The statement compares the count again: its snapshot is the one that reads the rows.
		out, err = t.directoryUserRows(ctx, DirectoryUserAnchoredPageSQL, q.OrgID, a.id, changes, q.Limit+1)
		if err != nil {
			return nil, 0, err
		}
	}
	if len(out) == 0 {
		// No current anchor: the offset walk. Its snapshot may be newer than the count read
		// above; an anchor saved with that older count can then never match again, because
		// the count only grows.
		if out, err = t.directoryUserRows(ctx, page, append(args, q.Limit+1, q.Offset)...); err != nil {
			return nil, 0, err
		}
	}
	for _, set := range after {
		if err := t.execLater(ctx, "page setting", set); err != nil {
			return nil, 0, err
		}
	}
	if len(out) > 0 {
		t.anchors.put(q.OrgID, q.Offset, pageAnchor{out[0].ID, changes})
	}
	if len(out) > q.Limit {
		t.anchors.put(q.OrgID, q.Offset+q.Limit, pageAnchor{out[q.Limit].ID, changes})
		out = out[:q.Limit]
	}
	return out, total, nil
}

// DirectoryPageSettings are the SET LOCAL statements around the page of an unfiltered list
// (exported for the EXPLAIN tests of store/postgres). On Postgres, before: no bitmap scan and
// no sort, so the page is read in the order of the org's (org_id, id) index even when the
// planner, on statistics that lag a bulk load, expects a handful of rows (it would otherwise
// fetch and sort every row after the page's start); after: both back to their defaults for
// the rest of the transaction.
func DirectoryPageSettings(dialect string) (before, after []string) {
	if dialect != "postgres" {
		return nil, nil
	}
	return []string{"SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_sort = off"},
		[]string{"SET LOCAL enable_bitmapscan TO DEFAULT", "SET LOCAL enable_sort TO DEFAULT"}
}

func (t *Tx) directoryUserRows(ctx context.Context, query string, args ...any) ([]provisioning.DirectoryUser, error) {
	var out []provisioning.DirectoryUser
	err := t.queryRows(ctx, query, args, func(r Rows) error {
		var u provisioning.DirectoryUser
		if err := scanDirectoryUser(r, &u); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}
