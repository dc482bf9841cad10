package main

import (
	"context"
	"fmt"
	"time"

	"github.com/rollcall/rollcall/sso"
)

// spKeyCommands are the CLI verbs of this file.
func spKeyCommands() []command {
	return []command{
		{"sso sp-key show", "", "the SAML SP certificate signing requests, and the key rotation in progress (operator)", cmdSPKey("show", "GET", "")},
		{"sso sp-key rotate", "", "start a SAML SP key rotation: the new certificate is published beside the current one for the grace period (operator)", cmdSPKey("rotate", "POST", "/rotate")},
		{"sso sp-key activate", "", "sign SAML requests with the rotation's new key now (operator)", cmdSPKey("activate", "POST", "/activate")},
	}
}

// cmdSPKey runs one of the sso sp-key commands against /sso/sp-certificate.
func cmdSPKey(verb, method, suffix string) func(context.Context, *env, []string) int {
	name := "sso sp-key " + verb
	return func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(e, name)
		c := clientFlags(e, fs)
		if _, ok := parse(e, fs, args, 0, name); !ok {
			return exitUsage
		}
		var out sso.SPKeyStatus
		return c.call(ctx, name, method, "/sso/sp-certificate"+suffix, nil, &out, func() { printSPKey(c, out) })
	}
}

func printSPKey(c *client, st sso.SPKeyStatus) {
	w := c.e.stdout
	fmt.Fprintf(w, "Signing requests: %s (until %s)\n", st.Certificate.FingerprintSHA256, st.Certificate.NotAfter.Format(time.DateOnly))
	r := st.Rotation
	if r == nil {
		fmt.Fprintln(w, "No rotation in progress.")
		return
	}
	fmt.Fprintf(w, "Rotation started %s; both certificates are in the SP metadata until %s:\n  old %s\n  new %s\n",
		r.StartedAt.Format(time.RFC3339), r.RetiresAt.Format(time.RFC3339), r.Old.FingerprintSHA256, r.New.FingerprintSHA256)
	if r.ActivatedAt == nil {
		fmt.Fprintln(w, "Requests are still signed with the old key; run `rollcall sso sp-key activate` once the IdPs have reloaded the metadata.")
	} else {
		fmt.Fprintf(w, "Requests are signed with the new key since %s.\n", r.ActivatedAt.Format(time.RFC3339))
	}
}
