package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBinDir holds the PostgreSQL server binaries Patroni runs (Debian's postgresql-15).
const pgBinDir = "/usr/lib/postgresql/15/bin"

// patroniCluster is one etcd and two Patroni nodes, each managing its own PostgreSQL, on loopback.
type patroniCluster struct {
	t     *testing.T
	dir   string
	cred  *syscall.Credential
	etcd  *exec.Cmd
	nodes []*patroniNode
}

// patroniNode is one Patroni process and the PostgreSQL it manages.
type patroniNode struct {
	Name, Dir, BinDir         string
	APIPort, PGPort, EtcdPort int
	cmd                       *exec.Cmd
	killed                    bool
}

// clusterMember is one entry of Patroni's GET /cluster.
type clusterMember struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	State string `json:"state"`
	Port  int    `json:"port"`
}

// requirePatroni skips the test unless patroni, etcd and PostgreSQL 15 are installed; with
// ROLLCALL_TEST_REQUIRE_PATRONI=1 (set by .ci/run) their absence fails it instead.
func requirePatroni(t *testing.T) {
	t.Helper()
	var missing []string
	for _, bin := range []string{"patroni", "etcd"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if _, err := os.Stat(filepath.Join(pgBinDir, "initdb")); err != nil {
		missing = append(missing, filepath.Join(pgBinDir, "initdb"))
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("ROLLCALL_TEST_REQUIRE_PATRONI") == "1" {
		t.Fatalf("ROLLCALL_TEST_REQUIRE_PATRONI=1 but not installed: %s", strings.Join(missing, ", "))
	}
	t.Skipf("not installed: %s (Debian: apt-get install patroni etcd-server)", strings.Join(missing, ", "))
}

// startPatroni starts etcd and two Patroni nodes and waits for a leader with a streaming
// synchronous replica. PostgreSQL refuses to run as root, so as root everything runs as the
// postgres OS user in directories it owns.
func startPatroni(t *testing.T) *patroniCluster {
	t.Helper()
	c := &patroniCluster{t: t, dir: t.TempDir()}
	if os.Geteuid() == 0 {
		c.runAsPostgres()
	}
	ports := freePorts(t, 6)
	c.etcd = c.start("etcd", "etcd", "--name", "e", "--data-dir", filepath.Join(c.dir, "etcd"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		"--initial-cluster", fmt.Sprintf("e=http://127.0.0.1:%d", ports[1]))
	t.Cleanup(c.stop)
	c.waitFor("etcd healthy", 20*time.Second, func() bool {
		res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", ports[0]))
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	})
	tmpl := template.Must(template.ParseFiles("testdata/patroni/node.yml"))
	for i := range 2 {
		n := &patroniNode{Name: fmt.Sprintf("pg%d", i+1), BinDir: pgBinDir, EtcdPort: ports[0],
			APIPort: ports[2+i], PGPort: ports[4+i]}
		n.Dir = filepath.Join(c.dir, n.Name)
		c.mkdir(n.Dir)
		f, err := os.Create(filepath.Join(n.Dir, "patroni.yml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tmpl.Execute(f, n); err != nil {
			t.Fatal(err)
		}
		f.Close()
		n.cmd = c.start(n.Name, "patroni", filepath.Join(n.Dir, "patroni.yml"))
		c.nodes = append(c.nodes, n)
	}
	c.waitFor("a leader and a streaming synchronous replica", 60*time.Second, func() bool {
		leader, sync := c.roles()
		return leader != nil && sync != nil && c.streamingSync(leader)
	})
	return c
}

// runAsPostgres makes the cluster's processes run as the postgres OS user.
func (c *patroniCluster) runAsPostgres() {
	u, err := user.Lookup("postgres")
	if err != nil {
		c.t.Fatalf("running as root and there is no postgres user to run PostgreSQL as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	// t.TempDir and its parent are 0700 root: let postgres reach its own directory.
	for _, d := range []string{filepath.Dir(c.dir), c.dir} {
		if err := os.Chmod(d, 0o711); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := os.Chown(c.dir, uid, gid); err != nil {
		c.t.Fatal(err)
	}
}

func (c *patroniCluster) mkdir(dir string) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			c.t.Fatal(err)
		}
	}
}

// start runs name's command with its output in dir/name.log.
func (c *patroniCluster) start(name, bin string, args ...string) *exec.Cmd {
	log, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	log.Close()
	return cmd
}

// roles reads GET /cluster from a live node: the leader and the synchronous standby, if any.
func (c *patroniCluster) roles() (leader, sync *patroniNode) {
	for _, n := range c.nodes {
		if n.killed {
			continue
		}
		var body struct{ Members []clusterMember }
		res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/cluster", n.APIPort))
		if err != nil {
			continue
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil {
			continue
		}
		for _, m := range body.Members {
			if m.State != "running" && m.State != "streaming" {
				continue
			}
			switch node := c.byName(m.Name); {
			case node == nil || node.killed:
			case m.Role == "leader":
				leader = node
			case m.Role == "sync_standby":
				sync = node
			}
		}
		return leader, sync
	}
	return nil, nil
}

func (c *patroniCluster) byName(name string) *patroniNode {
	for _, n := range c.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// streamingSync says whether the leader sees a streaming replica with sync_state sync and
// accepts writes.
func (c *patroniCluster) streamingSync(leader *patroniNode) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, leader.url("postgres"))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var n int
	var recovery bool
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'),
		pg_is_in_recovery()`).Scan(&n, &recovery)
	return err == nil && n == 1 && !recovery
}

// url is a connection string for database db on the node alone.
func (n *patroniNode) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", n.PGPort, db)
}

// kill takes the node down as a crash would: SIGKILL to Patroni, then to its postmaster and
// every backend, so nothing is left to answer or to shut down cleanly.
func (c *patroniCluster) kill(n *patroniNode) {
	pm := postmasterPID(n.Dir)
	n.killed = true
	if err := n.cmd.Process.Kill(); err != nil {
		c.t.Fatalf("kill patroni %s: %v", n.Name, err)
	}
	_ = n.cmd.Wait()
	if pm == 0 {
		c.t.Fatalf("no postmaster.pid in %s", n.Dir)
	}
	kids := childPIDs(pm)
	_ = syscall.Kill(pm, syscall.SIGKILL)
	for _, pid := range kids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// stop ends what is still running: Patroni nodes first (each stops its PostgreSQL), then etcd.
// A PostgreSQL left behind by a Patroni that did not stop in time is killed.
func (c *patroniCluster) stop() {
	for _, n := range c.nodes {
		if !n.killed {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, n := range c.nodes {
		if n.killed {
			continue
		}
		done := make(chan struct{})
		go func() { _ = n.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = n.cmd.Process.Kill()
			<-done
		}
		if pm := postmasterPID(n.Dir); pm != 0 && syscall.Kill(pm, 0) == nil {
			_ = syscall.Kill(pm, syscall.SIGKILL)
		}
	}
	_ = c.etcd.Process.Signal(syscall.SIGTERM)
	_ = c.etcd.Wait()
	if c.t.Failed() {
		for _, name := range []string{"pg1", "pg2"} {
			if b, err := os.ReadFile(filepath.Join(c.dir, name+".log")); err == nil {
				c.t.Logf("%s.log (last 3000 bytes):\n%s", name, tail(string(b), 3000))
			}
		}
	}
}

// waitFor polls ok every 200 ms until it holds or the timeout passes.
func (c *patroniCluster) waitFor(what string, timeout time.Duration, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s within %s", what, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// postmasterPID reads the postmaster's PID from the data directory; 0 when there is none.
func postmasterPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses: state, then ppid.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, child)
		}
	}
	return kids
}

// freePorts reserves n distinct loopback ports and releases them for the processes to take.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
