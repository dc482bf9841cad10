// Package config reads Rollcall's settings from flags and ROLLCALL_* environment variables
// (flags win). Every setting is one row of the settings table below, which README.md mirrors.
package config

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rollcall/rollcall/seats"
)

// Config is the whole configuration of a Rollcall process.
type Config struct {
	Addr string
	// DebugAddr is where Go's pprof profiles are served; empty: nowhere.
	DebugAddr   string
	PublicURL   string
	DatabaseURL string
	DataDir     string
	// DatabaseMaxConns caps the PostgreSQL connection pool; 0 sizes it from the machine.
	DatabaseMaxConns int
	// DatabaseMigrateURL is a direct PostgreSQL URL for migrations (PgBouncer setups).
	DatabaseMigrateURL string
	AutoMigrate        bool
	// DatabaseWait bounds how long serve retries an unreachable database at start.
	DatabaseWait time.Duration
	// SQLiteSynchronous is full or normal.
	SQLiteSynchronous string
	LogLevel          slog.Level
	LogFormat         string
	ShutdownTimeout   time.Duration
	OperatorKey       string
	// TrustedProxies are the proxies whose X-Forwarded-For header names the client.
	TrustedProxies []netip.Prefix
	SecretKey      string

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string
	SMTPFrom     string

	WebhookURL    string
	WebhookSecret string
	// WebhookPreviousSecret is the secret being rotated out: deliveries are signed with both.
	WebhookPreviousSecret string
	DNSResolver           string
	DNSTimeout            time.Duration
	DomainReverify        time.Duration
	SCIMRateLimit         int
	SSOClockSkew          time.Duration
	// SSOAllowPrivateFetch lets SSO fetch over http and from non-public addresses (development).
	SSOAllowPrivateFetch bool
	// SSOSPKeyGracePeriod is the overlap of a SAML SP key rotation.
	SSOSPKeyGracePeriod time.Duration
	// InviteQuotas are the email invitation quotas per plan.
	InviteQuotas     map[seats.Plan]InviteQuota
	OutboxMaxAttempt int
	// OutboxRetention is how long sent emails and webhooks are kept; 0 keeps them forever.
	OutboxRetention time.Duration
}

// InviteQuota limits email invitations: Lifetime in total, or Daily per UTC day; both zero
// means no limit.
type InviteQuota struct {
	Lifetime int
	Daily    int
}

// Setting is one configuration entry: its flag, environment variable, default and meaning. A
// setting whose default is "true" or "false" is boolean and may be given as a bare flag.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	apply   func(c *Config, v string) error
}

