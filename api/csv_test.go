package api_test

import (
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestCSVExport checks the columns, the quoting and that the export holds exactly the filtered list.
func TestCSVExport(t *testing.T) {
	e := newEnv(t)
	f := e.fixture(-1)
	h := e.h
	for _, p := range []struct{ email, first, last string }{
		{"quote@x.com", `Ann "The Boss"`, "O'Neil, Jr."},
		{"formula@x.com", "=HYPERLINK(\"evil\")", "+1"},
		{"multi@x.com", "Line\nBreak", "Smith"},
		{"=1+1@x.com", "Eq", "Email"},
	} {
		if _, err := h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: f.org, Entrance: provisioning.EntranceSCIM,
			Actor: provisioning.System(), Identity: provisioning.Identity{Email: p.email, FirstName: p.first, LastName: p.last}}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(query string) [][]string {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/orgs/"+f.slug+"/members/export"+query, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("export: %d %s", res.StatusCode, b)
		}
		rows, err := csv.NewReader(res.Body).ReadAll()
		if err != nil {
			t.Fatalf("the export is not valid CSV: %v", err)
		}
		return rows
	}
	rows := get("?q=x.com&sort=email")
	want := "id,email,firstName,lastName,isAdmin,hasSeat,role,status,source,joinedAt,lastActiveAt"
	if strings.Join(rows[0], ",") != want {
		t.Fatalf("header %v", rows[0])
	}
	if len(rows) != 5 {
		t.Fatalf("got %d rows, want header + 4", len(rows))
	}
	byEmail := map[string][]string{}
	for _, r := range rows[1:] {
		byEmail[r[1]] = r
	}
	if r := byEmail["quote@x.com"]; r[2] != `Ann "The Boss"` || r[3] != "O'Neil, Jr." || r[4] != "false" || r[5] != "true" || r[6] != "member" || r[8] != "scim" {
		t.Errorf("quoting lost data: %q", r)
	}
	if r := byEmail["formula@x.com"]; !strings.HasPrefix(r[2], "'=") || !strings.HasPrefix(r[3], "'+") {
		t.Errorf("formulas must be defused: %q", r)
	}
	if r := byEmail["'=1+1@x.com"]; r == nil {
		t.Errorf("an email that reads as a formula must be defused too: %q", rows)
	}
	if r := byEmail["multi@x.com"]; r[2] != "Line Break" {
		t.Errorf("a newline in a name must arrive as one space (names are cleaned on the way in): %q", r)
	}
	list := e.do(f.tokens["admin"], "GET", "/orgs/"+f.slug+"/members?seat=without&limit=500", nil)
	exported := get("?seat=without")
	if len(exported)-1 != len(list.Body["members"].([]any)) {
		t.Fatalf("export has %d rows, the same filtered list %d", len(exported)-1, len(list.Body["members"].([]any)))
	}
	for _, r := range exported[1:] {
		if r[5] != "false" {
			t.Fatalf("seat=without exported a seat holder: %q", r)
		}
	}
	if rows := get("?q=nobody-matches"); len(rows) != 1 {
		t.Fatalf("an empty export still has its header only: %d rows", len(rows))
	}
}
