package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
)

var memberListParams = []string{"q", "role", "seat", "status", "lastActiveBefore", "lastActiveAfter", "sort", "order", "cursor", "limit"}

func (a *API) memberRoutes(r *Router) {
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/members", Summary: "List members: search, filter, sort, cursor pages (owners, admins)", Query: memberListParams, Response: memberListResponse{}}, a.withOrg(a.listMembers))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/members/export", Summary: "CSV export of exactly the filtered member list, streamed (owners, admins)", Query: memberListParams, Produces: "text/csv"}, a.withOrg(a.exportMembers))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/members", Summary: "Add a member by email (manual entrance)", Body: provisioning.AddMemberInput{}, Status: http.StatusCreated, Response: memberResponse{}}, a.withOrg(a.addMember))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/members/{member}", Summary: "Get a member (admins, or the member)", Response: memberResponse{}}, a.withOrg(a.getMember))
	r.Handle(Route{Method: "PATCH", Path: "/orgs/{org}/members/{member}", Summary: "Change a member's role", Body: roleBody{}, Response: memberResponse{}}, a.withOrg(a.changeRole))
	r.Handle(Route{Method: "DELETE", Path: "/orgs/{org}/members/{member}", Summary: "Remove a member (seat freed, tokens revoked, data kept)", Response: memberResponse{}}, a.withOrg(a.memberAction(a.svc.Remove)))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/members/{member}/suspend", Summary: "Suspend a member", Response: memberResponse{}}, a.withOrg(a.memberAction(a.svc.Suspend)))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/members/{member}/reactivate", Summary: "Reactivate a suspended member", Response: memberResponse{}}, a.withOrg(a.memberAction(a.svc.Reactivate)))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/members/{member}/transfer-ownership", Summary: "Make the member owner and the calling owner admin", Response: memberResponse{}}, a.withOrg(a.memberAction(a.svc.TransferOwnership)))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/leave", Summary: "Leave the org (not the last owner)", Response: memberResponse{}}, a.withOrg(a.leave))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/seats", Summary: "Seat usage: used / limit and viewers waiting (owners, admins)", Response: seatsResponse{}}, a.withOrg(a.seatUsage))
	r.Handle(Route{Method: "POST", Path: "/orgs/{org}/seats/assign-viewers", Summary: "Promote viewers to member, earliest joined first, while seats last", Response: provisioning.AssignResult{}}, a.withOrg(a.assignSeats))
	r.Handle(Route{Method: "GET", Path: "/orgs/{org}/audit", Summary: "Audit log, newest first (owners, admins)", Query: []string{"actor", "action", "target", "since", "until", "before", "limit"}, Response: auditResponse{}}, a.withOrg(a.audit))
}

type roleBody struct {
	Role provisioning.Role `json:"role"`
}

func parseMemberQuery(r *http.Request, orgID string, paged bool) (provisioning.MemberQuery, error) {
	q := newQuery(r, memberListParams...)
	mq := provisioning.MemberQuery{
		OrgID:            orgID,
		Search:           q.str("q"),
		Role:             provisioning.Role(q.oneOf("role", "owner", "admin", "member", "viewer")),
		Seat:             provisioning.SeatFilter(q.oneOf("seat", "all", "with", "without")),
		Status:           provisioning.Status(q.oneOf("status", "active", "suspended", "removed")),
		LastActiveBefore: q.time("lastActiveBefore"),
		LastActiveAfter:  q.time("lastActiveAfter"),
		Sort:             provisioning.SortKey(q.oneOf("sort", "name", "email", "joined", "last_active")),
		Desc:             q.oneOf("order", "asc", "desc") == "desc",
	}
	if mq.Seat == "all" {
		mq.Seat = provisioning.SeatAll
	}
	if paged {
		mq.Limit = q.int("limit", 50, 1, 500)
		mq.After = q.cursor("cursor")
	}
	if len(mq.Search) > 200 {
		q.fail(provisioning.Invalidf("q", "q is longer than 200 characters"))
	}
	return mq, q.err
}

func (a *API) listMembers(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	mq, err := parseMemberQuery(r, orgID, true)
	if err != nil {
		return err
	}
	members, err := a.svc.ListMembers(ctx, actor, mq)
	if err != nil {
		return err
	}
	out := memberListResponse{Members: members}
	if members == nil {
		out.Members = []provisioning.Member{}
	}
	if len(members) == mq.Limit {
		last := members[len(members)-1]
		out.NextCursor = encodeCursor(provisioning.Cursor{Key: last.SortValue(mq.Sort), ID: last.ID})
	}
	return JSON(w, http.StatusOK, out)
}

func (a *API) addMember(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in provisioning.AddMemberInput
	if err := Decode(r, &in); err != nil {
		return err
	}
	m, err := a.svc.AddMember(ctx, actor, orgID, in)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusCreated, memberResponse{Member: m})
}

func (a *API) getMember(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	m, err := a.svc.GetMember(ctx, actor, orgID, chi.URLParam(r, "member"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, memberResponse{Member: m})
}

func (a *API) changeRole(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	var in roleBody
	if err := Decode(r, &in); err != nil {
		return err
	}
	role, err := provisioning.ParseRole(string(in.Role))
	if err != nil {
		return err
	}
	m, err := a.svc.ChangeRole(ctx, actor, orgID, chi.URLParam(r, "member"), role)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, memberResponse{Member: m})
}

type memberOp func(ctx context.Context, actor provisioning.Actor, orgID, membershipID string) (provisioning.Member, error)

func (a *API) memberAction(op memberOp) func(context.Context, http.ResponseWriter, *http.Request, provisioning.Actor, string) error {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
		m, err := op(ctx, actor, orgID, chi.URLParam(r, "member"))
		if err != nil {
			return err
		}
		return JSON(w, http.StatusOK, memberResponse{Member: m})
	}
}

func (a *API) leave(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	m, err := a.svc.Leave(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, memberResponse{Member: m})
}

func (a *API) seatUsage(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	report, err := a.svc.SeatUsage(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, seatsResponse{Seats: report})
}

func (a *API) assignSeats(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	out, err := a.svc.AssignSeatsToViewers(ctx, actor, orgID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, out)
}

func (a *API) audit(ctx context.Context, w http.ResponseWriter, r *http.Request, actor provisioning.Actor, orgID string) error {
	q := newQuery(r, "actor", "action", "target", "since", "until", "before", "limit")
	aq := provisioning.AuditQuery{OrgID: orgID, Actor: q.str("actor"), Action: q.str("action"),
		TargetID: q.str("target"), Since: q.time("since"), Until: q.time("until"), Before: q.str("before"),
		Limit: q.int("limit", 100, 1, 1000)}
	if q.err != nil {
		return q.err
	}
	events, err := a.svc.ListAudit(ctx, actor, aq)
	if err != nil {
		return err
	}
	out := auditResponse{Events: events}
	if events == nil {
		out.Events = []provisioning.AuditEvent{}
	}
	if len(events) == aq.Limit {
		out.NextBefore = events[len(events)-1].ID
	}
	return JSON(w, http.StatusOK, out)
}