// Settings lists every setting in the order README.md shows them.
var Settings = []Setting{
	{"addr", "ROLLCALL_ADDR", "127.0.0.1:8080", "address to listen on (host:port)", parseAddr},
	{"debug-addr", "ROLLCALL_DEBUG_ADDR", "", "address (host:port) of a second listener serving Go's profiles at /debug/pprof/ (CPU, heap, goroutines), unauthenticated: keep it on loopback; empty: off", parseDebugAddr},
	{"public-url", "ROLLCALL_PUBLIC_URL", "", "external base URL of this server (links in emails, SAML/OIDC callbacks); default http://<listen address>", parsePublicURL},
	{"database-url", "ROLLCALL_DATABASE_URL", "", "postgres://… for PostgreSQL; empty (or sqlite:<path>) for the embedded SQLite database", parseDatabaseURL},
	{"database-max-conns", "ROLLCALL_DATABASE_MAX_CONNS", "auto", "PostgreSQL connections of this instance's pool; auto: 4 per CPU the process may use (GOMAXPROCS), at least 4; a pool_max_conns in the URL wins; the embedded SQLite database ignores it", parseMaxConns},
	{"database-migrate-url", "ROLLCALL_DATABASE_MIGRATE_URL", "", "postgres://… straight to PostgreSQL for migrations, when --database-url goes through PgBouncer in transaction pooling mode; empty: migrations use --database-url", parseMigrateURL},
	{"data-dir", "ROLLCALL_DATA_DIR", "./data", "directory of the embedded SQLite database (rollcall.db)", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"database-wait", "ROLLCALL_DATABASE_WAIT", "60s", "how long serve waits for an unreachable database at start, retrying and logging each attempt; 0: give up at once", func(c *Config, v string) error { return parseDuration(&c.DatabaseWait, v) }},
	{"sqlite-synchronous", "ROLLCALL_SQLITE_SYNCHRONOUS", "full", "full: every acknowledged write survives a power loss; normal: faster, and a power loss may lose the last writes (never the file)", parseSynchronous},
	{"auto-migrate", "ROLLCALL_AUTO_MIGRATE", "true", "apply database migrations when serve starts", func(c *Config, v string) error { return parseBool(&c.AutoMigrate, v) }},
	{"log-level", "ROLLCALL_LOG_LEVEL", "info", "debug, info, warn or error", parseLevel},
	{"log-format", "ROLLCALL_LOG_FORMAT", "text", "text or json", parseFormat},
	{"trusted-proxies", "ROLLCALL_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of your load balancers; requests from them take the client address from X-Forwarded-For (rate limits, logs)", parseTrustedProxies},
	{"shutdown-timeout", "ROLLCALL_SHUTDOWN_TIMEOUT", "15s", "how long a graceful shutdown waits for in-flight requests", func(c *Config, v string) error { return parseDuration(&c.ShutdownTimeout, v) }},
	{"operator-key", "ROLLCALL_OPERATOR_KEY", "", "operator key (at least 16 characters); empty: generated on first start and printed once", parseOperatorKey},
	{"secret-key", "ROLLCALL_SECRET_KEY", "", "key that seals secrets at rest (SSO client secrets, the SAML SP key, queued emails); empty: generated and kept in the database it protects (a warning at start and in /readyz)", func(c *Config, v string) error { c.SecretKey = v; return nil }},
	{"smtp-host", "ROLLCALL_SMTP_HOST", "", "SMTP server; empty: each email is written to a file in <data-dir>/mail", func(c *Config, v string) error { c.SMTPHost = v; return nil }},
	{"smtp-port", "ROLLCALL_SMTP_PORT", "587", "SMTP port", func(c *Config, v string) error { return parsePort(&c.SMTPPort, v) }},
	{"smtp-username", "ROLLCALL_SMTP_USERNAME", "", "SMTP user name", func(c *Config, v string) error { c.SMTPUsername = v; return nil }},
	{"smtp-password", "ROLLCALL_SMTP_PASSWORD", "", "SMTP password", func(c *Config, v string) error { c.SMTPPassword = v; return nil }},
	{"smtp-tls", "ROLLCALL_SMTP_TLS", "starttls", "starttls, tls or none", parseSMTPTLS},
	{"smtp-from", "ROLLCALL_SMTP_FROM", "Rollcall <no-reply@localhost>", "sender of emails", func(c *Config, v string) error { c.SMTPFrom = v; return nil }},
	{"webhook-url", "ROLLCALL_WEBHOOK_URL", "", "endpoint of the SaaS app that receives membership events (POST, JSON, HMAC-signed); empty: events are only logged", parseWebhookURL},
	{"webhook-secret", "ROLLCALL_WEBHOOK_SECRET", "", "HMAC-SHA256 key for the Rollcall-Signature header; required with --webhook-url", func(c *Config, v string) error { c.WebhookSecret = v; return nil }},
	{"webhook-previous-secret", "ROLLCALL_WEBHOOK_PREVIOUS_SECRET", "", "the webhook secret being rotated out: while set, deliveries carry a signature by each secret; remove it once the app verifies with the new one", func(c *Config, v string) error { c.WebhookPreviousSecret = v; return nil }},
	{"outbox-max-attempts", "ROLLCALL_OUTBOX_MAX_ATTEMPTS", "8", "delivery attempts before an email or webhook is marked failed", func(c *Config, v string) error { return parsePositive(&c.OutboxMaxAttempt, v) }},
	{"outbox-retention", "ROLLCALL_OUTBOX_RETENTION", "168h", "how long sent emails and webhooks stay in the outbox before they are purged (failed ones are kept for redelivery); 0: keep forever", func(c *Config, v string) error { return parseRetention(&c.OutboxRetention, v) }},
	{"invite-quotas", "ROLLCALL_INVITE_QUOTAS", "trial=100,free=20/day,starter=100/day,pro=500/day,business=2000/day,enterprise=none", "email invitations per plan: plan=N in total, plan=N/day (resets at midnight UTC) or plan=none; plans not listed keep this default", parseInviteQuotas},
	{"dns-resolver", "ROLLCALL_DNS_RESOLVER", "", "DNS server (host:port) for domain verification; empty: the system resolver", parseResolver},
	{"dns-timeout", "ROLLCALL_DNS_TIMEOUT", "5s", "timeout of one DNS lookup", func(c *Config, v string) error { return parseDuration(&c.DNSTimeout, v) }},
	{"domain-reverify-interval", "ROLLCALL_DOMAIN_REVERIFY_INTERVAL", "6h", "how often verified domains are checked again", func(c *Config, v string) error { return parseDuration(&c.DomainReverify, v) }},
	{"sso-clock-skew", "ROLLCALL_SSO_CLOCK_SKEW", "1m", "leeway on SAML assertion and OIDC token times for IdP clock drift (at most 3m)", parseSkew},
	{"sso-allow-private-fetch", "ROLLCALL_SSO_ALLOW_PRIVATE_FETCH", "false", "let SSO fetch IdP metadata and talk to OIDC providers over plain http and at loopback, private and link-local addresses; for development and tests only", func(c *Config, v string) error { return parseBool(&c.SSOAllowPrivateFetch, v) }},
	{"sso-sp-key-grace-period", "ROLLCALL_SSO_SP_KEY_GRACE_PERIOD", "336h", "how long a rotated SAML service-provider key is published beside the current one (both decrypt) before it replaces it", func(c *Config, v string) error { return parseDuration(&c.SSOSPKeyGracePeriod, v) }},
	{"scim-rate-limit", "ROLLCALL_SCIM_RATE_LIMIT", "1200", "SCIM requests per minute per directory", func(c *Config, v string) error { return parsePositive(&c.SCIMRateLimit, v) }},
}

