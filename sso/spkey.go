package sso

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// Settings keys of the installation's SAML service-provider key pairs.
const (
	// settingSPKey is the key in use: it signs AuthnRequests unless an activated rotation's next
	// key does.
	settingSPKey = "sso.sp_key"
	// settingSPKeyNext is the key a rotation published beside it until its RetireAt; empty when
	// no rotation is in progress.
	settingSPKeyNext = "sso.sp_key.next"
	// settingSPKeyPrevious is left by rotations before keys overlapped: it still decrypts (not
	// published) until the grace period after the current key's creation; empty once retired.
	settingSPKeyPrevious = "sso.sp_key.previous"
	// settingSPKeyLock is written first by every change of the keys, so changes on several
	// instances take turns (the upsert holds the row until commit).
	settingSPKeyLock = "sso.sp_key.lock"
	spKeyAAD         = "sso.sp_key"
	spCertLifetime   = 10 * 365 * 24 * time.Hour
	maxCachedSPKeys  = 8
)

// spKey is an SP signing and decryption key with its self-signed certificate.
type spKey struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// storedSPKey is a settings value: the private key sealed with the keyring, the cert in clear.
type storedSPKey struct {
	Key       []byte    `json:"key"`
	Cert      []byte    `json:"cert"`
	CreatedAt time.Time `json:"createdAt"`
	// RetireAt (next key only) ends the overlap: from then on the next key is the only one.
	RetireAt time.Time `json:"retireAt,omitzero"`
	// ActivatedAt (next key only) is when the operator switched request signing to it.
	ActivatedAt time.Time `json:"activatedAt,omitzero"`
}

// spKeyCache keeps the parsed keys of the stored values last seen, so unchanged settings are not
// decrypted and parsed on every request, while a change on another instance is seen at once.
type spKeyCache struct {
	mu   sync.Mutex
	keys map[string]*spKey
}

// Certificate describes an SP certificate IdPs are given.
type Certificate struct {
	PEM               string    `json:"pem"`
	FingerprintSHA256 string    `json:"fingerprintSha256"`
	NotAfter          time.Time `json:"notAfter"`
}

func certificateOf(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	return Certificate{
		PEM:               string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
		FingerprintSHA256: fmt.Sprintf("%X", sum[:]), NotAfter: c.NotAfter,
	}
}

// spKeyState is the stored key settings ("" when absent or retired).
type spKeyState struct{ current, next, previous string }

func readSPKeyState(ctx context.Context, tx provisioning.SSOTxn) (spKeyState, error) {
	var st spKeyState
	for _, f := range []struct {
		key string
		dst *string
	}{{settingSPKey, &st.current}, {settingSPKeyNext, &st.next}, {settingSPKeyPrevious, &st.previous}} {
		v, err := tx.GetSetting(ctx, f.key)
		if err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound) {
			return st, err
		}
		*f.dst = v
	}
	return st, nil
}

func decodeStoredSPKey(value string) (storedSPKey, error) {
	var stored storedSPKey
	if err := json.Unmarshal([]byte(value), &stored); err != nil {
		return stored, provisioning.Internal(fmt.Errorf("SP key setting: %w", err))
	}
	return stored, nil
}

// spKeys are the SP keys in effect at one moment.
type spKeys struct {
	// signing signs AuthnRequests and is tried first to decrypt.
	signing *spKey
	// others still decrypt.
	others []*spKey
	// published are the certificates in SP metadata (signing and encryption), signing first.
	published []*spKey
	rotation  *SPKeyRotation
}

func (k spKeys) decryption() []*rsa.PrivateKey {
	out := make([]*rsa.PrivateKey, 0, len(k.others))
	for _, o := range k.others {
		out = append(out, o.key)
	}
	return out
}

