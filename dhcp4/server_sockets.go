package dhcp4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/internal/sock"
)

// ifSpec is what interfaces-config asks for on one interface, or on "*":
// the sockets Serve keeps open for it as long as the spec stays the same.
type ifSpec struct {
	name    string   // the interface, or "*"
	entries []string // its interfaces-config entries in Kea's syntax ("eth0", "eth0/192.0.2.1")
	st      sock.SocketType
	index   int    // the interface's index: a re-created interface gets new sockets
	mac     string // its MAC, which raw replies come from
	// addrs are the interface's IPv4 addresses when the sockets are udp
	// ones, each bound to one of them.
	addrs string
}

func (a ifSpec) same(b ifSpec) bool {
	return a.name == b.name && slices.Equal(a.entries, b.entries) && a.st == b.st &&
		a.index == b.index && a.mac == b.mac && a.addrs == b.addrs
}

// wantSockets lists the sockets an interfaces-config asks for, by
// interface name ("*" for the socket on all interfaces), as the calling
// thread's network namespace has them now. An interface that cannot be
// found is an error in errs; the others are still listed.
func wantSockets(ic config.InterfacesConfig) (want map[string]ifSpec, errs []error) {
	if len(ic.Interfaces) == 0 {
		return nil, []error{errors.New("dhcp4: interfaces-config lists no interfaces to listen on")}
	}
	st, err := sock.ParseSocketType(ic.DHCPSocketType)
	if err != nil {
		return nil, []error{fmt.Errorf("dhcp4: interfaces-config.dhcp-socket-type: %w", err)}
	}
	want = map[string]ifSpec{}
	for i, it := range ic.Interfaces {
		if it.Name == "*" {
			want["*"] = ifSpec{name: "*", entries: []string{"*"}, st: st}
			continue
		}
		entry := it.Name
		if it.Addr.IsValid() {
			entry += "/" + it.Addr.String()
		}
		sp, ok := want[it.Name]
		if ok {
			if !slices.Contains(sp.entries, entry) {
				sp.entries = append(sp.entries, entry)
				want[it.Name] = sp
			}
			continue
		}
		ifc, err := sock.LookupInterface(it.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("dhcp4: interfaces-config.interfaces[%d] %q: %w", i, it.Name, err))
			continue
		}
		sp = ifSpec{name: it.Name, entries: []string{entry}, st: st, index: ifc.Index, mac: ifc.MAC.String()}
		if st == sock.SocketUDP {
			sp.addrs = fmt.Sprint(ifc.Prefixes4)
		}
		want[it.Name] = sp
	}
	return want, errs
}

// ifSockets are the sockets of one interface of interfaces-config (of
// "*", or the caller's), each read by its own packet loop.
type ifSockets struct {
	spec  ifSpec
	conns []engine.Conn
	close func() error // nil for sockets Serve did not open
	// all holds the raw senders of "*", looked at anew at each
	// reconfiguration; nil for other sockets.
	all   *rawAll
	loops []*loop
}

// open opens the sockets of sp through internal/sock in the calling
// thread's network namespace: for an interface a UDP socket on the server
// port bound to the device (with udp sockets, one per address) and with
// raw sockets a raw sender for replies to clients that have no address
// yet; for "*" one socket on no device, and raw senders on every
// interface that can take them.
func (s *Server) open(sp ifSpec) (*ifSockets, error) {
	// The packet loop stops reading while it syncs the store; the receive
	// buffer holds what arrives meanwhile.
	cfg := sock.Config4{Interfaces: sp.entries, Port: uint16(s.opts.Port), SocketType: sp.st, RecvBuffer: 1 << 20}
	var all *rawAll
	if sp.name == "*" {
		// Serve keeps the senders of "*" itself, so that interfaces that
		// appear get one at the next reconfiguration without the socket
		// being reopened.
		cfg.SocketType = sock.SocketUDP
		if sp.st == sock.SocketRaw {
			all = &rawAll{}
			if err := all.refresh(); err != nil {
				all.close()
				return nil, err
			}
		}
	}
	l, err := sock.Listen4(cfg)
	if err != nil {
		if all != nil {
			all.close()
		}
		return nil, fmt.Errorf("dhcp4: %w", err)
	}
	u := &ifSockets{spec: sp, all: all, close: l.Close}
	raw := l.Raw
	if all != nil {
		raw = all.get
		u.close = func() error { all.close(); return l.Close() }
	}
	for _, c := range l.Conns {
		u.conns = append(u.conns, &sockConn4{c: c, raw: raw})
	}
	return u, nil
}

