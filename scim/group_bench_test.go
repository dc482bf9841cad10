package scim_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkGroupPatch10k adds 10,000 members to a group in one PATCH (and removes them again),
// plain and mapped to admin (every member's role changes both ways), on both stores. While the
// PATCH runs, probes read the same org and another org and create users in the same org; their
// p99 is reported beside the p99 of the same probes with the directory idle. Reported, not
// asserted. Run with -benchtime=1x.
func BenchmarkGroupPatch10k(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			opts := scim.Options{RateLimitPerMinute: -1, MaxBodyBytes: 8 << 20}
			if backend.Name == "sqlite" {
				opts.MemberBatch = scim.SingleWriterMemberBatch // as serve sets it
			}
			e, exec := newEnvWithSQL(b, backend, -1, opts)
			ids := storetest.SeedMembers(b, e.h, exec, backend.Name, e.org.Org.ID, 1, 10_000)
			other := e.h.CreateOrg("other", -1, "owner@other.example")
			otherToken := e.newToken(other, "other")
			owner := e.h.MemberActor(e.org.Owner.Membership)
			if _, err := e.svc.CreateMapping(e.h.Ctx, owner, e.org.Org.ID, scim.MappingInput{Group: "Admins", Role: provisioning.RoleAdmin}); err != nil {
				b.Fatal(err)
			}
			for _, name := range []string{"Plain", "Admins"} {
				b.Run(map[string]string{"Plain": "unmapped", "Admins": "mapped"}[name], func(b *testing.B) {
					gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"`+name+`"}`), 201, "group").str("id")
					p := startProbes(e, otherToken)
					idle := p.stop(500 * time.Millisecond)
					var add, remove time.Duration
					var busy probeResult
					for range b.N {
						p = startProbes(e, otherToken)
						start := time.Now()
						e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("add", ids)), 204, "add 10,000")
						add += time.Since(start)
						busy = p.stop(0)
						start = time.Now()
						e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("remove", ids)), 204, "remove 10,000")
						remove += time.Since(start)
					}
					n := float64(b.N)
					b.ReportMetric(float64(add.Milliseconds())/n, "ms/add")
					b.ReportMetric(float64(remove.Milliseconds())/n, "ms/remove")
					for i, name := range probeNames {
						b.ReportMetric(idle.p99[i], name+"_idle_p99_ms")
						b.ReportMetric(busy.p99[i], name+"_busy_p99_ms")
					}
				})
			}
		})
	}
}

var probeNames = []string{"get_same", "get_other", "post_same"}

type probes struct {
	stopCh chan struct{}
	wg     sync.WaitGroup
	lat    [3][]float64
}

type probeResult struct{ p99 [3]float64 }

// startProbes runs one client per probe, each sending a request every 5 ms until stop.
func startProbes(e *env, otherToken string) *probes {
	p := &probes{stopCh: make(chan struct{})}
	seq := 0
	for i := range probeNames {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				select {
				case <-p.stopCh:
					return
				case <-time.After(5 * time.Millisecond):
				}
				start := time.Now()
				var r resp
				switch i {
				case 0:
					r = e.do("GET", "/Users?count=1", "")
				case 1:
					r = e.doAs(otherToken, "GET", "/Users?count=1", "")
				case 2:
					seq++
					r = e.do("POST", "/Users", userBody(fmt.Sprintf("probe%d-%d@acme.com", time.Now().UnixNano(), seq)))
				}
				if r.Status >= 300 {
					e.t.Errorf("probe %s: %d %s", probeNames[i], r.Status, r.Raw)
					return
				}
				p.lat[i] = append(p.lat[i], float64(time.Since(start).Microseconds())/1000)
			}
		}()
	}
	return p
}

// stop ends the probes after wait and returns their p99s.
func (p *probes) stop(wait time.Duration) probeResult {
	time.Sleep(wait)
	close(p.stopCh)
	p.wg.Wait()
	var out probeResult
	for i, l := range p.lat {
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		out.p99[i] = l[min(len(l)-1, len(l)*99/100)]
	}
	return out
}
