package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// CSVHeader is the member export's column order: the six compatibility columns first. The
// console's export writes the same columns.
var CSVHeader = []string{"id", "email", "firstName", "lastName", "isAdmin", "hasSeat",
	"role", "status", "source", "joinedAt", "lastActiveAt"}

// exportMembers streams the filtered member list as CSV, a page at a time (ExportPages), so
// memory stays flat however large the org and no connection waits on a slow client.
func (a *API) exportMembers(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	mq, err := parseMemberQuery(r, orgID, false)
	if err != nil {
		return err
	}
	started := false
	cw := csv.NewWriter(w)
	err = ExportPages(ctx, a.svc, actor, mq, w, func(page []provisioning.Member) error {
		for _, m := range page {
			if !started {
				started = true
				startCSV(w, cw)
			}
			_ = cw.Write(CSVRow(m))
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		a.logger.ErrorContext(ctx, "member export interrupted", "err", err)
		return nil
	}
	if !started {
		startCSV(w, cw)
	}
	cw.Flush()
	return cw.Error()
}

func startCSV(w http.ResponseWriter, cw *csv.Writer) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="members.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = cw.Write(CSVHeader)
}

// CSVRow is one member's row of the export, its free-text cells defused (CSVSafe).
func CSVRow(m provisioning.Member) []string {
	last := ""
	if m.LastActiveAt != nil {
		last = m.LastActiveAt.UTC().Format(time.RFC3339)
	}
	return []string{m.ID, CSVSafe(m.Email), CSVSafe(m.FirstName), CSVSafe(m.LastName),
		strconv.FormatBool(m.Role.IsAdmin()), strconv.FormatBool(m.HasSeat), string(m.Role),
		string(m.Status), string(m.Source), m.JoinedAt.UTC().Format(time.RFC3339), last}
}

// InvitationCSVRow is a pending invitation as a row of the console's export, which lists them
// with the members: status pending, source invite, joinedAt the time of the invitation, and
// hasSeat whether it holds a seat.
func InvitationCSVRow(inv provisioning.Invitation, holdsSeat bool) []string {
	return []string{inv.ID, CSVSafe(inv.Email), "", "", strconv.FormatBool(inv.Role.IsAdmin()), strconv.FormatBool(holdsSeat),
		string(inv.Role), "pending", string(provisioning.EntranceInvite), inv.CreatedAt.UTC().Format(time.RFC3339), ""}
}

// CSVSafe defuses spreadsheet formulas in free-text cells (CSV injection).
func CSVSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
