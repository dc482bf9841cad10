package web

import (
	"encoding/csv"
	"net/http"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// membersCSV downloads exactly the filtered list of the members page, every page of it: the
// pending invitations it shows, then the members, paged through the same api.ExportPages as
// the API's export and in its columns.
func (o *Options) membersCSV(w http.ResponseWriter, r *http.Request, v *visit) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.skip, f.after = 0, nil
	pending, err := o.pending(r.Context(), v, f)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	started := false
	start := func() {
		if !started {
			started = true
			h := w.Header()
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="`+v.org.Slug+`-members.csv"`)
			h.Set("Cache-Control", "no-store")
			h.Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusOK)
			_ = cw.Write(api.CSVHeader)
		}
	}
	if !f.withMembers() {
		// The members are not asked for, but their authority is: the export is the admins'.
		if _, err := o.Service.SeatUsage(r.Context(), v.actor, v.org.ID); err != nil {
			return err
		}
	}
	if len(pending.list) > 0 {
		start()
		for _, inv := range pending.list {
			_ = cw.Write(api.InvitationCSVRow(inv, reservesSeat(v.org, inv)))
		}
	}
	if f.withMembers() {
		err = api.ExportPages(r.Context(), o.Service, v.actor, f.memberQuery(v.org.ID, o.Service.Now()), w, func(page []provisioning.Member) error {
			for _, m := range page {
				start()
				_ = cw.Write(api.CSVRow(m))
			}
			cw.Flush()
			return cw.Error()
		})
	}
	switch {
	case err != nil && !started:
		return err
	case err != nil:
		o.Logger.ErrorContext(r.Context(), "console member export interrupted", "err", err, "status", httperr.StatusOf(err))
		return nil
	}
	start()
	cw.Flush()
	return cw.Error()
}
