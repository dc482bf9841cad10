package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// ExportPageSize is how many members one read transaction of an export fetches.
const ExportPageSize = 1000

// ExportPageTimeout bounds the writing of one page of an export to the client. It moves with
// every page, so a long export of a reading client runs as long as it needs while a client that
// stops reading is cut off.
const ExportPageTimeout = 30 * time.Second

// MemberLister is the part of the service an export reads through.
type MemberLister interface {
	ListMembers(ctx context.Context, actor provisioning.Actor, q provisioning.MemberQuery) ([]provisioning.Member, error)
}

// ExportPages hands every member matching q to page, ExportPageSize at a time in q's order.
// Each page is read in its own short read transaction (the member list with a keyset cursor)
// and written after it ends, so no database connection waits on the client; before each page
// the response's write deadline moves to ExportPageTimeout from now. An error before the first
// page is the caller's to render; the authority check runs with every page.
func ExportPages(ctx context.Context, svc MemberLister, actor provisioning.Actor, q provisioning.MemberQuery,
	w http.ResponseWriter, page func([]provisioning.Member) error) error {
	rc := http.NewResponseController(w)
	q.Limit, q.After = ExportPageSize, nil
	for {
		list, err := svc.ListMembers(ctx, actor, q)
		if err != nil {
			return err
		}
		if err := rc.SetWriteDeadline(time.Now().Add(ExportPageTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if err := page(list); err != nil {
			return err
		}
		if len(list) < q.Limit {
			return nil
		}
		last := list[len(list)-1]
		next := &provisioning.Cursor{Key: last.SortValue(q.Sort), ID: last.ID}
		if q.After != nil && *q.After == *next {
			return provisioning.Internal(errors.New("member export: the cursor did not move"))
		}
		q.After = next
	}
}
