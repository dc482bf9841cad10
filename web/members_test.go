package web_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

func no() *bool { f := false; return &f }

// TestMembersPage: an owner sees members and pending invitations in one table with badges,
// the seat bar and the filters; each filter narrows the rows; a member is refused.
func TestMembersPage(t *testing.T) {
	e := newEnv(t)
	e.join("bob@acme.com", provisioning.RoleAdmin)
	carol := e.join("carol@acme.com", provisioning.RoleViewer)
	if _, _, err := e.inv.Invite(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, invites.InviteInput{Email: "dave@contractor.io", SendEmail: no()}); err != nil {
		t.Fatal(err)
	}
	alice := e.owner()
	code, body := alice.get("/console/acme/members")
	if code != 200 {
		t.Fatalf("members: %d\n%s", code, body)
	}
	mustContain(t, body, `id="seat-usage">3 / 5</strong>`, "business plan", "alice@acme.com", "bob@acme.com", "carol@acme.com",
		"dave@contractor.io", `<span class="badge pending">pending</span>`, `<span class="badge owner">owner</span>`,
		`<span class="badge viewer">viewer</span>`, `data-live="#member-results"`, `action="/console/acme/members"`,
		`<a href="/console/acme/about"`, `aria-current="page">Members</a>`, "1 viewer waiting for a seat", "Assign seats to viewers")
	checks := map[string]struct{ in, out []string }{
		"?q=car":                               {[]string{"carol@acme.com"}, []string{"bob@acme.com", "dave@contractor.io"}},
		"?q=contractor":                        {[]string{"dave@contractor.io"}, []string{"carol@acme.com"}},
		"?role=admin":                          {[]string{"bob@acme.com"}, []string{"carol@acme.com", "dave@contractor.io"}},
		"?seat=without":                        {[]string{"carol@acme.com"}, []string{"bob@acme.com", "dave@contractor.io"}},
		"?seat=with":                           {[]string{"bob@acme.com", "dave@contractor.io"}, []string{"carol@acme.com"}},
		"?status=pending":                      {[]string{"dave@contractor.io"}, []string{"bob@acme.com"}},
		"?status=active&sort=email&order=desc": {[]string{"bob@acme.com"}, []string{"dave@contractor.io"}},
		"?active=7d":                           {[]string{"No one matches"}, []string{"dave@contractor.io"}},
	}
	for q, c := range checks {
		code, body := alice.get("/console/acme/members" + q)
		if code != 200 {
			t.Fatalf("%s: %d", q, code)
		}
		rows := body[strings.Index(body, `id="member-results"`):]
		mustContain(t, rows, c.in...)
		mustNotContain(t, rows, c.out...)
	}
	_, body = alice.get("/console/acme/members?sort=email&order=desc&status=active")
	if strings.Index(body, `data-email="carol@acme.com"`) > strings.Index(body, `data-email="bob@acme.com"`) {
		t.Error("email descending: carol must come before bob")
	}
	if code, body := alice.get("/console/acme/members?role=king"); code != 400 || !strings.Contains(body, "is not a role this page offers") {
		t.Errorf("bad filter: %d\n%s", code, body)
	}
	member := e.as(carol.UserID)
	if code, body := member.get("/console/acme/members"); code != http.StatusForbidden || !strings.Contains(body, "only owners and admins can see the member list") {
		t.Errorf("a viewer opening members: %d\n%s", code, body)
	}
}

// TestMembersPaging: rows beyond a page go to the next page, pending invitations first, and no
// row shows twice.
func TestMembersPaging(t *testing.T) {
	e := newEnv(t)
	limit := -1
	if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for i := 0; i < 30; i++ {
		e.join(strings.Repeat("m", 1)+string(rune('a'+i%26))+string(rune('a'+i/26))+"@acme.com", provisioning.RoleMember)
		text.WriteString("inv" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com\n")
	}
	if res, err := e.inv.Bulk(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, invites.BulkInput{Text: text.String(), SendEmail: no()}); err != nil || len(res.Invited) != 30 {
		t.Fatalf("bulk: %v %+v", err, res.Refused)
	}
	alice := e.owner()
	seen := map[string]bool{}
	next := "/console/acme/members"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		_, body := alice.get(next)
		for _, m := range dataEmail.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Fatalf("%s shown twice", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := nextPage.FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != 61 {
		t.Fatalf("saw %d rows, want 61 (30 invitations, 31 members)", len(seen))
	}
}

// TestMembersCSV: the export carries exactly the filtered rows, every page of them.
func TestMembersCSV(t *testing.T) {
	e := newEnv(t)
	e.join("bob@acme.com", provisioning.RoleAdmin)
	e.join("=cmd@acme.com", provisioning.RoleViewer)
	if _, _, err := e.inv.Invite(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, invites.InviteInput{Email: "dave@contractor.io", SendEmail: no()}); err != nil {
		t.Fatal(err)
	}
	alice := e.owner()
	for q, want := range map[string][]string{
		"":                {"dave@contractor.io", "'=cmd@acme.com", "alice@acme.com", "bob@acme.com"},
		"?seat=with":      {"dave@contractor.io", "alice@acme.com", "bob@acme.com"},
		"?q=bob":          {"bob@acme.com"},
		"?status=pending": {"dave@contractor.io"},
		"?role=viewer":    {"'=cmd@acme.com"},
	} {
		res, err := alice.c.Get(e.srv.URL + "/console/acme/members.csv" + q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(res.Body).ReadAll()
		res.Body.Close()
		if err != nil || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%s: %v %v", q, err, res.Header)
		}
		if strings.Join(rows[0], ",") != "id,email,firstName,lastName,isAdmin,hasSeat,role,status,source,joinedAt,lastActiveAt" {
			t.Fatalf("header %v", rows[0])
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[1])
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	res, _ := alice.c.Get(e.srv.URL + "/console/acme/members.csv?status=pending")
	rows, _ := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if len(rows) != 2 || rows[1][7] != "pending" || rows[1][8] != "invite" || rows[1][5] != "true" {
		t.Errorf("pending row: %v", rows)
	}
	viewer := e.as(e.join("vic@acme.com", provisioning.RoleMember).UserID)
	if res, _ := viewer.c.Get(e.srv.URL + "/console/acme/members.csv"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member's export: %d", res.StatusCode)
	}
}

var (
	dataEmail = regexp.MustCompile(`data-email="([^"]+)"`)
	nextPage  = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)
