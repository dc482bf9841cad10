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
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
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
	// RecordSSOAssertion remembers an accepted assertion id until expiresAt; the same id for the
	// same connection again is a conflict.
	RecordSSOAssertion(ctx context.Context, connectionID, assertionID string, expiresAt time.Time) error

	InsertSSOCode(ctx context.Context, c SSOCode, hash []byte) error
	// ConsumeSSOCode marks the code used at now; a used, expired or unknown code is not_found.
	ConsumeSSOCode(ctx context.Context, hash []byte, now time.Time) (SSOCode, error)
	// PurgeSSO deletes flows, codes and assertion ids that expired before now.
	PurgeSSO(ctx context.Context, now time.Time) (int64, error)
}