// Load reads args (without the program and command names) and the environment. An invalid value
// yields a one-line error naming the setting, e.g.
// invalid --log-level (ROLLCALL_LOG_LEVEL) "loud": use debug, info, warn or error.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("rollcall", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := map[string]*flagValue{}
	for _, s := range Settings {
		v := &flagValue{boolean: s.Default == "true" || s.Default == "false"}
		values[s.Flag] = v
		fs.Var(v, s.Flag, s.Usage)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, flagError(err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	var c Config
	for _, s := range Settings {
		v, from := s.Default, ", default"
		if e := getenv(s.Env); e != "" {
			v, from = e, ", set in the environment"
		}
		if fv := values[s.Flag]; fv.set {
			v, from = fv.value, ""
		}
		if err := s.apply(&c, strings.TrimSpace(v)); err != nil {
			return Config{}, fmt.Errorf("invalid --%s (%s%s)%s", s.Flag, s.Env, from, detail(err))
		}
	}
	if c.WebhookURL != "" && len(c.WebhookSecret) < 16 {
		return Config{}, fmt.Errorf("invalid --webhook-secret (ROLLCALL_WEBHOOK_SECRET): a secret of at least 16 characters is required with --webhook-url")
	}
	if c.WebhookPreviousSecret != "" && (len(c.WebhookPreviousSecret) < 16 || c.WebhookPreviousSecret == c.WebhookSecret) {
		return Config{}, fmt.Errorf("invalid --webhook-previous-secret (ROLLCALL_WEBHOOK_PREVIOUS_SECRET): the secret being rotated out has at least 16 characters and differs from --webhook-secret")
	}
	return c, nil
}

// flagError rewords the flag package's errors as one line in the settings' own terms.
func flagError(err error) error {
	msg := firstLine(err.Error())
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown setting --" + strings.TrimLeft(name, "-")
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		msg = "--" + strings.TrimLeft(name, "-") + " needs a value"
	}
	return fmt.Errorf("%s (see --help)", msg)
}

