package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// domainCommands are the CLI verbs of this file.
func domainCommands() []command {
	return []command{
		{"domain add", "ORG DOMAIN", "claim an email domain; prints the DNS TXT record to publish", cmdDomainAdd},
		{"domain list", "ORG", "list the org's domains", cmdDomainList},
		{"domain verify", "ORG DOMAIN", "check the domain's DNS TXT record now", cmdDomainVerify},
		{"domain remove", "ORG DOMAIN", "remove a domain", cmdDomainRemove},
	}
}

// domainView is the part of a domain the CLI prints.
type domainView struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	State       string `json:"state"`
	Reason      string `json:"reason"`
	AutoJoin    bool   `json:"autoJoin"`
	JoinRole    string `json:"role"`
	Record      struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"record"`
}

func domainCmd(ctx context.Context, e *env, args []string, name, method string, argc int, path func(pos []string) string) int {
	fs := newFlags(e, name)
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, argc, name)
	if !ok {
		return exitUsage
	}
	var body any
	if method == "POST" && argc == 2 && name == "domain add" {
		body = map[string]string{"name": pos[1]}
	}
	var raw json.RawMessage
	return c.call(ctx, name, method, path(pos), body, &raw, func() { printDomains(c, raw) })
}

func printDomains(c *client, raw json.RawMessage) {
	var many struct {
		Domains []domainView `json:"domains"`
	}
	var one struct {
		Domain domainView `json:"domain"`
	}
	if json.Unmarshal(raw, &many) == nil && many.Domains != nil {
		var rows [][]string
		for _, d := range many.Domains {
			rows = append(rows, []string{d.DisplayName, d.State, fmt.Sprint(d.AutoJoin), d.JoinRole, d.Reason})
		}
		c.table([]string{"DOMAIN", "STATE", "AUTO-JOIN", "ROLE", "REASON"}, rows)
		return
	}
	if json.Unmarshal(raw, &one) == nil && one.Domain.Name != "" {
		d := one.Domain
		fmt.Fprintf(c.e.stdout, "%s: %s %s\n", d.DisplayName, d.State, d.Reason)
		if d.State != "verified" && d.Record.Name != "" {
			fmt.Fprintf(c.e.stdout, "Publish this DNS TXT record, then run rollcall domain verify:\n  %s  TXT  %q\n", d.Record.Name, d.Record.Value)
		}
		return
	}
	fmt.Fprintln(c.e.stdout, "done")
}

func cmdDomainAdd(ctx context.Context, e *env, args []string) int {
	return domainCmd(ctx, e, args, "domain add", "POST", 2, func(p []string) string { return orgPath(p[0], "/domains") })
}

func cmdDomainList(ctx context.Context, e *env, args []string) int {
	return domainCmd(ctx, e, args, "domain list", "GET", 1, func(p []string) string { return orgPath(p[0], "/domains") })
}

// cmdDomainVerify checks the domain now; it exits 1 when the domain is still not verified, so
// a script can wait for DNS.
func cmdDomainVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "domain verify")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, "domain verify")
	if !ok {
		return exitUsage
	}
	var raw json.RawMessage
	code := c.call(ctx, "domain verify", "POST", orgPath(pos[0], "/domains/", url.PathEscape(pos[1]), "/verify"), nil, &raw, func() { printDomains(c, raw) })
	var one struct {
		Domain domainView `json:"domain"`
	}
	if code == exitOK && json.Unmarshal(raw, &one) == nil && one.Domain.State != "verified" {
		fmt.Fprintf(e.stderr, "rollcall domain verify: %s is %s, not verified\n", pos[1], one.Domain.State)
		return exitFailure
	}
	return code
}

func cmdDomainRemove(ctx context.Context, e *env, args []string) int {
	return domainCmd(ctx, e, args, "domain remove", "DELETE", 2, func(p []string) string {
		return orgPath(p[0], "/domains/", url.PathEscape(p[1]))
	})
}
