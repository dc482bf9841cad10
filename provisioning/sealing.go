package provisioning

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
)

// settingSecretKey keeps the generated sealing key when the configuration gives none (named
// after its first user, single sign-on, and kept so for installations that have one).
const settingSecretKey = "sso.secret_key"

// KeyFromPassphrase derives a 32-byte sealing key from a passphrase in the configuration.
func KeyFromPassphrase(passphrase string) []byte {
	sum := sha256.Sum256([]byte(passphrase))
	return sum[:]
}

// keyring seals and opens secrets at rest with AES-256-GCM. The key comes from the
// configuration or, failing that, from the settings table (generated on first use).
type keyring struct {
	store      Store
	mu         sync.Mutex
	aead       cipher.AEAD
	configured bool
}

func newKeyring(store Store, key []byte) *keyring {
	k := &keyring{store: store, configured: len(key) > 0}
	if len(key) > 0 {
		if len(key) != 32 {
			sum := sha256.Sum256(key)
			key = sum[:]
		}
		k.aead = mustGCM(key)
	}
	return k
}

func mustGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// get returns the AEAD, loading or generating the stored key when none was configured. Every
// instance ends up with the same stored key: the first to store it wins.
func (k *keyring) get(ctx context.Context) (cipher.AEAD, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.aead != nil {
		return k.aead, nil
	}
	var aead cipher.AEAD
	err := k.store.Update(ctx, func(tx StoreTx) error {
		var err error
		aead, err = loadKey(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	k.aead = aead
	return aead, nil
}

// getIn is get inside the caller's transaction: a second transaction could wait for the first
// (SQLite has one writer). A key generated here is not cached, since the caller may roll back.
func (k *keyring) getIn(ctx context.Context, tx StoreTx) (cipher.AEAD, error) {
	k.mu.Lock()
	aead := k.aead
	k.mu.Unlock()
	if aead != nil {
		return aead, nil
	}
	return loadKey(ctx, tx)
}

// loadKey reads the stored key, generating it first if none is stored; of concurrent
// generators the first to store wins.
func loadKey(ctx context.Context, tx StoreTx) (cipher.AEAD, error) {
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	if _, err := tx.PutSettingIfAbsent(ctx, settingSecretKey, base64.StdEncoding.EncodeToString(fresh)); err != nil {
		return nil, err
	}
	encoded, err := tx.GetSetting(ctx, settingSecretKey)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		return nil, Internal(fmt.Errorf("setting %s is not a base64 32-byte key", settingSecretKey))
	}
	return mustGCM(key), nil
}

// Seal encrypts a secret to keep at rest (an OIDC client secret, a private key), bound to aad,
// what it belongs to: nonce || ciphertext. The key is Options.SecretKey or, without one, a key
// generated once into the settings table. Inside a transaction use SealTx.
func (s *Service) Seal(ctx context.Context, plaintext []byte, aad string) ([]byte, error) {
	aead, err := s.keys.get(ctx)
	if err != nil {
		return nil, err
	}
	return seal(aead, plaintext, aad), nil
}

// SealTx is Seal in the caller's transaction, for a secret written with the entrance's rows
// (a queued email's links).
func (s *Service) SealTx(ctx context.Context, in Txn, plaintext []byte, aad string) ([]byte, error) {
	aead, err := s.keys.getIn(ctx, in.storeTx())
	if err != nil {
		return nil, err
	}
	return seal(aead, plaintext, aad), nil
}

func seal(aead cipher.AEAD, plaintext []byte, aad string) []byte {
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(aad))
}

// SecretKeyConfigured reports whether the sealing key came from the configuration; when not,
// it is kept in the database it protects, and a copy of the database opens every secret.
func (s *Service) SecretKeyConfigured() bool { return s.keys.configured }

// errSealedKey says a sealed secret does not open with the current key.
var errSealedKey = errors.New("sealed secret does not open with the configured key")

// Open decrypts what Seal produced for the same aad.
func (s *Service) Open(ctx context.Context, sealed []byte, aad string) ([]byte, error) {
	aead, err := s.keys.get(ctx)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, Internal(errSealedKey)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, &Error{Code: CodeInternal, Message: "Internal error.",
			Cause: fmt.Errorf("%w (was the secret key changed?)", errSealedKey)}
	}
	return plain, nil
}
