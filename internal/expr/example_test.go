package expr_test

import (
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/internal/expr"
)

// message is a stand-in for a decoded DHCPv4 message: a server implements
// expr.Packet on its own message type the same way.
type message struct {
	chaddr  [16]byte
	hlen    uint8
	giaddr  netip.Addr
	options map[uint16][]byte
	classes []string
}

func (m *message) Option(code uint16) ([]byte, bool) { v, ok := m.options[code]; return v, ok }
func (m *message) AgentOption(code uint8) ([]byte, bool) {
	return nil, false // no option 82 in this message
}
func (m *message) RelayCount() int                        { return 0 }
func (m *message) RelayOption(int, uint16) ([]byte, bool) { return nil, false }
func (m *message) RelayAddrs(int) (link, peer netip.Addr) { return }
func (m *message) Chaddr() []byte                         { return m.chaddr[:] }
func (m *message) Iface() string                          { return "eth0" }
func (m *message) Addr(f expr.Field) netip.Addr {
	if f == expr.FieldGiaddr {
		return m.giaddr
	}
	return netip.IPv4Unspecified()
}
func (m *message) Uint(f expr.Field) uint32 {
	switch f {
	case expr.FieldHlen:
		return uint32(m.hlen)
	case expr.FieldMsgType:
		return 1 // DHCPDISCOVER
	}
	return 0
}
func (m *message) Member(class string) bool {
	for _, c := range m.classes {
		if c == class {
			return true
		}
	}
	return false
}

func Example() {
	// Configuration time: parse the class's test once.
	defined := func(class string) bool { return expr.BuiltinClass(class) }
	test, err := expr.Parse("option[60].text == 'PXEClient' and pkt4.msgtype == 1 and not member('KNOWN')",
		expr.V4, expr.ClassDefined(defined))
	if err != nil {
		fmt.Println(err)
		return
	}

	// Per packet: evaluate against the decoded message.
	m := &message{hlen: 6, options: map[uint16][]byte{60: []byte("PXEClient")}, classes: []string{"ALL"}}
	match, err := test.Eval(m)
	fmt.Println(match, err)

	// Errors name the construct and the expression, for the config layer
	// to prefix with the JSON path.
	_, err = expr.Parse("vendor[4491].exists", expr.V4)
	fmt.Println(err)
	_, err = expr.Parse("option[60].text = 'PXEClient'", expr.V4)
	fmt.Println(err)
	// Output:
	// true <nil>
	// unsupported: vendor (vendor and vendor-class options are not implemented) in expression "vendor[4491].exists"
	// invalid character '=' at column 17 in expression "option[60].text = 'PXEClient'"
}

func ExampleParseString() {
	// A flex-id style identifier: the MAC address as text.
	id, err := expr.ParseString("hexstring(pkt4.mac, ':')", expr.V4)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := &message{hlen: 6, chaddr: [16]byte{0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc}}
	v, err := id.EvalBytes(m)
	fmt.Printf("%s %v\n", v, err)
	// Output: 00:0c:29:aa:bb:cc <nil>
}

func ExampleExpr_Uses() {
	e, err := expr.Parse("member('lab') and not member('KNOWN')", expr.V4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Uses())
	// Output: [lab KNOWN]
}
