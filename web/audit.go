package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// auditPageSize is how many events an audit page shows.
const auditPageSize = 50

// knownActions are offered as suggestions in the action filter; any action may be typed.
var knownActions = []string{"member.joined", "member.role_changed", "member.suspended", "member.reactivated", "member.removed",
	"member.left", "member.resurfaced", "member.updated", "invitation.created", "invitation.resent", "invitation.revoked",
	"invitation.accepted", "invite_link.regenerated", "invite_link.disabled", "token.created", "token.revoked",
	"org.settings_changed", "org.contact_changed", "org.updated", "domain.added", "domain.verified", "sso.signed_in",
	"sso.sign_in_failed", "sso.connection_created", "scim_token.created"}

// auditView is what audit.html shows: the filters, a page of events and the link to older ones.
type auditView struct {
	base
	Actor, Action, Target, Since, Until string
	Actions                             []string
	Events                              []auditRow
	Older, Newest                       string
}

type auditRow struct {
	At, Actor, ActorKind, Action, Target, TargetHref, Entrance, Reason string
	Changes                                                            []string
	Record                                                             string
}

// audit shows the audit log, newest first, filtered by actor (id or email), action, target and
// days.
func (o *Options) audit(w http.ResponseWriter, r *http.Request, v *visit) error {
	in := r.URL.Query()
	view := auditView{base: v.base(), Actor: strings.TrimSpace(in.Get("actor")), Action: strings.TrimSpace(in.Get("action")),
		Target: strings.TrimSpace(in.Get("target")), Since: in.Get("since"), Until: in.Get("until"), Actions: knownActions}
	q := provisioning.AuditQuery{OrgID: v.org.ID, Actor: view.Actor, Action: view.Action, TargetID: view.Target,
		Before: in.Get("before"), Limit: auditPageSize}
	var err error
	if q.Since, err = day(view.Since, "from", 0); err != nil {
		return err
	}
	if q.Until, err = day(view.Until, "to", 1); err != nil {
		return err
	}
	events, err := o.Service.ListAudit(r.Context(), v.actor, q)
	if err != nil {
		return err
	}
	for _, e := range events {
		view.Events = append(view.Events, auditRowOf(v, e))
	}
	filter := func(before string) string {
		vals := in
		vals.Del("before")
		if before != "" {
			vals.Set("before", before)
		}
		if enc := vals.Encode(); enc != "" {
			return v.path("/audit") + "?" + enc
		}
		return v.path("/audit")
	}
	if len(events) == auditPageSize {
		view.Older = filter(events[len(events)-1].ID)
	}
	if q.Before != "" {
		view.Newest = filter("")
	}
	return o.render(w, r, http.StatusOK, v.frame("Audit log", "/audit"), "audit.html", view)
}

// day reads a date field (YYYY-MM-DD, UTC) as the start of that day plus addDays.
func day(s, field string, addDays int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, provisioning.Invalidf(field, "the %q date must look like 2026-01-31", field)
	}
	return t.AddDate(0, 0, addDays), nil
}

func auditRowOf(v *visit, e provisioning.AuditEvent) auditRow {
	row := auditRow{At: dateTime(e.At), Actor: orDefault(e.ActorLabel, e.ActorID), ActorKind: string(e.ActorKind),
		Action: e.Action, Target: e.TargetType + " " + e.TargetID, Entrance: string(e.Entrance), Reason: e.Reason,
		Changes: changes(e.Before, e.After), Record: record(e.Before, e.After)}
	if e.TargetType == "member" {
		row.TargetHref = v.path("/members/" + e.TargetID)
	}
	return row
}

// changes lists what differs between before and after, one "field: old → new" per leaf, with
// nested objects' fields named by dotted paths. A record with only one side lists nothing.
func changes(before, after json.RawMessage) []string {
	if len(before) == 0 || len(after) == 0 {
		return nil
	}
	b, a := map[string]string{}, map[string]string{}
	flatten("", before, b)
	flatten("", after, a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if b[k] != a[k] && k != "updatedAt" && !strings.HasSuffix(k, ".updatedAt") {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, orDefault(b[k], "(none)"), orDefault(a[k], "(none)")))
		}
	}
	sort.Strings(out)
	return out
}

// flatten records raw's leaves under dotted keys; a value that is not an object is one leaf.
func flatten(prefix string, raw json.RawMessage, out map[string]string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[prefix] = s
		} else if string(raw) != "null" {
			out[prefix] = string(raw)
		}
		return
	}
	for k, v := range obj {
		if prefix != "" {
			k = prefix + "." + k
		}
		flatten(k, v, out)
	}
}

// record is the event's before and after, indented for reading.
func record(before, after json.RawMessage) string {
	var buf bytes.Buffer
	for _, side := range []struct {
		name string
		raw  json.RawMessage
	}{{"before", before}, {"after", after}} {
		if len(side.raw) == 0 || string(side.raw) == "null" {
			continue
		}
		buf.WriteString(side.name + ":\n")
		if json.Indent(&buf, side.raw, "", "  ") != nil {
			buf.Write(side.raw)
		}
		buf.WriteString("\n")
	}
	return strings.TrimSpace(buf.String())
}
