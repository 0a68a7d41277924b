package dhcp6

import (
	"encoding/binary"
	"strconv"
)

// MessageType is the msg-type byte at the start of every DHCPv6 message.
type MessageType uint8

// Message types (RFC 8415 section 7.3; leasequery RFC 5007 and 5460;
// DHCPv4-over-DHCPv6 RFC 7341).
const (
	Solicit            MessageType = 1
	Advertise          MessageType = 2
	Request            MessageType = 3
	Confirm            MessageType = 4
	Renew              MessageType = 5
	Rebind             MessageType = 6
	Reply              MessageType = 7
	Release            MessageType = 8
	Decline            MessageType = 9
	Reconfigure        MessageType = 10
	InformationRequest MessageType = 11
	RelayForw          MessageType = 12
	RelayRepl          MessageType = 13
	LeaseQuery         MessageType = 14
	LeaseQueryReply    MessageType = 15
	LeaseQueryDone     MessageType = 16
	LeaseQueryData     MessageType = 17
	DHCPv4Query        MessageType = 20
	DHCPv4Response     MessageType = 21
)

// String returns the name Kea gives the type in logs and in hook
// environments ("INFORMATION_REQUEST", "RELAY_FORWARD"), and "UNKNOWN" for a
// type Kea does not name, as Kea does. (Kea 2.2 itself says UNKNOWN for 16
// and 17; later Kea versions use the names given here.)
func (t MessageType) String() string {
	if int(t) < len(messageNames) && messageNames[t] != "" {
		return messageNames[t]
	}
	return "UNKNOWN"
}

var messageNames = [...]string{
	Solicit: "SOLICIT", Advertise: "ADVERTISE", Request: "REQUEST",
	Confirm: "CONFIRM", Renew: "RENEW", Rebind: "REBIND", Reply: "REPLY",
	Release: "RELEASE", Decline: "DECLINE", Reconfigure: "RECONFIGURE",
	InformationRequest: "INFORMATION_REQUEST", RelayForw: "RELAY_FORWARD",
	RelayRepl: "RELAY_REPLY", LeaseQuery: "LEASEQUERY",
	LeaseQueryReply: "LEASEQUERY_REPLY", LeaseQueryDone: "LEASEQUERY_DONE",
	LeaseQueryData: "LEASEQUERY_DATA", DHCPv4Query: "DHCPV4_QUERY",
	DHCPv4Response: "DHCPV4_RESPONSE",
}

// IsRelay reports whether t is RELAY-FORW or RELAY-REPL, the two types with
// the 34-byte relay header instead of a transaction id.
func (t MessageType) IsRelay() bool { return t == RelayForw || t == RelayRepl }

// messageHeaderLen is msg-type plus the 24-bit transaction id.
const messageHeaderLen = 4

// Message is a client/server message: every type except the two relay
// types.
type Message struct {
	Type MessageType
	// TransactionID holds the 24-bit transaction id in its low bits.
	TransactionID uint32
	// Options refers into the decoded buffer (see Options).
	Options Options
}

// Decode decodes a client/server message from b, validating the framing of
// its options. The message keeps references into b. A relay message is an
// error (ErrBadMessage): use Packet.Decode to follow relays.
func (m *Message) Decode(b []byte) error {
	if len(b) < messageHeaderLen {
		return errorf(ErrTruncated, 0, 0, "message of %d bytes, shorter than the 4-byte header", len(b))
	}
	t := MessageType(b[0])
	if t.IsRelay() {
		return errorf(ErrBadMessage, 0, 0, "%s is a relay message, not a client/server message", t)
	}
	opts := Options(b[messageHeaderLen:])
	if err := opts.Validate(); err != nil {
		return rebase(err, messageHeaderLen, 0)
	}
	m.Type = t
	m.TransactionID = uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	m.Options = opts
	return nil
}

// AppendTo appends the message in wire format to buf.
func (m *Message) AppendTo(buf []byte) []byte {
	buf = appendMessageHeader(buf, m.Type, m.TransactionID)
	return append(buf, m.Options...)
}

func appendMessageHeader(buf []byte, t MessageType, xid uint32) []byte {
	return append(buf, byte(t), byte(xid>>16), byte(xid>>8), byte(xid))
}

// StatusCode is the status-code field of the STATUS_CODE option
// (RFC 8415 section 21.13; 6 from RFC 8415's IA_PD, 7-11 from leasequery).
type StatusCode uint16

// Status codes.
const (
	Success          StatusCode = 0
	UnspecFail       StatusCode = 1
	NoAddrsAvail     StatusCode = 2
	NoBinding        StatusCode = 3
	NotOnLink        StatusCode = 4
	UseMulticast     StatusCode = 5
	NoPrefixAvail    StatusCode = 6
	UnknownQueryType StatusCode = 7
	MalformedQuery   StatusCode = 8
	NotConfigured    StatusCode = 9
	NotAllowed       StatusCode = 10
	QueryTerminated  StatusCode = 11
)

var statusNames = [...]string{
	"Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink",
	"UseMulticast", "NoPrefixAvail", "UnknownQueryType", "MalformedQuery",
	"NotConfigured", "NotAllowed", "QueryTerminated",
}

// String returns the RFC name ("NoAddrsAvail"), or the number for a code
// without one.
func (c StatusCode) String() string {
	if int(c) < len(statusNames) {
		return statusNames[c]
	}
	return "StatusCode(" + strconv.Itoa(int(c)) + ")"
}

// Infinity is the lifetime value meaning "forever" (RFC 8415 section 7.7).
const Infinity uint32 = 0xffffffff

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
