package provisioning_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

func TestCleanDisplay(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"  Ada   Lovelace ", "Ada Lovelace"},
		{"Ada\x1b[31mRed\x1b[0m", "AdaRed"},
		{"evil\x1b]0;title\x07name", "evilname"},
		{"zero\u200bwidth", "zerowidth"},
		{"bidi\u202eevil", "bidievil"},
		{"tab\tand\nnewline", "tab and newline"},
		{"nul\x00byte", "nulbyte"},
		{"Zoë Ñúñez 王", "Zoë Ñúñez 王"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100)},
		{"\xff\xfebad utf8", "bad utf8"},
	} {
		if got := provisioning.CleanDisplay(c.in, provisioning.MaxNameLength); got != c.want {
			t.Errorf("CleanDisplay(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeEmailRefusesInvisibleCharacters(t *testing.T) {
	for _, in := range []string{"ceo\u200b@x.test", "ceo@x\u202e.test", "ce\u00ado@x.test", "ceo\ufeff@x.test", "ceo\x01@x.test"} {
		if _, err := provisioning.NormalizeEmail(in); provisioning.ErrorCode(err) != provisioning.CodeInvalid || !strings.Contains(provisioning.ErrorMessage(err), "invisible") {
			t.Errorf("NormalizeEmail(%q) = %v, want a refusal naming the invisible character", in, err)
		}
	}
	if e, err := provisioning.NormalizeEmail("Zoë@Example.com"); err != nil || e != "zoë@example.com" {
		t.Errorf("a visible non-ASCII address: %q %v", e, err)
	}
}

// TestArrivalNamesAreCleaned: names an entrance brings are stored cleaned and capped, and an
// address with an invisible character is refused before anything is written.
func TestArrivalNamesAreCleaned(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	o := h.CreateOrg("acme", 10, "owner@acme.com")
	res, err := h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceSCIM,
		Actor: provisioning.System(), Identity: provisioning.Identity{Email: "ada@acme.com",
			FirstName: "Ada\x1b[2J\u202e", LastName: strings.Repeat("L", 300)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.User.FirstName != "Ada" || len(res.User.LastName) != provisioning.MaxNameLength {
		t.Fatalf("stored names %q %q", res.User.FirstName, res.User.LastName)
	}
	before := h.Usage(o.Org.ID)
	_, err = h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: o.Org.ID, Entrance: provisioning.EntranceSCIM,
		Actor: provisioning.System(), Identity: provisioning.Identity{Email: "ceo\u200b@acme.com"}})
	if provisioning.ErrorCode(err) != provisioning.CodeInvalid {
		t.Fatalf("an invisible character in an address: %v", err)
	}
	if after := h.Usage(o.Org.ID); after != before {
		t.Fatalf("a refused arrival wrote: %+v -> %+v", before, after)
	}
}
