package domains

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// reasonTaken is what a claim says while another org holds the domain verified. It never names
// the other org.
const reasonTaken = "another org has already verified this domain; it can be verified here only after that org removes it or loses its record"

// apply records a check's outcome on the domain with id, read fresh under the org's lock so that
// concurrent checks (several instances, a click during the periodic run) record each change once.
func (s *Service) apply(ctx context.Context, actor provisioning.Actor, id string, res result) (provisioning.Domain, error) {
	var d provisioning.Domain
	err := s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		var err error
		d, err = s.applyTx(ctx, tx, actor, id, res)
		return err
	})
	if !provisioning.IsCode(err, provisioning.CodeConflict) {
		return d, err
	}
	// Another org verified the domain between our read and our write: the index refused ours.
	err = s.svc.DomainDoor().Update(ctx, func(tx provisioning.DomainTxn) error {
		var err error
		d, err = s.applyTx(ctx, tx, actor, id, res)
		return err
	})
	return d, err
}

func (s *Service) applyTx(ctx context.Context, tx provisioning.DomainTxn, actor provisioning.Actor, id string, res result) (provisioning.Domain, error) {
	old, err := tx.GetDomainByID(ctx, id)
	if err != nil {
		return old, err
	}
	if _, err := s.svc.HoldOrgTx(ctx, tx, old.OrgID); err != nil {
		return old, err
	}
	if old, err = tx.GetDomainByID(ctx, id); err != nil {
		return old, err
	}
	now := s.svc.Now()
	d := old
	d.CheckedAt, d.UpdatedAt, d.Reason = &now, now, res.reason
	action := ""
	switch {
	case res.found:
		holder, err := tx.FindVerifiedDomain(ctx, d.Name)
		switch {
		case err == nil && holder.ID != d.ID:
			d.Reason = reasonTaken
		case err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound):
			return old, err
		case d.State != provisioning.DomainVerified:
			d.State, d.VerifiedAt, action = provisioning.DomainVerified, &now, "domain.verified"
		}
	case res.definitive && d.State == provisioning.DomainVerified:
		d.State, action = provisioning.DomainLost, "domain.lost"
		d.Reason = "the verification record is gone (" + res.reason + "); auto-join and sign-in routing are paused until it is back"
	case !res.definitive && d.State == provisioning.DomainVerified:
		d.Reason = res.reason + " (the domain stays verified until a check gets an answer)"
	}
	if err := tx.UpdateDomain(ctx, d); err != nil {
		return old, err
	}
	if action == "" {
		return d, nil
	}
	return d, s.record(ctx, tx, actor, action, old, d, d.Reason)
}

// Summary counts what one re-verification pass did.
type Summary struct {
	Checked  int
	Verified int
	Lost     int
	Failed   int
}

// reverifyWorkers bounds concurrent lookups in one pass.
const reverifyWorkers = 8

// ReverifyAll re-checks every verified and lost domain once: a verified domain whose record is
// gone becomes lost (auto-join paused), a lost one whose record is back is verified again.
// Failed lookups leave states alone.
func (s *Service) ReverifyAll(ctx context.Context) (Summary, error) {
	var list []provisioning.Domain
	err := s.svc.DomainDoor().View(ctx, func(tx provisioning.DomainTxn) error {
		var err error
		list, err = tx.ListDomainsByState(ctx, provisioning.DomainVerified, provisioning.DomainLost)
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	var (
		mu   sync.Mutex
		sum  Summary
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, reverifyWorkers)
	)
	for _, d := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := s.check(ctx, d)
			after, err := s.apply(ctx, provisioning.System(), d.ID, res)
			mu.Lock()
			defer mu.Unlock()
			sum.Checked++
			switch {
			case provisioning.IsCode(err, provisioning.CodeNotFound):
			case err != nil:
				errs = append(errs, err)
			case after.State == provisioning.DomainVerified && d.State != provisioning.DomainVerified:
				sum.Verified++
			case after.State == provisioning.DomainLost && d.State == provisioning.DomainVerified:
				sum.Lost++
			}
			if !res.found && !res.definitive {
				sum.Failed++
			}
		}()
	}
	wg.Wait()
	return sum, errors.Join(errs...)
}

// Run re-verifies every interval until ctx ends; the lead starts it beside the server.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			sum, err := s.ReverifyAll(ctx)
			if err != nil {
				httperr.LogFailure(ctx, s.logger, "domain re-verification failed", err)
			}
			s.logger.InfoContext(ctx, "domains re-verified", "checked", sum.Checked, "verified", sum.Verified, "lost", sum.Lost, "lookup_failures", sum.Failed)
		}
	}
}
