package dhcp6

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
	"github.com/leasehold/leasehold/internal/logging"
	"github.com/leasehold/leasehold/lease"
)

// Server is a DHCPv6 server (RFC 8415) that behaves as Kea 2.2's
// kea-dhcp6 where the RFC leaves room: SOLICIT/ADVERTISE, REQUEST, RENEW,
// REBIND, RELEASE, DECLINE, CONFIRM and INFORMATION-REQUEST, rapid commit,
// IA_NA, IA_TA and IA_PD (several of each per message), relayed messages
// at any depth, classification, reservations, option-data at every level,
// hook points, lease expiration and reclamation.
//
// Embedding one takes a parsed configuration and a lease store:
//
//	cfg, err := config.Load("/etc/kea/kea-dhcp6.conf")
//	...
//	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{V6Path: "/var/lib/kea/kea-leases6.csv", Persist: true})
//	...
//	srv, err := dhcp6.NewServer(cfg.DHCP6, dhcp6.ServerOptions{Store: store})
//	...
//	err = srv.Serve(ctx) // until ctx ends or Shutdown
//
// Handle is the whole of the protocol without sockets: one datagram in,
// the reply out. Serve runs it behind the shared batched packet loop,
// which makes the leases of a batch durable (one Store.Sync) before any
// reply of that batch that promises them is sent.
//
// Where the RFC leaves room the answers are Kea's, message for message
// (TestKeaCompare holds conversations with kea-dhcp6 2.2 and requires the
// same replies): which subnet a packet selects, which lease an IA gets,
// option order and precedence, status codes, which malformed packets are
// dropped. Like Kea, the server never answers UseMulticast: SOLICIT,
// CONFIRM, REBIND and INFORMATION-REQUEST sent straight to a unicast
// address are dropped, the other types are served. Leasehold departs from
// Kea 2.2 on purpose in a few places:
//   - IA_TA gets temporary addresses from the address pools (Kea 2.2
//     ignores IA_TA); they are released and declined like IA_NA ones and
//     not renewed (RFC 8415 section 6.5).
//   - CONFIRM counts addresses of the other subnets of the selected
//     subnet's shared network as on-link (Kea checks the selected subnet
//     only, although the shared network is one link).
//   - A class's valid-lifetime and preferred-lifetime apply to renewals
//     too (Kea 2.2 uses them only for new leases).
//   - An ADVERTISE never changes the store (Kea 2.2 deletes a client's
//     lease reserved for another host while answering a SOLICIT).
//
// A Server is safe for concurrent use.
type Server struct {
	ready   chan struct{} // closed once Serve has its sockets open
	readyOn sync.Once

	store lease.Store
	hooks *hooks.Manager
	// log is the root logger (kea-dhcp6); pktLog, leaseLog and allocLog
	// carry Kea's child logger names, so a configuration's loggers route
	// them as Kea's.
	log, pktLog, leaseLog, allocLog *slog.Logger
	now                             func() time.Time
	opts                            ServerOptions

	view     atomic.Pointer[view]
	counters counters
	workers  sync.Pool

	// allocSeq orders dynamic allocations for the shared networks'
	// preferred subnet.
	allocSeq atomic.Uint64

	// late sends replies finished after Handle returned (parked ones)
	// while Serve runs.
	late atomic.Pointer[func(Response)]

	serve serveState
}

// ServerOptions are what a Server needs besides its configuration.
type ServerOptions struct {
	// Store holds the leases (required).
	Store lease.Store
	// Hooks calls the hook libraries; nil means none.
	Hooks *hooks.Manager
	// Logger receives the server's logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Port is the server port (0: 547) and ClientPort the port replies to
	// directly connected clients go to (0: 546; relays get theirs).
	Port, ClientPort int
	// Conns are IPv6 UDP sockets opened by the caller (tests, socket
	// activation). When set, Serve uses them instead of opening its own;
	// the caller closes them after Serve returns.
	Conns []net.PacketConn
	// DataDir is where the server DUID is kept (kea-dhcp6-serverid) when
	// the configuration has no data-directory; "" means DefaultDataDir.
	DataDir string
	// ConfigJSON renders a configuration for the dhcp6_srv_configured
	// hook point's json_config argument; nil passes config.DHCP6.JSON, the
	// Dhcp6 map as read (Kea passes it with its defaults filled in).
	ConfigJSON func(*config.DHCP6) json.RawMessage
	// SyncInterval is a group-commit window for Serve: replies that
	// promise leases wait for a sync of the store, and with a window syncs
	// are at least this far apart, so one fsync covers every packet that
	// arrived meanwhile. 0 (the default) is DefaultSyncInterval (1 ms); a
	// negative value syncs as soon as a batch needs it (the packets that
	// arrive during a sync form the next batch anyway).
	SyncInterval time.Duration
	// Committer moves syncs to a goroutine of their own, so reading goes
	// on during a sync (for stores whose syncs are slow; with the memfile
	// store only with GOMAXPROCS of 2 or more, as its fsync keeps its P),
	// at the cost of a goroutine hand-off per batch. By default the packet loop syncs and
	// sends itself, and the socket buffer holds what arrives meanwhile.
	Committer bool
}

// DefaultDataDir is where Debian's Kea keeps its DUID and lease files.
const DefaultDataDir = "/var/lib/kea"

// Standard ports (RFC 8415 section 7.2).
const (
	ServerPort = 547
	ClientPort = 546
)

