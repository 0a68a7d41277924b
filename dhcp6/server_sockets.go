package dhcp6

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/internal/sock"
	"golang.org/x/net/ipv6"
)

// servedConn is a socket the packet loop reads, with the name of its
// interface when the socket is bound to one.
type servedConn struct {
	engine.Conn
	ifName string
	close  func() error
}

// listen opens the server's sockets for the configuration's interfaces, in
// the calling thread's network namespace: one UDP socket per interface on
// the server port, joined to ff02::1:2 (internal/sock).
func (s *Server) listen(cfg *config.DHCP6) ([]servedConn, error) {
	ic := cfg.InterfacesConfig
	if len(ic.Interfaces) == 0 {
		return nil, errors.New("dhcp6: interfaces-config lists no interfaces to listen on")
	}
	names := make([]string, 0, len(ic.Interfaces))
	for _, ifc := range ic.Interfaces {
		n := ifc.Name
		if ifc.Addr.IsValid() {
			n += "/" + ifc.Addr.String()
		}
		names = append(names, n)
	}
	port := s.opts.Port
	if port == 0 {
		port = ServerPort
	}
	l, err := sock.Listen6(sock.Config6{Interfaces: names, Port: uint16(port), RecvBuffer: recvBuffer})
	if err != nil {
		return nil, fmt.Errorf("dhcp6: %w", err)
	}
	var out []servedConn
	for i, c := range l.Conns {
		sc := servedConn{Conn: newSockConn(c), ifName: c.Interface().Name}
		if i == 0 {
			sc.close = l.Close
		}
		out = append(out, sc)
	}
	return out, nil
}

// sockConn is engine.Conn over an internal/sock socket, which reads and
// writes batches without allocating.
type sockConn struct {
	c    *sock.Conn
	msgs []sock.Msg

	wmu  sync.Mutex // the reader and the committer both write
	outs []sock.Out
}

func newSockConn(c *sock.Conn) *sockConn { return &sockConn{c: c} }

func (a *sockConn) ReadBatch(ps []engine.Packet) (int, error) {
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
			p.N = 0 // longer than any buffer: dropped as truncated
		}
		p.Dst = netip.AddrPortFrom(m.Dst, port)
	}
	return n, err
}

func (a *sockConn) WriteBatch(ps []engine.Packet) (int, error) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if len(a.outs) < len(ps) {
		a.outs = make([]sock.Out, len(ps))
	}
	outs := a.outs[:len(ps)]
	src := a.c.Source()
	for i := range ps {
		p := &ps[i]
		outs[i] = sock.Out{Buf: p.Buf[:p.N], Dst: p.Dst, IfIndex: p.IfIndex, Src: src}
		if p.Dst.Addr().IsLinkLocalUnicast() {
			// A link-local destination is answered from the link-local
			// address the kernel picks, not a configured global one.
			outs[i].Src = netip.Addr{}
		}
	}
	return a.c.WriteBatch(outs)
}

func (a *sockConn) SetReadDeadline(t time.Time) error { return a.c.SetReadDeadline(t) }

// udp6Conn is engine.Conn over a caller's IPv6 UDP socket
// (ServerOptions.Conns), through x/net's ipv6.PacketConn with
// IPV6_PKTINFO for the receiving interface and destination.
type udp6Conn struct {
	c  *net.UDPConn
	pc *ipv6.PacketConn

	rms []ipv6.Message
	rbv [][1][]byte
	cm  ipv6.ControlMessage

	wmu   sync.Mutex
	wms   []ipv6.Message
	wbv   [][1][]byte
	waddr []net.UDPAddr
	wip   [][16]byte
}

func newUDP6Conn(c *net.UDPConn) (*udp6Conn, error) {
	pc := ipv6.NewPacketConn(c)
	if err := pc.SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface, true); err != nil {
		return nil, fmt.Errorf("dhcp6: enabling IPV6_RECVPKTINFO on %v: %w", c.LocalAddr(), err)
	}
	return &udp6Conn{c: c, pc: pc}, nil
}

var oob6Len = len(ipv6.NewControlMessage(ipv6.FlagDst | ipv6.FlagInterface))

func (u *udp6Conn) ReadBatch(ps []engine.Packet) (int, error) {
	if len(u.rms) < len(ps) {
		u.rms = make([]ipv6.Message, len(ps))
		u.rbv = make([][1][]byte, len(ps))
		oob := make([]byte, len(ps)*oob6Len)
		for i := range u.rms {
			u.rms[i].OOB = oob[i*oob6Len : (i+1)*oob6Len]
		}
	}
	ms := u.rms[:len(ps)]
	for i := range ms {
		u.rbv[i][0] = ps[i].Buf[:cap(ps[i].Buf)]
		ms[i].Buffers = u.rbv[i][:]
		ms[i].OOB = ms[i].OOB[:oob6Len]
	}
	n, err := u.pc.ReadBatch(ms, 0)
	port := uint16(0)
	if a, ok := u.c.LocalAddr().(*net.UDPAddr); ok {
		port = uint16(a.Port)
	}
	for i := range n {
		p := &ps[i]
		p.N, p.Src, p.Dst, p.IfIndex = ms[i].N, netip.AddrPort{}, netip.AddrPort{}, 0
		if a, ok := ms[i].Addr.(*net.UDPAddr); ok {
			p.Src = a.AddrPort()
		}
		if u.cm.Parse(ms[i].OOB[:ms[i].NN]) == nil {
			p.IfIndex = u.cm.IfIndex
			if d, ok := netip.AddrFromSlice(u.cm.Dst); ok {
				p.Dst = netip.AddrPortFrom(d, port)
			}
		}
		if p.Src.Addr().IsLinkLocalUnicast() && p.Src.Addr().Zone() == "" && p.IfIndex != 0 {
			p.Src = netip.AddrPortFrom(p.Src.Addr().WithZone(strconv.Itoa(p.IfIndex)), p.Src.Port())
		}
	}
	return n, err
}

func (u *udp6Conn) WriteBatch(ps []engine.Packet) (int, error) {
	u.wmu.Lock()
	defer u.wmu.Unlock()
	if len(u.wms) < len(ps) {
		n := len(ps)
		u.wms, u.wbv = make([]ipv6.Message, n), make([][1][]byte, n)
		u.waddr, u.wip = make([]net.UDPAddr, n), make([][16]byte, n)
	}
	ms := u.wms[:len(ps)]
	for i := range ms {
		p := &ps[i]
		u.wbv[i][0] = p.Buf[:p.N]
		ms[i].Buffers = u.wbv[i][:]
		u.wip[i] = p.Dst.Addr().As16()
		zone := p.Dst.Addr().Zone()
		if zone == "" && p.IfIndex != 0 && p.Dst.Addr().IsLinkLocalUnicast() {
			zone = strconv.Itoa(p.IfIndex)
		}
		u.waddr[i] = net.UDPAddr{IP: u.wip[i][:], Port: int(p.Dst.Port()), Zone: zone}
		ms[i].Addr = &u.waddr[i]
	}
	return u.pc.WriteBatch(ms, 0)
}

func (u *udp6Conn) SetReadDeadline(t time.Time) error { return u.c.SetReadDeadline(t) }

// ifNames maps interface indexes to names for sockets not bound to one
// interface, looked up once per index.
type ifNames map[int]string

func (m ifNames) name(idx int) string {
	if idx <= 0 {
		return ""
	}
	if n, ok := m[idx]; ok {
		return n
	}
	n := ""
	if ifc, err := net.InterfaceByIndex(idx); err == nil {
		n = ifc.Name
	}
	m[idx] = n
	return n
}
