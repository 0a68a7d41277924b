package dhcp4

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// The server tests drive Server.Handle with packets built by the codec's
// Builder and read the replies with Message.Decode; the store is an
// in-memory memfile and the clock is fake.

var (
	hSrvAddr   = netip.MustParseAddr("192.0.2.1")
	hRelayAddr = netip.MustParseAddr("198.51.100.1")
	hStart     = time.Unix(1_800_000_000, 0)
)

type harness struct {
	t     *testing.T
	s     *Server
	store *lease.Memfile
	now   time.Time
	mu    sync.Mutex // guards now against a running Serve's goroutines
	// meta is where packets come from unless a packet says otherwise:
	// a broadcast on eth0 (index 2, address 192.0.2.1).
	meta PacketMeta
}

// hConfig wraps the inside of a Dhcp4 map.
func hConfig(t testing.TB, body string) *config.DHCP4 {
	t.Helper()
	c, err := config.Parse([]byte(`{"Dhcp4": {` + body + `}}`))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return c.DHCP4
}

// hBasic is one subnet 192.0.2.0/24 on eth0 with a small pool.
const hBasic = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}],
		"option-data": [{"name": "routers", "data": "192.0.2.1"},
			{"name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54"},
			{"name": "domain-name", "data": "example.org"},
			{"name": "ntp-servers", "data": "192.0.2.123"}]}]`

func newHarness(t *testing.T, body string, mods ...func(*ServerOptions)) *harness {
	t.Helper()
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, store: store, now: hStart}
	opts := ServerOptions{Store: store, Now: func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.now
	}, Logger: slog.New(slog.DiscardHandler)}
	for _, m := range mods {
		m(&opts)
	}
	s, err := NewServer(hConfig(t, body), opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	h.s = s
	h.meta = PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr}
	return h
}

// client describes the packet a test client sends.
type client struct {
	mac     [6]byte
	typ     MessageType
	cid     []byte
	reqIP   netip.Addr
	srvID   netip.Addr
	ciaddr  netip.Addr
	giaddr  netip.Addr
	flags   uint16
	hops    uint8
	op      OpCode
	prl     []byte
	lease   uint32
	extra   [][2][]byte // code, data
	rai     []byte      // option 82 value
	hlen    int         // -1: zero hlen
	noType  bool
	xid     uint32
	maxSize uint16
}

func mac(n byte) [6]byte { return [6]byte{0x02, 0, 0, 0, 0, n} }

func (c client) bytes(t testing.TB) []byte {
	t.Helper()
	h := Header{Op: BootRequest, HType: 1, HLen: 6, XID: 0x1000 + c.xid, Flags: c.flags, Hops: c.hops,
		CIAddr: c.ciaddr, GIAddr: c.giaddr}
	if c.op != 0 {
		h.Op = c.op
	}
	if c.hlen < 0 {
		h.HLen = 0
	} else {
		copy(h.CHAddr[:], c.mac[:])
	}
	b := NewBuilder(nil, h)
	if !c.noType {
		b.AddMessageType(c.typ)
	}
	if c.cid != nil {
		b.AddOption(OptClientID, c.cid)
	}
	if c.reqIP.IsValid() {
		b.AddIP(OptRequestedIP, c.reqIP)
	}
	if c.srvID.IsValid() {
		b.AddIP(OptServerID, c.srvID)
	}
	if c.lease != 0 {
		b.AddUint32(OptLeaseTime, c.lease)
	}
	if c.maxSize != 0 {
		b.AddUint16(OptMaxMessageSize, c.maxSize)
	}
	if c.prl != nil {
		b.AddOption(OptParamRequest, c.prl)
	}
	for _, e := range c.extra {
		b.AddOption(e[0][0], e[1])
	}
	if c.rai != nil {
		b.AddOption(OptRelayAgentInfo, c.rai)
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatalf("building the client packet: %v", err)
	}
	return out
}

func opt82(subs ...[]byte) []byte {
	var b []byte
	for _, s := range subs {
		b = append(b, s...)
	}
	return b
}

func sub(code byte, data ...byte) []byte { return append([]byte{code, byte(len(data))}, data...) }

// send hands c's packet to the server with h.meta (adjusted for a relay
// or a unicast when the packet says so).
func (h *harness) send(c client) (Reply, error) {
	h.t.Helper()
	meta := h.meta
	if c.giaddr.IsValid() {
		meta.Src = netip.AddrPortFrom(c.giaddr, 67)
		meta.Dst = hSrvAddr
	} else if c.ciaddr.IsValid() && c.typ != Inform {
		meta.Src = netip.AddrPortFrom(c.ciaddr, 68)
		meta.Dst = hSrvAddr
	}
	return h.sendMeta(c, meta)
}

func (h *harness) sendMeta(c client, meta PacketMeta) (Reply, error) {
	h.t.Helper()
	return h.s.Handle(context.Background(), c.bytes(h.t), meta, nil)
}

// reply decodes a reply and checks its type.
func (h *harness) reply(r Reply, err error, want MessageType) *Message {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("no reply (%v), want %v", err, want)
	}
	m := new(Message)
	if err := m.Decode(r.Data); err != nil {
		h.t.Fatalf("reply does not decode: %v", err)
	}
	if got, _ := m.MessageType(); got != want {
		h.t.Fatalf("reply is %v, want %v", got, want)
	}
	if m.Op != BootReply {
		h.t.Errorf("reply op %v", m.Op)
	}
	return m
}

// dora runs DISCOVER and REQUEST (SELECTING) for c and returns the OFFER
// and the ACK.
func (h *harness) dora(c client) (offer, ack *Message) {
	h.t.Helper()
	c.typ = Discover
	r, err := h.send(c)
	offer = h.reply(r, err, Offer)
	c.typ = Request
	c.reqIP = offer.YIAddr
	c.srvID, _ = offer.ServerID()
	r, err = h.send(c)
	ack = h.reply(r, err, Ack)
	if ack.YIAddr != offer.YIAddr {
		h.t.Fatalf("ACK for %v after OFFER of %v", ack.YIAddr, offer.YIAddr)
	}
	return offer, ack
}

// wantDrop checks that the packet was dropped for reason.
func wantDrop(t *testing.T, _ Reply, err error, reason DropReason) {
	t.Helper()
	if !errors.Is(err, reason) {
		t.Fatalf("got %v, want drop %v", err, reason)
	}
}

// hookLib is an in-process hook library whose callouts are test
// functions.
type hookLib struct {
	reg  hooks.Registration
	call func(p hooks.Point, a *hooks.Args) hooks.NextStep
}

func (l *hookLib) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return l.reg, nil
}
func (l *hookLib) Callout(_ context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	return l.call(p, a), nil
}
func (l *hookLib) Unload(context.Context) error { return nil }

// syncLib is a library with synchronous callouts at points, all handled
// by fn.
func syncLib(fn func(hooks.Point, *hooks.Args) hooks.NextStep, points ...hooks.Point) *hookLib {
	reg := hooks.Registration{}
	for _, p := range points {
		reg[p] = hooks.Sync
	}
	return &hookLib{reg: reg, call: fn}
}

// withHooks loads libs, in order, into a hooks manager for the server.
func withHooks(t *testing.T, libs ...*hookLib) func(*ServerOptions) {
	return func(o *ServerOptions) {
		cfg := hooks.Config{Logger: slog.New(slog.DiscardHandler)}
		for i, l := range libs {
			cfg.Libraries = append(cfg.Libraries, hooks.LibraryConfig{Library: "test-" + string(rune('a'+i)), Linked: l})
		}
		m, err := hooks.New(context.Background(), cfg)
		if err != nil {
			t.Fatalf("hooks: %v", err)
		}
		t.Cleanup(func() { m.Close(context.Background()) })
		o.Hooks = m
	}
}
