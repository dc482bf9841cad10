package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// operatorKey and secretKey are fixed for the benchmark's throwaway servers.
const (
	operatorKey = "rk_bench-operator-key-0000000000"
	secretKey   = "bench-secret-key-0000000000000000"
)

// build compiles cmd/rollcall from the module root into dir and returns the binary's path.
func build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "rollcall")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rollcall")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/rollcall: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory of go.mod from the working directory upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// freshDatabase creates a new, empty Postgres database next to adminURL's and returns its URL
// and a function that drops it.
func freshDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", nil, fmt.Errorf("postgres at %s: %w", cfg.Host, err)
	}
	name := fmt.Sprintf("rollcall_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	conn.Close(ctx)
	u := replaceDatabase(adminURL, name)
	drop := func() {
		c, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u, drop, nil
}

// replaceDatabase swaps the database name in a postgres:// URL.
func replaceDatabase(u, name string) string {
	q := ""
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u, q = u[:i], u[i:]
	}
	scheme := strings.Index(u, "://") + 3
	if i := strings.IndexByte(u[scheme:], '/'); i >= 0 {
		u = u[:scheme+i]
	}
	return u + "/" + name + q
}

// server is a running `rollcall serve` process.
type server struct {
	URL     string
	Backend string
	DBURL   string // postgres URL or sqlite file path
	cmd     *exec.Cmd
	log     *os.File
}

var listeningRE = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// startServer starts bin on a loopback port with the given database and waits until it
// listens. SCIM's per-directory rate limit is lifted so the benchmark measures the server.
func startServer(ctx context.Context, bin, backend, dataDir, dbURL, debugAddr string) (*server, error) {
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir,
		"--operator-key", operatorKey, "--secret-key", secretKey,
		"--log-level", "warn", "--scim-rate-limit", "100000000", "--sso-allow-private-fetch",
		"--trusted-proxies", "127.0.0.1"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	if debugAddr != "" {
		args = append(args, "--debug-addr", debugAddr)
	}
	logf, err := os.Create(filepath.Join(dataDir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{Backend: backend, DBURL: dbURL, cmd: cmd, log: logf}
	if dbURL == "" {
		s.DBURL = filepath.Join(dataDir, "rollcall.db")
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("%s server exited before listening; see %s", backend, logf.Name())
		}
		s.URL = u
		return s, nil
	case <-time.After(90 * time.Second):
		s.stop()
		return nil, fmt.Errorf("%s server did not start within 90 s; see %s", backend, logf.Name())
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

// cleanEnv is the environment without ROLLCALL_* settings, so only the flags configure the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROLLCALL_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop ends the server with SIGTERM (then SIGKILL after 20 s) and waits for it.
func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.log.Close()
}

// memory reads the server process's resident set size and its peak, in KiB.
func (s *server) memory() (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v
		case "VmHWM:":
			hwm = v
		}
	}
	return rss, hwm
}
