package sock

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Config4 chooses a DHCPv4 server's sockets.
type Config4 struct {
	// Interfaces in Kea's syntax: "eth0", "eth0/192.0.2.1", "*". Empty
	// means "*": one socket on all interfaces.
	Interfaces []string
	Port       uint16     // default 67
	SocketType SocketType // Kea's dhcp-socket-type; default raw
	Batch      int        // datagrams per ReadBatch at most; default 64
	RecvBuffer int        // SO_RCVBUF in bytes; 0 keeps the system's
}

// DefaultBatch is the number of datagrams one ReadBatch takes at most.
const DefaultBatch = 64

// Listen4 opens the sockets of cfg in the calling thread's network
// namespace (inside netlab.InNS for a test).
//
// Per named interface: SocketRaw binds 0.0.0.0:port to the device
// (SO_BINDTODEVICE) and opens a RawSender on it; with "if/addr" only that
// unicast address (and broadcasts) is accepted. SocketUDP binds each
// address of the interface ("if/addr": that one) to the device. "*" is a
// single socket on 0.0.0.0:port on no device, plus raw senders on every
// up, non-loopback interface with an IPv4 address.
func Listen4(cfg Config4) (*Listener, error) {
	specs, err := parseSpecs(cfg.Interfaces, false)
	if err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = 67
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	l := &Listener{raw: map[int]*RawSender{}}
	zones := newZoneCache()
	if err := l.open4(cfg, specs, zones); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

func (l *Listener) open4(cfg Config4, specs []spec, zones *zoneCache) error {
	any4 := netip.IPv4Unspecified()
	for _, sp := range specs {
		if sp.all {
			udp, err := udpSocket(false, "", 0, netip.AddrPortFrom(any4, cfg.Port), nil, cfg.RecvBuffer)
			if err != nil {
				return err
			}
			c, err := newConn(udp, false, Interface{}, cfg.Port, cfg.Batch, zones)
			if err != nil {
				return err
			}
			l.Conns = append(l.Conns, c)
			if cfg.SocketType == SocketRaw {
				if err := l.rawOnAll(); err != nil {
					return err
				}
			}
			continue
		}
		it, err := LookupInterface(sp.name)
		if err != nil {
			return err
		}
		if sp.addr.IsValid() && !hasAddr(it.Prefixes4, sp.addr) {
			return fmt.Errorf("sock: %s/%s: the interface has no such address (has %v)", sp.name, sp.addr, it.Prefixes4)
		}
		binds := []netip.Addr{any4}
		if cfg.SocketType == SocketUDP {
			binds = binds[:0]
			for _, p := range it.Prefixes4 {
				if !sp.addr.IsValid() || p.Addr() == sp.addr {
					binds = append(binds, p.Addr())
				}
			}
			if len(binds) == 0 {
				return fmt.Errorf("sock: %s has no IPv4 address to bind a udp socket to", sp.name)
			}
		}
		for _, a := range binds {
			udp, err := udpSocket(false, it.Name, it.Index, netip.AddrPortFrom(a, cfg.Port), nil, cfg.RecvBuffer)
			if err != nil {
				return err
			}
			c, err := newConn(udp, false, it, cfg.Port, cfg.Batch, zones)
			if err != nil {
				return err
			}
			if cfg.SocketType == SocketRaw {
				c.onlyDst = sp.addr
			} else {
				c.onlyDst = a
			}
			l.Conns = append(l.Conns, c)
		}
		if cfg.SocketType == SocketRaw && l.raw[it.Index] == nil {
			r, err := NewRawSender(it)
			if err != nil {
				return err
			}
			l.raw[it.Index] = r
		}
	}
	return nil
}

func (l *Listener) rawOnAll() error {
	ifs, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("sock: interfaces: %w", err)
	}
	for i := range ifs {
		ifi := &ifs[i]
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) != 6 || l.raw[ifi.Index] != nil {
			continue
		}
		it, err := fromNet(ifi)
		if err != nil || len(it.Prefixes4) == 0 {
			continue
		}
		r, err := NewRawSender(it)
		if err != nil {
			return err
		}
		l.raw[it.Index] = r
	}
	return nil
}

func hasAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Addr() == a {
			return true
		}
	}
	return false
}
