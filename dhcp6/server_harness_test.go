package dhcp6

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// tsrv is a server under test: an in-memory store, a clock the test moves,
// and helpers to talk to it through Handle.
type tsrv struct {
	t     testing.TB
	s     *Server
	store *lease.Memfile
	now   time.Time
	mu    sync.Mutex
}

// tsBase is the configuration most tests start from. Subnet 1 is on
// interface eth0, subnet 2 is reached through relays on 2001:db8:2::/64.
const tsBase = `{"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "renew-timer": 1000, "rebind-timer": 2000,
  "decline-probation-period": 600,
  "server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},
  "option-data": [{"name": "dns-servers", "data": "2001:db8::53"}],
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
     "pools": [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}],
     "pd-pools": [{"prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56}]},
    {"id": 2, "subnet": "2001:db8:2::/64",
     "pools": [{"pool": "2001:db8:2::100-2001:db8:2::1ff"}]}
  ]
}}`

type tsOption func(*ServerOptions)

func withHooks(libs ...hooks.Library) tsOption {
	return func(o *ServerOptions) {
		var cfg hooks.Config
		for i, l := range libs {
			cfg.Libraries = append(cfg.Libraries, hooks.LibraryConfig{Library: "test" + string(rune('a'+i)), Linked: l})
		}
		m, err := hooks.New(context.Background(), cfg)
		if err != nil {
			panic(err)
		}
		o.Hooks = m
	}
}

func newTS(t testing.TB, cfgText string, opts ...tsOption) *tsrv {
	t.Helper()
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := &tsrv{t: t, store: store, now: time.Unix(1_800_000_000, 0)}
	o := ServerOptions{Store: store, Logger: quietLogger(), DataDir: t.TempDir(), Now: ts.clock}
	for _, f := range opts {
		f(&o)
	}
	if o.Hooks != nil {
		t.Cleanup(func() { o.Hooks.Close(context.Background()) })
	}
	ts.s, err = NewServer(parseCfg(t, cfgText), o)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (ts *tsrv) clock() time.Time {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.now
}

func (ts *tsrv) advance(d time.Duration) {
	ts.mu.Lock()
	ts.now = ts.now.Add(d)
	ts.mu.Unlock()
}

func (ts *tsrv) sid() []byte { return ts.s.view.Load().serverID }

var (
	tsDirect = PacketMeta{Src: netip.MustParseAddrPort("[fe80::1%eth0]:546"), Dst: netip.MustParseAddr("ff02::1:2"), IfName: "eth0", IfIndex: 2}
	// tsRelay is how a relay's datagram arrives: from the relay's address,
	// to the server's unicast address.
	tsRelay   = PacketMeta{Src: netip.MustParseAddrPort("[2001:db8:2::1]:547"), Dst: netip.MustParseAddr("2001:db8:1::1"), IfName: "eth0", IfIndex: 2}
	tsUnicast = PacketMeta{Src: netip.MustParseAddrPort("[fe80::1%eth0]:546"), Dst: netip.MustParseAddr("2001:db8:1::1"), IfName: "eth0", IfIndex: 2}
)

// handle sends q and returns the decoded answer and the Response, or the
// error.
func (ts *tsrv) handle(q []byte, meta PacketMeta) (*Packet, Response, error) {
	ts.t.Helper()
	r, err := ts.s.Handle(context.Background(), q, meta, nil)
	if err != nil {
		return nil, r, err
	}
	var p Packet
	if err := p.Decode(r.Data); err != nil {
		ts.t.Fatalf("reply does not decode: %v", err)
	}
	return &p, r, nil
}

// ask sends q and requires an answer.
func (ts *tsrv) ask(q []byte, meta PacketMeta) *Packet {
	ts.t.Helper()
	p, _, err := ts.handle(q, meta)
	if err != nil {
		ts.t.Fatalf("no answer: %v", err)
	}
	return p
}

// dropped sends q and requires it to be dropped for reason r.
func (ts *tsrv) dropped(q []byte, meta PacketMeta, r DropReason) {
	ts.t.Helper()
	p, _, err := ts.handle(q, meta)
	var de *DropError
	if !errors.As(err, &de) {
		if p != nil {
			ts.t.Fatalf("answered %s; want a drop (%v)", dumpMessage(mustAppend(p)), r)
		}
		ts.t.Fatalf("error %v; want a drop (%v)", err, r)
	}
	if de.Reason != r {
		ts.t.Fatalf("dropped for %v; want %v", de.Reason, r)
	}
}

// sarr runs SOLICIT and REQUEST for a client and returns the REPLY.
func (ts *tsrv) sarr(duid []byte, meta PacketMeta, ias ...opt) *Packet {
	ts.t.Helper()
	adv := ts.ask(srvMsg(Solicit, 1, duid, ias), meta)
	return ts.ask(srvMsg(Request, 2, duid, []opt{withServerIDOf(adv.Msg.Options), withIAs(adv.Msg.Options)}), meta)
}

// summary is dumpMessage without the header.
func summary(p *Packet) string { return dumpMessage(mustAppend(p)) }

// requireHas fails unless the answer's description contains each part.
func requireHas(t *testing.T, p *Packet, parts ...string) {
	t.Helper()
	s := summary(p)
	for _, part := range parts {
		if !strings.Contains(s, part) {
			t.Fatalf("answer lacks %q:\n%s", part, s)
		}
	}
}

// requireLacks fails if the answer's description contains any part.
func requireLacks(t *testing.T, p *Packet, parts ...string) {
	t.Helper()
	s := summary(p)
	for _, part := range parts {
		if strings.Contains(s, part) {
			t.Fatalf("answer has %q:\n%s", part, s)
		}
	}
}

// lease returns the stored lease of an address or prefix.
func (ts *tsrv) lease(typ lease.Type, addr string) (lease.Lease6, bool) {
	l, err := ts.store.Get6(context.Background(), typ, netip.MustParseAddr(addr))
	if errors.Is(err, lease.ErrNotFound) {
		return l, false
	}
	if err != nil {
		ts.t.Fatal(err)
	}
	return l, true
}

// recorder is an in-process hook library that records every call and
// answers with the steps and changes the test sets.
type recorder struct {
	mu     sync.Mutex
	points hooks.Registration
	calls  []recorded
	steps  map[hooks.Point]hooks.NextStep
	change map[hooks.Point]func(*hooks.Args)
}

type recorded struct {
	p hooks.Point
	a *hooks.Args
}

func newRecorder(points ...hooks.Point) *recorder {
	r := &recorder{points: hooks.Registration{}, steps: map[hooks.Point]hooks.NextStep{}, change: map[hooks.Point]func(*hooks.Args){}}
	for _, p := range points {
		r.points[p] = hooks.Sync
	}
	return r
}

func (r *recorder) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return r.points, nil
}

func (r *recorder) Callout(_ context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, recorded{p, a.Clone()})
	if f := r.change[p]; f != nil {
		f(a)
	}
	return r.steps[p], nil
}

func (r *recorder) Unload(context.Context) error { return nil }

func (r *recorder) set(p hooks.Point, step hooks.NextStep, change func(*hooks.Args)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps[p] = step
	if change != nil {
		r.change[p] = change
	}
}

// of returns the recorded calls of point p.
func (r *recorder) of(p hooks.Point) []*hooks.Args {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*hooks.Args
	for _, c := range r.calls {
		if c.p == p {
			out = append(out, c.a)
		}
	}
	return out
}

func (r *recorder) order() []hooks.Point {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hooks.Point
	for _, c := range r.calls {
		out = append(out, c.p)
	}
	return out
}
