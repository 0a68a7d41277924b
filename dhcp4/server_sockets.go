package dhcp4

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/internal/sock"
)

// listen opens the sockets for interfaces-config through internal/sock,
// in the calling thread's network namespace: per named interface a UDP
// socket on the server port bound to the device (or one socket for "*"),
// and with dhcp-socket-type raw (Kea's default) a raw sender per
// interface for replies to clients that have no address yet.
func (s *Server) listen(ic config.InterfacesConfig) ([]engine.Conn, func(), error) {
	if len(ic.Interfaces) == 0 {
		return nil, func() {}, errors.New("dhcp4: interfaces-config lists no interfaces to listen on")
	}
	names := make([]string, 0, len(ic.Interfaces))
	for _, ifc := range ic.Interfaces {
		n := ifc.Name
		if ifc.Addr.IsValid() {
			n += "/" + ifc.Addr.String()
		}
		names = append(names, n)
	}
	st, err := sock.ParseSocketType(ic.DHCPSocketType)
	if err != nil {
		return nil, func() {}, fmt.Errorf("dhcp4: interfaces-config.dhcp-socket-type: %w", err)
	}
	// The packet loop stops reading while it syncs the store; the receive
	// buffer holds what arrives meanwhile.
	l, err := sock.Listen4(sock.Config4{Interfaces: names, Port: uint16(s.opts.Port), SocketType: st, RecvBuffer: 1 << 20})
	if err != nil {
		return nil, func() {}, fmt.Errorf("dhcp4: %w", err)
	}
	var out []engine.Conn
	for _, c := range l.Conns {
		out = append(out, &sockConn4{c: c, raw: l.Raw})
	}
	return out, func() { l.Close() }, nil
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
	info := ifaceInfo{name: ifc.Name, served: true, known: true, addr: a.c.Source()}
	for _, p := range ifc.Prefixes4 {
		info.own = append(info.own, p.Addr())
		if !info.addr.IsValid() {
			info.addr = p.Addr()
		}
	}
	return info, true
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

// callerConn is a socket from Options.Conns (x/net with IP_PKTINFO), with
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

// callerConns wraps Options.Conns.
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
			return nil, closeAll, fmt.Errorf("dhcp4: Options.Conns: %T is not a *net.UDPConn", pc)
		}
		c, err := engine.NewUDPConn(uc)
		if err != nil {
			return nil, closeAll, err
		}
		out = append(out, callerConn{UDPConn: c, raw: raw})
	}
	return out, closeAll, nil
}
