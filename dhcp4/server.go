package dhcp4

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/expr"
	"github.com/leasehold/leasehold/internal/logging"
	"github.com/leasehold/leasehold/lease"
)

// ServerOptions are what a Server needs besides its configuration.
type ServerOptions struct {
	// Store holds the leases. Required. The daemon opens a memfile store
	// per the configuration's lease-database.
	Store lease.Store
	// Hooks calls the hook libraries; nil means none.
	Hooks *hooks.Manager
	// Logger receives the server's logs, tagged with Kea's logger names
	// (kea-dhcp4.packets, kea-dhcp4.leases, ...); nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Port is the server port (default 67). ClientPort, when set, sends
	// every reply to that port, as kea-dhcp4 -P does (for tests);
	// otherwise clients get port 68 and relays port 67.
	Port, ClientPort int
	// Conns are sockets opened by the caller (systemd socket activation,
	// tests): IPv4 UDP sockets bound to the server port. When set, Serve
	// uses them instead of opening sockets for interfaces-config.
	Conns []net.PacketConn
	// ConfigJSON renders a configuration for the dhcp4_srv_configured
	// hook point's json_config argument; nil passes config.DHCP4.JSON, the
	// Dhcp4 map as read (Kea passes it with its defaults filled in).
	ConfigJSON func(*config.DHCP4) json.RawMessage
	// SyncInterval is a group-commit window for Serve: a reply that
	// promises a lease waits for a sync of the store, and with a window
	// syncs are at least this far apart, so that one fsync covers the
	// leases of every packet that arrived meanwhile. 0 (the default) is
	// DefaultSyncInterval (1 ms); a negative value syncs as soon as a
	// batch of packets needs it (the packets that arrive during a sync
	// still form the next batch, so a busy server syncs many leases at
	// once).
	SyncInterval time.Duration
	// Committer moves syncs to a goroutine of their own, so that reading
	// goes on during a sync (for stores whose syncs are slow; with the
	// memfile store only with GOMAXPROCS of 2 or more, as its fsync keeps
	// its P), at the cost of a goroutine hand-off per batch (about twice
	// the CPU per DORA measured here). By default the packet loop syncs
	// and sends itself, and the socket buffer holds what arrives during a
	// sync.
	Committer bool
}

// PacketMeta says where a datagram came from.
type PacketMeta struct {
	Src     netip.AddrPort // the sender
	Dst     netip.Addr     // where the datagram was sent: a broadcast address or one of the server's
	IfIndex int            // receiving interface
	IfName  string         // its name ("" if unknown)
	// IfAddr is the server's address on the receiving interface: the
	// server identifier when the datagram was a broadcast.
	IfAddr netip.Addr
}

// Reply is the datagram Handle decided to send. Data is appended to the
// buffer given to Handle; HWAddr aliases the request. Neither outlives
// the next use of those buffers.
type Reply struct {
	Type MessageType
	Data []byte
	// Dst is where to send it, Src the source address (the server
	// identifier) and IfIndex the interface (the receiving one).
	Dst     netip.AddrPort
	Src     netip.Addr
	IfIndex int
	// Raw asks for delivery in a link-layer frame to HWAddr: the client
	// has no address yet and did not ask for a broadcast (RFC 2131
	// section 4.1). A transport that cannot do that broadcasts to
	// 255.255.255.255 instead.
	Raw    bool
	HWAddr []byte
	// Sync is set when the reply promises a lease that was written: the
	// store must be synced before the reply is sent.
	Sync bool
}

