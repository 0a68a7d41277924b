package expr

import "net/netip"

// Packet is what an expression reads from a received message. The DHCPv4 and
// DHCPv6 servers implement it on their decoded messages; every method is
// meant to be a field read or an option lookup, returning slices of the
// decoded message without copying. Methods that do not apply to a family
// are never called for expressions parsed for that family (Parse rejects
// pkt4 and relay4 in DHCPv6, pkt6 and relay6 in DHCPv4).
type Packet interface {
	// Option returns the payload (no code or length) of the option with
	// this code at the top level of the message: for DHCPv4 after RFC 3396
	// concatenation of split options, for DHCPv6 the client's message inside
	// any relay encapsulation; the first one if the option repeats. ok is
	// false when the option is absent. The payload is raw: trailing NULs of
	// string options are dropped here, as Kea does, not by the
	// implementation. Kea re-encodes decoded options for .hex, which gives
	// the received bytes except that options with sub-options (82, 43) come
	// out with their sub-options sorted by code.
	Option(code uint16) (data []byte, ok bool)

	// AgentOption returns the payload of sub-option code of the relay agent
	// information option (82) of a DHCPv4 message.
	AgentOption(code uint8) (data []byte, ok bool)

	// RelayCount returns how many relays a DHCPv6 message passed (the depth
	// of RELAY-FORW encapsulation); 0 when it came straight from the client.
	RelayCount() int
	// RelayOption returns option code of relay level, 0 being the relay
	// closest to the server (the outermost RELAY-FORW), RelayCount()-1 the
	// one closest to the client. level is always in range.
	RelayOption(level int, code uint16) (data []byte, ok bool)
	// RelayAddrs returns the link-address and peer-address of relay level.
	RelayAddrs(level int) (link, peer netip.Addr)

	// Uint returns an integer field: FieldHlen, FieldHtype (DHCPv4 header),
	// FieldMsgType, FieldTransID, FieldLen.
	Uint(f Field) uint32
	// Addr returns an address field: FieldCiaddr, FieldGiaddr, FieldYiaddr,
	// FieldSiaddr (DHCPv4 header), FieldSrc, FieldDst.
	Addr(f Field) netip.Addr
	// Chaddr returns the 16-byte chaddr field of a DHCPv4 message.
	Chaddr() []byte
	// Iface returns the name of the interface the message was received on.
	Iface() string

	// Member reports whether the message has been put in class so far.
	Member(class string) bool
}

// Field names a fixed field of a message for Packet.Uint and Packet.Addr.
type Field uint8

// Fields. Integer fields evaluate to 4 bytes, big-endian, whatever their
// width on the wire, as in Kea.
const (
	// FieldHlen is the raw hlen byte of the DHCPv4 header. Kea reports at
	// most 16, but pads pkt4.mac with zeros up to the raw value.
	FieldHlen Field = iota + 1
	// FieldHtype is the htype byte of the DHCPv4 header.
	FieldHtype
	// FieldMsgType is the DHCPv4 message type (option 53; 0 if absent) or the
	// DHCPv6 msg-type of the client's message.
	FieldMsgType
	// FieldTransID is the DHCPv4 xid or the 24-bit DHCPv6 transaction-id of
	// the client's message.
	FieldTransID
	// FieldLen is the message length as Kea computes it from the decoded
	// message: for DHCPv4 the 236-byte fixed header plus every option with
	// its 2-byte header, as Kea kept it (no magic cookie, END or padding;
	// string options without trailing NULs, empty ones left out), which is
	// 290 for a perfdhcp DISCOVER Kea sees as 236+54; for DHCPv6 the whole
	// message, relay encapsulation included.
	FieldLen
	// FieldCiaddr, FieldGiaddr, FieldYiaddr and FieldSiaddr are the DHCPv4
	// header addresses, 4 bytes each.
	FieldCiaddr
	FieldGiaddr
	FieldYiaddr
	FieldSiaddr
	// FieldSrc and FieldDst are the source and destination addresses of the
	// received datagram (4 or 16 bytes).
	FieldSrc
	FieldDst

	// fieldMac and fieldIface are computed from Chaddr and Iface.
	fieldMac
	fieldIface
)