// listen opens the sockets of every interface of ic (see open), or none
// if one of them fails.
func (s *Server) listen(ic config.InterfacesConfig) ([]engine.Conn, func(), error) {
	want, errs := wantSockets(ic)
	if len(errs) > 0 {
		return nil, func() {}, errors.Join(errs...)
	}
	var us []*ifSockets
	closeAll := func() {
		for _, u := range us {
			u.close()
		}
	}
	var out []engine.Conn
	for _, name := range slices.Sorted(maps.Keys(want)) {
		u, err := s.open(want[name])
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		us = append(us, u)
		out = append(out, u.conns...)
	}
	return out, closeAll, nil
}

// rawAll is the raw senders of "*": one per up, non-loopback Ethernet
// interface with an IPv4 address. refresh runs on Serve's goroutine, in
// its network namespace; get on any.
type rawAll struct {
	m atomic.Pointer[map[int]*sock.RawSender]
}

func (r *rawAll) get(ifIndex int) *sock.RawSender {
	if m := r.m.Load(); m != nil {
		return (*m)[ifIndex]
	}
	return nil
}

// refresh opens senders on interfaces that have none yet, keeps those of
// interfaces that are still there and closes the others. It returns the
// senders it could not open; the interfaces they are for get broadcast
// replies instead.
func (r *rawAll) refresh() error {
	list, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("dhcp4: raw senders for \"*\": listing interfaces: %w", err)
	}
	var old map[int]*sock.RawSender
	if m := r.m.Load(); m != nil {
		old = *m
	}
	next := map[int]*sock.RawSender{}
	var errs []error
	for _, ni := range list {
		if ni.Flags&net.FlagUp == 0 || ni.Flags&net.FlagLoopback != 0 || len(ni.HardwareAddr) != 6 {
			continue
		}
		it, err := sock.LookupInterface(ni.Name)
		if err != nil || len(it.Prefixes4) == 0 {
			continue
		}
		if o := old[it.Index]; o != nil && o.Interface().Name == it.Name && bytes.Equal(o.Interface().MAC, it.MAC) {
			next[it.Index] = o
			continue
		}
		rs, err := sock.NewRawSender(it)
		if err != nil {
			errs = append(errs, fmt.Errorf("dhcp4: %w", err))
			continue
		}
		next[it.Index] = rs
	}
	r.m.Store(&next)
	for i, o := range old {
		if next[i] != o {
			o.Close() // a reply being sent on it now fails: its interface is gone
		}
	}
	return errors.Join(errs...)
}

func (r *rawAll) close() {
	if m := r.m.Swap(nil); m != nil {
		for _, rs := range *m {
			rs.Close()
		}
	}
}

// sockConn4 is engine.Conn over an internal/sock socket, which reads and
// writes batches without allocating, with the listener's raw senders for
// link-layer replies.
type sockConn4 struct {
	c    *sock.Conn
	raw  func(ifIndex int) *sock.RawSender
	msgs []sock.Msg

	wmu  sync.Mutex // the reader and the committer both write
	outs []sock.Out
}

func (a *sockConn4) ReadBatch(ps []engine.Packet) (int, error) {
	if len(a.msgs) < len(ps) {
		a.msgs = make([]sock.Msg, len(ps))
	}
	ms := a.msgs[:len(ps)]
	for i := range ms {
		ms[i].Buf = ps[i].Buf[:cap(ps[i].Buf)]
	}
	n, err := a.c.ReadBatch(context.Background(), ms)
	port := a.c.LocalAddr().Port()
	for i := range n {
		m, p := &ms[i], &ps[i]
		p.N, p.Src, p.IfIndex = m.N, m.Src, m.IfIndex
		if m.Truncated {
			p.N = 0 // longer than any DHCP message we take: dropped as truncated
		}
		p.Dst = netip.AddrPortFrom(m.Dst, port)
	}
	return n, err
}

func (a *sockConn4) WriteBatch(ps []engine.Packet) (int, error) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if len(a.outs) < len(ps) {
		a.outs = make([]sock.Out, len(ps))
	}
	outs := a.outs[:len(ps)]
	for i := range ps {
		p := &ps[i]
		outs[i] = sock.Out{Buf: p.Buf[:p.N], Dst: p.Dst, Src: p.Src.Addr(), IfIndex: p.IfIndex}
	}
	return a.c.WriteBatch(outs)
}

func (a *sockConn4) SetReadDeadline(t time.Time) error { return a.c.SetReadDeadline(t) }

