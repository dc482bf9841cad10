package config

import (
	"maps"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"time"

	"github.com/rollcall/rollcall/seats"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || !c.AutoMigrate || c.ShutdownTimeout != 15*time.Second ||
		c.PublicURL != "" || c.SMTPPort != 587 || c.SMTPTLS != "starttls" ||
		c.SMTPFrom != "Rollcall <no-reply@localhost>" || c.LogFormat != "text" || c.IsPostgres() || c.SSOAllowPrivateFetch {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	c, err := Load([]string{"--addr", ":9999"}, env(map[string]string{"ROLLCALL_ADDR": ":7777", "ROLLCALL_LOG_FORMAT": "json"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || c.LogFormat != "json" {
		t.Fatalf("got %+v", c)
	}
}

func TestBooleanFlags(t *testing.T) {
	cases := []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", true},
		{nil, "false", false},
		{[]string{"--auto-migrate=false"}, "", false},
		{[]string{"--auto-migrate"}, "false", true},
	}
	for _, c := range cases {
		cfg, err := Load(c.args, env(map[string]string{"ROLLCALL_AUTO_MIGRATE": c.env}))
		if err != nil || cfg.AutoMigrate != c.want {
			t.Errorf("%v with ROLLCALL_AUTO_MIGRATE=%q: got %v, %v; want %v", c.args, c.env, cfg.AutoMigrate, err, c.want)
		}
	}
}

func TestSSOAllowPrivateFetch(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want bool
	}{{nil, "", false}, {nil, "true", true}, {[]string{"--sso-allow-private-fetch"}, "", true}, {[]string{"--sso-allow-private-fetch=false"}, "true", false}} {
		cfg, err := Load(c.args, env(map[string]string{"ROLLCALL_SSO_ALLOW_PRIVATE_FETCH": c.env}))
		if err != nil || cfg.SSOAllowPrivateFetch != c.want {
			t.Errorf("%v with ROLLCALL_SSO_ALLOW_PRIVATE_FETCH=%q: got %v, %v; want %v", c.args, c.env, cfg.SSOAllowPrivateFetch, err, c.want)
		}
	}
}

func TestDatabaseURLs(t *testing.T) {
	for _, ok := range []string{"", "postgres://u:p@db:5432/rollcall?sslmode=require", "postgresql://db/x", "sqlite:/tmp/x.db", "./x.db"} {
		cfg, err := Load([]string{"--database-url", ok}, env(nil))
		if err != nil || cfg.DatabaseURL != ok {
			t.Errorf("%q: %v", ok, err)
		}
	}
	_, err := Load(nil, env(map[string]string{"ROLLCALL_DATABASE_URL": "mysql://root:hunter2@db/x"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("an unsupported URL must name its scheme and hide the rest: %v", err)
	}
}

func TestDatabasePoolSettings(t *testing.T) {
	for _, c := range []struct {
		args    []string
		env     map[string]string
		conns   int
		migrate string
	}{
		{nil, nil, 0, ""},
		{[]string{"--database-max-conns", "12"}, nil, 12, ""},
		{nil, map[string]string{"ROLLCALL_DATABASE_MAX_CONNS": "7", "ROLLCALL_DATABASE_MIGRATE_URL": "postgres://db:5432/x"}, 7, "postgres://db:5432/x"},
		{[]string{"--database-max-conns", "auto"}, map[string]string{"ROLLCALL_DATABASE_MAX_CONNS": "7"}, 0, ""},
	} {
		cfg, err := Load(c.args, env(c.env))
		if err != nil || cfg.DatabaseMaxConns != c.conns || cfg.DatabaseMigrateURL != c.migrate {
			t.Errorf("%v %v: got %d, %q, %v; want %d, %q", c.args, c.env, cfg.DatabaseMaxConns, cfg.DatabaseMigrateURL, err, c.conns, c.migrate)
		}
	}
	_, err := Load([]string{"--database-migrate-url", "mysql://root:hunter2@db/x"}, env(nil))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad migrate URL must be refused without echoing it: %v", err)
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--log-level", "loud"}, nil, `invalid --log-level (ROLLCALL_LOG_LEVEL) "loud": use debug, info, warn or error`},
		{nil, map[string]string{"ROLLCALL_LOG_LEVEL": "loud"}, `invalid --log-level (ROLLCALL_LOG_LEVEL, set in the environment) "loud"`},
		{nil, map[string]string{"ROLLCALL_DATABASE_URL": "mysql://x"}, "invalid --database-url (ROLLCALL_DATABASE_URL, set in the environment): "},
		{[]string{"--database-url", "postgres://%zz"}, nil, "invalid --database-url (ROLLCALL_DATABASE_URL): malformed"},
		{[]string{"--database-url", "rollcall.db"}, nil, "--database-url"},
		{[]string{"--addr", "nope"}, nil, "--addr"},
		{[]string{"--database-max-conns", "0"}, nil, `invalid --database-max-conns (ROLLCALL_DATABASE_MAX_CONNS) "0": use auto or a number`},
		{[]string{"--database-max-conns", "lots"}, nil, "--database-max-conns"},
		{[]string{"--log-format", "xml"}, nil, "--log-format"},
		{[]string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout"},
		{[]string{"--auto-migrate=maybe"}, nil, "--auto-migrate"},
		{[]string{"--operator-key", "short"}, nil, "--operator-key"},
		{[]string{"--public-url", "ftp://x"}, nil, "--public-url"},
		{[]string{"--smtp-port", "70000"}, nil, "--smtp-port"},
		{[]string{"--smtp-tls", "maybe"}, nil, "--smtp-tls"},
		{[]string{"--dns-resolver", "8.8.8.8"}, nil, "--dns-resolver"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,lb.internal"}, nil, `invalid --trusted-proxies (ROLLCALL_TRUSTED_PROXIES) "lb.internal" is neither an IP address nor a CIDR`},
		{[]string{"--invite-quotas", "gold=5"}, nil, `invalid --invite-quotas (ROLLCALL_INVITE_QUOTAS) "gold=5": use plan=N`},
		{[]string{"--invite-quotas", "pro=-1/day"}, nil, "the quota must be a positive number"},
		{[]string{"--sso-clock-skew", "10m"}, nil, `invalid --sso-clock-skew (ROLLCALL_SSO_CLOCK_SKEW) "10m": use at most 3m`},
		{nil, map[string]string{"ROLLCALL_SSO_ALLOW_PRIVATE_FETCH": "yes"}, `invalid --sso-allow-private-fetch (ROLLCALL_SSO_ALLOW_PRIVATE_FETCH, set in the environment) "yes": use true or false`},
		{[]string{"--no-such-flag"}, nil, "unknown setting --no-such-flag"},
		{[]string{"--addr"}, nil, "--addr needs a value"},
		{[]string{"stray"}, nil, `unexpected argument "stray"`},
	}
	for _, c := range cases {
		_, err := Load(c.args, env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: got %v, want one line containing %q", c.args, c.env, err, c.want)
		}
	}
}

// TestREADMEListsEverySetting keeps README.md's configuration table and the settings table equal:
// every setting has a row with its flag, variable and default, and every row is a setting.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\| `([A-Z_]+)` \\| ([^|]+) \\|").FindAllStringSubmatch(string(readme), -1) {
		rows[m[1]] = m[2] + " " + strings.TrimSpace(m[3])
	}
	known := map[string]bool{}
	for _, s := range Settings {
		known[s.Flag] = true
		def := "—"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		if want := s.Env + " " + def; rows[s.Flag] != want {
			t.Errorf("README.md row for --%s: got %q, want %q", s.Flag, rows[s.Flag], want)
		}
	}
	for flag := range rows {
		if !known[flag] {
			t.Errorf("README.md lists --%s, which is not a setting", flag)
		}
	}
}

func TestUsageListsEverySetting(t *testing.T) {
	u := Usage()
	for _, s := range Settings {
		if !strings.Contains(u, "--"+s.Flag) || !strings.Contains(u, s.Env) {
			t.Errorf("usage lacks --%s", s.Flag)
		}
	}
}

func TestDefaultPublicURLFollowsTheListener(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:4321": "http://127.0.0.1:4321", "[::]:80": "http://localhost:80", "0.0.0.0:8080": "http://localhost:8080"} {
		var c Config
		tcp, _ := net.ResolveTCPAddr("tcp", addr)
		c.DefaultPublicURL(tcp)
		if c.PublicURL != want {
			t.Errorf("%s: %s, want %s", addr, c.PublicURL, want)
		}
	}
	c := Config{PublicURL: "https://id.example.com"}
	c.DefaultPublicURL(&net.TCPAddr{Port: 1})
	if c.PublicURL != "https://id.example.com" {
		t.Fatal("a configured public URL must stay")
	}
}

func TestInviteQuotas(t *testing.T) {
	c, err := Load([]string{"--invite-quotas", "Business=5000/day, trial=10,enterprise=none"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := map[seats.Plan]InviteQuota{seats.PlanBusiness: {Daily: 5000}, seats.PlanTrial: {Lifetime: 10}, seats.PlanEnterprise: {}}
	if !maps.Equal(c.InviteQuotas, want) {
		t.Fatalf("quotas = %v, want %v", c.InviteQuotas, want)
	}
}

// TestWebhookPreviousSecret: the secret being rotated out is read, and refused when short or
// equal to the current one.
func TestWebhookPreviousSecret(t *testing.T) {
	base := map[string]string{"ROLLCALL_WEBHOOK_URL": "https://app.example/hooks", "ROLLCALL_WEBHOOK_SECRET": "new-secret-0123456789"}
	c, err := Load([]string{"--webhook-previous-secret", "old-secret-0123456789"}, env(base))
	if err != nil || c.WebhookPreviousSecret != "old-secret-0123456789" {
		t.Fatalf("previous secret: %q %v", c.WebhookPreviousSecret, err)
	}
	for _, bad := range []string{"short", "new-secret-0123456789"} {
		if _, err := Load([]string{"--webhook-previous-secret", bad}, env(base)); err == nil || !strings.Contains(err.Error(), "--webhook-previous-secret") {
			t.Errorf("previous secret %q: %v", bad, err)
		}
	}
}
