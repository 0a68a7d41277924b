package dhcp6

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/engine"
	"github.com/leasehold/leasehold/internal/sock"
	"golang.org/x/net/ipv6"
)

// servedConn is a socket the packet loop reads, with the interface it is
// bound to (ifIndex 0 and no name for a caller's socket, which sees every
// interface).
type servedConn struct {
	engine.Conn
	ifName  string
	ifIndex int
	src     netip.Addr // the configured source address ("eth0/2001:db8::1")
	close   func() error
}

// sockSpec is one socket interfaces-config asks for: an interface and,
// from an "if/addr" entry, the address replies go out from.
type sockSpec struct {
	name  string
	index int
	src   netip.Addr
}

// serves reports whether c is the socket spec asks for: the same
// interface (by name and index, so a re-created interface gets a new
// socket) and the same source address.
func (c *servedConn) serves(spec sockSpec) bool {
	return c.ifName == spec.name && c.ifIndex == spec.index && c.src == spec.src
}

// wantSockets lists the sockets of an interfaces-config, by interface
// name, as seen now in the calling thread's network namespace: "*"
// stands for every up, multicast-capable, non-loopback interface (looked
// at again at each reconfiguration, as Kea's re-detect does). An
// interface that cannot be found is an error in errs; the others are
// still listed.
func wantSockets(ic config.InterfacesConfig) (want map[string]sockSpec, errs []error) {
	if len(ic.Interfaces) == 0 {
		return nil, []error{errors.New("dhcp6: interfaces-config lists no interfaces to listen on")}
	}
	want = map[string]sockSpec{}
	for i, it := range ic.Interfaces {
		if it.Name == "*" {
			list, err := net.Interfaces()
			if err != nil {
				errs = append(errs, fmt.Errorf("dhcp6: interfaces-config: listing interfaces: %w", err))
				continue
			}
			for _, ni := range list {
				if ni.Flags&net.FlagUp == 0 || ni.Flags&net.FlagLoopback != 0 || ni.Flags&net.FlagMulticast == 0 {
					continue
				}
				if _, ok := want[ni.Name]; !ok {
					want[ni.Name] = sockSpec{name: ni.Name, index: ni.Index}
				}
			}
			continue
		}
		ni, err := net.InterfaceByName(it.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("dhcp6: interfaces-config.interfaces[%d] %q: %w", i, it.Name, err))
			continue
		}
		sp := want[it.Name]
		sp.name, sp.index = ni.Name, ni.Index
		if it.Addr.IsValid() {
			sp.src = it.Addr
		}
		want[it.Name] = sp
	}
	if len(want) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("dhcp6: no interface to listen on"))
	}
	return want, errs
}

// listen opens the server's sockets for the configuration's interfaces, in
// the calling thread's network namespace (see open). It fails if any
// cannot be opened.
func (s *Server) listen(cfg *config.DHCP6) ([]servedConn, error) {
	want, errs := wantSockets(cfg.InterfacesConfig)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []servedConn
	for _, name := range slices.Sorted(maps.Keys(want)) {
		c, err := s.open(want[name])
		if err != nil {
			for _, o := range out {
				o.close()
			}
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// open opens the socket of one interface (internal/sock): [::]:port bound
// to the device, joined to ff02::1:2 on it, as Kea 2.2 does (Kea does not
// join ff05::1:3 either), so it receives multicast and unicast to the
// interface's addresses.
func (s *Server) open(spec sockSpec) (servedConn, error) {
	name := spec.name
	if spec.src.IsValid() {
		name += "/" + spec.src.String()
	}
	port := s.opts.Port
	if port == 0 {
		port = ServerPort
	}
	l, err := sock.Listen6(sock.Config6{Interfaces: []string{name}, Port: uint16(port), RecvBuffer: recvBuffer})
	if err != nil {
		return servedConn{}, fmt.Errorf("dhcp6: %w", err)
	}
	c := l.Conns[0]
	return servedConn{Conn: newSockConn(c), ifName: c.Interface().Name, ifIndex: c.Interface().Index, src: spec.src, close: l.Close}, nil
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
