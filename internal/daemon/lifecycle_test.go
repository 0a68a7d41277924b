package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// running is a fake daemon run in-process.
type running struct {
	out   *syncBuffer
	errs  *syncBuffer
	sigs  chan os.Signal
	built chan *fakeServer
	done  chan int
}

func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	r := &running{out: &syncBuffer{}, errs: &syncBuffer{}, sigs: make(chan os.Signal, 1),
		built: make(chan *fakeServer, 4), done: make(chan int, 1)}
	go func() {
		r.done <- Run(fakeFamily(r.built), args, Process{Stdout: r.out, Stderr: r.errs, Signals: r.sigs})
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.sigs <- syscall.SIGTERM
			<-r.done
		}
	})
	return r
}

// exit waits for Run to return and gives its exit code.
func (r *running) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.done:
		r.done <- code // for Cleanup
		return code
	case <-time.After(15 * time.Second):
		t.Fatalf("daemon did not exit; output:\n%s%s", r.out, r.errs)
		return -1
	}
}

func TestLifecycle(t *testing.T) {
	dir := t.TempDir()
	lf := filepath.Join(dir, "leases4.csv")
	rec := filepath.Join(dir, "rec")
	cfg := filepath.Join(dir, "kea-dhcp4.conf")
	writeFile(t, cfg, conf4(lf, hookLib(t, rec, "v1", "")))
	r := startRun(t, "-c", cfg, "-p", "1067", "-P", "1068")

	waitFor(t, r.out, `INFO +\[kea-dhcp4/\d+\] leasehold DHCPv4 server version \S+ starting$`, 0)
	waitFor(t, r.out, `INFO +\[kea-dhcp4/\d+\] leasehold DHCPv4 server version \S+ started$`, 0)
	// The start line follows the server's readiness (the fake's lease).
	if out := r.out.String(); strings.Index(out, "fake server serving") > strings.Index(out, " started") {
		t.Errorf("started before the server was ready:\n%s", out)
	}
	srv := <-r.built
	if srv.deps.Port != 1067 || srv.deps.ClientPort != 1068 {
		t.Errorf("server got ports %d/%d, want -p 1067 -P 1068", srv.deps.Port, srv.deps.ClientPort)
	}
	if srv.deps.Hooks == nil || srv.deps.Store == nil || srv.deps.Logger == nil {
		t.Fatalf("server built without its dependencies: %+v", srv.deps)
	}
	waitFor(t, r.out, `fake server serving`, 0)
	wantEvents := []string{"load_v1"}
	checkEvents := func(step string) {
		t.Helper()
		if got := readLines(t, rec); strings.Join(got, ",") != strings.Join(wantEvents, ",") {
			t.Errorf("%s: hook library events %v, want %v", step, got, wantEvents)
		}
	}
	checkEvents("start")

	succeeded := `dynamic server reconfiguration succeeded with file: ` + regexp.QuoteMeta(cfg) + `$`
	failed := `ERROR.* dynamic server reconfiguration failed with file: ` + regexp.QuoteMeta(cfg) + `; the previous configuration stays in force$`

	// A good new file: the server, the hooks and the loggers take it.
	two := strings.Replace(conf4(lf, hookLib(t, rec, "v2", "")), `}]
}}`, `}, {"id": 2, "subnet": "198.51.100.0/24"}]
}}`, 1)
	writeFile(t, cfg, two)
	r.sigs <- syscall.SIGHUP
	waitFor(t, r.out, succeeded, 0)
	if c := srv.current(); len(c.Subnets) != 2 {
		t.Errorf("after reload the server has %d subnets, want 2", len(c.Subnets))
	}
	wantEvents = append(wantEvents, "load_v2", "unload_v1")
	checkEvents("reload")

	// Files that must not replace the configuration in force.
	bad := []struct {
		name, content, reason string
		events                []string
	}{
		{"syntax", `{"Dhcp4": {`, `configuration error using file: .*reason: .*`, nil},
		{"invalid", strings.Replace(two, `"id": 2`, `"id": 1`, 1), `configuration error using file: .*reason: .*subnet4\[1\].*`, nil},
		{"lease-database", conf4(lf+".other", hookLib(t, rec, "v2", "")), `reason: Dhcp4/lease-database: changed .*needs a restart`, nil},
		{"library rejects", conf4(lf, hookLib(t, rec, "v3", "no thanks")), `reason: Dhcp4/hooks-libraries: .*no thanks`, nil},
		// The server refuses it after the new libraries were loaded: the
		// libraries of the configuration in force come back.
		{"server rejects", conf4(lf, `"user-context": {"fake-reject": true},`+hookLib(t, rec, "v3", "")), `reason: fake server rejects this configuration`,
			[]string{"load_v3", "unload_v2", "load_v2", "unload_v3"}},
	}
	for i, b := range bad {
		writeFile(t, cfg, b.content)
		r.sigs <- syscall.SIGHUP
		waitFor(t, r.out, failed, i)
		if line := waitFor(t, r.out, `ERROR.* configuration error using file: `, i); !regexp.MustCompile(b.reason).MatchString(line) {
			t.Errorf("%s: error line %q does not match %q", b.name, line, b.reason)
		}
		if c := srv.current(); len(c.Subnets) != 2 {
			t.Errorf("%s: the server's configuration changed (%d subnets)", b.name, len(c.Subnets))
		}
		wantEvents = append(wantEvents, b.events...)
		checkEvents(b.name)
	}
	if strings.Count(r.out.String(), "dynamic server reconfiguration succeeded") != 1 {
		t.Errorf("a bad file was reported as a successful reconfiguration:\n%s", r.out)
	}

	r.sigs <- syscall.SIGTERM
	if code := r.exit(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0; stderr %q", code, r.errs)
	}
	waitFor(t, r.out, `INFO .* server shutdown signal=terminated`, 0)
	waitFor(t, r.out, `INFO .* server statistics reconfigurations=1$`, 0)
	srv.mu.Lock()
	shut, syncErr := srv.shutdown, srv.syncErr
	srv.mu.Unlock()
	if !shut || syncErr != nil {
		t.Errorf("server Shutdown called %v, its store sync error %v", shut, syncErr)
	}
	wantEvents = append(wantEvents, "unload_v2")
	checkEvents("shutdown")
	late := &lease.Lease4{Addr: fakeLeaseAddr.Next(), HWAddr: []byte{2, 0, 0, 0, 0, 2}, ValidLifetime: 60, SubnetID: 1}
	if err := srv.deps.Store.Add4(context.Background(), late); !errors.Is(err, lease.ErrClosed) {
		t.Errorf("store after exit: Add4 error %v, want lease.ErrClosed", err)
	}
	if b, _ := os.ReadFile(lf); !strings.Contains(string(b), "\n"+fakeLeaseAddr.String()+",02:00:00:00:00:01,") {
		t.Errorf("lease file lacks the lease the server wrote:\n%s", b)
	}
	if r.errs.String() != "" {
		t.Errorf("stderr: %q", r.errs)
	}
}

