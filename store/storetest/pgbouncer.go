package storetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// PgBouncer is a private pgbouncer in transaction pooling mode in front of the test server.
type PgBouncer struct {
	port int
	mu   sync.Mutex
	log  bytes.Buffer
}

// StartPgBouncer starts a pgbouncer on a free loopback port, with its configuration in a
// temporary directory, trusting every user, pooling by transaction and passing every database
// to the test Postgres; it is stopped when the test ends. The test is skipped when no
// pgbouncer binary is installed, unless ROLLCALL_TEST_REQUIRE_PGBOUNCER=1, which fails it.
func StartPgBouncer(t testing.TB) *PgBouncer {
	t.Helper()
	bin := pgBouncerBinary()
	if bin == "" {
		if os.Getenv("ROLLCALL_TEST_REQUIRE_PGBOUNCER") == "1" {
			t.Fatal("pgbouncer is required (ROLLCALL_TEST_REQUIRE_PGBOUNCER=1) but not installed (Debian: apt-get install pgbouncer)")
		}
		t.Skip("pgbouncer not installed")
	}
	admin, err := url.Parse(adminURL())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// pgbouncer refuses to run as root; as root it is started with -u as the postgres user,
	// which must read its files.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &PgBouncer{port: freePort(t)}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
`, admin.Hostname(), admin.Port(), b.port, filepath.Join(dir, "users.txt"))
	users := fmt.Sprintf("%q \"\"\n", admin.User.Username())
	for name, text := range map[string]string{"pgbouncer.ini": ini, "users.txt": users} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			t.Fatalf("pgbouncer cannot run as root and there is no postgres user to run it as: %v", err)
		}
		args = append([]string{"-u", "postgres"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = b, b
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pgbouncer: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	b.waitReady(t)
	return b
}

// Write collects pgbouncer's log, shown when it does not start.
func (b *PgBouncer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log.Write(p)
}

func (b *PgBouncer) waitReady(t testing.TB) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", b.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t.Fatalf("pgbouncer did not listen on %s within 15s: %s", b.addr(), b.log.String())
}

func (b *PgBouncer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// URL is direct, a URL of the test Postgres, rewritten to go through the pgbouncer.
func (b *PgBouncer) URL(direct string) string {
	u, _ := url.Parse(direct)
	u.Host = b.addr()
	return u.String()
}

// Open creates a fresh database, migrates it directly (goose's session advisory lock cannot
// live behind transaction pooling) and opens a store whose pool goes through the pgbouncer.
func (b *PgBouncer) Open(t testing.TB) *sqlstore.DB {
	t.Helper()
	direct := PostgresURL(t)
	db, err := postgres.OpenWith(context.Background(), b.URL(direct), postgres.Options{MigrateURL: direct})
	if err != nil {
		t.Fatalf("open postgres through pgbouncer: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

func pgBouncerBinary() string {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func adminURL() string {
	if u := os.Getenv("ROLLCALL_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
