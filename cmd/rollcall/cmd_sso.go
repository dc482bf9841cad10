package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ssoCommands are the CLI verbs of this file.
func ssoCommands() []command {
	return []command{
		{"sso connection create", "ORG --protocol saml|oidc [flags]", "add a SAML or OIDC connection; prints what to give the IdP", cmdSSOCreate},
		{"sso connection update", "ORG ID [flags]", "change a connection: only the flags given change (e.g. --metadata-url to re-read the IdP metadata, --enabled=false)", cmdSSOUpdate},
		{"sso connection list", "ORG", "list the org's SSO connections", cmdSSOList},
		{"sso connection delete", "ORG ID", "delete an SSO connection (its members stay)", cmdSSODelete},
	}
}

// ssoConnectionView is the part of a connection the CLI prints.
type ssoConnectionView struct {
	ID        string   `json:"id"`
	Protocol  string   `json:"protocol"`
	Name      string   `json:"name"`
	Enabled   bool     `json:"enabled"`
	JIT       bool     `json:"jit"`
	SignInURL string   `json:"signInUrl"`
	Warnings  []string `json:"warnings"`
	SAML      *struct {
		IDPEntityID string `json:"idpEntityId"`
		SPEntityID  string `json:"spEntityId"`
		ACSURL      string `json:"acsUrl"`
		MetadataURL string `json:"metadataUrl"`
	} `json:"saml"`
	OIDC *struct {
		Issuer      string `json:"issuer"`
		ClientID    string `json:"clientId"`
		RedirectURL string `json:"redirectUrl"`
	} `json:"oidc"`
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// ssoCreateFlags are the create command's settings, turned into the API's input.
type ssoCreateFlags struct {
	protocol, name, metadataURL, metadataFile, entityID, ssoURL, certFile string
	issuer, clientID, clientSecret, scopes, defaultRole, spEntityID       string
	jit, idpInitiated, enabled, sha1                                      bool
	groupRoles, redirectURIs                                              listFlag
}

func (f *ssoCreateFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.protocol, "protocol", "", "saml or oidc")
	fs.StringVar(&f.name, "name", "", "display name, e.g. Okta")
	fs.StringVar(&f.metadataURL, "metadata-url", "", "SAML: the IdP metadata URL")
	fs.StringVar(&f.metadataFile, "metadata-file", "", "SAML: a file holding the IdP metadata XML")
	fs.StringVar(&f.entityID, "entity-id", "", "SAML without metadata: the IdP entity ID")
	fs.StringVar(&f.ssoURL, "sso-url", "", "SAML without metadata: the IdP SSO URL")
	fs.StringVar(&f.certFile, "cert-file", "", "SAML without metadata: a PEM file with the IdP signing certificate")
	fs.StringVar(&f.spEntityID, "sp-entity-id", "", "SAML: override the SP entity ID (default: the connection's metadata URL)")
	fs.BoolVar(&f.idpInitiated, "allow-idp-initiated", false, "SAML: accept sign-ins started at the IdP")
	fs.BoolVar(&f.sha1, "allow-sha1-signatures", false, "SAML: accept SHA-1 signatures from a legacy IdP (weak; shown as a warning)")
	fs.StringVar(&f.issuer, "issuer", "", "OIDC: the issuer URL (discovery)")
	fs.StringVar(&f.clientID, "client-id", "", "OIDC: the client id")
	fs.StringVar(&f.clientSecret, "client-secret", "", "OIDC: the client secret; - reads it from stdin")
	fs.StringVar(&f.scopes, "scopes", "", "OIDC: comma-separated scopes (default openid,email,profile)")
	fs.StringVar(&f.defaultRole, "default-role", "", "role when no group rule matches: admin, member or viewer")
	fs.Var(&f.groupRoles, "group-role", "GROUP=ROLE group rule; repeat for several (highest role wins)")
	fs.Var(&f.redirectURIs, "redirect-uri", "the SaaS app's redirect URI; repeat for several")
	fs.BoolVar(&f.jit, "jit", true, "provision people on first sign-in (false: existing members only)")
	fs.BoolVar(&f.enabled, "enabled", true, "people may sign in through the connection")
}

