package sso

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	dsig "github.com/russellhaering/goxmldsig"

	"github.com/rollcall/rollcall/provisioning"
)

// RealmFinder finds the org that holds an email's domain verified, for home-realm discovery
// (/sso/start?email=…). The domains capability implements it; not_found when no org does.
type RealmFinder interface {
	FindOrgByEmail(ctx context.Context, email string) (orgID string, err error)
}

// Defaults and bounds of Options.
const (
	DefaultClockSkew = time.Minute
	MaxClockSkew     = 3 * time.Minute
	DefaultFlowTTL   = 10 * time.Minute
	DefaultCodeTTL   = time.Minute
	// BrowserCookie binds a sign-in to the browser that started it.
	BrowserCookie = "rollcall_sso"
	// MountPath is where the lead mounts Handler.
	MountPath = "/sso"
)

// Options configure the SSO service.
type Options struct {
	// BaseURL is Rollcall's public origin, e.g. https://rollcall.example.com. ACS, metadata and
	// callback URLs are BaseURL + /sso/…; cookies are Secure when it is https.
	BaseURL string
	// Realms enables home-realm discovery by email; nil answers ?email= with a clear page.
	Realms RealmFinder
	// ClockSkew is the leeway on assertion and token times (default 1m, at most 3m).
	ClockSkew time.Duration
	// FlowTTL bounds the time between starting a sign-in and coming back (default 10m).
	FlowTTL time.Duration
	// CodeTTL bounds the life of the one-time code handed to the app (default 1m).
	CodeTTL time.Duration
	// RateLimitPerIP and RateLimitPerConnection bound unauthenticated SSO requests per minute
	// (defaults DefaultRateLimitPerIP, DefaultRateLimitPerConnection).
	RateLimitPerIP, RateLimitPerConnection int
	// FailureAuditWindow is the window in which identical sign-in failures of a connection are
	// audited together (default DefaultFailureAuditWindow); negative audits every failure.
	FailureAuditWindow time.Duration
	// MetadataRefresh is how often IdP metadata given by URL is fetched again (default 12h).
	MetadataRefresh time.Duration
	// SPKeyGracePeriod is how long a rotated SAML SP key is published beside the current one,
	// both decrypting, before it replaces it (default DefaultSPKeyGracePeriod, 14 days).
	SPKeyGracePeriod time.Duration
	// ConsolePath is where a console sign-in lands (default /).
	ConsolePath string
	// AllowPrivateFetch lets Rollcall fetch over plain http and from loopback, private,
	// link-local and other non-public addresses (IdP metadata, OIDC discovery, keys, tokens,
	// userinfo), and accepts http:// URLs on any host. For development and tests only: it lets
	// org admins make the server reach its own network.
	AllowPrivateFetch bool
	Logger            *slog.Logger
}

// Service runs SSO connections, sign-ins and code exchanges on top of the provisioning core.
// It keeps no state between requests: flows, replay ids, codes and keys live in the database.
type Service struct {
	svc     *provisioning.Service
	base    *url.URL
	secure  bool
	realms  RealmFinder
	skew    time.Duration
	flowTTL time.Duration
	// metadataRefresh is how often IdP metadata URLs are fetched again.
	metadataRefresh time.Duration
	// perIP and perConnection are the request limits per minute.
	perIP, perConnection int
	failureWindow        time.Duration
	codeTTL              time.Duration
	console              string
	client               *http.Client
	private              bool
	logger               *slog.Logger
	providers            *providerCache
	spKeys               *spKeyCache
	samlClock            *dsig.Clock
	// spKeyGrace is Options.SPKeyGracePeriod.
	spKeyGrace time.Duration
}

// New builds the SSO service; a missing or malformed BaseURL is an error.
func New(svc *provisioning.Service, o Options) (*Service, error) {
	base, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, provisioning.Invalidf("baseUrl", "the SSO base URL must be an absolute http(s) URL such as https://rollcall.example.com")
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = DefaultClockSkew
	}
	o.ClockSkew = min(o.ClockSkew, MaxClockSkew)
	if o.FlowTTL <= 0 {
		o.FlowTTL = DefaultFlowTTL
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = DefaultCodeTTL
	}
	if o.RateLimitPerIP <= 0 {
		o.RateLimitPerIP = DefaultRateLimitPerIP
	}
	if o.RateLimitPerConnection <= 0 {
		o.RateLimitPerConnection = DefaultRateLimitPerConnection
	}
	if o.FailureAuditWindow == 0 {
		o.FailureAuditWindow = DefaultFailureAuditWindow
	}
	if o.MetadataRefresh <= 0 {
		o.MetadataRefresh = DefaultMetadataRefresh
	}
	if o.SPKeyGracePeriod <= 0 {
		o.SPKeyGracePeriod = DefaultSPKeyGracePeriod
	}
	if o.ConsolePath == "" {
		o.ConsolePath = "/"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		svc: svc, base: base, secure: base.Scheme == "https",
		realms: o.Realms, skew: o.ClockSkew, flowTTL: o.FlowTTL, codeTTL: o.CodeTTL, metadataRefresh: o.MetadataRefresh,
		perIP: o.RateLimitPerIP, perConnection: o.RateLimitPerConnection, failureWindow: o.FailureAuditWindow,
		console: o.ConsolePath, client: newFetchClient(fetchRules{allowPrivate: o.AllowPrivateFetch}), private: o.AllowPrivateFetch,
		logger: o.Logger, providers: newProviderCache(), spKeys: &spKeyCache{}, samlClock: newSAMLClock(svc.Now),
		spKeyGrace: o.SPKeyGracePeriod,
	}, nil
}

// url is an absolute URL on Rollcall for path (which starts with /sso/).
func (s *Service) url(path string) string { return s.base.String() + path }

// HasSSO reports whether the org has an enabled connection; home-realm discovery in the domains
// capability asks it.
func (s *Service) HasSSO(ctx context.Context, orgID string) (bool, error) {
	var found bool
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		list, err := tx.ListSSOConnections(ctx, orgID)
		for _, c := range list {
			found = found || c.Enabled
		}
		return err
	})
	return found, err
}

// Purge deletes expired sign-in flows, codes and replay ids, and retires the old SP key of a
// rotation whose grace period is over; the server runs it now and then.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	if err := s.retireSPKey(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		n, err = tx.PurgeSSO(ctx, s.svc.Now())
		return err
	})
	return n, err
}
