package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestREADMECurlExamples sends the README's curl examples to the real server as curl would
// send them as written (curl's -d without a Content-Type header sends
// application/x-www-form-urlencoded): the SCIM token and group rule examples must succeed, and
// no example may be refused for the way its body is sent.
func TestREADMECurlExamples(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := curlCommands(string(raw))
	if len(cmds) < 3 {
		t.Fatalf("found %d curl examples in the README", len(cmds))
	}
	s := startServe(t, nil, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	fill := strings.NewReplacer("https://<host>", s.url, "<org>", "acme", "<your API token>", s.key, "<token>", s.key)
	want := map[string]int{"/api/v1/orgs/acme/scim/tokens": http.StatusCreated, "/api/v1/orgs/acme/scim/mappings": http.StatusCreated}
	for _, words := range cmds {
		req := curlRequest(t, words, fill)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		what := strings.Join(words, " ")
		if strings.Contains(string(body), "send the body as application/json") || res.StatusCode >= 500 {
			t.Errorf("%s\nanswered %d: %s", what, res.StatusCode, body)
		}
		if status, ok := want[req.URL.Path]; ok {
			delete(want, req.URL.Path)
			if res.StatusCode != status {
				t.Errorf("%s\nanswered %d, want %d: %s", what, res.StatusCode, status, body)
			}
		}
	}
	for path := range want {
		t.Errorf("the README has no curl example for %s", path)
	}
}

// curlCommands are the README's curl commands, continuation lines joined, split into words.
func curlCommands(readme string) [][]string {
	var out [][]string
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		out = append(out, shellWords(line))
	}
	return out
}

// shellWords splits a command line as a POSIX shell does for the README's examples: blanks
// separate words; single quotes keep everything; double quotes keep all but \" and \\.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'' && c == '\'', quote == '"' && c == '"':
			quote = 0
		case quote == '"' && c == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\'):
			i++
			cur.WriteByte(line[i])
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// curlRequest is the request curl sends for words (-X, -H, -d and the URL), placeholders
// filled.
func curlRequest(t *testing.T, words []string, fill *strings.Replacer) *http.Request {
	t.Helper()
	method, url, body := "", "", ""
	hasBody := false
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; w {
		case "-X", "-H", "-d":
			if i+1 >= len(words) {
				t.Fatalf("%s without a value in %q", w, words)
			}
			i++
			v := fill.Replace(words[i])
			switch w {
			case "-X":
				method = v
			case "-H":
				name, value, _ := strings.Cut(v, ":")
				header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
			case "-d":
				body, hasBody = v, true
			}
		default:
			if strings.HasPrefix(w, "-") {
				t.Fatalf("the test does not know curl's %s (in %q)", w, words)
			}
			url = fill.Replace(w)
		}
	}
	if method == "" {
		method = http.MethodGet
		if hasBody {
			method = http.MethodPost
		}
	}
	if hasBody && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%q: %v", words, err)
	}
	req.Header = header
	return req
}
