package sso

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// Secret prefixes: flow handles (RelayState / state), browser binding cookies, app codes.
const (
	flowPrefix    = "rcf_"
	browserPrefix = "rcb_"
	codePrefix    = "rcc_"
)

// start is where a sign-in begins: the connection and, for the app, where to return.
type start struct {
	conn        connection
	redirectURI string
	appState    string
	// testBy and testReturn make the flow a console test sign-in (see StartTest).
	testBy, testReturn string
}

// newFlow stores a sign-in in progress and returns the secret that the IdP hands back as
// RelayState (SAML) or state (OIDC). The flow is bound to this browser by a cookie, so a
// response started in another browser (login CSRF) is refused.
func (s *Service) newFlow(ctx context.Context, w http.ResponseWriter, r *http.Request, st start, f provisioning.SSOFlow) (string, error) {
	browser := s.browserSecret(w, r)
	secret, hash := provisioning.NewSecret(flowPrefix)
	now := s.svc.Now()
	f.ID, f.ConnectionID, f.OrgID = provisioning.NewID(), st.conn.ID, st.conn.OrgID
	f.BrowserHash, f.RedirectURI, f.AppState = provisioning.HashSecret(browser), st.redirectURI, st.appState
	f.TestBy, f.TestReturn = st.testBy, st.testReturn
	f.CreatedAt, f.ExpiresAt = now, now.Add(s.flowTTL)
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error { return tx.InsertSSOFlow(ctx, f, hash) })
	return secret, err
}

// browserSecret returns this browser's binding secret, setting the cookie when it has none.
// The cookie must come back on the IdP's cross-site form POST to the ACS, so over https it is
// SameSite=None; Secure. Over plain http (development) browsers drop such cookies, so it is Lax.
func (s *Service) browserSecret(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(BrowserCookie); err == nil && strings.HasPrefix(c.Value, browserPrefix) && len(c.Value) < 100 {
		return c.Value
	}
	secret, _ := provisioning.NewSecret(browserPrefix)
	same := http.SameSiteLaxMode
	if s.secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: secret, Path: MountPath + "/", HttpOnly: true,
		Secure: s.secure, SameSite: same, MaxAge: int(s.flowTTL.Seconds()) * 6})
	return secret
}

// loadFlow reads the flow behind secret and checks it belongs to connection id, is still
// usable, and was started by this browser. It consumes nothing: the sign-in's transaction does.
func (s *Service) loadFlow(ctx context.Context, r *http.Request, secret, connID string) (provisioning.SSOFlow, []byte, error) {
	hash := provisioning.HashSecret(secret)
	var f provisioning.SSOFlow
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		f, err = tx.GetSSOFlow(ctx, hash)
		return err
	})
	switch {
	case provisioning.IsCode(err, provisioning.CodeNotFound):
		return f, nil, provisioning.Errorf(provisioning.CodeGone, "This sign-in link is not known here. Start the sign-in again.")
	case err != nil:
		return f, nil, err
	case f.ConnectionID != connID:
		return f, nil, provisioning.Errorf(provisioning.CodeForbidden, "This response belongs to a sign-in started for a different connection, so it is not accepted here.")
	case f.UsedAt != nil:
		return f, hash, provisioning.Errorf(provisioning.CodeGone, "This sign-in was already completed or failed once; each sign-in can be used only once. Start the sign-in again.")
	case !s.svc.Now().Before(f.ExpiresAt):
		return f, hash, provisioning.Errorf(provisioning.CodeGone, "This sign-in took too long and expired. Start the sign-in again.")
	}
	c, err := r.Cookie(BrowserCookie)
	if err != nil || subtle.ConstantTimeCompare(provisioning.HashSecret(c.Value), f.BrowserHash) != 1 {
		return f, hash, provisioning.Errorf(provisioning.CodeForbidden, "This sign-in was started in a different browser (or its cookie was blocked). Start the sign-in again in this browser.")
	}
	return f, hash, nil
}
