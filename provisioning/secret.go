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

// secretBodyLen is the length of a secret's random part: 32 bytes, base64url without padding.
const secretBodyLen = 43

// RedactPath replaces every segment of a URL path that carries a secret (an invitation or invite
// link, a sign-in link, a token, a code) with its prefix and "[redacted]", for logs: a path
// copied from a log line must not sign anyone in. A segment carries a secret when it holds a
// run of at least 32 URL-safe base64 characters that is not a UUID.
func RedactPath(path string) string {
	if len(path) < 32 {
		return path
	}
	segments := strings.Split(path, "/")
	changed := false
	for i, seg := range segments {
		if redacted, ok := redactSegment(seg); ok {
			segments[i], changed = redacted, true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segments, "/")
}

func redactSegment(seg string) (string, bool) {
	run, start := 0, 0
	for i := 0; i <= len(seg); i++ {
		if i < len(seg) && isBase64URL(seg[i]) {
			if run == 0 {
				start = i
			}
			run++
			continue
		}
		if run >= 32 && !isUUID(seg[start:i]) {
			prefix := seg[:start]
			if p, _, ok := strings.Cut(seg[start:i], "_"); ok && len(p) <= 5 && p == strings.ToLower(p) {
				prefix += p + "_"
			}
			return prefix + "[redacted]", true
		}
		run = 0
	}
	return seg, false
}

func isBase64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// isUUID reports whether s is a UUID in its canonical form (ids are not secrets).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if s[i] != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])):
			return false
		}
	}
	return true
}
