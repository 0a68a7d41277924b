package dhcp4

import (
	"encoding/binary"
	"net/netip"
)

// OpCode is the BOOTP op field: who sent the message.
type OpCode uint8

// BOOTP op codes (RFC 951, RFC 2131 section 2).
const (
	BootRequest OpCode = 1
	BootReply   OpCode = 2
)

func (o OpCode) String() string {
	switch o {
	case BootRequest:
		return "BOOTREQUEST"
	case BootReply:
		return "BOOTREPLY"
	}
	return "OpCode(" + itoa(int(o)) + ")"
}

// Sizes of the fixed part of a message.
const (
	HeaderLen   = 236 // op through file
	MinLen      = 240 // header plus magic cookie: the smallest DHCP message
	BOOTPMinLen = 300 // RFC 951: header plus a 64-byte vendor field
)

// Field offsets in the fixed header.
const (
	offCIAddr = 12
	offCHAddr = 28
	offSName  = 44
	offFile   = 108
	offCookie = 236
)

// magicCookie is 99.130.83.99 (RFC 2131 section 3).
var magicCookie = [4]byte{99, 130, 83, 99}

// BroadcastFlag is the B bit of the flags field (RFC 2131 section 2).
const BroadcastFlag uint16 = 0x8000

// Header is the fixed BOOTP part of a DHCPv4 message (RFC 2131 section 2).
// Addresses are IPv4; the zero netip.Addr is written as 0.0.0.0.
type Header struct {
	Op     OpCode
	HType  uint8 // hardware type, 1 for Ethernet
	HLen   uint8 // hardware address length; only the first 16 bytes exist
	Hops   uint8
	XID    uint32
	Secs   uint16
	Flags  uint16
	CIAddr netip.Addr // client's address when it already has one
	YIAddr netip.Addr // "your" address: the one the server offers
	SIAddr netip.Addr // next server (TFTP)
	GIAddr netip.Addr // relay agent
	CHAddr [16]byte
	// SName and File hold the server host name and boot file name, NUL
	// padded. When option 52 says a field carries options, Decode reads the
	// options from it and leaves the field zero here.
	SName [64]byte
	File  [128]byte
}

// HWAddr returns the client hardware address: CHAddr cut to HLen, with HLen
// clamped to the 16 bytes the field has. The slice aliases h.
func (h *Header) HWAddr() []byte {
	n := int(h.HLen)
	if n > len(h.CHAddr) {
		n = len(h.CHAddr)
	}
	return h.CHAddr[:n]
}

// Broadcast reports whether the client asked for a broadcast reply.
func (h *Header) Broadcast() bool { return h.Flags&BroadcastFlag != 0 }

// ServerName returns SName up to its first NUL. The slice aliases h.
func (h *Header) ServerName() []byte { return cString(h.SName[:]) }

// BootFile returns File up to its first NUL. The slice aliases h.
func (h *Header) BootFile() []byte { return cString(h.File[:]) }

func cString(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// decodeHeader reads the fixed header from b, which holds at least
// HeaderLen bytes.
func (h *Header) decode(b []byte) {
	h.Op = OpCode(b[0])
	h.HType = b[1]
	h.HLen = b[2]
	h.Hops = b[3]
	h.XID = binary.BigEndian.Uint32(b[4:])
	h.Secs = binary.BigEndian.Uint16(b[8:])
	h.Flags = binary.BigEndian.Uint16(b[10:])
	h.CIAddr = netip.AddrFrom4([4]byte(b[12:16]))
	h.YIAddr = netip.AddrFrom4([4]byte(b[16:20]))
	h.SIAddr = netip.AddrFrom4([4]byte(b[20:24]))
	h.GIAddr = netip.AddrFrom4([4]byte(b[24:28]))
	h.CHAddr = [16]byte(b[offCHAddr:offSName])
	h.SName = [64]byte(b[offSName:offFile])
	h.File = [128]byte(b[offFile:offCookie])
}

// appendHeader appends the fixed header and the magic cookie. It fails only
// when an address is not IPv4.
func (h *Header) append(buf []byte) ([]byte, error) {
	buf = append(buf, byte(h.Op), h.HType, h.HLen, h.Hops)
	buf = binary.BigEndian.AppendUint32(buf, h.XID)
	buf = binary.BigEndian.AppendUint16(buf, h.Secs)
	buf = binary.BigEndian.AppendUint16(buf, h.Flags)
	var err error
	for _, f := range [...]struct {
		name string
		a    netip.Addr
	}{{"ciaddr", h.CIAddr}, {"yiaddr", h.YIAddr}, {"siaddr", h.SIAddr}, {"giaddr", h.GIAddr}} {
		a4, ok := ipv4(f.a)
		if !ok && err == nil {
			err = &Error{Err: ErrNotIPv4, Code: -1, Offset: -1, Detail: f.name + " " + f.a.String()}
		}
		buf = append(buf, a4[:]...)
	}
	buf = append(buf, h.CHAddr[:]...)
	buf = append(buf, h.SName[:]...)
	buf = append(buf, h.File[:]...)
	buf = append(buf, magicCookie[:]...)
	return buf, err
}

// ipv4 returns the four bytes of a, treating the zero Addr as 0.0.0.0 and
// unmapping ::ffff:a.b.c.d. ok is false for IPv6 addresses.
func ipv4(a netip.Addr) (b [4]byte, ok bool) {
	if !a.IsValid() {
		return b, true
	}
	a = a.Unmap()
	if !a.Is4() {
		return b, false
	}
	return a.As4(), true
}
