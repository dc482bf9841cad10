package sso

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// DefaultSPKeyGracePeriod is how long a rotated SP key is published beside the current one.
const DefaultSPKeyGracePeriod = 14 * 24 * time.Hour

// SPKeyStatus is the installation's SP key pair as the operator sees it.
type SPKeyStatus struct {
	// Certificate is the one AuthnRequests are signed with now.
	Certificate Certificate `json:"certificate"`
	// Rotation is the rotation in progress, if any.
	Rotation *SPKeyRotation `json:"rotation,omitempty"`
}

// SPKeyRotation is a rotation in progress: both certificates are in the SP metadata (signing and
// encryption) and both keys decrypt, until RetiresAt, when the old key is retired.
type SPKeyRotation struct {
	Old       Certificate `json:"old"`
	New       Certificate `json:"new"`
	StartedAt time.Time   `json:"startedAt"`
	RetiresAt time.Time   `json:"retiresAt"`
	// ActivatedAt is when requests started being signed with the new key; nil: still the old.
	ActivatedAt *time.Time `json:"activatedAt,omitempty"`
}

func statusOfKeys(k spKeys) SPKeyStatus {
	return SPKeyStatus{Certificate: certificateOf(k.signing.cert), Rotation: k.rotation}
}

// SPCertificate returns the installation's SP key status, generating the key pair if needed.
func (s *Service) SPCertificate(ctx context.Context) (SPKeyStatus, error) {
	k, err := s.currentSPKeys(ctx)
	if err != nil {
		return SPKeyStatus{}, err
	}
	return statusOfKeys(k), nil
}

// RotateSPKey starts a rotation (operator only): a new key pair is published in every
// connection's SP metadata beside the current one for the grace period, and both decrypt.
// Requests stay signed with the current key until ActivateSPKey or the end of the grace period,
// when the old key is retired. One rotation at a time.
func (s *Service) RotateSPKey(ctx context.Context, actor provisioning.Actor) (SPKeyStatus, error) {
	if !actor.IsOperator() {
		return SPKeyStatus{}, provisioning.Errorf(provisioning.CodeForbidden, "only the operator can rotate the SAML service-provider key")
	}
	if _, err := s.currentSPKeys(ctx); err != nil {
		return SPKeyStatus{}, err
	}
	fresh, err := s.newSPKeyValue(ctx, s.spKeyGrace)
	if err != nil {
		return SPKeyStatus{}, err
	}
	created, err := decodeStoredSPKey(fresh)
	if err != nil {
		return SPKeyStatus{}, err
	}
	now := created.CreatedAt
	return s.changeSPKeys(ctx, func(tx provisioning.SSOTxn, st *spKeyState) error {
		if st.next != "" {
			next, err := decodeStoredSPKey(st.next)
			if err != nil {
				return err
			}
			if now.Before(next.RetireAt) {
				return provisioning.Errorf(provisioning.CodeConflict, "A SAML service-provider key rotation is in progress until %s. Activate the new key (POST /api/v1/sso/sp-certificate/activate) or wait until then before rotating again.", next.RetireAt.Format(time.RFC3339))
			}
			st.current = finishedKey(next)
		}
		st.next, st.previous = fresh, ""
		return s.svc.Record(ctx, tx, provisioning.Change{Actor: actor, Action: "sso.sp_key_rotated",
			TargetType: "sso_sp_key", TargetID: "sp", Reason: "SAML service-provider key rotation started; the new certificate is published beside the current one until " + created.RetireAt.Format(time.RFC3339)})
	})
}

// ActivateSPKey switches AuthnRequest signing to the rotation's new key (operator only), once
// the IdPs that check request signatures have loaded the metadata with both certificates. The
// old key still decrypts, and stays published, until the end of the grace period.
func (s *Service) ActivateSPKey(ctx context.Context, actor provisioning.Actor) (SPKeyStatus, error) {
	if !actor.IsOperator() {
		return SPKeyStatus{}, provisioning.Errorf(provisioning.CodeForbidden, "only the operator can activate the new SAML service-provider key")
	}
	now := s.svc.Now()
	return s.changeSPKeys(ctx, func(tx provisioning.SSOTxn, st *spKeyState) error {
		var next storedSPKey
		if st.next != "" {
			var err error
			if next, err = decodeStoredSPKey(st.next); err != nil {
				return err
			}
		}
		if st.next == "" || !now.Before(next.RetireAt) {
			return provisioning.Errorf(provisioning.CodeConflict, "No SAML service-provider key rotation is in progress; rotate first (POST /api/v1/sso/sp-certificate/rotate).")
		}
		if !next.ActivatedAt.IsZero() {
			return nil
		}
		next.ActivatedAt = now
		b, _ := json.Marshal(next)
		st.next = string(b)
		return s.svc.Record(ctx, tx, provisioning.Change{Actor: actor, Action: "sso.sp_key_activated",
			TargetType: "sso_sp_key", TargetID: "sp", Reason: "SAML AuthnRequests are now signed with the new service-provider key"})
	})
}

// retireSPKey ends a rotation whose grace period is over: the new key becomes the only one and
// the old one is deleted. The keys in effect never depend on it having run (resolveSPKeys reads
// the times); it makes the retirement durable and audited. Purge runs it.
func (s *Service) retireSPKey(ctx context.Context) error {
	var st spKeyState
	if err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		st, err = readSPKeyState(ctx, tx)
		return err
	}); err != nil || st.next == "" {
		return err
	}
	now := s.svc.Now()
	_, err := s.changeSPKeys(ctx, func(tx provisioning.SSOTxn, st *spKeyState) error {
		if st.next == "" {
			return nil
		}
		next, err := decodeStoredSPKey(st.next)
		if err != nil || now.Before(next.RetireAt) {
			return err
		}
		st.current, st.next, st.previous = finishedKey(next), "", ""
		return s.svc.Record(ctx, tx, provisioning.Change{Actor: provisioning.System(), Action: "sso.sp_key_retired",
			TargetType: "sso_sp_key", TargetID: "sp", Reason: "the grace period of the SAML service-provider key rotation ended; the old key was retired"})
	})
	return err
}

// finishedKey is a rotation's new key stored as the current one.
func finishedKey(next storedSPKey) string {
	b, _ := json.Marshal(storedSPKey{Key: next.Key, Cert: next.Cert, CreatedAt: next.CreatedAt})
	return string(b)
}

// changeSPKeys runs change on the stored key settings in a transaction that other instances'
// changes wait for, writes back what it changed, and returns the status after it.
func (s *Service) changeSPKeys(ctx context.Context, change func(provisioning.SSOTxn, *spKeyState) error) (SPKeyStatus, error) {
	var after spKeyState
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		if err := tx.PutSetting(ctx, settingSPKeyLock, s.svc.Now().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		before, err := readSPKeyState(ctx, tx)
		if err != nil {
			return err
		}
		after = before
		if err := change(tx, &after); err != nil {
			return err
		}
		for _, w := range []struct{ key, old, new string }{{settingSPKey, before.current, after.current},
			{settingSPKeyNext, before.next, after.next}, {settingSPKeyPrevious, before.previous, after.previous}} {
			if w.old != w.new {
				if err := tx.PutSetting(ctx, w.key, w.new); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return SPKeyStatus{}, err
	}
	k, err := s.resolveSPKeys(ctx, after, s.svc.Now())
	if err != nil {
		return SPKeyStatus{}, err
	}
	return statusOfKeys(k), nil
}