// input builds the API body; only flags given are sent.
func (f *ssoCreateFlags) input(e *env, fs *flag.FlagSet) (map[string]any, error) {
	in := map[string]any{"protocol": f.protocol}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	str := func(flagName, field, v string) {
		if set[flagName] {
			in[field] = v
		}
	}
	str("name", "name", f.name)
	str("metadata-url", "idpMetadataUrl", f.metadataURL)
	str("entity-id", "idpEntityId", f.entityID)
	str("sso-url", "idpSsoUrl", f.ssoURL)
	str("sp-entity-id", "spEntityId", f.spEntityID)
	str("issuer", "issuer", f.issuer)
	str("client-id", "clientId", f.clientID)
	str("default-role", "defaultRole", f.defaultRole)
	for _, file := range []struct{ flag, path, field string }{
		{"metadata-file", f.metadataFile, "idpMetadataXml"}, {"cert-file", f.certFile, "idpCertificate"}} {
		if set[file.flag] {
			b, err := os.ReadFile(file.path)
			if err != nil {
				return nil, fmt.Errorf("--%s: %v", file.flag, err)
			}
			in[file.field] = string(b)
		}
	}
	if set["client-secret"] {
		secret := f.clientSecret
		if secret == "-" {
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return nil, fmt.Errorf("--client-secret -: nothing on stdin")
			}
			secret = strings.TrimRight(line, "\r\n")
		}
		in["clientSecret"] = secret
	}
	if set["scopes"] {
		in["scopes"] = strings.Split(f.scopes, ",")
	}
	for _, b := range []struct {
		flag, field string
		v           bool
	}{{"jit", "jit", f.jit}, {"enabled", "enabled", f.enabled}, {"allow-idp-initiated", "allowIdpInitiated", f.idpInitiated},
		{"allow-sha1-signatures", "allowSha1Signatures", f.sha1}} {
		if set[b.flag] {
			in[b.field] = b.v
		}
	}
	if len(f.redirectURIs) > 0 {
		in["redirectUris"] = []string(f.redirectURIs)
	}
	if len(f.groupRoles) > 0 {
		var rules []map[string]string
		for _, r := range f.groupRoles {
			group, role, ok := strings.Cut(r, "=")
			if !ok {
				return nil, fmt.Errorf("--group-role %q: write GROUP=ROLE", r)
			}
			rules = append(rules, map[string]string{"group": group, "role": role})
		}
		in["groupRoles"] = rules
	}
	return in, nil
}

func cmdSSOCreate(ctx context.Context, e *env, args []string) int {
	return sendConnection(ctx, e, args, "sso connection create", 1, func(pos []string) (string, string) {
		return "POST", orgPath(pos[0], "/sso/connections")
	}, "Created")
}

func cmdSSOUpdate(ctx context.Context, e *env, args []string) int {
	return sendConnection(ctx, e, args, "sso connection update", 2, func(pos []string) (string, string) {
		return "PATCH", orgPath(pos[0], "/sso/connections/", url.PathEscape(pos[1]))
	}, "Updated")
}

// sendConnection reads the connection flags after the positional arguments, sends them to
// the route target names and prints the connection with done ("Created", "Updated").
func sendConnection(ctx context.Context, e *env, args []string, name string, positional int,
	target func(pos []string) (method, path string), done string) int {
	fs := newFlags(e, name)
	c := clientFlags(e, fs)
	var f ssoCreateFlags
	f.define(fs)
	pos, ok := parse(e, fs, args, positional, name)
	if !ok {
		return exitUsage
	}
	in, err := f.input(e, fs)
	if err != nil {
		fmt.Fprintf(e.stderr, "rollcall %s: %v\n", name, err)
		return exitUsage
	}
	method, path := target(pos)
	if method == "PATCH" {
		if f.protocol == "" {
			delete(in, "protocol")
		}
		if len(in) == 0 {
			fmt.Fprintf(e.stderr, "rollcall %s: give at least one setting to change, e.g. --metadata-url or --enabled=false\n", name)
			return exitUsage
		}
	}
	var out struct {
		Connection ssoConnectionView `json:"connection"`
	}
	return c.call(ctx, name, method, path, in, &out, func() { printConnection(c, done, out.Connection) })
}

// printConnection says what happened to a connection and what to give the IdP.
func printConnection(c *client, done string, v ssoConnectionView) {
	w := c.e.stdout
	fmt.Fprintf(w, "%s %s connection %s (%s)\n", done, strings.ToUpper(v.Protocol), v.ID, v.Name)
	for _, warning := range v.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warning)
	}
	if v.SAML != nil {
		fmt.Fprintf(w, "Give your IdP:\n  SP entity ID (audience):  %s\n  ACS URL (reply URL):      %s\n  SP metadata:              %s\n",
			v.SAML.SPEntityID, v.SAML.ACSURL, v.SAML.MetadataURL)
	}
	if v.OIDC != nil {
		fmt.Fprintf(w, "Register this redirect URI at your provider:\n  %s\n", v.OIDC.RedirectURL)
	}
	fmt.Fprintf(w, "People sign in at:\n  %s\n", v.SignInURL)
}

func cmdSSOList(ctx context.Context, e *env, args []string) int {
	const name = "sso connection list"
	fs := newFlags(e, name)
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 1, name)
	if !ok {
		return exitUsage
	}
	var out struct {
		Connections []ssoConnectionView `json:"connections"`
	}
	return c.call(ctx, name, "GET", orgPath(pos[0], "/sso/connections"), nil, &out, func() {
		var rows [][]string
		for _, v := range out.Connections {
			idp := ""
			if v.SAML != nil {
				idp = v.SAML.IDPEntityID
			}
			if v.OIDC != nil {
				idp = v.OIDC.Issuer
			}
			rows = append(rows, []string{v.ID, v.Protocol, v.Name, fmt.Sprint(v.Enabled), fmt.Sprint(v.JIT), idp})
		}
		c.table([]string{"ID", "PROTOCOL", "NAME", "ENABLED", "JIT", "IDP"}, rows)
	})
}

func cmdSSODelete(ctx context.Context, e *env, args []string) int {
	const name = "sso connection delete"
	fs := newFlags(e, name)
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, 2, name)
	if !ok {
		return exitUsage
	}
	var raw json.RawMessage
	return c.call(ctx, name, "DELETE", orgPath(pos[0], "/sso/connections/", url.PathEscape(pos[1])), nil, &raw, func() {
		fmt.Fprintf(c.e.stdout, "Deleted connection %s\n", pos[1])
	})
}
