package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// memberCommands are the CLI verbs of this file.
func memberCommands() []command {
	return []command{
		{"member list", "ORG [--q S] [--role R] [--seat with|without] [--status S] [--sort K] [--desc] [--csv]", "list members, or export them as CSV", cmdMemberList},
		{"member add", "ORG EMAIL [--role R] [--first F] [--last L]", "add a member by email (manual entrance)", cmdMemberAdd},
		{"member role", "ORG MEMBER_ID|EMAIL ROLE", "change a member's role", cmdMemberRole},
		{"member remove", "ORG MEMBER_ID|EMAIL", "remove a member (seat freed, data kept)", cmdMemberRemove},
		{"seats", "ORG [--assign-viewers]", "show seat usage, or give seats to waiting viewers", cmdSeats},
	}
}

func cmdMemberList(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "member list")
	c := clientFlags(e, fs)
	q := url.Values{}
	for _, f := range []string{"q", "role", "seat", "status", "sort", "limit", "cursor"} {
		fs.Func(f, "filter "+f, func(v string) error { q.Set(f, v); return nil })
	}
	desc := fs.Bool("desc", false, "sort descending")
	asCSV := fs.Bool("csv", false, "export the filtered list as CSV")
	pos, ok := parse(e, fs, args, 1, "member list")
	if !ok {
		return exitUsage
	}
	if *desc {
		q.Set("order", "desc")
	}
	if *asCSV {
		q.Del("limit")
		q.Del("cursor")
		return c.download(ctx, orgPath(pos[0], "/members/export?"+q.Encode()), e.stdout)
	}
	var out struct {
		Members    []provisioning.Member `json:"members"`
		NextCursor string                `json:"nextCursor"`
	}
	return c.call(ctx, "member list", "GET", orgPath(pos[0], "/members?"+q.Encode()), nil, &out, func() {
		var rows [][]string
		for _, m := range out.Members {
			seat := "-"
			if m.HasSeat {
				seat = "seat"
			}
			rows = append(rows, []string{m.ID, m.Email, strings.TrimSpace(m.FirstName + " " + m.LastName), string(m.Role), seat, string(m.Status), string(m.Source)})
		}
		c.table([]string{"ID", "EMAIL", "NAME", "ROLE", "SEAT", "STATUS", "SOURCE"}, rows)
		if out.NextCursor != "" {
			fmt.Fprintf(e.stdout, "more: --cursor %s\n", out.NextCursor)
		}
	})
}

// download streams a non-JSON answer (CSV) to w.
func (c *client) download(ctx context.Context, path string, w io.Writer) int {
	raw, err := c.do(ctx, "GET", path, nil, nil)
	if err != nil {
		fmt.Fprintf(c.e.stderr, "rollcall member list: %v\n", err)
		return exitFailure
	}
	w.Write(raw)
	return exitOK
}

func cmdMemberAdd(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "member add")
	c := clientFlags(e, fs)
	role := fs.String("role", "member", "owner, admin, member or viewer")
	first := fs.String("first", "", "first name")
	last := fs.String("last", "", "last name")
	pos, ok := parse(e, fs, args, 2, "member add")
	if !ok {
		return exitUsage
	}
	in := provisioning.AddMemberInput{Email: pos[1], Role: provisioning.Role(*role), FirstName: *first, LastName: *last}
	return memberCall(ctx, c, "member add", "POST", orgPath(pos[0], "/members"), in)
}

func memberCall(ctx context.Context, c *client, name, method, path string, body any) int {
	var out struct {
		Member provisioning.Member `json:"member"`
	}
	return c.call(ctx, name, method, path, body, &out, func() {
		m := out.Member
		fmt.Fprintf(c.e.stdout, "%s %s: role %s, %s, seat %v (id %s)\n", name, m.Email, m.Role, m.Status, m.HasSeat, m.ID)
	})
}

func cmdMemberRole(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "member role")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 3, "member role")
	if !ok {
		return exitUsage
	}
	id, code := memberRef(ctx, c, "member role", pos[0], pos[1])
	if code != exitOK {
		return code
	}
	return memberCall(ctx, c, "member role", "PATCH", orgPath(pos[0], "/members/", url.PathEscape(id)), map[string]string{"role": pos[2]})
}

func cmdMemberRemove(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "member remove")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, "member remove")
	if !ok {
		return exitUsage
	}
	id, code := memberRef(ctx, c, "member remove", pos[0], pos[1])
	if code != exitOK {
		return code
	}
	return memberCall(ctx, c, "member remove", "DELETE", orgPath(pos[0], "/members/", url.PathEscape(id)), nil)
}

// memberRef turns a member given by email into its membership id; an id passes as it is.
func memberRef(ctx context.Context, c *client, name, org, ref string) (string, int) {
	if !strings.Contains(ref, "@") {
		return ref, exitOK
	}
	var out struct {
		Members []provisioning.Member `json:"members"`
	}
	q := url.Values{"q": {ref}, "limit": {"50"}}
	if _, err := c.do(ctx, "GET", orgPath(org, "/members?"+q.Encode()), nil, &out); err != nil {
		fmt.Fprintf(c.e.stderr, "rollcall %s: %v\n", name, err)
		return "", exitFailure
	}
	for _, m := range out.Members {
		if strings.EqualFold(m.Email, ref) {
			return m.ID, exitOK
		}
	}
	fmt.Fprintf(c.e.stderr, "rollcall %s: %s is not a member of %s\n", name, ref, org)
	return "", exitFailure
}

func cmdSeats(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "seats")
	c := clientFlags(e, fs)
	assign := fs.Bool("assign-viewers", false, "promote waiting viewers while seats last")
	pos, ok := parse(e, fs, args, 1, "seats")
	if !ok {
		return exitUsage
	}
	if *assign {
		var out provisioning.AssignResult
		return c.call(ctx, "seats", "POST", orgPath(pos[0], "/seats/assign-viewers"), nil, &out, func() {
			fmt.Fprintf(e.stdout, "Promoted %d viewer(s); %d still waiting. Seats: %s\n", out.Promoted, out.Waiting, out.Seats.Display)
		})
	}
	var out struct {
		Seats provisioning.SeatReport `json:"seats"`
	}
	return c.call(ctx, "seats", "GET", orgPath(pos[0], "/seats"), nil, &out, func() {
		fmt.Fprintf(e.stdout, "Seats: %s used, %d viewer(s) waiting\n", out.Seats.Display, out.Seats.WaitingViewers)
	})
}
