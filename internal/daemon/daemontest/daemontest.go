// Package daemontest runs a DHCP server daemon in a netlab lab for the
// end-to-end tests of leasehold-dhcp4 and leasehold-dhcp6: leasehold's
// daemon built from the tree, or ISC Kea's kea-dhcp4/kea-dhcp6 as the
// oracle that the tests themselves are checked against.
//
// LEASEHOLD_E2E_SERVER chooses the server: "leasehold" (the default) or
// "kea". A test that fails against Kea is a wrong test.
//
// A daemon's tests share a Suite, which builds labs with their namespace
// prefix and starts their daemon; the checks both families make (command
// line, srv_configured, reloads, SIGTERM, a kill under load, leases kept)
// are here, run by each cmd package's tests with its family.
//
//	var suite = daemontest.Suite{Family: daemontest.V4, Pkg: "github.com/leasehold/leasehold/cmd/leasehold-dhcp4", Prefix: "lhI4"}
//
//	func TestDORA(t *testing.T) {
//		lab, cfg, d := suite.Serving(t, netlab.Options{}, nil) // Config4, edited by a func when not nil
//		ctx := daemontest.Timeout(t, time.Minute)
//		c, _ := lab.StartDHClient(lab.FirstClient(), netlab.ClientOptions{})
//		ev, _ := c.WaitEvent(ctx, "BOUND")
//		a := netip.MustParseAddr(ev["new_ip_address"])
//		daemontest.WaitLeases4(t, ctx, d.LeaseFile, "the lease", func(ls map[netip.Addr]daemontest.Lease4) bool {
//			return daemontest.Held4(ls, a, lab.FirstClient().MAC)
//		})
//		d.CheckReloads(cfg, probe, want) // SIGHUP: good file, then broken ones
//		d.Terminate(ctx)                 // SIGTERM, exit status 0
//	}
package daemontest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// Family is DHCPv4 or DHCPv6.
type Family int

const (
	V4 Family = 4
	V6 Family = 6
)

// Kind names the server the tests run against.
type Kind string

const (
	Leasehold Kind = "leasehold"
	Kea       Kind = "kea"
)

// ServerKind is the server chosen by LEASEHOLD_E2E_SERVER.
func ServerKind() (Kind, error) {
	switch k := os.Getenv("LEASEHOLD_E2E_SERVER"); k {
	case "", string(Leasehold):
		return Leasehold, nil
	case string(Kea):
		return Kea, nil
	default:
		return "", fmt.Errorf("LEASEHOLD_E2E_SERVER=%q: want leasehold or kea", k)
	}
}

// started matches the start line of both: Kea's "DHCP4_STARTED Kea DHCPv4
// server version 2.2.0 started" and leasehold's "leasehold DHCPv4 server
// version V started".
var started = regexp.MustCompile(`server version \S+ started`)

var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
	errs map[string]error
}

// Binary returns the server program for f: leasehold's daemon built from
// pkg (the package path of cmd/leasehold-dhcp4 or -dhcp6) once per test
// binary, or Kea's program from the system. It skips the test when Kea is
// missing, unless netlab.Required.
func Binary(t testing.TB, f Family, pkg string) (string, Kind) {
	t.Helper()
	kind, err := ServerKind()
	if err != nil {
		t.Fatal(err)
	}
	if kind == Kea {
		return netlab.RequireTool(t, fmt.Sprintf("kea-dhcp%d", f)), kind
	}
	builds.Lock()
	defer builds.Unlock()
	if builds.bins == nil {
		builds.bins, builds.errs = map[string]string{}, map[string]error{}
	}
	if bin, ok := builds.bins[pkg]; ok {
		return bin, kind
	}
	if err := builds.errs[pkg]; err != nil {
		t.Fatal(err)
	}
	if builds.dir == "" {
		if builds.dir, err = os.MkdirTemp("", "lhI-e2e-bin-"); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(builds.dir, filepath.Base(pkg))
	out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		builds.errs[pkg] = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		t.Fatal(builds.errs[pkg])
	}
	builds.bins[pkg] = bin
	return bin, kind
}

// Cleanup removes the binaries Binary built; call it from TestMain.
func Cleanup() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.bins = "", nil
	}
}

// Daemon is a server running in a lab's server namespace.
type Daemon struct {
	Lab       *netlab.Lab
	Family    Family
	Kind      Kind
	Bin       string
	Dir       string // its own directory: config, pid and lock files
	Config    string // path of the configuration file
	LeaseFile string // what the configuration's lease-database names
	Proc      *netlab.Process
	// DataDir is bind-mounted on /var/lib/kea in the server's private
	// mount namespace, so what a server keeps at its default paths (a lease
	// file the configuration does not name, kea-dhcp6's server DUID) stays
	// in the lab instead of the machine's Kea directory.
	DataDir string
	t       testing.TB
	pkg     string
}

