package sso

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

	"github.com/rollcall/rollcall/provisioning"
)

// settingSecretKey keeps the generated sealing key when the configuration gives none.
const settingSecretKey = "sso.secret_key"

// KeyFromPassphrase derives a 32-byte sealing key from a passphrase in the configuration.
func KeyFromPassphrase(passphrase string) []byte {
	sum := sha256.Sum256([]byte(passphrase))
	return sum[:]
}

// keyring seals and opens secrets at rest with AES-256-GCM. The key comes from the
// configuration or, failing that, from the settings table (generated on first use).
type keyring struct {
	svc  *provisioning.Service
	mu   sync.Mutex
	aead cipher.AEAD
}

func newKeyring(svc *provisioning.Service, key []byte) *keyring {
	k := &keyring{svc: svc}
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
	var encoded string
	err := k.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh)
		if _, err := tx.PutSettingIfAbsent(ctx, settingSecretKey, base64.StdEncoding.EncodeToString(fresh)); err != nil {
			return err
		}
		var err error
		encoded, err = tx.GetSetting(ctx, settingSecretKey)
		return err
	})
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		return nil, provisioning.Internal(fmt.Errorf("setting %s is not a base64 32-byte key", settingSecretKey))
	}
	k.aead = mustGCM(key)
	return k.aead, nil
}

// seal encrypts plaintext bound to aad (what the secret belongs to): nonce || ciphertext.
func (k *keyring) seal(ctx context.Context, plaintext []byte, aad string) ([]byte, error) {
	aead, err := k.get(ctx)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(aad)), nil
}

// errSealedKey says a sealed secret does not open with the current key.
var errSealedKey = errors.New("sealed secret does not open with the configured key")

// open decrypts what seal produced for the same aad.
func (k *keyring) open(ctx context.Context, sealed []byte, aad string) ([]byte, error) {
	aead, err := k.get(ctx)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, provisioning.Internal(errSealedKey)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, &provisioning.Error{Code: provisioning.CodeInternal, Message: "Internal error.",
			Cause: fmt.Errorf("%w (was the SSO secret key changed?)", errSealedKey)}
	}
	return plain, nil
}
