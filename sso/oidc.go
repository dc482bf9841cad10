package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rollcall/rollcall/provisioning"
)

// providerTTL is how long a discovered provider (and its key set) is reused.
const providerTTL = time.Hour

// providerCache keeps discovered OIDC providers per issuer. It is only a cache: any instance can
// rediscover at any time.
type providerCache struct {
	mu sync.Mutex
	m  map[string]cachedProvider
}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

func newProviderCache() *providerCache { return &providerCache{m: map[string]cachedProvider{}} }

// provider discovers (or reuses) the issuer's provider. Discovery refuses a document naming
// another issuer.
func (s *Service) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	s.providers.mu.Lock()
	cached, ok := s.providers.m[issuer]
	s.providers.mu.Unlock()
	if ok && time.Since(cached.at) < providerTTL {
		return cached.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), issuer)
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		s.logger.InfoContext(ctx, "sso: discovery names another issuer", "url", wellKnown(issuer), "err", firstLine(err.Error()))
		return nil, refuse(provisioning.CodeUnauthorized, nil, "The identity provider's discovery document names a different issuer than this connection's (%s).", issuer)
	}
	if err != nil {
		return nil, s.unavailable(ctx, "the identity provider's discovery document", wellKnown(issuer), err)
	}
	s.providers.mu.Lock()
	s.providers.m[issuer] = cachedProvider{p: p, at: time.Now()}
	s.providers.mu.Unlock()
	return p, nil
}

// oauthConfig is the OAuth 2.0 client of a connection, with its secret unsealed.
func (s *Service) oauthConfig(ctx context.Context, c connection, p *oidc.Provider) (*oauth2.Config, error) {
	var secret string
	if c.Secret != nil {
		plain, err := s.svc.Open(ctx, c.Secret, c.ID)
		if err != nil {
			return nil, err
		}
		secret = string(plain)
	}
	return &oauth2.Config{ClientID: c.cfg.OIDC.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: s.callbackURL(c.ID), Scopes: c.cfg.OIDC.Scopes}, nil
}

// startOIDC sends the browser to the provider with an authorization code request carrying the
// flow's state, a nonce and a PKCE S256 challenge; the verifier stays in the database.
func (s *Service) startOIDC(ctx context.Context, w http.ResponseWriter, r *http.Request, st start) error {
	p, err := s.provider(ctx, st.conn.cfg.OIDC.Issuer)
	if err != nil {
		return err
	}
	cfg, err := s.oauthConfig(ctx, st.conn, p)
	if err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	nonce, _ := provisioning.NewSecret("")
	state, err := s.newFlow(ctx, w, r, st, provisioning.SSOFlow{Nonce: nonce, Verifier: verifier})
	if err != nil {
		return err
	}
	noStore(w)
	http.Redirect(w, r, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
	return nil
}

// handleCallback is the OIDC redirect URI: GET /sso/oidc/{connection}/callback.
func (s *Service) handleCallback(w http.ResponseWriter, r *http.Request) {
	s.complete(w, r, ProtocolOIDC, "OIDC response", s.verifyOIDC)
}

// verifyOIDC checks the callback: the state names a flow of this connection started in this
// browser, the code exchanges with the flow's PKCE verifier, the ID token is signed by the
// issuer's keys, issued by the connection's issuer for its client id, unexpired, and carries
// the flow's nonce.
func (s *Service) verifyOIDC(ctx context.Context, r *http.Request, c connection) (arrival, error) {
	a := arrival{conn: c}
	q := r.URL.Query()
	state := q.Get("state")
	if !strings.HasPrefix(state, flowPrefix) {
		return a, refuse(provisioning.CodeInvalid, nil, "The identity provider's answer carries no sign-in state. Start the sign-in at Rollcall.")
	}
	f, hash, err := s.loadFlow(ctx, r, state, c.ID)
	a.flowHash = hash
	if err != nil {
		return a, err
	}
	a.flow = f
	if e := q.Get("error"); e != "" {
		return a, refuse(provisioning.CodeUnauthorized, fmt.Errorf("%s: %s", e, q.Get("error_description")), "The identity provider did not sign you in (%s).", truncate(firstLine(e)))
	}
	if q.Get("code") == "" {
		return a, refuse(provisioning.CodeInvalid, nil, "The identity provider's answer carries no authorization code.")
	}
	p, err := s.provider(ctx, c.cfg.OIDC.Issuer)
	if err != nil {
		return a, err
	}
	cfg, err := s.oauthConfig(ctx, c, p)
	if err != nil {
		return a, err
	}
	hc := oidc.ClientContext(ctx, s.client)
	tok, err := cfg.Exchange(hc, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) {
		return a, refuse(provisioning.CodeUnauthorized, errors.New(tokenRefusal(refused)), "The identity provider refused to exchange the sign-in code.")
	}
	if err != nil {
		return a, s.unavailable(ctx, "the sign-in's tokens", "the identity provider of "+c.cfg.OIDC.Issuer, err)
	}
	claims, subject, err := s.idTokenClaims(hc, c, p, tok, f.Nonce)
	if err != nil {
		return a, err
	}
	a.attrs = oidcAttributes(claims)
	a.identity, err = oidcIdentity(c, claims, subject)
	return a, err
}

// idTokenClaims verifies the ID token and returns its claims, completed from the userinfo
// endpoint when the ID token lacks what the connection needs.
func (s *Service) idTokenClaims(ctx context.Context, c connection, p *oidc.Provider, tok *oauth2.Token, nonce string) (map[string]any, string, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, "", refuse(provisioning.CodeUnauthorized, nil, "The identity provider returned no ID token.")
	}
	verifier := p.Verifier(&oidc.Config{ClientID: c.cfg.OIDC.ClientID, Now: func() time.Time { return s.svc.Now().Add(-s.skew) }})
	idt, err := verifier.Verify(ctx, raw)
	if err != nil && strings.Contains(err.Error(), "fetching keys") {
		return nil, "", s.unavailable(ctx, "the identity provider's signing keys", "the identity provider of "+c.cfg.OIDC.Issuer, err)
	}
	if err != nil {
		return nil, "", classifyIDToken(err)
	}
	if idt.IssuedAt.IsZero() {
		return nil, "", refuse(provisioning.CodeUnauthorized, nil, "The ID token has no issue time (iat), which OpenID Connect requires.")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, "", refuse(provisioning.CodeInvalid, err, "The ID token's claims could not be read.")
	}
	if len(idt.Audience) > 1 && claims["azp"] != c.cfg.OIDC.ClientID {
		return nil, "", refuse(provisioning.CodeUnauthorized, fmt.Errorf("aud %v, azp %v", idt.Audience, claims["azp"]), "The ID token was issued to a different client.")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return nil, "", refuse(provisioning.CodeUnauthorized, nil, "The ID token does not belong to this sign-in (its nonce does not match).")
	}
	if idt.Subject == "" || len(idt.Subject) > 255 {
		return nil, "", refuse(provisioning.CodeInvalid, nil, "The ID token has no usable subject.")
	}
	if s.needUserInfo(c, claims) && p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, "", s.unavailable(ctx, "your profile", "the identity provider of "+c.cfg.OIDC.Issuer, err)
		}
		if ui.Subject != idt.Subject {
			return nil, "", refuse(provisioning.CodeUnauthorized, fmt.Errorf("userinfo sub %q, id token sub %q", ui.Subject, idt.Subject), "The identity provider's profile answer is about someone else.")
		}
		extra := map[string]any{}
		if err := ui.Claims(&extra); err == nil {
			for k, v := range extra {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	}
	return claims, idt.Subject, nil
}

