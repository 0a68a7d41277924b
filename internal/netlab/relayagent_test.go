package netlab

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// bootp is a DHCPv4 message with op, giaddr and the given options (END
// added).
func bootp(op byte, giaddr [4]byte, opts ...byte) []byte {
	p := make([]byte, 240)
	p[0] = op
	copy(p[24:28], giaddr[:])
	copy(p[236:240], []byte{99, 130, 83, 99})
	return append(append(p, opts...), 255)
}

func TestRelayAgent4(t *testing.T) {
	remote := net.HardwareAddr{2, 0, 0, 0, 0, 9}
	a := &relayAgent4{giaddr: netip.MustParseAddr("198.51.100.1"), server: netip.MustParseAddr("192.0.2.1"), option: option82([]byte("c"), remote)}
	msgType := []byte{53, 1, 1}
	// forwarded is p as the agent sends it on: one hop more, option 82 before END.
	forwarded := func(p []byte) []byte {
		out := append([]byte(nil), p[:len(p)-1]...)
		out[3]++
		return append(append(out, a.option...), 255)
	}
	tests := []struct {
		name    string
		p       []byte
		fromFar bool
		want    []byte // nil: nothing sent
		port    int
		err     string
		echoed  bool
	}{
		{"request from the far link", bootp(1, [4]byte{}, msgType...), true,
			forwarded(bootp(1, [4]byte{198, 51, 100, 1}, msgType...)), 67, "", false},
		{"request with giaddr set keeps it", bootp(1, [4]byte{203, 0, 113, 1}), true,
			forwarded(bootp(1, [4]byte{203, 0, 113, 1})), 67, "", false},
		{"own forwarded copy", bootp(1, [4]byte{}), false, nil, 0, "", false},
		{"reply echoing option 82", bootp(2, [4]byte{}, append(append([]byte{53, 1, 2}, a.option...), 6, 1, 7)...), false,
			bootp(2, [4]byte{}, 53, 1, 2, 6, 1, 7), 68, "", true},
		{"reply without option 82", bootp(2, [4]byte{}, msgType...), false, bootp(2, [4]byte{}, msgType...), 68, "", false},
		{"not DHCP", []byte{1, 2, 3}, true, nil, 0, "not DHCP", false},
		{"option past the end", bootp(1, [4]byte{}, 12, 9)[:243], true, nil, 0, "runs past the end", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, echoedBefore := a.Counts()
			out, dst, err := a.relay(tc.p, tc.fromFar, &net.UDPAddr{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(out, tc.want) {
				t.Fatalf("relay: % x, %v\nwant % x", out, err, tc.want)
			}
			if tc.want != nil && dst.Port != tc.port {
				t.Errorf("sent to %v, want port %d", dst, tc.port)
			}
			replies, echoed := a.Counts()
			if tc.port == 68 && (replies != before+1 || (echoed > echoedBefore) != tc.echoed) {
				t.Errorf("counts %d/%d after %d/%d; want a reply counted, echoed %v", replies, echoed, before, echoedBefore, tc.echoed)
			}
		})
	}
}

func TestRelayAgent6(t *testing.T) {
	a := &relayAgent6{link: netip.MustParseAddr("2001:db8:2::1"), ifaceID: []byte("id"),
		RelayAgent: RelayAgent{down: &net.Interface{Index: 7}}, up: &net.Interface{Index: 3}}
	solicit := []byte{1, 0xaa, 0xbb, 0xcc, 0, 1, 0, 0}
	peer := net.ParseIP("fe80::6c:68ff:fe00:101")

	fw, dst, err := a.relay(solicit, true, &net.UDPAddr{IP: peer, Port: 546})
	if err != nil || dst.String() != "[ff02::1:2%3]:547" {
		t.Fatalf("forward: to %v, %v", dst, err)
	}
	link := a.link.As16()
	want := append(append(append([]byte{msgRelayForw, 0}, link[:]...), peer.To16()...), 0, optIfaceID, 0, 2, 'i', 'd', 0, optRelayMsg, 0, byte(len(solicit)))
	if want = append(want, solicit...); !bytes.Equal(fw, want) {
		t.Errorf("RELAY-FORW % x\nwant % x", fw, want)
	}
	if out, _, err := a.relay(solicit, false, &net.UDPAddr{IP: peer}); out != nil || err != nil {
		t.Errorf("a client message from the server link was relayed: % x, %v", out, err)
	}

	reply := []byte{7, 0xaa, 0xbb, 0xcc}
	repl := append([]byte{msgRelayRepl, 0}, fw[2:34]...)
	repl = binary.BigEndian.AppendUint16(append(binary.BigEndian.AppendUint16(repl, optIfaceID), 0, 2, 'i', 'd'), optRelayMsg)
	repl = append(binary.BigEndian.AppendUint16(repl, uint16(len(reply))), reply...)
	out, dst, err := a.relay(repl, false, &net.UDPAddr{})
	if err != nil || !bytes.Equal(out, reply) || dst.String() != "[fe80::6c:68ff:fe00:101%7]:546" {
		t.Errorf("RELAY-REPL: % x to %v, %v; want % x to the peer on the far link", out, dst, err, reply)
	}
	if replies, echoed := a.Counts(); replies != 1 || echoed != 1 {
		t.Errorf("counts %d/%d, want 1/1", replies, echoed)
	}
	if _, _, err := a.relay(repl[:40], false, &net.UDPAddr{}); err == nil {
		t.Error("a cut RELAY-REPL relayed without error")
	}
}