func (a *sockConn4) ifIndex() int { return a.c.Interface().Index }

// servedIface is the interface the socket is bound to, as the packet
// loop needs it: read when the socket was opened, in its namespace.
func (a *sockConn4) servedIface() (ifaceInfo, bool) {
	ifc := a.c.Interface()
	if ifc.Index == 0 {
		return ifaceInfo{}, false // "*": per packet, from the interface cache
	}
	return ifaceInfoOf(ifc, a.c.Source()), true
}

// ifaceNow is servedIface read again, for a socket kept across a
// reconfiguration while the interface's addresses may have changed. It
// runs in the socket's network namespace (on Serve's goroutine).
func (a *sockConn4) ifaceNow() (ifaceInfo, bool) {
	ifc := a.c.Interface()
	if ifc.Index == 0 {
		return ifaceInfo{}, false
	}
	now, err := sock.LookupInterface(ifc.Name)
	if err != nil || now.Index != ifc.Index {
		return ifaceInfoOf(ifc, a.c.Source()), true // going away: its socket closes at once
	}
	return ifaceInfoOf(now, a.c.Source()), true
}

// ifaceInfoOf is a bound socket's interface; src is the address named in
// interfaces-config, else the interface's first address is the server's.
func ifaceInfoOf(ifc sock.Interface, src netip.Addr) ifaceInfo {
	info := ifaceInfo{name: ifc.Name, served: true, known: true, addr: src}
	for _, p := range ifc.Prefixes4 {
		info.own = append(info.own, p.Addr())
		if !info.addr.IsValid() {
			info.addr = p.Addr()
		}
	}
	return info
}

// WriteRaw implements engine.RawWriter.
func (a *sockConn4) WriteRaw(p *engine.Packet) error {
	return writeRaw(a.raw(p.IfIndex), p)
}

func writeRaw(rs *sock.RawSender, p *engine.Packet) error {
	if rs == nil || p.HWLen != 6 {
		return engine.ErrRawUnsupported
	}
	return rs.Send(p.Buf[:p.N], net.HardwareAddr(p.HWAddr[:6]), p.Src, p.Dst)
}

// callerConn is a socket from ServerOptions.Conns (x/net with IP_PKTINFO), with
// raw senders opened on demand per interface when the configuration asks
// for raw replies and the process may open them.
type callerConn struct {
	*engine.UDPConn
	raw *rawSenders
}

func (c callerConn) WriteRaw(p *engine.Packet) error {
	if c.raw == nil {
		return engine.ErrRawUnsupported
	}
	return writeRaw(c.raw.get(p.IfIndex), p)
}

// rawSenders opens a raw sender per interface index once, remembering
// failures (no CAP_NET_RAW) so that they are not retried per packet.
type rawSenders struct {
	s  *Server
	mu sync.Mutex
	m  map[int]*sock.RawSender
}

func (r *rawSenders) get(idx int) *sock.RawSender {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rs, ok := r.m[idx]; ok {
		return rs
	}
	var rs *sock.RawSender
	if ni, err := net.InterfaceByIndex(idx); err == nil {
		if ifc, err := sock.LookupInterface(ni.Name); err == nil {
			rs, err = sock.NewRawSender(ifc)
			if err != nil {
				r.s.log.Warn("no raw sender; replies to clients without an address are broadcast",
					"interface", ni.Name, "error", err)
			}
		}
	}
	r.m[idx] = rs
	return rs
}

func (r *rawSenders) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range r.m {
		if rs != nil {
			rs.Close()
		}
	}
}

// callerConns wraps ServerOptions.Conns.
func (s *Server) callerConns(ic config.InterfacesConfig) ([]engine.Conn, func(), error) {
	var raw *rawSenders
	if ic.DHCPSocketType != "udp" {
		raw = &rawSenders{s: s, m: make(map[int]*sock.RawSender)}
	}
	closeAll := func() {
		if raw != nil {
			raw.close()
		}
	}
	var out []engine.Conn
	for _, pc := range s.opts.Conns {
		uc, ok := pc.(*net.UDPConn)
		if !ok {
			return nil, closeAll, fmt.Errorf("dhcp4: ServerOptions.Conns: %T is not a *net.UDPConn", pc)
		}
		c, err := engine.NewUDPConn(uc)
		if err != nil {
			return nil, closeAll, err
		}
		out = append(out, callerConn{UDPConn: c, raw: raw})
	}
	return out, closeAll, nil
}
