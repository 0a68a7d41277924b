package dhcp6

import (
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
)

// queryAddr is where the query came from, as Kea's query6 knows it: the
// datagram's destination (ff02::1:2 or one of the server's addresses) and
// the server port, its source (a client's link-local address or a relay)
// and the receiving interface. Kea 2.2 has no link-layer addresses for a
// DHCPv6 query, and neither has this.
func (x *exchange) queryAddr() hooks.Addressing {
	port := x.s.opts.Port
	if port == 0 {
		port = ServerPort
	}
	m := &x.meta
	return hooks.Addressing{Local: netip.AddrPortFrom(m.Dst, uint16(port)), Remote: m.Src,
		IfIndex: m.IfIndex, IfName: m.IfName}
}