// currentSPKeys returns the SP keys in effect now, generating the first key pair on first use.
// Concurrent first uses on several instances agree: only the first stored value is kept.
func (s *Service) currentSPKeys(ctx context.Context) (spKeys, error) {
	var st spKeyState
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		st, err = readSPKeyState(ctx, tx)
		return err
	})
	if err == nil && st.current == "" {
		var fresh string
		if fresh, err = s.newSPKeyValue(ctx, 0); err != nil {
			return spKeys{}, err
		}
		err = s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
			if _, err := tx.PutSettingIfAbsent(ctx, settingSPKey, fresh); err != nil {
				return err
			}
			st.current, err = tx.GetSetting(ctx, settingSPKey)
			return err
		})
	}
	if err != nil {
		return spKeys{}, err
	}
	return s.resolveSPKeys(ctx, st, s.svc.Now())
}

// resolveSPKeys says which stored keys sign, decrypt and are published at now.
func (s *Service) resolveSPKeys(ctx context.Context, st spKeyState, now time.Time) (spKeys, error) {
	cur, err := s.parseSPKey(ctx, st.current)
	if err != nil {
		return spKeys{}, err
	}
	if st.next == "" {
		keys := spKeys{signing: cur, published: []*spKey{cur}}
		if st.previous != "" {
			curStored, err := decodeStoredSPKey(st.current)
			if err != nil {
				return spKeys{}, err
			}
			if now.Before(curStored.CreatedAt.Add(s.spKeyGrace)) {
				prev, err := s.parseSPKey(ctx, st.previous)
				if err != nil {
					return spKeys{}, err
				}
				keys.others = []*spKey{prev}
			}
		}
		return keys, nil
	}
	stored, err := decodeStoredSPKey(st.next)
	if err != nil {
		return spKeys{}, err
	}
	next, err := s.parseSPKey(ctx, st.next)
	if err != nil {
		return spKeys{}, err
	}
	if !now.Before(stored.RetireAt) {
		return spKeys{signing: next, published: []*spKey{next}}, nil
	}
	rot := &SPKeyRotation{Old: certificateOf(cur.cert), New: certificateOf(next.cert), StartedAt: stored.CreatedAt, RetiresAt: stored.RetireAt}
	if stored.ActivatedAt.IsZero() {
		return spKeys{signing: cur, others: []*spKey{next}, published: []*spKey{cur, next}, rotation: rot}, nil
	}
	at := stored.ActivatedAt
	rot.ActivatedAt = &at
	return spKeys{signing: next, others: []*spKey{cur}, published: []*spKey{next, cur}, rotation: rot}, nil
}

// parseSPKey opens a stored key (cached by its stored value).
func (s *Service) parseSPKey(ctx context.Context, value string) (*spKey, error) {
	s.spKeys.mu.Lock()
	defer s.spKeys.mu.Unlock()
	if k := s.spKeys.keys[value]; k != nil {
		return k, nil
	}
	stored, err := decodeStoredSPKey(value)
	if err != nil {
		return nil, err
	}
	der, err := s.svc.Open(ctx, stored.Key, spKeyAAD)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, provisioning.Internal(fmt.Errorf("SP key: %w", err))
	}
	cert, err := x509.ParseCertificate(stored.Cert)
	if err != nil {
		return nil, provisioning.Internal(fmt.Errorf("SP certificate: %w", err))
	}
	if s.spKeys.keys == nil || len(s.spKeys.keys) >= maxCachedSPKeys {
		s.spKeys.keys = map[string]*spKey{}
	}
	k := &spKey{key: key, cert: cert}
	s.spKeys.keys[value] = k
	return k, nil
}

// newSPKeyValue generates an RSA-2048 key and a self-signed certificate, sealed for settings; a
// positive overlap makes it a rotation's next key, retired overlap after its creation.
func (s *Service) newSPKeyValue(ctx context.Context, overlap time.Duration) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", provisioning.Internal(err)
	}
	now := s.svc.Now()
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "Rollcall SAML SP " + s.base.Host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(spCertLifetime),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", provisioning.Internal(err)
	}
	sealed, err := s.svc.Seal(ctx, x509.MarshalPKCS1PrivateKey(key), spKeyAAD)
	if err != nil {
		return "", err
	}
	stored := storedSPKey{Key: sealed, Cert: der, CreatedAt: now}
	if overlap > 0 {
		stored.RetireAt = now.Add(overlap)
	}
	b, _ := json.Marshal(stored)
	return string(b), nil
}