// detail joins a parse error to the setting's name: a quoted value follows with a space, any
// other explanation after a colon. It is always one line.
func detail(err error) string {
	msg := firstLine(err.Error())
	if strings.HasPrefix(msg, `"`) {
		return " " + msg
	}
	return ": " + msg
}

// flagValue records a flag's raw text; boolean settings may be given bare (--auto-migrate).
type flagValue struct {
	value   string
	set     bool
	boolean bool
}

func (f *flagValue) String() string   { return f.value }
func (f *flagValue) IsBoolFlag() bool { return f.boolean }

func (f *flagValue) Set(v string) error {
	f.value, f.set = v, true
	return nil
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// Usage renders the settings for `rollcall help`.
func Usage() string {
	var b strings.Builder
	for _, s := range Settings {
		fmt.Fprintf(&b, "  --%-26s %-34s default %q\n      %s\n", s.Flag, s.Env, s.Default, s.Usage)
	}
	return b.String()
}

// IsPostgres reports whether the database URL selects PostgreSQL.
func (c Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

func parseAddr(c *Config, v string) error {
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		return fmt.Errorf("%q is not host:port", v)
	}
	c.Addr = v
	return nil
}

func parseDebugAddr(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		return fmt.Errorf("%q is not host:port", v)
	}
	c.DebugAddr = v
	return nil
}

func parsePublicURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", v)
	}
	c.PublicURL = strings.TrimRight(v, "/")
	return nil
}

// parseDatabaseURL accepts a PostgreSQL URL, sqlite:<path>, an absolute or ./relative path to a
// SQLite file, or nothing (the embedded database in the data directory). Other values are refused
// without echoing them: they may carry a password.
func parseDatabaseURL(c *Config, v string) error {
	switch {
	case v == "", strings.HasPrefix(v, "sqlite:"), strings.HasPrefix(v, "/"), strings.HasPrefix(v, "."):
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := pgxpool.ParseConfig(v); err != nil {
			return fmt.Errorf("malformed PostgreSQL URL (check host, port and percent-escaping)")
		}
	default:
		what := "not a database URL"
		if scheme, _, ok := strings.Cut(v, "://"); ok {
			what = fmt.Sprintf("scheme %q is not supported", scheme)
		}
		return fmt.Errorf("%s; use postgres://…, sqlite:<path>, or nothing for the embedded database", what)
	}
	c.DatabaseURL = v
	return nil
}

// parseMaxConns reads auto or a pool size from 1 to 1000.
func parseMaxConns(c *Config, v string) error {
	c.DatabaseMaxConns = 0
	if v == "auto" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return fmt.Errorf("%q: use auto or a number of connections from 1 to 1000", v)
	}
	c.DatabaseMaxConns = n
	return nil
}

// parseMigrateURL accepts nothing or a PostgreSQL URL, never echoing the value (a password).
func parseMigrateURL(c *Config, v string) error {
	c.DatabaseMigrateURL = ""
	if v == "" {
		return nil
	}
	if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		return fmt.Errorf("use a postgres:// URL")
	}
	if _, err := pgxpool.ParseConfig(v); err != nil {
		return fmt.Errorf("malformed PostgreSQL URL (check host, port and percent-escaping)")
	}
	c.DatabaseMigrateURL = v
	return nil
}

func parseLevel(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return fmt.Errorf("%q: use debug, info, warn or error", v)
	}
	return nil
}

func parseFormat(c *Config, v string) error {
	if v != "text" && v != "json" {
		return fmt.Errorf("%q: use text or json", v)
	}
	c.LogFormat = v
	return nil
}

