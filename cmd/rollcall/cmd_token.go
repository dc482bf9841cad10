package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// tokenCommands are the CLI verbs of this file.
func tokenCommands() []command {
	return []command{
		{"token create", "ORG NAME [--rate-limit N]", "create a personal API token (shown once)", cmdTokenCreate},
		{"token list", "ORG [--all]", "list your tokens, or the org's (admins)", cmdTokenList},
		{"token revoke", "ORG TOKEN_ID", "revoke a token", cmdTokenRevoke},
		{"audit", "ORG [--actor ID] [--action A] [--target ID] [--since T] [--until T] [--limit N]", "read the audit log", cmdAudit},
	}
}

func cmdTokenCreate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "token create")
	c := clientFlags(e, fs)
	rate := fs.Int("rate-limit", 0, "requests per minute (default: the org's)")
	pos, ok := parse(e, fs, args, 2, "token create")
	if !ok {
		return exitUsage
	}
	body := map[string]any{"name": pos[1]}
	if *rate > 0 {
		body["rateLimitPerMinute"] = *rate
	}
	var out struct {
		Token provisioning.NewToken `json:"token"`
	}
	return c.call(ctx, "token create", "POST", orgPath(pos[0], "/tokens"), body, &out, func() {
		fmt.Fprintf(e.stdout, "Token %q created (id %s). Copy it now, it is not shown again:\n%s\n", out.Token.Name, out.Token.ID, out.Token.Secret)
	})
}

func cmdTokenList(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "token list")
	c := clientFlags(e, fs)
	all := fs.Bool("all", false, "the org's tokens (owners, admins)")
	pos, ok := parse(e, fs, args, 1, "token list")
	if !ok {
		return exitUsage
	}
	var out struct {
		Tokens []provisioning.APIToken `json:"tokens"`
	}
	return c.call(ctx, "token list", "GET", orgPath(pos[0], fmt.Sprintf("/tokens?all=%v", *all)), nil, &out, func() {
		var rows [][]string
		for _, t := range out.Tokens {
			rows = append(rows, []string{t.ID, t.OwnerEmail, t.Name, t.Hint, when(t.LastUsedAt), when(t.RevokedAt), fmt.Sprint(t.TotalCalls)})
		}
		c.table([]string{"ID", "OWNER", "NAME", "ENDS", "LAST USED", "REVOKED", "CALLS"}, rows)
	})
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func cmdTokenRevoke(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "token revoke")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, "token revoke")
	if !ok {
		return exitUsage
	}
	return c.call(ctx, "token revoke", "DELETE", orgPath(pos[0], "/tokens/", url.PathEscape(pos[1])), nil, nil, func() {
		fmt.Fprintf(e.stdout, "Token %s revoked.\n", pos[1])
	})
}

func cmdAudit(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "audit")
	c := clientFlags(e, fs)
	q := url.Values{}
	for _, f := range []string{"actor", "action", "target", "since", "until", "limit", "before"} {
		fs.Func(f, "filter "+f, func(v string) error { q.Set(f, v); return nil })
	}
	pos, ok := parse(e, fs, args, 1, "audit")
	if !ok {
		return exitUsage
	}
	var out struct {
		Events []provisioning.AuditEvent `json:"events"`
	}
	return c.call(ctx, "audit", "GET", orgPath(pos[0], "/audit?"+q.Encode()), nil, &out, func() {
		var rows [][]string
		for _, ev := range out.Events {
			rows = append(rows, []string{ev.At.UTC().Format(time.RFC3339), string(ev.ActorKind) + ":" + ev.ActorLabel, string(ev.Entrance), ev.Action, ev.TargetType + ":" + ev.TargetID, ev.Reason})
		}
		c.table([]string{"AT", "ACTOR", "ENTRANCE", "ACTION", "TARGET", "REASON"}, rows)
	})
}
