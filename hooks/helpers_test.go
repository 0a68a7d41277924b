package hooks

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/plugintest"
	"github.com/leasehold/leasehold/lease"
)

// transports are the two ways calls travel to a plugin, for the tests and
// benchmarks that run over both.
var transports = []struct {
	name string
	grpc bool
}{{"socket", false}, {"grpc-stream", true}}

// fakeLib is an in-process library whose callout is a function.
type fakeLib struct {
	name    string
	reg     Registration
	loadErr error
	fn      func(p Point, a *Args) (NextStep, error)
	rec     *recorder
}

type recorder struct {
	mu  sync.Mutex
	log []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.log = append(r.log, s)
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

func (f *fakeLib) Load(context.Context, json.RawMessage) (Registration, error) {
	if f.rec != nil {
		f.rec.add("load " + f.name)
	}
	return f.reg, f.loadErr
}

func (f *fakeLib) Callout(_ context.Context, p Point, a *Args) (NextStep, error) {
	if f.rec != nil {
		f.rec.add(f.name + " " + p.String())
	}
	if f.fn == nil {
		return Continue, nil
	}
	return f.fn(p, a)
}

func (f *fakeLib) Unload(context.Context) error {
	if f.rec != nil {
		f.rec.add("unload " + f.name)
	}
	return nil
}

func linked(libs ...*fakeLib) Config {
	cfg := Config{Logger: quietLogger()}
	for _, l := range libs {
		cfg.Libraries = append(cfg.Libraries, LibraryConfig{Library: l.name, Linked: l})
	}
	return cfg
}

func newManager(t testing.TB, cfg Config) *Manager {
	t.Helper()
	m, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	return m
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
}

func slogTo(w *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logBuffer is a log sink for tests that look at logs.
type logBuffer = plugintest.LogBuffer

// packet4 is a minimal DHCPv4 packet: op, xid, magic cookie, option 53.
func packet4(op byte, xid uint32, msgType byte) []byte {
	p := make([]byte, v4OptionsStart, v4OptionsStart+4)
	p[0], p[1], p[2] = op, 1, 6
	binary.BigEndian.PutUint32(p[4:], xid)
	copy(p[v4HeaderLen:], v4Cookie[:])
	return append(p, v4OptMsgType, 1, msgType, 255)
}

// packet6 is a minimal DHCPv6 client/server message.
func packet6(msgType byte, xid uint32) []byte {
	return []byte{msgType, byte(xid >> 16), byte(xid >> 8), byte(xid), 0, 1, 0, 0}
}

func testSubnets4() []Subnet4 {
	return []Subnet4{
		{ID: 1, Prefix: netip.MustParsePrefix("192.0.2.0/24"), UserContext: `{"site":"a"}`},
		{ID: 2, Prefix: netip.MustParsePrefix("198.51.100.0/24")},
	}
}

func testLease4() *lease.Lease4 {
	return &lease.Lease4{Addr: netip.MustParseAddr("192.0.2.10"), HWAddr: []byte{2, 0, 0, 0, 0, 1},
		ValidLifetime: 3600, CLTT: 1700000000, SubnetID: 1}
}

func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
