package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

// inviteCommands are the CLI verbs of this file.
func inviteCommands() []command {
	return []command{
		{"member invite", "ORG [EMAIL] [--role R] [--no-email] [--file emails.txt|-]", "invite by email; --file invites one address per line (up to 1,000)", cmdMemberInvite},
		{"invite list", "ORG [--state pending|accepted|declined|expired|revoked]", "list the org's invitations", cmdInviteList},
		{"invite resend", "ORG INVITATION_ID", "email a new link; the old one stops working", cmdInviteResend},
		{"invite revoke", "ORG INVITATION_ID", "revoke a pending invitation", cmdInviteRevoke},
		{"invite quota", "ORG", "show the org's invitation quota", cmdInviteQuota},
		{"invite-link show", "ORG", "show the org's invite links (member, admin)", cmdInviteLinkShow},
		{"invite-link regenerate", "ORG ROLE", "make a new invite link for member or admin and print it once", cmdInviteLinkRegenerate},
		{"invite-link disable", "ORG ROLE", "turn an invite link off", cmdInviteLinkDisable},
	}
}

func cmdMemberInvite(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "member invite")
	c := clientFlags(e, fs)
	role := fs.String("role", "member", "admin, member or viewer")
	noEmail := fs.Bool("no-email", false, "create the invitation without emailing it; the link is printed")
	file := fs.String("file", "", "file with one address per line (- for standard input)")
	pos, ok := parse(e, fs, args, -1, "member invite")
	if !ok {
		return exitUsage
	}
	if len(pos) != 1 && len(pos) != 2 || (len(pos) == 2) == (*file != "") {
		fmt.Fprintln(e.stderr, "rollcall member invite: give ORG and either one EMAIL or --file (run rollcall help)")
		return exitUsage
	}
	send := !*noEmail
	if *file == "" {
		var out invites.Issued
		body := invites.InviteInput{Email: pos[1], Role: provisioning.Role(*role), SendEmail: &send}
		return c.call(ctx, "member invite", "POST", orgPath(pos[0], "/invitations"), body, &out, func() { printIssued(c, out, send) })
	}
	text, err := readInput(e, *file)
	if err != nil {
		fmt.Fprintf(e.stderr, "rollcall member invite: %v\n", err)
		return exitFailure
	}
	var out invites.BulkResult
	body := invites.BulkInput{Text: text, Role: provisioning.Role(*role), SendEmail: &send}
	return c.call(ctx, "member invite", "POST", orgPath(pos[0], "/invitations/bulk"), body, &out, func() {
		for _, iss := range out.Invited {
			printIssued(c, iss, send)
		}
		for _, r := range out.Refused {
			fmt.Fprintf(e.stdout, "refused %s: %s (%s)\n", r.Email, r.Message, r.Code)
		}
		fmt.Fprintf(e.stdout, "%d invited, %d refused%s\n", len(out.Invited), len(out.Refused), quotaNote(out.Quota))
	})
}

func readInput(e *env, name string) (string, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	return string(b), err
}

func printIssued(c *client, iss invites.Issued, sent bool) {
	inv := iss.Invitation
	verb := "invited"
	if iss.Refreshed {
		verb = "re-invited"
	}
	fmt.Fprintf(c.e.stdout, "%s %s as %s (id %s)", verb, inv.Email, inv.Role, inv.ID)
	if sent {
		fmt.Fprintln(c.e.stdout, ": email queued")
		return
	}
	fmt.Fprintf(c.e.stdout, "; share this link with them: %s\n", iss.Link)
}

func quotaNote(q invites.QuotaStatus) string {
	if q.Remaining < 0 {
		return ""
	}
	return fmt.Sprintf("; %d invitation(s) left in the %s quota", q.Remaining, q.Period)
}

