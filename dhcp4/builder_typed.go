package dhcp4

import (
	"encoding/binary"
	"net/netip"
)

// AddMessageType appends option 53.
func (b *Builder) AddMessageType(t MessageType) error {
	v := [1]byte{byte(t)}
	return b.AddOption(OptMessageType, v[:])
}

// AddIP appends option code holding one IPv4 address.
func (b *Builder) AddIP(code uint8, a netip.Addr) error {
	a4, ok := ipv4(a)
	if !ok {
		return errAt(ErrNotIPv4, int(code), -1, "address "+a.String()+" is not IPv4")
	}
	return b.AddOption(code, a4[:])
}

// AddIPs appends option code holding a list of IPv4 addresses.
func (b *Builder) AddIPs(code uint8, as []netip.Addr) error {
	for _, a := range as {
		if _, ok := ipv4(a); !ok {
			return errAt(ErrNotIPv4, int(code), -1, "address "+a.String()+" is not IPv4")
		}
	}
	if err := b.StartOption(code); err != nil {
		return err
	}
	for _, a := range as {
		a4, _ := ipv4(a)
		b.buf = append(b.buf, a4[:]...)
	}
	return b.EndOption()
}

// AddUint8 appends option code holding one byte.
func (b *Builder) AddUint8(code, v uint8) error {
	d := [1]byte{v}
	return b.AddOption(code, d[:])
}

// AddUint16 appends option code holding a big-endian 16-bit value.
func (b *Builder) AddUint16(code uint8, v uint16) error {
	var d [2]byte
	binary.BigEndian.PutUint16(d[:], v)
	return b.AddOption(code, d[:])
}

// AddUint32 appends option code holding a big-endian 32-bit value (lease
// times, T1, T2).
func (b *Builder) AddUint32(code uint8, v uint32) error {
	var d [4]byte
	binary.BigEndian.PutUint32(d[:], v)
	return b.AddOption(code, d[:])
}

// AddString appends option code holding s.
func (b *Builder) AddString(code uint8, s string) error {
	if err := b.StartOption(code); err != nil {
		return err
	}
	b.buf = append(b.buf, s...)
	return b.EndOption()
}

// AddRelayAgentInfo appends option 82 as received, which is how a server
// echoes it (RFC 3046 section 2.2).
func (b *Builder) AddRelayAgentInfo(r RelayAgentInfo) error {
	return b.AddOption(OptRelayAgentInfo, r.data)
}

// AddClientFQDN appends option 81 (RFC 4702) with flags, rcode in both
// RCODE fields (a server sends 255), and name: written in DNS wire format
// when flags has FQDNEncoded, as ASCII otherwise. A name ending in a dot is
// a full name, one without a partial name. In wire format the escapes of
// ClientFQDN.AppendText (\X, \DDD) stand for the bytes they name.
func (b *Builder) AddClientFQDN(flags, rcode uint8, name string) error {
	if err := b.StartOption(OptClientFQDN); err != nil {
		return err
	}
	b.buf = append(b.buf, flags, rcode, rcode)
	if flags&FQDNEncoded == 0 {
		b.buf = append(b.buf, name...)
		return b.EndOption()
	}
	var what string
	if b.buf, what = appendWireName(b.buf, name); what != "" {
		b.abort()
		return errAt(ErrBadOption, int(OptClientFQDN), -1, what)
	}
	return b.EndOption()
}

// AddClasslessRoutes appends option 121 (RFC 3442). A client that gets it
// ignores option 3, so include the default route (0.0.0.0/0) if it has one.
func (b *Builder) AddClasslessRoutes(routes []Route) error {
	if len(routes) == 0 {
		return errAt(ErrBadOption, int(OptClasslessRoutes), -1, "no routes")
	}
	if err := b.StartOption(OptClasslessRoutes); err != nil {
		return err
	}
	for i, r := range routes {
		var what string
		if b.buf, what = appendRoute(b.buf, r); what != "" {
			b.abort()
			return errAt(ErrBadOption, int(OptClasslessRoutes), -1, "route "+itoa(i)+": "+what)
		}
	}
	return b.EndOption()
}
