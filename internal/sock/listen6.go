package sock

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// DHCPv6 multicast groups (RFC 8415 section 7.1).
var (
	AllRelayAgentsAndServers = netip.MustParseAddr("ff02::1:2")
	AllServers               = netip.MustParseAddr("ff05::1:3")
)

// Config6 chooses a DHCPv6 server's sockets.
type Config6 struct {
	// Interfaces in Kea's syntax: "eth0", "eth0/2001:db8:1::1" (also
	// binds a socket to that unicast address, where relays and unicast
	// clients send), "*". Empty means "*".
	Interfaces []string
	Port       uint16 // default 547
	// AllServers also joins ff05::1:3 (site-scoped All_DHCP_Servers).
	AllServers bool
	Batch      int // default 64
	RecvBuffer int // SO_RCVBUF in bytes; 0 keeps the system's
}

// Listen6 opens the sockets of cfg in the calling thread's network
// namespace: per interface, [::]:port bound to the device and joined to
// ff02::1:2 (and ff05::1:3 with AllServers) on it, which also receives
// unicast to the interface's addresses. "*" does the same for every up,
// multicast-capable, non-loopback interface. An "if/addr" entry adds
// nothing to receive (the device socket gets that unicast too) but names
// the source address replies should use: see Conn.Source.
func Listen6(cfg Config6) (*Listener, error) {
	specs, err := parseSpecs(cfg.Interfaces, true)
	if err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = 547
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	groups := []netip.Addr{AllRelayAgentsAndServers}
	if cfg.AllServers {
		groups = append(groups, AllServers)
	}
	var ifaces []Interface
	srcs := map[int]netip.Addr{}
	for _, sp := range specs {
		if sp.all {
			all, err := multicastInterfaces()
			if err != nil {
				return nil, err
			}
			ifaces = append(ifaces, all...)
			continue
		}
		it, err := LookupInterface(sp.name)
		if err != nil {
			return nil, err
		}
		if sp.addr.IsValid() {
			if !hasAddr(it.Prefixes6, sp.addr) {
				return nil, fmt.Errorf("sock: %s/%s: the interface has no such address (has %v)", sp.name, sp.addr, it.Prefixes6)
			}
			srcs[it.Index] = sp.addr
		}
		ifaces = append(ifaces, it)
	}
	l := &Listener{}
	zones := newZoneCache()
	seen := map[int]bool{}
	for _, it := range ifaces {
		if seen[it.Index] {
			continue
		}
		seen[it.Index] = true
		udp, err := udpSocket(true, it.Name, it.Index, netip.AddrPortFrom(netip.IPv6Unspecified(), cfg.Port), groups, cfg.RecvBuffer)
		if err != nil {
			return nil, errors.Join(err, l.Close())
		}
		c, err := newConn(udp, true, it, cfg.Port, cfg.Batch, zones)
		if err != nil {
			return nil, errors.Join(err, l.Close())
		}
		c.source6 = srcs[it.Index]
		l.Conns = append(l.Conns, c)
	}
	if len(l.Conns) == 0 {
		return nil, errors.New("sock: no interface to listen on for DHCPv6")
	}
	return l, nil
}

func multicastInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("sock: interfaces: %w", err)
	}
	var out []Interface
	for i := range ifs {
		ifi := &ifs[i]
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 || ifi.Flags&net.FlagMulticast == 0 {
			continue
		}
		it, err := fromNet(ifi)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}