// Server is a DHCPv4 server that follows RFC 2131 and, where the RFC
// leaves room, Kea 2.2's kea-dhcp4: the same configuration (config.DHCP4),
// the same choices and the same hook points. Build it with NewServer; run
// it with Serve, or feed it datagrams with Handle.
//
// What it does, in Kea's order: DISCOVER gets an OFFER (nothing is written
// to the store); REQUEST in SELECTING, INIT-REBOOT, RENEWING and REBINDING
// gets an ACK, a NAK (authoritative, or an address the client may not
// have) or no answer (INIT-REBOOT from an unknown client when not
// authoritative; an address outside every pool); DECLINE puts the address
// in probation for decline-probation-period; RELEASE frees the lease;
// INFORM gets an ACK with options and no address. Subnets are selected by
// option 82's link selection or option 118, relay ip-addresses, giaddr,
// ciaddr, the source, and the receiving interface (name, then address),
// within shared networks and client classes. Classes come from built-in
// names, class tests (internal/expr) and reservations; reservations by
// hw-address, duid, circuit-id, client-id and flex-id (from a
// host4_identifier callout) give an address, a host name, options, classes
// and boot fields. Options follow Kea's precedence (reservation, pool,
// subnet, shared network, classes, global), always-send and never-send;
// option 82 is echoed last. Host names from options 81 and 12 are stored in
// the lease; DNS updates are not supported.
//
// Differences from Kea 2.2: requested options are written in the order of
// the client's parameter request list (Kea sorts them by code; ISC dhcpd
// keeps the client's order, which some clients rely on); hops above 16 and
// relayed packets from port 68 are dropped; a lease is synced to stable
// storage before the reply that promises it (Kea's memfile does not sync);
// lease4_offer and lease4_server_decline (Kea 3) are fired.
//
// Every packet dropped without a reply is counted under a DropReason.
type Server struct {
	opts  ServerOptions
	store lease.Store
	hooks *hooks.Manager
	now   func() time.Time

	log, pktLog, leaseLog, allocLog *slog.Logger

	view atomic.Pointer[view]
	cnt  counters

	workers sync.Pool
	// leaseMu keeps reclamation from changing a lease while a packet is
	// working on it: packets share it, a reclamation step holds it alone.
	leaseMu sync.RWMutex

	// ownAddrs are the addresses of the interfaces the server listens on:
	// a client naming one of them in option 54 is talking to us.
	ownAddrs atomic.Pointer[map[netip.Addr]bool]

	mu      sync.Mutex
	serving bool
	stop    context.CancelFunc
	done    chan struct{}
	late    func(*Reply)  // sends a reply finished after a hook parked it
	sockets loopSet       // the sockets Serve reads
	opened  atomic.Int64  // interfaces Serve opened sockets for, for tests
	ready   chan struct{} // closed once Serve has its first sockets open
	readyOn sync.Once

	// testIfaces replaces the host's interfaces, by index, in tests that
	// run the packet loop over in-memory conns.
	testIfaces []ifaceInfo
}

// NewServer checks cfg and builds a server. Nothing is opened until
// Serve.
func NewServer(cfg *config.DHCP4, opts ServerOptions) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("dhcp4: ServerOptions.Store is required")
	}
	v, err := newView(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, store: opts.Store, hooks: opts.Hooks, now: opts.Now, ready: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.Port == 0 {
		s.opts.Port = 67
	}
	base := opts.Logger
	if base == nil {
		base = slog.Default()
	}
	s.log = base.With(logging.LoggerKey, "kea-dhcp4.dhcp4")
	s.pktLog = base.With(logging.LoggerKey, "kea-dhcp4.packets")
	s.leaseLog = base.With(logging.LoggerKey, "kea-dhcp4.leases")
	s.allocLog = base.With(logging.LoggerKey, "kea-dhcp4.alloc-engine")
	s.workers.New = func() any { return newWorker(s) }
	empty := map[netip.Addr]bool{}
	s.ownAddrs.Store(&empty)
	if err := s.configured(context.Background(), cfg); err != nil {
		return nil, err
	}
	s.view.Store(v)
	return s, nil
}

// Reconfigure switches to cfg. Leases are kept; packets already being
// processed finish with the configuration they started with. On error the
// running configuration stays in force. While Serve runs, Reconfigure
// returns once its sockets follow the new interfaces-config (see Serve).
func (s *Server) Reconfigure(cfg *config.DHCP4) error {
	v, err := newView(cfg)
	if err != nil {
		return err
	}
	if err := s.configured(context.Background(), cfg); err != nil {
		return err
	}
	old := s.view.Swap(v)
	carryCursors(old, v)
	s.requestAdjust()
	s.log.Info("dynamic server reconfiguration succeeded", "subnets", len(v.subnets))
	return nil
}

// carryCursors keeps the iterative allocator's position for subnets that
// survive a reconfiguration, so that addresses are not offered again from
// the start of the pools.
func carryCursors(old, v *view) {
	if old == nil {
		return
	}
	for id, s := range v.byID {
		if o := old.byID[id]; o != nil && o.prefix == s.prefix {
			s.cursor.Store(o.cursor.Load())
		}
	}
}