// Options adjust Start.
type Options struct {
	// Args go after -c FILE (-d, -p, -P).
	Args []string
}

// Start writes config into a new directory of the lab and runs the server
// of f on it in the server namespace, returning once it logged its start
// line. pkg is the leasehold daemon's package path.
func Start(t testing.TB, lab *netlab.Lab, f Family, pkg, config string, o Options) *Daemon {
	t.Helper()
	bin, kind := Binary(t, f, pkg)
	dir, err := lab.TempDir(fmt.Sprintf("server%d-", f))
	if err != nil {
		t.Fatal(err)
	}
	path, err := netlab.WriteFile(dir, "kea.conf", config)
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Lab: lab, Family: f, Kind: kind, Bin: bin, Dir: dir, Config: path, t: t, pkg: pkg, LeaseFile: leaseFileOf(config)}
	d.DataDir = filepath.Join(dir, "var-lib-kea")
	if err := os.MkdirAll(d.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if d.LeaseFile == "" {
		d.LeaseFile = filepath.Join(d.DataDir, fmt.Sprintf("kea-leases%d.csv", f))
	}
	if st, err := os.Stat("/var/lib/kea"); err != nil || !st.IsDir() {
		t.Fatalf("daemontest: /var/lib/kea, where the server's data directory is mounted, is missing (scripts/install-deps installs Kea, which makes it): %v", err)
	}
	d.start(o.Args)
	return d
}

func (d *Daemon) start(args []string) {
	d.t.Helper()
	full := append([]string{"-c", d.Config}, args...)
	// ip netns exec gives the server a private mount namespace; exec keeps
	// the server's PID the one netlab tracks.
	shell := `set -e; mount --bind "$LHI_DATA_DIR" /var/lib/kea; exec "$0" "$@"`
	cmd := d.Lab.Command(d.Lab.ServerNS, "sh", append([]string{"-c", shell, d.Bin}, full...)...)
	cmd.Env = append(cmd.Env, "LHI_DATA_DIR="+d.DataDir, "KEA_PIDFILE_DIR="+d.Dir, "KEA_LOCKFILE_DIR="+d.Dir)
	p, err := d.Lab.StartCmd(d.Lab.ServerNS, cmd)
	if err != nil {
		d.t.Fatal(err)
	}
	d.Proc = p
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := p.WaitOutput(ctx, started); err != nil {
		d.t.Fatalf("%s did not start: %v\n%s", filepath.Base(d.Bin), err, p.Output())
	}
}

// Restart starts the server again on the same configuration and lease
// file, after Stop or Kill.
func (d *Daemon) Restart(args ...string) {
	d.t.Helper()
	d.start(args)
}

// Stop ends the server with SIGTERM and fails the test if it does not exit
// cleanly.
func (d *Daemon) Stop() {
	d.t.Helper()
	if err := d.Proc.StopTimeout(15 * time.Second); err != nil {
		d.t.Fatalf("stopping %s: %v\n%s", filepath.Base(d.Bin), err, d.Proc.Output())
	}
}

// Kill ends the server with SIGKILL, as a crash or power loss would.
func (d *Daemon) Kill() {
	d.t.Helper()
	_ = d.Proc.Kill()
}

// Reload rewrites the configuration file, sends SIGHUP and waits for the
// outcome line; it returns the line and whether it reported success.
func (d *Daemon) Reload(config string) (string, bool) {
	d.t.Helper()
	if err := os.WriteFile(d.Config, []byte(config), 0o644); err != nil {
		d.t.Fatal(err)
	}
	before := len(reloadOutcome.FindAllString(d.Proc.Output(), -1))
	if err := d.Proc.Signal(syscall.SIGHUP); err != nil {
		d.t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if hits := reloadOutcome.FindAllString(d.Proc.Output(), -1); len(hits) > before {
			l := hits[before]
			return l, strings.Contains(l, "succeeded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.t.Fatalf("no reconfiguration outcome after SIGHUP:\n%s", d.Proc.Output())
	return "", false
}

var reloadOutcome = regexp.MustCompile(`(?m)^.*dynamic server reconfiguration (succeeded|failed) with file: .*$`)

// leaseFileOf finds lease-database's name in a configuration made by
// Config4/Config6 or read from a file; "" when it names none.
func leaseFileOf(config string) string {
	m := regexp.MustCompile(`"lease-database"\s*:\s*\{[^}]*"name"\s*:\s*"([^"]+)"`).FindStringSubmatch(config)
	if m == nil {
		return ""
	}
	return m[1]
}
