package scim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// seedUsers creates n directory users through the pipeline in one transaction and returns ids
// (roles and seats as the pipeline assigns them; storetest.SeedMembers is the fast bulk path).
func seedUsers(tb testing.TB, h *storetest.Harness, orgID string, n int) []string {
	tb.Helper()
	actor := provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: orgID, Label: "seed"}
	ids := make([]string, n)
	h.Tx(func(tx provisioning.StoreTx) error {
		for i := range n {
			email := fmt.Sprintf("user%05d@big.example", i)
			res, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: orgID,
				Entrance: provisioning.EntranceSCIM, Actor: actor, Identity: provisioning.Identity{Email: email}})
			if err != nil {
				return err
			}
			now := h.Clock.Now()
			ids[i] = provisioning.NewID()
			if err := tx.InsertDirectoryUser(h.Ctx, provisioning.DirectoryUser{ID: ids[i], OrgID: orgID, UserID: res.User.ID,
				MembershipID: res.Membership.ID, UserName: email, UserNameKey: email, Active: true,
				Attributes: []byte(`{"userName":"` + email + `"}`), Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	return ids
}

func membersPatch(op string, ids []string) string {
	var b strings.Builder
	b.WriteString(patchOp + `[{"op":"` + op + `","path":"members","value":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"value":"` + id + `"}`)
	}
	b.WriteString(`]}]}`)
	return b.String()
}

// TestLargeGroupPatch adds and removes 10,000 members in one PATCH each, in batched SQL.
func TestLargeGroupPatch(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 members")
	}
	each(t, func(t *testing.T, b storetest.Backend) {
		e, exec := newEnvWithSQL(t, b, -1, scim.Options{MaxBodyBytes: 8 << 20})
		ids := storetest.SeedMembers(t, e.h, exec, b.Name, e.org.Org.ID, 1, 10_000)
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Everyone"}`), 201, "group").str("id")
		start := time.Now()
		e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("add", ids)), 204, "add 10,000")
		added := time.Since(start)
		r := e.want(e.do("GET", "/Groups?filter=displayName%20eq%20%22Everyone%22", ""), 200, "group with members")
		if list, _ := r.get("Resources.0.members").([]any); len(list) != 10_000 {
			t.Fatalf("members after add: %d", len(list))
		}
		start = time.Now()
		e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("remove", ids[:9_999])), 204, "remove 9,999")
		t.Logf("%s: add 10,000 members %v, remove 9,999 %v", b.Name, added, time.Since(start))
		r = e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group after removal")
		if list, _ := r.get("members").([]any); len(list) != 1 || r.str("members.0.value") != ids[9_999] {
			t.Fatalf("members after removal: %v", r.get("members"))
		}
	})
}
