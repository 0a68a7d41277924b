package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/plugintest"
	"github.com/leasehold/leasehold/lease"
)

// TestMain doubles as the fake daemon: with LHI_FAKE_DAEMON=1 the test
// binary runs Run with the fake server on its command line, so the process
// tests exercise real signals, streams and exit codes.
func TestMain(m *testing.M) {
	if os.Getenv("LHI_FAKE_DAEMON") == "1" {
		os.Exit(Run(fakeFamily(nil), os.Args[1:], Process{}))
	}
	code := m.Run()
	if pluginPath != "" {
		os.RemoveAll(filepath.Dir(pluginPath))
	}
	os.Exit(code)
}

// syncBuffer collects a daemon's output while the test reads it.
type syncBuffer = plugintest.LogBuffer

// waitFor waits until the output has a line matching re, counting only
// lines after the first skip matches, and returns it.
func waitFor(t *testing.T, out fmt.Stringer, re string, skip int) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var hits []string
		for _, line := range strings.Split(out.String(), "\n") {
			if rx.MatchString(line) {
				hits = append(hits, line)
			}
		}
		if len(hits) > skip {
			return hits[skip]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line matching %q (after %d) in output:\n%s", re, skip, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeServer stands in for dhcp4.Server: it writes one lease when it starts
// serving, syncs the store on Shutdown, and refuses a configuration whose
// user-context says "fake-reject".
type fakeServer struct {
	deps  Deps
	stop  chan struct{}
	once  sync.Once
	ready chan struct{} // closed once serving, as a Readier

	mu        sync.Mutex
	cfg       *config.DHCP4
	reconfigs int
	shutdown  bool
	syncErr   error
}

var fakeLeaseAddr = netip.MustParseAddr("192.0.2.10")

func (s *fakeServer) Serve(ctx context.Context) error {
	if strings.Contains(string(s.current().UserContext), "fake-serve-fails") {
		return errors.New("fake server cannot open its sockets")
	}
	l := &lease.Lease4{Addr: fakeLeaseAddr, HWAddr: []byte{2, 0, 0, 0, 0, 1}, ValidLifetime: 3600, CLTT: time.Now().Unix(), SubnetID: 1}
	if err := s.deps.Store.Add4(ctx, l); err != nil && !errors.Is(err, lease.ErrExists) {
		return err
	}
	s.deps.Logger.Debug("fake server debug detail")
	s.deps.Logger.Info("fake server serving", "port", s.deps.Port, "client-port", s.deps.ClientPort)
	if !strings.Contains(string(s.current().UserContext), "fake-never-ready") {
		close(s.ready)
	}
	select {
	case <-ctx.Done():
	case <-s.stop:
	}
	return nil
}

func (s *fakeServer) Ready() <-chan struct{} { return s.ready }

func (s *fakeServer) Shutdown(ctx context.Context) error {
	s.once.Do(func() { close(s.stop) })
	err := s.deps.Store.Sync(ctx)
	s.mu.Lock()
	s.shutdown, s.syncErr = true, err
	s.mu.Unlock()
	s.deps.Logger.Info("fake server stopped", "sync-error", err)
	return err
}

func (s *fakeServer) Reconfigure(cfg *config.DHCP4) error {
	if strings.Contains(string(cfg.UserContext), "fake-reject") {
		return errors.New("fake server rejects this configuration")
	}
	s.mu.Lock()
	s.cfg = cfg
	s.reconfigs++
	s.mu.Unlock()
	s.deps.Logger.Info("fake server reconfigured", "subnets", len(cfg.Subnets))
	return nil
}

func (s *fakeServer) current() *config.DHCP4 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// fakeFamily is the DHCPv4 family with fake servers; each one built is sent
// on built when it is not nil.
func fakeFamily(built chan<- *fakeServer) Family[*config.DHCP4] {
	f := V4(func(c *config.DHCP4, d Deps) (Server[*config.DHCP4], error) {
		if strings.Contains(string(c.UserContext), "fake-fail-new") {
			return nil, errors.New("fake server cannot be built")
		}
		s := &fakeServer{deps: d, cfg: c, stop: make(chan struct{}), ready: make(chan struct{})}
		if built != nil {
			built <- s
		}
		return s, nil
	})
	f.Stats = func(s Server[*config.DHCP4]) []slog.Attr {
		fs := s.(*fakeServer)
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return []slog.Attr{slog.Int("reconfigurations", fs.reconfigs)}
	}
	return f
}

// conf4 is a DHCPv4 configuration with a lease file at lease and extra
// members (JSON, with a trailing comma) in the Dhcp4 map.
func conf4(lease, extra string) string {
	return fmt.Sprintf(`{"Dhcp4": {
  %s
  "interfaces-config": {"interfaces": []},
  "lease-database": {"type": "memfile", "name": %q, "lfc-interval": 0},
  "subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.100 - 192.0.2.199"}]}]
}}`, extra, lease)
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	pluginOnce sync.Once
	pluginPath string
	pluginErr  error
)

// recPlugin builds testdata/recplugin once per test binary and returns its
// path.
func recPlugin(t *testing.T) string {
	t.Helper()
	pluginOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lhI-recplugin-")
		if err != nil {
			pluginErr = err
			return
		}
		pluginPath = filepath.Join(dir, "recplugin")
		out, err := exec.Command("go", "build", "-o", pluginPath, "./testdata/recplugin").CombinedOutput()
		if err != nil {
			pluginErr = fmt.Errorf("go build recplugin: %v\n%s", err, out)
		}
	})
	if pluginErr != nil {
		t.Fatal(pluginErr)
	}
	return pluginPath
}

// hookLib is a hooks-libraries member loading recplugin with the record
// file rec, tag tag and, when reject is not empty, a rejection.
func hookLib(t *testing.T, rec, tag, reject string) string {
	return fmt.Sprintf(`"hooks-libraries": [{"library": %q, "parameters": {"file": %q, "tag": %q, "reject": %q}}],`,
		recPlugin(t), rec, tag, reject)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(string(b), " ", "_"))
}
