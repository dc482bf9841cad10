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

// Settings keys of the installation's SAML service-provider key pair.
const (
	settingSPKey         = "sso.sp_key"
	settingSPKeyPrevious = "sso.sp_key.previous"
	spKeyAAD             = "sso.sp_key"
	spCertLifetime       = 10 * 365 * 24 * time.Hour
)

// spKey is the SP's signing (and decryption) key with its self-signed certificate.
type spKey struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// storedSPKey is the settings value: the private key sealed with the keyring, the cert in clear.
type storedSPKey struct {
	Key       []byte    `json:"key"`
	Cert      []byte    `json:"cert"`
	CreatedAt time.Time `json:"createdAt"`
}

// spKeyCache keeps the parsed key of the last stored value seen, so an unchanged setting is not
// decrypted and parsed on every request, while a rotation on another instance is seen at once.
type spKeyCache struct {
	mu    sync.Mutex
	value string
	key   *spKey
}

// Certificate describes the SP certificate IdPs are given.
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

// currentSPKey returns the installation's SP key, generating it on first use. Concurrent first
// uses on several instances agree: only the first stored value is kept.
func (s *Service) currentSPKey(ctx context.Context) (*spKey, error) {
	var value string
	err := s.svc.Store().View(ctx, func(tx provisioning.Tx) error {
		var err error
		value, err = tx.GetSetting(ctx, settingSPKey)
		return err
	})
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		var fresh string
		if fresh, err = s.newSPKeyValue(ctx); err != nil {
			return nil, err
		}
		err = s.svc.Store().Update(ctx, func(tx provisioning.Tx) error {
			if _, err := tx.PutSettingIfAbsent(ctx, settingSPKey, fresh); err != nil {
				return err
			}
			value, err = tx.GetSetting(ctx, settingSPKey)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return s.parseSPKey(ctx, value)
}

func (s *Service) parseSPKey(ctx context.Context, value string) (*spKey, error) {
	s.spKeys.mu.Lock()
	defer s.spKeys.mu.Unlock()
	if s.spKeys.value == value && s.spKeys.key != nil {
		return s.spKeys.key, nil
	}
	var stored storedSPKey
	if err := json.Unmarshal([]byte(value), &stored); err != nil {
		return nil, provisioning.Internal(fmt.Errorf("setting %s: %w", settingSPKey, err))
	}
	der, err := s.keys.open(ctx, stored.Key, spKeyAAD)
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
	s.spKeys.value, s.spKeys.key = value, &spKey{key: key, cert: cert}
	return s.spKeys.key, nil
}

// newSPKeyValue generates an RSA-2048 key and a self-signed certificate, sealed for settings.
func (s *Service) newSPKeyValue(ctx context.Context) (string, error) {
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
	sealed, err := s.keys.seal(ctx, x509.MarshalPKCS1PrivateKey(key), spKeyAAD)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(storedSPKey{Key: sealed, Cert: der, CreatedAt: now})
	return string(b), nil
}

// SPCertificate returns the installation's SP certificate, generating the key pair if needed.
func (s *Service) SPCertificate(ctx context.Context) (Certificate, error) {
	k, err := s.currentSPKey(ctx)
	if err != nil {
		return Certificate{}, err
	}
	return certificateOf(k.cert), nil
}

// RotateSPKey replaces the SP key pair (operator only); the old one is kept as the previous key
// and still decrypts assertions encrypted for it until IdPs load the new metadata.
func (s *Service) RotateSPKey(ctx context.Context, actor provisioning.Actor) (Certificate, error) {
	if !actor.IsOperator() {
		return Certificate{}, provisioning.Errorf(provisioning.CodeForbidden, "only the operator can rotate the SAML service-provider key")
	}
	fresh, err := s.newSPKeyValue(ctx)
	if err != nil {
		return Certificate{}, err
	}
	err = s.svc.Store().Update(ctx, func(tx provisioning.Tx) error {
		old, err := tx.GetSetting(ctx, settingSPKey)
		if err == nil {
			err = tx.PutSetting(ctx, settingSPKeyPrevious, old)
		}
		if err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound) {
			return err
		}
		if err := tx.PutSetting(ctx, settingSPKey, fresh); err != nil {
			return err
		}
		return s.svc.Record(ctx, tx, provisioning.Change{Actor: actor, Action: "sso.sp_key_rotated",
			TargetType: "sso_sp_key", TargetID: "sp", Reason: "SAML service-provider key rotated"})
	})
	if err != nil {
		return Certificate{}, err
	}
	k, err := s.parseSPKey(ctx, fresh)
	if err != nil {
		return Certificate{}, err
	}
	return certificateOf(k.cert), nil
}

// previousSPKey returns the key replaced by the last rotation, or nil.
func (s *Service) previousSPKey(ctx context.Context) *spKey {
	var value string
	err := s.svc.Store().View(ctx, func(tx provisioning.Tx) error {
		var err error
		value, err = tx.GetSetting(ctx, settingSPKeyPrevious)
		return err
	})
	if err != nil {
		return nil
	}
	var stored storedSPKey
	if json.Unmarshal([]byte(value), &stored) != nil {
		return nil
	}
	der, err := s.keys.open(ctx, stored.Key, spKeyAAD)
	if err != nil {
		return nil
	}
	key, err1 := x509.ParsePKCS1PrivateKey(der)
	cert, err2 := x509.ParseCertificate(stored.Cert)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &spKey{key: key, cert: cert}
}
