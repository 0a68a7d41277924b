package netlab

import (
	"context"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"
)

// Required reports whether namespace tests must run rather than skip: in CI
// (CI=true) or when LEASEHOLD_E2E=1.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("LEASEHOLD_E2E") == "1"
}

// skipOrFail skips t with reason, or fails it when Required.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("required (CI=true or LEASEHOLD_E2E=1) but cannot run: %s", reason)
	}
	t.Skip(reason)
}

// Unavailable returns why labs cannot be built here ("" when they can).
func Unavailable() string {
	if os.Geteuid() != 0 {
		return "network namespace tests need root"
	}
	if _, err := LookTool("ip"); err != nil {
		return "iproute2 (ip) is not installed"
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		return "kernel without network namespaces"
	}
	return ""
}

var sweepOnce sync.Map // prefix → *sync.Once

// NewT builds a lab for a test and removes it when the test ends, passed,
// failed or panicked. It skips the test when labs cannot be built here,
// unless Required, where it fails. The first call per prefix in a test
// binary sweeps labs left by earlier crashed runs. On failure the output of
// the lab's processes is logged.
func NewT(t testing.TB, opts Options) *Lab {
	t.Helper()
	if reason := Unavailable(); reason != "" {
		skipOrFail(t, reason)
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = "lh"
	}
	once, _ := sweepOnce.LoadOrStore(prefix, new(sync.Once))
	once.(*sync.Once).Do(func() {
		if ids, err := Sweep(prefix); err != nil {
			t.Logf("netlab: sweep of earlier labs: %v", err)
		} else if len(ids) > 0 {
			t.Logf("netlab: removed labs left by earlier runs: %v", ids)
		}
	})
	l, err := New(opts)
	if err != nil {
		t.Fatalf("netlab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			l.logOutputs(t)
		}
		if err := l.Close(); err != nil {
			t.Errorf("netlab: close: %v", err)
		}
	})
	return l
}

// logOutputs logs the tail of the output of every process the lab started.
func (l *Lab) logOutputs(t testing.TB) {
	l.mu.Lock()
	procs := append([]*Process(nil), l.history...)
	l.mu.Unlock()
	for _, p := range procs {
		t.Logf("netlab %s: output of %s (pid %d) in %s:\n%s", l.ID, p.Name, p.PID, p.NS, tail([]byte(p.Output()), 4000))
	}
}

// RequireTool returns the path of the named program, or skips the test when
// it is not installed (fails when Required).
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := LookTool(name)
	if err != nil {
		skipOrFail(t, name+" is not installed (scripts/install-deps installs it)")
	}
	return p
}

// Server is what ServeT runs: the dhcp4 and dhcp6 servers.
type Server interface {
	Serve(ctx context.Context) error
	Ready() <-chan struct{}
	Shutdown(ctx context.Context) error
}

// ServeT runs s.Serve in the lab's server namespace (Serve opens and
// closes its sockets on its own goroutine, which InNS keeps there), waits
// until s is ready, and returns a function that shuts it down and reports
// any error Serve returned.
func (l *Lab) ServeT(t testing.TB, s Server) (stop func()) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- l.InNS(l.ServerNS, func() error { return s.Serve(context.Background()) }) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve not ready after 10 s")
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
}

// OwnLinkT is OwnLink that fails t on error.
func (l *Lab) OwnLinkT(t testing.TB, c *Client, p netip.Prefix) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name, err := l.OwnLink(ctx, c, p)
	if err != nil {
		t.Fatal(err)
	}
	return name
}
