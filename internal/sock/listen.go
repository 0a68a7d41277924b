package sock

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// SocketType is Kea's interfaces-config.dhcp-socket-type for DHCPv4.
type SocketType int

const (
	// SocketRaw (Kea's default "raw") serves directly connected clients as
	// well as relays: the UDP socket is bound to 0.0.0.0 on the interface
	// so broadcasts arrive, and a RawSender per interface answers clients
	// that have no address yet with a link-layer frame.
	SocketRaw SocketType = iota
	// SocketUDP (Kea's "udp") binds the socket to the interface's address:
	// no broadcast reaches it, so only relayed (unicast) traffic is
	// served, and there is no raw sender.
	SocketUDP
)

// ParseSocketType reads Kea's "raw" or "udp" ("" is raw).
func ParseSocketType(s string) (SocketType, error) {
	switch s {
	case "", "raw":
		return SocketRaw, nil
	case "udp":
		return SocketUDP, nil
	}
	return 0, fmt.Errorf("sock: dhcp-socket-type %q: want raw or udp", s)
}

// Interface is a network interface as the sockets see it.
type Interface struct {
	Name      string
	Index     int
	MAC       net.HardwareAddr
	Prefixes4 []netip.Prefix
	Prefixes6 []netip.Prefix // link-local ones included
}

// LookupInterface reads an interface of the calling thread's network
// namespace.
func LookupInterface(name string) (Interface, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return Interface{}, fmt.Errorf("sock: interface %q: %w", name, err)
	}
	return fromNet(ifi)
}

func fromNet(ifi *net.Interface) (Interface, error) {
	it := Interface{Name: ifi.Name, Index: ifi.Index, MAC: ifi.HardwareAddr}
	addrs, err := ifi.Addrs()
	if err != nil {
		return it, fmt.Errorf("sock: addresses of %s: %w", ifi.Name, err)
	}
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok {
			continue
		}
		ones, _ := ipn.Mask.Size()
		if ip.Is4In6() || ip.Is4() {
			it.Prefixes4 = append(it.Prefixes4, netip.PrefixFrom(ip.Unmap(), ones))
		} else {
			it.Prefixes6 = append(it.Prefixes6, netip.PrefixFrom(ip, ones))
		}
	}
	return it, nil
}

// spec is one entry of Kea's interfaces list: "eth0", "eth0/192.0.2.1" or
// "*".
type spec struct {
	name string
	addr netip.Addr
	all  bool
}

func parseSpecs(list []string, v6 bool) ([]spec, error) {
	if len(list) == 0 {
		list = []string{"*"}
	}
	var out []spec
	for i, s := range list {
		if s == "*" {
			out = append(out, spec{all: true})
			continue
		}
		name, a, hasAddr := strings.Cut(s, "/")
		if name == "" || len(name) > 15 {
			return nil, fmt.Errorf("sock: interfaces[%d] %q: bad interface name", i, s)
		}
		sp := spec{name: name}
		if hasAddr {
			addr, err := netip.ParseAddr(a)
			if err != nil || addr.Is4() == v6 || addr.Zone() != "" {
				return nil, fmt.Errorf("sock: interfaces[%d] %q: %q is not an IPv%d address", i, s, a, map[bool]int{false: 4, true: 6}[v6])
			}
			sp.addr = addr
		}
		out = append(out, sp)
	}
	return out, nil
}

// Listener holds a server's sockets: Conns to read from (one goroutine
// each), and for a DHCPv4 raw configuration a RawSender per interface.
type Listener struct {
	Conns []*Conn
	raw   map[int]*RawSender
}

// Raw returns the raw sender of interface ifIndex, or nil (SocketUDP, or
// an interface not served).
func (l *Listener) Raw(ifIndex int) *RawSender { return l.raw[ifIndex] }