func cmdInviteList(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "invite list")
	c := clientFlags(e, fs)
	state := fs.String("state", "", "pending, accepted, declined, expired or revoked")
	pos, ok := parse(e, fs, args, 1, "invite list")
	if !ok {
		return exitUsage
	}
	q := url.Values{}
	if *state != "" {
		q.Set("state", *state)
	}
	var out struct {
		Invitations []provisioning.Invitation `json:"invitations"`
	}
	return c.call(ctx, "invite list", "GET", orgPath(pos[0], "/invitations?"+q.Encode()), nil, &out, func() {
		var rows [][]string
		for _, i := range out.Invitations {
			expires := "never"
			if i.ExpiresAt != nil {
				expires = i.ExpiresAt.Format(time.RFC3339)
			}
			rows = append(rows, []string{i.ID, i.Email, string(i.Role), string(i.State), expires, i.InviterLabel})
		}
		c.table([]string{"ID", "EMAIL", "ROLE", "STATE", "EXPIRES", "INVITED BY"}, rows)
	})
}

func inviteAction(ctx context.Context, e *env, args []string, name, action string) int {
	fs := newFlags(e, name)
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, name)
	if !ok {
		return exitUsage
	}
	var out invites.Issued
	return c.call(ctx, name, "POST", orgPath(pos[0], "/invitations/", url.PathEscape(pos[1]), "/"+action), nil, &out, func() {
		fmt.Fprintf(e.stdout, "%s: invitation for %s is %s\n", name, out.Invitation.Email, out.Invitation.State)
	})
}

func cmdInviteResend(ctx context.Context, e *env, args []string) int {
	return inviteAction(ctx, e, args, "invite resend", "resend")
}

func cmdInviteRevoke(ctx context.Context, e *env, args []string) int {
	return inviteAction(ctx, e, args, "invite revoke", "revoke")
}

func cmdInviteQuota(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "invite quota")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 1, "invite quota")
	if !ok {
		return exitUsage
	}
	var out struct {
		Quota invites.QuotaStatus `json:"quota"`
	}
	return c.call(ctx, "invite quota", "GET", orgPath(pos[0], "/invitations/quota"), nil, &out, func() {
		q := out.Quota
		if q.Remaining < 0 {
			fmt.Fprintf(e.stdout, "Plan %s: no invitation quota (%d sent)\n", q.Plan, q.Used)
			return
		}
		fmt.Fprintf(e.stdout, "Plan %s: %d of %d %s invitations used, %d left\n", q.Plan, q.Used, q.Limit, q.Period, q.Remaining)
	})
}

func cmdInviteLinkShow(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "invite-link show")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 1, "invite-link show")
	if !ok {
		return exitUsage
	}
	var out struct {
		Links []invites.LinkInfo `json:"links"`
	}
	return c.call(ctx, "invite-link show", "GET", orgPath(pos[0], "/invite-links"), nil, &out, func() {
		var rows [][]string
		for _, l := range out.Links {
			created := "-"
			if l.CreatedAt != nil {
				created = l.CreatedAt.Format(time.RFC3339)
			}
			rows = append(rows, []string{string(l.Role), fmt.Sprint(l.Enabled), l.Hint, created})
		}
		c.table([]string{"ROLE", "ENABLED", "ENDS WITH", "CREATED"}, rows)
		fmt.Fprintln(e.stdout, "Links are shown only when made: run rollcall invite-link regenerate ORG ROLE for a new one.")
	})
}

func cmdInviteLinkRegenerate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "invite-link regenerate")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, "invite-link regenerate")
	if !ok {
		return exitUsage
	}
	var out struct {
		Link invites.LinkInfo `json:"link"`
	}
	path := orgPath(pos[0], "/invite-links/", url.PathEscape(pos[1]), "/regenerate")
	return c.call(ctx, "invite-link regenerate", "POST", path, nil, &out, func() {
		fmt.Fprintf(e.stdout, "New %s invite link (shown once; the previous one no longer works):\n  %s\n", out.Link.Role, out.Link.URL)
	})
}

func cmdInviteLinkDisable(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "invite-link disable")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, "invite-link disable")
	if !ok {
		return exitUsage
	}
	return c.call(ctx, "invite-link disable", "DELETE", orgPath(pos[0], "/invite-links/", url.PathEscape(pos[1])), nil, nil, func() {
		fmt.Fprintf(e.stdout, "The %s invite link is off.\n", pos[1])
	})
}
