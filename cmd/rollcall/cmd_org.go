package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/rollcall/rollcall/provisioning"
)

// orgCommands are the CLI verbs of this file.
func orgCommands() []command {
	return []command{
		{"org create", "--slug S --name N --owner EMAIL [--plan P|--seats N]", "create an org and its first owner (operator key)", cmdOrgCreate},
		{"org list", "", "list orgs (operator key)", cmdOrgList},
	}
}

// createOrgRequest is the body of POST /orgs; seatLimit is left out unless --seats is given, so
// the plan's default applies.
type createOrgRequest struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Plan       string `json:"plan,omitempty"`
	SeatLimit  *int   `json:"seatLimit,omitempty"`
	OwnerEmail string `json:"ownerEmail"`
}

func cmdOrgCreate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "org create")
	c := clientFlags(e, fs)
	slug := fs.String("slug", "", "org slug")
	name := fs.String("name", "", "org name")
	owner := fs.String("owner", "", "email of the first owner")
	plan := fs.String("plan", "", "plan: free, trial, starter, pro, business, enterprise")
	seats := fs.Int("seats", 0, "seat limit (-1 unlimited); overrides the plan's default")
	if _, ok := parse(e, fs, args, 0, "org create"); !ok {
		return exitUsage
	}
	if *slug == "" || *name == "" || *owner == "" {
		fmt.Fprintln(e.stderr, "rollcall org create: --slug, --name and --owner are required")
		return exitUsage
	}
	in := createOrgRequest{Slug: *slug, Name: *name, Plan: *plan, OwnerEmail: *owner}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seats" {
			in.SeatLimit = seats
		}
	})
	var out provisioning.OrgWithOwner
	return c.call(ctx, "org create", "POST", "/orgs", in, &out, func() {
		fmt.Fprintf(e.stdout, "Created org %s (%s), id %s, plan %s, seats %s.\n", out.Org.Slug, out.Org.Name, out.Org.ID, out.Org.Plan, out.Org.SeatLimit)
		fmt.Fprintf(e.stdout, "Owner: %s (member id %s).\n", out.Owner.Email, out.Owner.ID)
	})
}

func cmdOrgList(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "org list")
	c := clientFlags(e, fs)
	if _, ok := parse(e, fs, args, 0, "org list"); !ok {
		return exitUsage
	}
	var out struct {
		Orgs []provisioning.Org `json:"orgs"`
	}
	return c.call(ctx, "org list", "GET", "/orgs", nil, &out, func() {
		var rows [][]string
		for _, o := range out.Orgs {
			rows = append(rows, []string{o.Slug, o.Name, string(o.Plan), o.SeatLimit.String(), o.ID})
		}
		c.table([]string{"SLUG", "NAME", "PLAN", "SEATS", "ID"}, rows)
	})
}
