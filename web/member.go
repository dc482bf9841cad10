package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// memberView is what member.html shows of one member: the profile, where they came from and
// the identities linked at the org's IdPs, the history of their role and seat, and their
// tokens with usage.
type memberView struct {
	base
	Member     provisioning.Member
	Name       string
	Source     string
	Joined     string
	LastActive string
	Identities []identityRow
	History    []historyRow
	Tokens     tokenTable
	Actions    rowActions
}

type identityRow struct{ Connection, Protocol, Subject, Linked string }

// historyRow is one change of the member's role, seat or status, from the audit log.
type historyRow struct {
	At, Action, Actor, Reason string
	Role, Seat, Status        string
}

// memberSnapshot is the shape the core records of a membership before and after a change.
type memberSnapshot struct {
	Role    string `json:"role"`
	Status  string `json:"status"`
	HasSeat *bool  `json:"hasSeat"`
}

// memberDetail shows one member (owners, admins).
func (o *Options) memberDetail(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, id := r.Context(), r.PathValue("member")
	m, err := o.Service.GetMember(ctx, v.actor, v.org.ID, id)
	if err != nil {
		return err
	}
	ids, err := o.Service.MemberIdentities(ctx, v.actor, v.org.ID, id)
	if err != nil {
		return err
	}
	events, err := o.Service.ListAudit(ctx, v.actor, provisioning.AuditQuery{OrgID: v.org.ID, TargetID: id, Limit: 200})
	if err != nil {
		return err
	}
	toks, err := o.Service.ListTokens(ctx, v.actor, v.org.ID, true)
	if err != nil {
		return err
	}
	view := memberView{base: v.base(), Member: m, Name: orDefault(displayName(m), m.Email), Source: sourceLabel(m.Source),
		Joined: dateTime(m.JoinedAt), LastActive: datePtr(m.LastActiveAt, "never"),
		Tokens: tokenTable{Path: v.path(""), CSRF: v.csrf}, Actions: memberActions(v.member, m)}
	view.Actions.ID, view.Actions.Who, view.Actions.CSRF, view.Actions.Path = m.ID, m.Email, v.csrf, v.path("")
	for _, i := range ids {
		view.Identities = append(view.Identities, identityRow{Connection: i.ConnectionName, Protocol: strings.ToUpper(i.Protocol),
			Subject: i.Subject, Linked: date(i.LinkedAt)})
	}
	for _, e := range events {
		if strings.HasPrefix(e.Action, "member.") {
			view.History = append(view.History, historyRowOf(e))
		}
	}
	for _, t := range toks {
		if t.MembershipID == m.ID {
			view.Tokens.Rows = append(view.Tokens.Rows, tokenRowOf(t, m.Email, settingsOf(v.org).TokenRateLimitPerMinute))
		}
	}
	return o.render(w, r, http.StatusOK, v.frame(view.Name, "/members"), "member.html", view)
}

func historyRowOf(e provisioning.AuditEvent) historyRow {
	var before, after memberSnapshot
	_ = json.Unmarshal(e.Before, &before)
	_ = json.Unmarshal(e.After, &after)
	return historyRow{At: dateTime(e.At), Action: strings.ReplaceAll(strings.TrimPrefix(e.Action, "member."), "_", " "),
		Actor: orDefault(e.ActorLabel, string(e.ActorKind)), Reason: e.Reason,
		Role: transition(before.Role, after.Role), Status: transition(before.Status, after.Status),
		Seat: transition(seatWord(before.HasSeat), seatWord(after.HasSeat))}
}

// transition is "member → admin", or the one value when it did not change.
func transition(from, to string) string {
	switch {
	case from == "" || from == to:
		return to
	case to == "":
		return from
	}
	return from + " → " + to
}

func seatWord(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "seat"
	}
	return "no seat"
}
