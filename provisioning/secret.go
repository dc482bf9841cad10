package provisioning

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// NewSecret returns a random secret with 256 bits of entropy behind prefix, and its hash. Only
// the hash is ever stored.
func NewSecret(prefix string) (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is the stored form of a secret: SHA-256. Secrets carry 256 random bits, so a fast
// hash is enough; there is nothing to brute-force.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

// SecretHint is the part of a secret shown in lists: its last four characters.
func SecretHint(secret string) string {
	if len(secret) < 4 {
		return ""
	}
	return "…" + secret[len(secret)-4:]
}

// HasPrefix reports whether a bearer credential carries prefix.
func HasPrefix(secret, prefix string) bool { return strings.HasPrefix(secret, prefix) }
