package dhcp4

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// Fixtures are assembled byte by byte here, not with Builder, so that the
// decoder tests do not lean on the encoder being right.

var testMAC = []byte{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30}

// rawHeader returns the 240 bytes of header and cookie.
func rawHeader(op byte, xid uint32, flags uint16, ciaddr, yiaddr, giaddr [4]byte) []byte {
	b := make([]byte, MinLen)
	b[0], b[1], b[2] = op, 1, 6
	binary.BigEndian.PutUint32(b[4:], xid)
	binary.BigEndian.PutUint16(b[10:], flags)
	copy(b[12:], ciaddr[:])
	copy(b[16:], yiaddr[:])
	copy(b[24:], giaddr[:])
	copy(b[28:], testMAC)
	copy(b[236:], []byte{99, 130, 83, 99})
	return b
}

// opt returns one option instance.
func opt(code byte, data ...byte) []byte {
	return append([]byte{code, byte(len(data))}, data...)
}

func optS(code byte, s string) []byte { return opt(code, []byte(s)...) }

// rawMsg joins a header and option instances, adds End and pads to 300.
func rawMsg(hdr []byte, opts ...[]byte) []byte {
	b := append([]byte(nil), hdr...)
	for _, o := range opts {
		b = append(b, o...)
	}
	b = append(b, 255)
	for len(b) < BOOTPMinLen {
		b = append(b, 0)
	}
	return b
}

var (
	noAddr    = [4]byte{}
	clientIP  = [4]byte{192, 0, 2, 10}
	serverIP  = [4]byte{192, 0, 2, 1}
	relayIP   = [4]byte{198, 51, 100, 1}
	clientID  = []byte{1, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30}
	prl       = []byte{1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42}
	relayInfo = append(append(opt(1, []byte("eth0/1/7")...), opt(2, []byte("remote-17")...)...), opt(5, 192, 0, 2, 0)...)
)

// discoverPkt is a DISCOVER as dhclient sends it.
func discoverPkt() []byte {
	return rawMsg(rawHeader(1, 0x3903f326, 0, noAddr, noAddr, noAddr),
		opt(53, 1),
		opt(61, clientID...),
		opt(50, clientIP[:]...),
		optS(12, "host-a"),
		opt(55, prl...),
		opt(57, 0x05, 0xdc),
	)
}

// requestPkt is a relayed REQUEST in the SELECTING state.
func requestPkt() []byte {
	return rawMsg(rawHeader(1, 0x3903f327, 0x8000, noAddr, noAddr, relayIP),
		opt(53, 3),
		opt(61, clientID...),
		opt(50, clientIP[:]...),
		opt(54, serverIP[:]...),
		optS(12, "host-a"),
		opt(81, append([]byte{FQDNServerUpdate | FQDNEncoded, 0, 0}, 6, 'h', 'o', 's', 't', '-', 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0)...),
		opt(55, prl...),
		opt(82, relayInfo...),
	)
}

// ackPkt is the server's ACK to requestPkt.
func ackPkt() []byte {
	return rawMsg(rawHeader(2, 0x3903f327, 0x8000, noAddr, clientIP, relayIP),
		opt(53, 5),
		opt(54, serverIP[:]...),
		opt(51, 0, 0, 0x0e, 0x10),
		opt(58, 0, 0, 0x07, 0x08),
		opt(59, 0, 0, 0x0c, 0x4e),
		opt(1, 255, 255, 255, 0),
		opt(3, 192, 0, 2, 1),
		opt(6, 192, 0, 2, 53, 192, 0, 2, 54),
		optS(15, "example.org"),
		opt(82, relayInfo...),
	)
}

func addr4(b [4]byte) netip.Addr { return netip.AddrFrom4(b) }

// ackHeader is the header the builder tests and benchmarks reply with.
func ackHeader() Header {
	h := Header{Op: BootReply, HType: 1, HLen: 6, XID: 0x3903f327, Flags: BroadcastFlag,
		CIAddr: netip.IPv4Unspecified(), YIAddr: addr4(clientIP), SIAddr: netip.IPv4Unspecified(), GIAddr: addr4(relayIP)}
	copy(h.CHAddr[:], testMAC)
	return h
}

// decodeBuilt fails t at the first builder step that returned an error,
// then finishes the message and decodes it.
func decodeBuilt(t *testing.T, b *Builder, steps ...error) *Message {
	t.Helper()
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := m.Decode(msg); err != nil {
		t.Fatal(err)
	}
	return &m
}

// wantBadOption requires err to be ErrBadOption with the text want, and
// Decode to refuse a message that carries data as option code, for each of
// codes: a typed parser and the decoder must agree on what is malformed.
func wantBadOption(t *testing.T, err error, want string, data []byte, codes ...uint8) {
	t.Helper()
	if err == nil || err.Error() != want || !errors.Is(err, ErrBadOption) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	for _, code := range codes {
		var m Message
		if err := m.Decode(rawMsg(rawHeader(2, 1, 0, noAddr, noAddr, noAddr), opt(code, data...))); !errors.Is(err, ErrBadOption) {
			t.Errorf("Decode with option %d: err = %v, want ErrBadOption", code, err)
		}
	}
}
