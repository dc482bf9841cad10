package invites_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

var secretIn = regexp.MustCompile(`(inv|lnk)_[A-Za-z0-9_-]+`)

// refStore is one store with a pending invitation and a member invite link.
type refStore struct {
	h                 *storetest.Harness
	inv               *invites.Service
	invitee           provisioning.User
	invID, invSecret  string
	linkSecret, orgID string
}

func newRefStore(f *testing.F, b storetest.Backend) refStore {
	h := storetest.NewHarness(f, b.Open(f))
	org := h.CreateOrg("acme", -1, "owner@acme.com")
	inv := invites.NewService(h.Service, invites.Options{PublicURL: "https://rollcall.example"})
	owner := h.MemberActor(org.Owner.Membership)
	noMail := false
	iss, _, err := inv.Invite(h.Ctx, owner, org.Org.ID, invites.InviteInput{Email: "bob@acme.com", Role: provisioning.RoleMember, SendEmail: &noMail})
	if err != nil {
		f.Fatal(err)
	}
	link, err := inv.RegenerateLink(h.Ctx, owner, org.Org.ID, provisioning.RoleMember)
	if err != nil {
		f.Fatal(err)
	}
	return refStore{h: h, inv: inv, orgID: org.Org.ID, invID: iss.Invitation.ID,
		invSecret: secretIn.FindString(iss.Link), linkSecret: secretIn.FindString(link.URL),
		invitee: provisioning.User{ID: "u-bob", Email: "bob@acme.com", EmailVerified: true}}
}

// FuzzInviteRefs: on every store, an invitation opens only by its link secret (anyone) or its
// id (its signed-in invitee), an invite link only by its secret; any other text is the clear
// not-found of a mistyped link (or, for the id without the invitee, who to sign in as), never
// another error.
func FuzzInviteRefs(f *testing.F) {
	var stores []refStore
	for _, b := range storetest.FuzzStores(f) {
		stores = append(stores, newRefStore(f, b))
	}
	s0 := stores[0]
	for _, seed := range []string{s0.invSecret, s0.linkSecret, s0.invID, s0.invSecret + "x", s0.invSecret[:len(s0.invSecret)-1],
		strings.ToUpper(s0.invSecret), "inv_", "lnk_", "", " ", "inv_\x00", "\xff\xfe", s0.invID + "\x00", strings.Repeat("a", 201),
		"https://rollcall.example/invitations/" + s0.invSecret, "%00", "../" + s0.invID} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		for _, s := range stores {
			ctx := s.h.Ctx
			org, _, err := s.inv.LinkOrg(ctx, ref)
			switch {
			case ref == s.linkSecret:
				if err != nil || org.ID != s.orgID {
					t.Fatalf("the link: %v", err)
				}
			case !provisioning.IsCode(err, provisioning.CodeNotFound):
				t.Fatalf("LinkOrg(%q): %v, want not found", ref, err)
			}
			_, anon := s.inv.Show(ctx, nil, ref)
			_, mine := s.inv.Show(ctx, &s.invitee, ref)
			switch ref {
			case s.invSecret:
				if anon != nil || mine != nil {
					t.Fatalf("the invitation link: %v / %v", anon, mine)
				}
			case s.invID:
				if !provisioning.IsCode(anon, provisioning.CodeUnauthorized) || mine != nil {
					t.Fatalf("the invitation id: %v / %v", anon, mine)
				}
			default:
				if !provisioning.IsCode(anon, provisioning.CodeNotFound) || !provisioning.IsCode(mine, provisioning.CodeNotFound) {
					t.Fatalf("Show(%q): %v / %v, want not found", ref, anon, mine)
				}
			}
		}
	})
}
