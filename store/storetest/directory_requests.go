package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// testDirectoryRequests: an org's recent SCIM requests are numbered in order across batches,
// listed newest first, kept to the last DirectoryRequestsKept, and another org's stay apart.
func testDirectoryRequests(t *testing.T, h *Harness) {
	acme := h.CreateOrg("acme", -1, "owner@acme.com").Org.ID
	other := h.CreateOrg("other", -1, "owner@other.com").Org.ID
	at := h.Clock.Now().Truncate(time.Millisecond)
	req := func(org string, i int) provisioning.DirectoryRequest {
		return provisioning.DirectoryRequest{OrgID: org, At: at.Add(time.Duration(i) * time.Second), Method: "GET",
			Path: fmt.Sprintf("/Users/%d", i), Status: 200 + i%2*229, SCIMType: map[bool]string{true: "tooMany"}[i%2 == 1],
			TokenID: "tok-" + org, Duration: time.Duration(i) * time.Millisecond}
	}
	list := func(org string) []provisioning.DirectoryRequest {
		var out []provisioning.DirectoryRequest
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			out, err = tx.ListDirectoryRequests(h.Ctx, org)
			return err
		})
		return out
	}
	record := func(reqs ...provisioning.DirectoryRequest) {
		h.Tx(func(tx provisioning.StoreTx) error { return tx.RecordDirectoryRequests(h.Ctx, reqs) })
	}
	if got := list(acme); len(got) != 0 {
		t.Fatalf("a new org has activity: %v", got)
	}
	record(req(acme, 1), req(other, 1), req(acme, 2))
	got := list(acme)
	if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 1 || got[0].Path != "/Users/2" {
		t.Fatalf("first batch: %+v", got)
	}
	want := req(acme, 1)
	want.Seq = 1
	if got[1] != want {
		t.Fatalf("read back\n %+v\nwant\n %+v", got[1], want)
	}
	if o := list(other); len(o) != 1 || o[0].Seq != 1 || o[0].TokenID != "tok-"+other {
		t.Fatalf("the other org: %+v", o)
	}

	// One request at a time, then a batch larger than the ring: only the last ones stay.
	for i := 3; i <= 40; i++ {
		record(req(acme, i))
	}
	var batch []provisioning.DirectoryRequest
	for i := 41; i <= 41+provisioning.DirectoryRequestsKept; i++ {
		batch = append(batch, req(acme, i))
	}
	record(batch...)
	got = list(acme)
	last := int64(41 + provisioning.DirectoryRequestsKept)
	if len(got) != provisioning.DirectoryRequestsKept || got[0].Seq != last || got[len(got)-1].Seq != last-provisioning.DirectoryRequestsKept+1 {
		t.Fatalf("the ring keeps %d requests, %d to %d; want %d, %d to %d", len(got), got[0].Seq, got[len(got)-1].Seq,
			provisioning.DirectoryRequestsKept, last, last-provisioning.DirectoryRequestsKept+1)
	}
	for i, r := range got {
		if r.Seq != last-int64(i) || r.Path != fmt.Sprintf("/Users/%d", r.Seq) {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
	if o := list(other); len(o) != 1 {
		t.Fatalf("the other org's ring changed: %+v", o)
	}
}