func parseDatabaseWait(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q: use a duration such as 60s, or 0 to give up at once", v)
	}
	c.DatabaseWait = d
	return nil
}

func parseSynchronous(c *Config, v string) error {
	if v != "full" && v != "normal" {
		return fmt.Errorf("%q: use full or normal", v)
	}
	c.SQLiteSynchronous = v
	return nil
}

func parseOperatorKey(c *Config, v string) error {
	if v != "" && len(v) < 16 {
		return fmt.Errorf("too short: use at least 16 characters")
	}
	c.OperatorKey = v
	return nil
}

func parseSMTPTLS(c *Config, v string) error {
	if v != "starttls" && v != "tls" && v != "none" {
		return fmt.Errorf("%q: use starttls, tls or none", v)
	}
	c.SMTPTLS = v
	return nil
}

func parseResolver(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("%q is not host:port", v)
	}
	c.DNSResolver = v
	return nil
}

func parseBool(dst *bool, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q: use true or false", v)
	}
	*dst = b
	return nil
}

func parseDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q: use a positive duration such as 30s or 5m", v)
	}
	*dst = d
	return nil
}

// parseRetention reads a duration of at least a minute, or 0 for forever.
func parseRetention(dst *time.Duration, v string) error {
	if v == "0" {
		*dst = 0
		return nil
	}
	if err := parseDuration(dst, v); err != nil || *dst < time.Minute {
		return fmt.Errorf("%q: use a duration of at least 1m such as 168h, or 0 to keep sent messages forever", v)
	}
	return nil
}

// parseTrustedProxies reads "10.0.0.0/8, 192.0.2.7".
func parseTrustedProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				return fmt.Errorf("%q is neither an IP address nor a CIDR such as 10.0.0.0/8", item)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	return nil
}

// parseInviteQuotas reads "plan=N,plan=N/day,plan=none".
func parseInviteQuotas(c *Config, v string) error {
	c.InviteQuotas = map[seats.Plan]InviteQuota{}
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, amount, ok := strings.Cut(item, "=")
		plan, known := seats.ParsePlan(name)
		if !ok || !known {
			return fmt.Errorf("%q: use plan=N, plan=N/day or plan=none with a plan among %s", item, strings.Join(seats.PlanNames(), ", "))
		}
		var q InviteQuota
		amount = strings.TrimSpace(amount)
		if amount != "none" {
			number, daily := strings.CutSuffix(amount, "/day")
			n, err := strconv.Atoi(number)
			if err != nil || n < 1 {
				return fmt.Errorf("%q: the quota must be a positive number, N/day or none", item)
			}
			if daily {
				q.Daily = n
			} else {
				q.Lifetime = n
			}
		}
		c.InviteQuotas[plan] = q
	}
	return nil
}

// parseSkew reads the SSO clock skew: a positive duration of at most three minutes, since a
// wider window only widens what an attacker can replay.
func parseSkew(c *Config, v string) error {
	if err := parseDuration(&c.SSOClockSkew, v); err != nil {
		return err
	}
	if c.SSOClockSkew > 3*time.Minute {
		return fmt.Errorf("%q: use at most 3m", v)
	}
	return nil
}

func parsePort(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: use a port from 1 to 65535", v)
	}
	*dst = n
	return nil
}

func parsePositive(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("%q: use a whole number of at least 1", v)
	}
	*dst = n
	return nil
}

func parseWebhookURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("not an http(s) URL")
	}
	c.WebhookURL = v
	return nil
}

// DefaultPublicURL fills PublicURL, when it was not set, from the address the server actually
// listens on (a wildcard host becomes localhost).
func (c *Config) DefaultPublicURL(listen net.Addr) {
	if c.PublicURL != "" {
		return
	}
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		c.PublicURL = "http://" + listen.String()
		return
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	c.PublicURL = "http://" + net.JoinHostPort(host, port)
}