// NewServer checks cfg, sets up the server DUID (kept in
// <data-directory>/kea-dhcp6-serverid as Kea does, unless server-id says
// not to persist it) and returns a server ready to Serve or Handle.
func NewServer(cfg *config.DHCP6, opts ServerOptions) (*Server, error) {
	if cfg == nil {
		return nil, errors.New("dhcp6: NewServer: nil configuration")
	}
	if opts.Store == nil {
		return nil, errors.New("dhcp6: NewServer: ServerOptions.Store is required")
	}
	s := &Server{store: opts.Store, hooks: opts.Hooks, log: opts.Logger, now: opts.Now, opts: opts, ready: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.pktLog = s.log.With(logging.LoggerKey, "kea-dhcp6.packets")
	s.leaseLog = s.log.With(logging.LoggerKey, "kea-dhcp6.leases")
	s.allocLog = s.log.With(logging.LoggerKey, "kea-dhcp6.alloc-engine")
	if s.now == nil {
		s.now = time.Now
	}
	s.workers.New = func() any { return newExchange(s) }
	v, err := s.buildView(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.configured(v); err != nil {
		return nil, err
	}
	s.view.Store(v)
	return s, nil
}

// Reconfigure swaps in a new configuration. Leases stay in the store;
// packets being processed finish with the configuration they started with.
// On error the old configuration stays in force. While Serve runs on its
// own sockets, Reconfigure returns once they follow the new
// interfaces-config (see Serve).
func (s *Server) Reconfigure(cfg *config.DHCP6) error {
	if cfg == nil {
		return errors.New("dhcp6: Reconfigure: nil configuration")
	}
	v, err := s.buildView(cfg)
	if err != nil {
		return err
	}
	if err := s.configured(v); err != nil {
		return err
	}
	s.view.Store(v)
	s.requestAdjust()
	return nil
}

func (s *Server) buildView(cfg *config.DHCP6) (*view, error) {
	id, file, err := loadServerDUID(cfg, s.dataDir(cfg), s.now())
	if err != nil {
		return nil, fmt.Errorf("dhcp6: server identifier: %w", err)
	}
	v, err := newView(cfg, id)
	if err != nil {
		return nil, fmt.Errorf("dhcp6: %w", err)
	}
	if file != "" {
		s.log.Info("using server identifier", "duid", DUID{Raw: id}.String(), "file", file)
	}
	return v, nil
}

func (s *Server) dataDir(cfg *config.DHCP6) string {
	switch {
	case cfg.DataDirectory != "":
		return cfg.DataDirectory
	case s.opts.DataDir != "":
		return s.opts.DataDir
	}
	return DefaultDataDir
}

// configured fires dhcp6_srv_configured; a callout that drops aborts the
// configuration with the reason it gives.
func (s *Server) configured(v *view) error {
	if !s.hooks.Enabled(hooks.Dhcp6SrvConfigured) {
		return nil
	}
	a := hooks.Args{JSONConfig: v.cfg.JSON}
	if s.opts.ConfigJSON != nil {
		a.JSONConfig = s.opts.ConfigJSON(v.cfg)
	}
	if s.hooks.Call(context.Background(), hooks.Dhcp6SrvConfigured, &a) == hooks.Drop {
		msg := a.Error
		if msg == "" {
			msg = "no reason given"
		}
		return fmt.Errorf("dhcp6: dhcp6_srv_configured callout rejected the configuration: %s", msg)
	}
	return nil
}

// PacketMeta is what the socket layer knows about a received datagram.
type PacketMeta struct {
	// Src is the sender: a client's link-local address (with its zone) or
	// a relay's address, and the source port.
	Src netip.AddrPort
	// Dst is the address the datagram was sent to (ff02::1:2, or one of
	// the server's unicast addresses); invalid when unknown.
	Dst netip.Addr
	// IfIndex and IfName name the receiving interface (0 and "" when
	// unknown).
	IfIndex int
	IfName  string
	// Deliver receives a reply finished after Handle returned: one a hook
	// library parked at leases6_committed and later resumed. nil: such
	// replies go out through Serve's sockets, or nowhere when not serving.
	Deliver func(Response)
}

// Response is the server's answer to one datagram.
type Response struct {
	// Data is the reply in wire format (relay encapsulation included).
	Data []byte
	// Type is the client message type inside (ADVERTISE or REPLY).
	Type MessageType
	// Dst is where it goes: the client's link-local address and port 546,
	// or the relay's address and port 547 (or the relay's source port,
	// RFC 8357); IfIndex the interface to send it on.
	Dst     netip.AddrPort
	IfIndex int
	// Sync says the reply promises leases written to the store: make the
	// store durable (Store.Sync) before sending it. Serve does.
	Sync bool
}

// ErrParked is returned by Handle for a packet a hook library parked at
// leases6_committed: its reply goes to PacketMeta.Deliver when resumed.
var ErrParked = errors.New("dhcp6: reply parked by a hook library")

// Handle processes one received datagram to completion: decoding, the
// hook points, classification, subnet selection, lease lookup and
// allocation in the store, and the reply. It never panics on input; a
// datagram that gets no reply returns a *DropError naming the reason
// (also counted in Counters). The reply is appended to buf[:0] (which may
// be nil), so a caller that reuses buffers allocates nothing. Handle does
// not sync the store: see Response.Sync.
func (s *Server) Handle(ctx context.Context, req []byte, meta PacketMeta, buf []byte) (Response, error) {
	x := s.workers.Get().(*exchange)
	defer s.workers.Put(x)
	return x.runSafe(ctx, req, meta, buf)
}

// lateSender returns the sender of replies finished late, nil when the
// server is not serving.
func (s *Server) lateSender() func(Response) {
	if f := s.late.Load(); f != nil {
		return *f
	}
	return nil
}

// Ready is closed once Serve has opened its sockets, so a daemon can log
// that it started only when it really serves (Kea logs DHCP6_STARTED after
// opening its sockets). It stays open if Serve fails before that.
func (s *Server) Ready() <-chan struct{} { return s.ready }
