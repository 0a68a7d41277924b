package dhcp4

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/sock"
	"github.com/leasehold/leasehold/lease"
)

// Hook points fire where Kea 2.2 fires them, with Kea's arguments (see the
// hooks package). Every call site first asks hooks.Manager.Enabled, which
// is one branch (and a nil check) when no library registered the point, so
// the arguments are only built for points someone listens to.

func (s *Server) callHook(ctx context.Context, p hooks.Point, a *hooks.Args) hooks.NextStep {
	s.cnt.hookCalls.Add(1)
	return s.hooks.Call(ctx, p, a)
}

func idTypeOf(s string) config.IdentifierType { return config.IdentifierType(s) }

// hookLease returns a copy of l a callout may keep or change.
func hookLease(l *lease.Lease4) *lease.Lease4 {
	c := *l
	c.HWAddr = append([]byte(nil), l.HWAddr...)
	c.ClientID = append([]byte(nil), l.ClientID...)
	return &c
}

// hookSubnet returns the callout's view of s (nil for none).
func hookSubnet(s *subnet4) *hooks.Subnet4 {
	if s == nil {
		return nil
	}
	h := s.hook
	return &h
}

// hookHost returns the reservation as callouts see it.
func hookHost(h *host4) *hooks.Host {
	if h == nil {
		return nil
	}
	c := h.hook
	return &c
}

func cloneBytes(b []byte) []byte { return append([]byte(nil), b...) }

// queryAddr is where query q came from, as Kea's query4 knows it: the
// datagram's destination and the server port, its source, the receiving
// interface and, as Kea has them with dhcp-socket-type raw, the frame's
// hardware addresses.
//
// Kea's raw sockets read the Ethernet header; leasehold receives on UDP
// sockets, which do not report it. So the hardware addresses are given
// only where the header is known without reading it, and are nil where
// it is not (as with Kea's udp sockets):
//   - destination: ff:ff:ff:ff:ff:ff for a datagram to 255.255.255.255,
//     else the receiving interface's own address;
//   - source: the client's chaddr, for a query that did not pass a relay
//     (giaddr 0) and names an Ethernet address (htype 1, hlen 6): the
//     client sent the frame itself. A relayed query's frame comes from the
//     relay (or the last router in front of the server): its address is
//     read from the kernel's neighbour table (sock.SenderMAC), where the
//     relay's ARP request for the server left it. Without an entry it is
//     nil.
func (w *worker) queryAddr(q []byte) hooks.Addressing {
	m := w.x.meta
	qa := hooks.Addressing{Local: netip.AddrPortFrom(m.Dst, uint16(w.s.opts.Port)), Remote: m.Src,
		IfIndex: m.IfIndex, IfName: m.IfName}
	if w.x.v.cfg.InterfacesConfig.DHCPSocketType == "udp" {
		return qa
	}
	switch {
	case m.Dst == bcast:
		qa.LocalHWAddr, qa.LocalHWType = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1
	case m.Dst.IsValid():
		if mac := ifaceMAC(m.IfIndex, m.IfName); mac != nil {
			qa.LocalHWAddr, qa.LocalHWType = mac, 1
		}
	}
	const htype, hlen, giaddr, chaddr = 1, 2, 24, 28
	switch {
	case len(q) < chaddr+6:
	case [4]byte(q[giaddr:giaddr+4]) != [4]byte{}:
		if mac, ok := sock.SenderMAC(m.IfIndex, m.Src.Addr()); ok {
			qa.RemoteHWAddr, qa.RemoteHWType = mac, 1
		}
	case q[htype] == 1 && q[hlen] == 6:
		qa.RemoteHWAddr, qa.RemoteHWType = cloneBytes(q[chaddr:chaddr+6]), 1
	}
	return qa
}

// sendAddr is queryAddr for finishSend, built only when pkt4_send, which
// alone uses it there, has callouts: replies without hooks pay nothing.
func (w *worker) sendAddr() hooks.Addressing {
	if !w.s.hooks.Enabled(hooks.Pkt4Send) {
		return hooks.Addressing{}
	}
	return w.queryAddr(w.x.query)
}

// ifaceMACs caches the Ethernet address of interfaces by index and name
// (the name guards against an index reused by another interface, or read
// in another network namespace), refreshed after ifaceMACTTL.
var ifaceMACs sync.Map // ifaceKey -> ifaceMACEntry

type ifaceKey struct {
	index int
	name  string
}

type ifaceMACEntry struct {
	mac []byte // nil: not Ethernet, or not found
	at  time.Time
}

const ifaceMACTTL = time.Minute

// ifaceMAC returns a copy of the 6-byte hardware address of the interface,
// or nil when it has none or is unknown.
func ifaceMAC(index int, name string) []byte {
	if index == 0 {
		return nil
	}
	k := ifaceKey{index, name}
	now := time.Now()
	if e, ok := ifaceMACs.Load(k); ok && now.Sub(e.(ifaceMACEntry).at) < ifaceMACTTL {
		return cloneBytes(e.(ifaceMACEntry).mac)
	}
	var mac []byte
	if ifi, err := net.InterfaceByIndex(index); err == nil && (name == "" || ifi.Name == name) && len(ifi.HardwareAddr) == 6 {
		mac = ifi.HardwareAddr
	}
	ifaceMACs.Store(k, ifaceMACEntry{mac: mac, at: now})
	return cloneBytes(mac)
}
