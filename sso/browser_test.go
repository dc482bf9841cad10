package sso_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// browser is an HTTP client with a cookie jar that follows redirects, reads HTML forms and
// submits them, as a person's browser would (without running scripts: auto-submitting forms
// are submitted explicitly).
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar}}
}

// page is a fetched document.
type page struct {
	status int
	url    *url.URL
	header http.Header
	body   string
	forms  []form
}

// form is an HTML form with its fields' values.
type form struct {
	action *url.URL
	method string
	fields url.Values
}

func (b *browser) get(raw string) page {
	b.t.Helper()
	res, err := b.c.Get(raw)
	if err != nil {
		b.t.Fatalf("GET %s: %v", raw, err)
	}
	return b.read(res)
}

// submit posts a form with some fields replaced.
func (b *browser) submit(f form, set map[string]string) page {
	b.t.Helper()
	values := url.Values{}
	for k, v := range f.fields {
		values[k] = append([]string(nil), v...)
	}
	for k, v := range set {
		values.Set(k, v)
	}
	return b.post(f.action.String(), values)
}

func (b *browser) post(target string, values url.Values) page {
	b.t.Helper()
	res, err := b.c.PostForm(target, values)
	if err != nil {
		b.t.Fatalf("POST %s: %v", target, err)
	}
	return b.read(res)
}

func (b *browser) read(res *http.Response) page {
	b.t.Helper()
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, url: res.Request.URL, header: res.Header, body: string(raw)}
	p.forms = parseForms(p.url, p.body)
	return p
}

// form returns the page's only (or first) form, failing when there is none.
func (p page) form(t *testing.T) form {
	t.Helper()
	if len(p.forms) == 0 {
		t.Fatalf("no form on %s (status %d): %s", p.url, p.status, p.body)
	}
	return p.forms[0]
}

// message is the text of the error page's message paragraph.
func (p page) message() string {
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		return ""
	}
	var out string
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && attrOf(n, "id") == "message" && n.FirstChild != nil {
			out = n.FirstChild.Data
		}
	})
	return out
}

func parseForms(base *url.URL, body string) []form {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	var forms []form
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "form" {
			return
		}
		action, _ := base.Parse(attrOf(n, "action"))
		f := form{action: action, method: strings.ToUpper(attrOf(n, "method")), fields: url.Values{}}
		walk(n, func(in *html.Node) {
			if in.Type == html.ElementNode && in.Data == "input" && attrOf(in, "name") != "" {
				f.fields.Set(attrOf(in, "name"), attrOf(in, "value"))
			}
		})
		forms = append(forms, f)
	})
	return forms
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attrOf(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// cookie returns the value of the cookie the browser holds for u.
func (b *browser) cookie(u, name string) string {
	parsed, _ := url.Parse(u)
	for _, c := range b.c.Jar.Cookies(parsed) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
