package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// crossOrigin refuses unsafe cross-origin browser requests, as the API does for the session.
var crossOrigin = http.NewCrossOriginProtection()

// csrfField names the hidden field that carries a form's token.
const csrfField = "csrf"

// formToken is the token every console form carries: a hash of the session secret, which
// another site can neither read (the cookie is HttpOnly) nor work out. It changes with every
// session and needs no storage. It backs up the cross-origin check for browsers that send
// neither Sec-Fetch-Site nor Origin.
func formToken(sessionSecret string) string {
	sum := sha256.Sum256([]byte("rollcall console form\x00" + sessionSecret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// formTokenMatches reports whether a submitted token is the session's, in constant time.
func formTokenMatches(sessionSecret, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(formToken(sessionSecret)), []byte(got)) == 1
}