func TestLoggersFollowConfig(t *testing.T) {
	dir := t.TempDir()
	lf := filepath.Join(dir, "leases4.csv")
	cfg := filepath.Join(dir, "kea-dhcp4.conf")
	logA, logB := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	loggers := func(path, severity string) string {
		return `"loggers": [{"name": "kea-dhcp4", "severity": "` + severity + `", "output_options": [{"output": "` + path + `"}]},
			{"name": "kea-dhcp4.dhcpsrv", "severity": "WARN", "output_options": [{"output": "stderr"}]}],`
	}
	writeFile(t, cfg, conf4(lf, loggers(logA, "INFO")))
	r := startRun(t, "-c", cfg)
	a := fileText(logA)
	waitFor(t, a, `leasehold DHCPv4 server version \S+ started$`, 0)
	waitFor(t, a, `fake server serving`, 0)
	// Before the configuration is read, Kea logs to stdout.
	waitFor(t, r.out, `server version \S+ starting$`, 0)
	if strings.Contains(r.out.String(), "started") {
		t.Errorf("stdout got records the configuration sends to a file:\n%s", r.out)
	}
	// The memfile's INFO records go to its own logger, which passes WARN only.
	if strings.Contains(a.String()+r.errs.String(), "opening memfile lease database") {
		t.Errorf("kea-dhcp4.dhcpsrv at WARN let an INFO record through")
	}

	writeFile(t, cfg, conf4(lf, loggers(logB, "INFO")))
	r.sigs <- syscall.SIGHUP
	waitFor(t, a, `initiating server reconfiguration after SIGHUP`, 0)
	b := fileText(logB)
	waitFor(t, b, `dynamic server reconfiguration succeeded`, 0)
	r.sigs <- syscall.SIGTERM
	if code := r.exit(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	waitFor(t, b, `server shutdown`, 0)
	if strings.Contains(a.String(), "succeeded") || strings.Contains(a.String(), "shutdown") {
		t.Errorf("records after the reload went to the old file:\n%s", a)
	}
	if strings.Contains(a.String()+b.String(), "DEBUG") {
		t.Errorf("DEBUG records at severity INFO:\n%s%s", a, b)
	}
}

func TestDebugFlag(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "kea-dhcp4.conf"), conf4(filepath.Join(dir, "l.csv"), ""))
	r := startRun(t, "-d", "-c", cfg)
	waitFor(t, r.out, `DEBUG +\[kea-dhcp4/\d+\] fake server debug detail`, 0)
	r.sigs <- syscall.SIGTERM
	if code := r.exit(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// fileText reads a file on each String, for waitFor.
type fileText string

func (f fileText) String() string {
	b, _ := os.ReadFile(string(f))
	return string(b)
}

// TestStopBeforeReady: a server whose sockets never open is never reported
// started, and SIGTERM still stops it cleanly.
func TestStopBeforeReady(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "kea-dhcp4.conf"), conf4(filepath.Join(dir, "l.csv"), `"user-context": {"fake-never-ready": true},`))
	r := startRun(t, "-c", cfg)
	waitFor(t, r.out, `fake server serving`, 0)
	r.sigs <- syscall.SIGTERM
	if code := r.exit(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if strings.Contains(r.out.String(), " started") {
		t.Errorf("a server that never became ready was reported started:\n%s", r.out)
	}
}