// configured fires dhcp4_srv_configured; a callout that DROPs rejects the
// configuration with its error text.
func (s *Server) configured(ctx context.Context, cfg *config.DHCP4) error {
	if !s.hooks.Enabled(hooks.Dhcp4SrvConfigured) {
		return nil
	}
	a := &hooks.Args{GlobalUserContext: string(cfg.UserContext), JSONConfig: cfg.JSON}
	if s.opts.ConfigJSON != nil {
		a.JSONConfig = s.opts.ConfigJSON(cfg)
	}
	s.cnt.hookCalls.Add(1)
	if s.hooks.Call(ctx, hooks.Dhcp4SrvConfigured, a) == hooks.Drop {
		msg := a.Error
		if msg == "" {
			msg = "no reason given"
		}
		return fmt.Errorf("dhcp4: a dhcp4_srv_configured callout rejected the configuration: %s", msg)
	}
	return nil
}

// Counters returns a snapshot of the server's counters.
func (s *Server) Counters() Counters {
	c := s.cnt.snapshot()
	st := s.engineStats()
	c.Dropped[DropOverload] += st.Overload
	c.Dropped[DropInternal] += st.Panics
	c.Dropped[DropSyncFailed] += st.SyncErrors
	c.Received.Total += st.Overload
	c.Pools = s.poolUse()
	return c
}

// poolUse sums the store's lease counts per subnet of the current view.
func (s *Server) poolUse() []PoolUse {
	v := s.view.Load()
	out := make([]PoolUse, len(v.subnets))
	idx := make(map[uint32]int, len(v.subnets))
	for i, sn := range v.subnets {
		out[i] = PoolUse{SubnetID: sn.id, Prefix: sn.prefix, Total: sn.capacity}
		idx[sn.id] = i
	}
	counts, err := s.store.Counts4(context.Background())
	if err != nil {
		s.log.Warn("lease counts unavailable", "error", err)
		return out
	}
	for _, c := range counts {
		i, ok := idx[c.SubnetID]
		if !ok {
			continue
		}
		switch c.State {
		case lease.StateDefault:
			out[i].Assigned += c.N
		case lease.StateDeclined:
			out[i].Assigned += c.N
			out[i].Declined += c.N
		}
	}
	return out
}

// Handle processes one datagram to completion, without sockets: decode,
// classify, select a subnet, find or allocate the lease in the store and
// build the reply, appended to buf (which may be nil). A dropped packet
// returns a DropReason as the error. Handle is safe for concurrent use;
// Serve calls the same code from its packet loop.
//
// A reply with nil Data means there is nothing to send (RELEASE, DECLINE).
// When Reply.Sync is set the caller must Sync the store before sending.
// ErrParked means a hook library holds the packet; its reply goes out
// through Serve, if it is running, when the library resumes it.
func (s *Server) Handle(ctx context.Context, req []byte, meta PacketMeta, buf []byte) (Reply, error) {
	w := s.workers.Get().(*worker)
	defer s.workers.Put(w)
	w.meta = meta
	r, reason := w.handleSafe(ctx, req, &w.meta, buf)
	switch reason {
	case dropNone:
		return r, nil
	case reasonParked:
		return Reply{}, ErrParked
	}
	return Reply{}, reason
}

// worker holds the reusable state of one packet-processing goroutine.
type worker struct {
	s       *Server
	m       Message
	x       exchange
	cls     classSet
	pkt     exprPacket
	scratch expr.Scratch
	levels  optLevels
	meta    PacketMeta // the packet's metadata, kept here so it need not escape
}

func newWorker(s *Server) *worker {
	w := &worker{s: s}
	w.pkt = exprPacket{m: &w.m, cls: &w.cls}
	return w
}

// handleSafe is handle with a recover: a bug triggered by one packet
// drops that packet, counted and logged, and never the server.
func (w *worker) handleSafe(ctx context.Context, req []byte, meta *PacketMeta, buf []byte) (r Reply, reason DropReason) {
	defer func() {
		if p := recover(); p != nil {
			w.s.cnt.drop(DropInternal)
			w.s.log.Error("packet processing panicked; packet dropped", "panic", fmt.Sprint(p), "from", meta.Src)
			r, reason = Reply{}, DropInternal
		}
	}()
	return w.handle(ctx, req, meta, buf)
}

// Ready is closed once Serve has opened its sockets and reads packets, so a
// daemon can log that it started only when it really serves (Kea logs
// DHCP4_STARTED after opening its sockets). It stays open if Serve fails
// before that.
func (s *Server) Ready() <-chan struct{} { return s.ready }