// needUserInfo reports whether the ID token lacks the email claim, or the groups claim while
// group rules depend on it; the userinfo endpoint then completes the claims.
func (s *Service) needUserInfo(c connection, claims map[string]any) bool {
	if _, ok := claims[emailClaim(c)]; !ok {
		return true
	}
	groups := c.cfg.Mapping.Groups
	if groups == "" {
		groups = oidcGroupsNames[0]
	}
	_, ok := claims[groups]
	return !ok && len(c.cfg.GroupRoles) > 0
}

func emailClaim(c connection) string {
	if c.cfg.Mapping.Email != "" {
		return c.cfg.Mapping.Email
	}
	return oidcEmailNames[0]
}

// unavailable is a failed fetch during a sign-in: the generic text, the cause in the server log
// only (not in the audit log: it may quote the answer).
func (s *Service) unavailable(ctx context.Context, what, where string, cause error) error {
	return refuse(provisioning.CodeUnavailable, nil, "%s Try again later.", s.unreachable(ctx, what, where, cause))
}

// tokenRefusal describes a token endpoint's error answer for the audit log by its status and
// OAuth error code only: the rest of the body is the provider's text.
func tokenRefusal(e *oauth2.RetrieveError) string {
	out := "token endpoint refused"
	if e.Response != nil {
		out += ": HTTP " + strconv.Itoa(e.Response.StatusCode)
	}
	if oauthErrorCode.MatchString(e.ErrorCode) {
		out += " " + e.ErrorCode
	}
	return out
}

var oauthErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

func classifyIDToken(err error) error {
	text := err.Error()
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return refuse(provisioning.CodeUnauthorized, err, "The ID token has expired.")
	case strings.Contains(text, "different provider"):
		return refuse(provisioning.CodeUnauthorized, err, "The ID token was issued by a different identity provider than this connection's issuer.")
	case strings.Contains(text, "audience"):
		return refuse(provisioning.CodeUnauthorized, err, "The ID token was issued to a different client than this connection's.")
	}
	return refuse(provisioning.CodeUnauthorized, err, "The ID token's signature could not be verified with the identity provider's keys.")
}

// oidcIdentity maps claims to the pipeline's identity. The email_verified claim is not used: an
// org's IdP is trusted for the org's verified domains, and for no other, whatever it claims.
func oidcIdentity(c connection, claims map[string]any, subject string) (provisioning.Identity, error) {
	id := c.cfg.Mapping.person(oidcAttributes(claims), oidcNames, oidcGroupsOverage(claims))
	id.Issuer, id.Subject = c.issuer(), subject
	return normalizeEmail(c, id)
}

// oidcAttributes are the claims with string, boolean or string-list values.
func oidcAttributes(claims map[string]any) attributes {
	attrs := attributes{}
	for k, v := range claims {
		switch t := v.(type) {
		case string:
			attrs.add(k, t)
		case bool:
			attrs.add(k, fmt.Sprint(t))
		case []any:
			values := []string{} // an empty list is sent, unlike a missing claim
			for _, item := range t {
				if str, ok := item.(string); ok {
					values = append(values, str)
				}
			}
			attrs.add(k, values...)
		}
	}
	return attrs
}
