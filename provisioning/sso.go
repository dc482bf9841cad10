package provisioning

import (
	"context"
	"encoding/json"
	"time"
)

// SSOConnection is an org's single sign-on connection to its identity provider. The protocol
// settings live in Config, whose shape belongs to package sso; Secret is the OIDC client secret
// sealed with AES-GCM (nil when there is none).
type SSOConnection struct {
	ID        string
	OrgID     string
	Protocol  string
	Name      string
	Enabled   bool
	Config    json.RawMessage
	Secret    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SSOFlow is a sign-in in progress, kept server-side so any instance can finish it. It is found
// by the hash of the state (OIDC) or RelayState (SAML) secret and used at most once.
type SSOFlow struct {
	ID           string
	ConnectionID string
	OrgID        string
	// RequestID is the SAML AuthnRequest id the response must answer (InResponseTo).
	RequestID string
	// Nonce and Verifier are the OIDC nonce and PKCE code verifier.
	Nonce    string
	Verifier string
	// BrowserHash is the hash of the cookie that binds the flow to the browser that started it.
	BrowserHash []byte
	// RedirectURI is the app's registered redirect URI; empty for a console sign-in.
	RedirectURI string
	AppState    string
	// TestBy is the user who started a test sign-in from the console; empty for a real sign-in.
	// The callback of a test flow checks what arrives, stores TestResult and signs nobody in.
	TestBy string
	// TestReturn is the console page that shows a test's result.
	TestReturn string
	// TestResult is what a finished test found (JSON owned by package sso); nil until then.
	TestResult json.RawMessage
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}

// SSOCode is a one-time code handed to the SaaS app after a sign-in; the app exchanges it for
// the profile. Only its hash is stored.
type SSOCode struct {
	ID           string
	OrgID        string
	ConnectionID string
	UserID       string
	MembershipID string
	RedirectURI  string
	Groups       []string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       *time.Time
}

// SSOTx reads and writes SSO connections and the short-lived sign-in state.
type SSOTx interface {
	InsertSSOConnection(ctx context.Context, c SSOConnection) error
	GetSSOConnection(ctx context.Context, id string) (SSOConnection, error)
	// ListSSOConnections lists an org's connections, oldest first.
	ListSSOConnections(ctx context.Context, orgID string) ([]SSOConnection, error)
	// ListSSOConnectionsByProtocol lists every org's connections of one protocol, for jobs
	// that watch them (IdP metadata refresh).
	ListSSOConnectionsByProtocol(ctx context.Context, protocol string) ([]SSOConnection, error)
	UpdateSSOConnection(ctx context.Context, c SSOConnection) error
	DeleteSSOConnection(ctx context.Context, orgID, id string) error

	InsertSSOFlow(ctx context.Context, f SSOFlow, hash []byte) error
	// GetSSOFlow reads a flow by the hash of its secret, used or not.
	GetSSOFlow(ctx context.Context, hash []byte) (SSOFlow, error)
	// ConsumeSSOFlow marks the flow used at now; a used, expired or unknown flow is not_found,
	// so of two concurrent callbacks exactly one wins.
	ConsumeSSOFlow(ctx context.Context, hash []byte, now time.Time) (SSOFlow, error)
	// FinishSSOTest marks an unused, unexpired test flow used at now, stores its result and
	// keeps the row until keepUntil; a used, expired, unknown or real flow is not_found.
	FinishSSOTest(ctx context.Context, hash []byte, now time.Time, result json.RawMessage, keepUntil time.Time) (SSOFlow, error)
	// GetSSOFlowByID reads a flow by its id (the console reads a test's result by it).
	GetSSOFlowByID(ctx context.Context, id string) (SSOFlow, error)
	// RecordSSOAssertion remembers an accepted assertion id until expiresAt; the same id for the
	// same connection again is a conflict.
	RecordSSOAssertion(ctx context.Context, connectionID, assertionID string, expiresAt time.Time) error

	InsertSSOCode(ctx context.Context, c SSOCode, hash []byte) error
	// ConsumeSSOCode marks the code used at now; a used, expired or unknown code is not_found.
	ConsumeSSOCode(ctx context.Context, hash []byte, now time.Time) (SSOCode, error)
	// PurgeSSO deletes flows, codes and assertion ids that expired before now.
	PurgeSSO(ctx context.Context, now time.Time) (int64, error)
}
