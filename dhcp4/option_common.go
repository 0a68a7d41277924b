package dhcp4

import (
	"encoding/binary"
	"net/netip"
)

// MessageType returns option 53.
func (m *Message) MessageType() (MessageType, bool) {
	d, ok := m.Option(OptMessageType)
	if !ok {
		return 0, false
	}
	return MessageType(d[0]), true
}

// RequestedIP returns option 50, the address a client asks for.
func (m *Message) RequestedIP() (netip.Addr, bool) { return m.IP(OptRequestedIP) }

// ServerID returns option 54, the server identifier.
func (m *Message) ServerID() (netip.Addr, bool) { return m.IP(OptServerID) }

// SubnetSelection returns option 118 (RFC 3011): the subnet a client or
// relay asks the server to allocate from, in place of giaddr.
func (m *Message) SubnetSelection() (netip.Addr, bool) { return m.IP(OptSubnetSelection) }

// ClientID returns option 61, the client identifier, as sent: the first
// byte is a hardware type (0 for a non-hardware identifier such as the
// RFC 4361 IAID+DUID form).
func (m *Message) ClientID() ([]byte, bool) { return m.Option(OptClientID) }

// ParamRequestList returns option 55, the option codes the client asks for,
// or nil.
func (m *Message) ParamRequestList() []byte {
	d, _ := m.Option(OptParamRequest)
	return d
}

// MaxMessageSize returns option 57: the largest IP datagram the client
// accepts. RFC 2132 makes 576 the smallest legal value; the value is
// returned as sent (Builder.SetMaxSize applies the floor).
func (m *Message) MaxMessageSize() (uint16, bool) { return m.Uint16(OptMaxMessageSize) }

// LeaseTime returns option 51 in seconds; 0xffffffff means infinite.
func (m *Message) LeaseTime() (uint32, bool) { return m.Uint32(OptLeaseTime) }

// RenewalTime returns option 58 (T1) in seconds.
func (m *Message) RenewalTime() (uint32, bool) { return m.Uint32(OptRenewalTime) }

// RebindingTime returns option 59 (T2) in seconds.
func (m *Message) RebindingTime() (uint32, bool) { return m.Uint32(OptRebindingTime) }

// Hostname returns option 12 as sent; it may be empty or unterminated.
func (m *Message) Hostname() ([]byte, bool) { return m.Option(OptHostname) }

// DomainName returns option 15 as sent.
func (m *Message) DomainName() ([]byte, bool) { return m.Option(OptDomainName) }

// VendorClass returns option 60, the vendor class identifier.
func (m *Message) VendorClass() ([]byte, bool) { return m.Option(OptVendorClass) }

// IP returns option code as one IPv4 address. It reports false when the
// option is absent or not exactly 4 bytes long.
func (m *Message) IP(code uint8) (netip.Addr, bool) {
	d, ok := m.Option(code)
	if !ok || len(d) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(d)), true
}

// AppendIPs appends the addresses of a list-of-IPv4 option (routers, DNS
// servers, ...) to dst. It reports false when the option is absent or its
// length is not a positive multiple of 4.
func (m *Message) AppendIPs(dst []netip.Addr, code uint8) ([]netip.Addr, bool) {
	d, ok := m.Option(code)
	if !ok || len(d) == 0 || len(d)%4 != 0 {
		return dst, false
	}
	for ; len(d) >= 4; d = d[4:] {
		dst = append(dst, netip.AddrFrom4([4]byte(d)))
	}
	return dst, true
}

// Uint8 returns option code as a one-byte value; false when absent or of
// another length.
func (m *Message) Uint8(code uint8) (uint8, bool) {
	d, ok := m.Option(code)
	if !ok || len(d) != 1 {
		return 0, false
	}
	return d[0], true
}

// Uint16 returns option code as a big-endian 16-bit value; false when
// absent or of another length.
func (m *Message) Uint16(code uint8) (uint16, bool) {
	d, ok := m.Option(code)
	if !ok || len(d) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(d), true
}

// Uint32 returns option code as a big-endian 32-bit value; false when
// absent or of another length.
func (m *Message) Uint32(code uint8) (uint32, bool) {
	d, ok := m.Option(code)
	if !ok || len(d) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(d), true
}
