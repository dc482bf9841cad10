package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// client calls a running Rollcall server's REST API.
type client struct {
	base   string
	token  string
	asJSON bool
	http   *http.Client
	e      *env
}

// clientFlags adds --url, --token and --json to a command's flags.
func clientFlags(e *env, fs *flag.FlagSet) *client {
	c := &client{e: e, http: &http.Client{Timeout: 60 * time.Second}}
	fs.StringVar(&c.base, "url", e.getenv("ROLLCALL_URL"), "server URL (ROLLCALL_URL)")
	fs.StringVar(&c.token, "token", e.getenv("ROLLCALL_TOKEN"), "API token or operator key (ROLLCALL_TOKEN)")
	fs.BoolVar(&c.asJSON, "json", false, "print the raw JSON answer")
	return c
}

// apiError is the server's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// do sends a request and decodes the JSON answer into out (when not nil). The raw body is kept
// for --json.
func (c *client) do(ctx context.Context, method, path string, body any, out any) ([]byte, error) {
	if c.base == "" {
		c.base = "http://127.0.0.1:8080"
	}
	if c.token == "" {
		return nil, fmt.Errorf("no credentials: set ROLLCALL_TOKEN or --token (an API token or the operator key)")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.base, "/")+"/api/v1"+path, rd)
	if err != nil {
		return nil, fmt.Errorf("bad server URL %q: %v", c.base, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Rollcall at %s: %v", c.base, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 {
		return raw, errorFrom(res.Status, raw)
	}
	if out != nil && len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("unexpected answer: %v", err)
		}
	}
	return raw, nil
}

// errorFrom turns an error answer into one line: the server's message, code and field when it
// sent our JSON error shape, else the HTTP status.
func errorFrom(status string, raw []byte) error {
	var ae apiError
	if json.Unmarshal(raw, &ae) != nil || ae.Error.Message == "" {
		return fmt.Errorf("server answered %s", status)
	}
	msg := strings.Join(strings.Fields(ae.Error.Message), " ")
	if ae.Error.Field != "" {
		return fmt.Errorf("%s (%s, field %s)", msg, ae.Error.Code, ae.Error.Field)
	}
	return fmt.Errorf("%s (%s)", msg, ae.Error.Code)
}

// call runs do and prints --json output or hands the decoded value to show. It returns the exit code.
func (c *client) call(ctx context.Context, name, method, path string, body any, out any, show func()) int {
	raw, err := c.do(ctx, method, path, body, out)
	if err != nil {
		fmt.Fprintf(c.e.stderr, "rollcall %s: %v\n", name, err)
		return exitFailure
	}
	if c.asJSON {
		c.e.stdout.Write(raw)
		if len(raw) > 0 && raw[len(raw)-1] != '\n' {
			fmt.Fprintln(c.e.stdout)
		}
		return exitOK
	}
	if show != nil {
		show()
	}
	return exitOK
}

// table prints rows aligned in columns.
func (c *client) table(header []string, rows [][]string) {
	tw := tabwriter.NewWriter(c.e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func orgPath(org string, rest ...string) string {
	return "/orgs/" + url.PathEscape(org) + strings.Join(rest, "")
}

// baseURL is the server URL the client talks to.
func (c *client) baseURL() string {
	if c.base == "" {
		return "http://127.0.0.1:8080"
	}
	return strings.TrimRight(c.base, "/")
}