// Close closes every socket; readers blocked in ReadBatch return ErrClosed.
func (l *Listener) Close() error {
	var errs []error
	for _, c := range l.Conns {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range l.raw {
		if err := r.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// zoneCache maps interface indexes to names for IPv6 zones without a
// lookup per packet.
type zoneCache struct {
	mu     sync.RWMutex
	byIdx  map[int]string
	byName map[string]int
}

func newZoneCache() *zoneCache {
	z := &zoneCache{byIdx: map[int]string{}, byName: map[string]int{}}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifi := range ifs {
			z.byIdx[ifi.Index], z.byName[ifi.Name] = ifi.Name, ifi.Index
		}
	}
	return z
}

func (z *zoneCache) name(idx int) string {
	z.mu.RLock()
	n, ok := z.byIdx[idx]
	z.mu.RUnlock()
	if ok {
		return n
	}
	// An interface added after Listen: its number is a valid zone too.
	n = strconv.Itoa(idx)
	if ifi, err := net.InterfaceByIndex(idx); err == nil {
		n = ifi.Name
	}
	z.mu.Lock()
	z.byIdx[idx], z.byName[n] = n, idx
	z.mu.Unlock()
	return n
}

func (z *zoneCache) index(name string) int {
	z.mu.RLock()
	i, ok := z.byName[name]
	z.mu.RUnlock()
	if ok {
		return i
	}
	if ifi, err := net.InterfaceByName(name); err == nil {
		return ifi.Index
	}
	i, _ = strconv.Atoi(name)
	return i
}

// udpSocket opens a non-blocking UDP socket with SO_REUSEADDR, packet info
// on receive, broadcast allowed (IPv4) or IPv6 only, bound to device dev
// (unless "") and to addr, and hands it to the runtime poller. join lists
// IPv6 groups to join on dev's index.
func udpSocket(v6 bool, dev string, devIndex int, addr netip.AddrPort, join []netip.Addr, rcvbuf int) (*net.UDPConn, error) {
	family := syscall.AF_INET
	if v6 {
		family = syscall.AF_INET6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("sock: socket: %w", err)
	}
	fail := func(what string, err error) (*net.UDPConn, error) {
		syscall.Close(fd)
		return nil, fmt.Errorf("sock: %s for %s on %q: %w", what, addr, dev, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return fail("SO_REUSEADDR", err)
	}
	if rcvbuf > 0 {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf); err != nil {
			return fail("SO_RCVBUF", err)
		}
	}
	if v6 {
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1); err != nil {
			return fail("IPV6_V6ONLY", err)
		}
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_RECVPKTINFO, 1); err != nil {
			return fail("IPV6_RECVPKTINFO", err)
		}
	} else {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1); err != nil {
			return fail("SO_BROADCAST", err)
		}
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1); err != nil {
			return fail("IP_PKTINFO", err)
		}
	}
	if dev != "" {
		if err := syscall.BindToDevice(fd, dev); err != nil {
			return fail("SO_BINDTODEVICE", err)
		}
	}
	for _, g := range join {
		mreq := &syscall.IPv6Mreq{Multiaddr: g.As16(), Interface: uint32(devIndex)}
		if err := syscall.SetsockoptIPv6Mreq(fd, syscall.IPPROTO_IPV6, syscall.IPV6_JOIN_GROUP, mreq); err != nil {
			return fail("join "+g.String(), err)
		}
	}
	var sa syscall.Sockaddr
	if v6 {
		sa = &syscall.SockaddrInet6{Port: int(addr.Port()), Addr: addr.Addr().As16()}
	} else {
		sa = &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	f := os.NewFile(uintptr(fd), "udp:"+dev+":"+addr.String())
	pc, err := net.FilePacketConn(f)
	f.Close() // FilePacketConn holds its own duplicate
	if err != nil {
		return nil, fmt.Errorf("sock: %s on %q: %w", addr, dev, err)
	}
	return pc.(*net.UDPConn), nil
}
