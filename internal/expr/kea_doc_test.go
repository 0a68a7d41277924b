package expr

import (
	"strings"
	"testing"
)

// TestKeaDocExamples evaluates the examples of the "Client Classification"
// chapter of the Kea 2.2 ARM, each of which the chapter says is true.
func TestKeaDocExamples(t *testing.T) {
	trueTests := []string{
		// substring
		"substring('foobar', 0, 6) == 'foobar'",
		"substring('foobar', 3, 3) == 'bar'",
		"substring('foobar', 3, all) == 'bar'",
		"substring('foobar', 1, 4) == 'ooba'",
		"substring('foobar', -5, 4) == 'ooba'",
		"substring('foobar', -1, -3) == 'oba'",
		"substring('foobar', 4, -2) == 'ob'",
		"substring('foobar', 10, 2) == ''",
		// concat
		"concat('foo', 'bar') == 'foobar'",
		"'abc' + 'def' + 'ghi' + 'jkl' + '...' == 'abcdefghijkl...'",
		"concat(concat(concat(concat('abc', 'def'), 'ghi'), 'jkl'), '...') == 'abcdefghijkl...'",
		"concat('abc', concat('def', concat('ghi', concat('jkl', '...')))) == 'abcdefghijkl...'",
		// split
		"split('one.two..four', '.', 1) == 'one'",
		"split('one.two..four', '.', 2) == 'two'",
		"split('one.two..four', '.', 3) == ''",
		"split('one.two..four', '.', 4) == 'four'",
		"split('one.two..four', '.', 5) == ''",
		// values table
		"0x5a7d == 'Z}'",
		"10.0.0.1 == 0x0a000001",
		"123 == 0x0000007b",
		"member('KNOWN')",
		"hexstring(0x0a1b2c3e, ':') == '0a:1b:2c:3e'",
		"ifelse('foo' == 'bar', 'us', 'them') == 'them'",
		"not ('foo' == 'bar')",
		"not (('foo' == 'bar') and ('bar' == 'foo'))",
		"not (('foo' == 'bar') or ('bar' == 'foo'))",
		"addrtotext(192.10.0.1) == '192.10.0.1'",
		"addrtotext(2003:db8::) == '2003:db8::'",
		"uint8totext(0xff) == '255'",
		"uint16totext(0xffff) == '65535'",
		"uint32totext(0xffffffff) == '4294967295'",
		// precedence: "A and B or C" means "(A and B) or C"
		"'a' == 'b' and 'b' == 'b' or 'c' == 'c'",
	}
	p := v4Packet()
	p.chaddr = []byte{1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	p.options[61] = []byte{1, 2, 3, 4}
	p.options[60] = []byte("PXEClient")
	p.agent[1] = []byte("abc")
	trueTests = append(trueTests,
		// the examples
		"substring(option[61].hex,0,3) == 0x010203",
		"option[60].text == 'PXEClient'",
		"relay4[1].hex == 'abc'",
		"pkt4.mac == 0x010203040506",
		"hexstring(pkt4.mac, ':') == '01:02:03:04:05:06'",
		"ifelse(option[230].exists, option[230].hex, 'none') == 'none'",
	)
	for _, text := range trueTests {
		e, err := Parse(text, V4)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if ok, err := e.Eval(p); !ok || err != nil {
			t.Errorf("%q = %v, %v; the ARM says true", text, ok, err)
		}
	}

	// The ARM's DHCPv6 example: a DUID-EN of enterprise 0xAABBCCDD.
	p6 := v6Packet()
	p6.options[1] = []byte{0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x02}
	e, err := Parse("substring(option[1].hex,0,6) == 0x0002AABBCCDD", V6)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Eval(p6); !ok || err != nil {
		t.Errorf("DUID-EN example = %v, %v", ok, err)
	}
}

// TestKeaRuntimeValues pins values Kea 2.2 was seen to push while
// classifying perfdhcp's packets (kea-dhcp4/6 in a namespace with the
// kea-dhcp4.eval logger at debug level 55, which logs every pushed value).
func TestKeaRuntimeValues(t *testing.T) {
	p := v4Packet()
	p.options[61] = []byte{0x01, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04}
	p.options[12] = []byte("laptop\x00")
	p.options[15] = []byte{0, 0}
	p.options[77] = []byte("\x04abcd")
	p.agent[1] = []byte("abc")
	p6 := v6Packet()
	p6.options[1] = []byte{0x00, 0x01, 0x00, 0x01, 0x32, 0x99, 0x50, 0x1d, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04}
	p6.relays = p6.relays[:1]
	runEval(t, []evalCase{
		{V4, "option[61].text", "type=061, len=007: 01:00:0c:01:02:03:04"},
		{V4, "option[77].text", "type=077, len=005: 04:61:62:63:64"},
		{V4, "option[12].text", "laptop"},
		{V4, "option[12].hex", "laptop"},
		{V4, "option[15].exists", "false"},
		{V4, "relay4[1].text", "type=001, len=003: 61:62:63"},
		{V4, "relay4[1].hex", "abc"},
		{V4, "addrtotext(::192.0.2.1)", "::192.0.2.1"},
		{V4, "addrtotext(::2:3)", "::0.2.0.3"},
		{V4, "addrtotext(::1)", "::1"},
		{V4, "addrtotext(::ffff:1.2.3.4)", "::ffff:1.2.3.4"},
		{V4, "int16totext(0xff80)", "-128"},
		{V4, "hexstring(0x0102, 'ab')", "01ab02"},
		{V6, "option[1].text", "type=00001, len=00014: 00:01:00:01:32:99:50:1d:00:0c:01:02:03:04"},
		{V6, "option[18].text", ""},
		{V6, "relay6[1].peeraddr", ""},
		{V6, "relay6[-1].peeraddr", "\x20\x01\x0d\xb8\x00\x02" + strings.Repeat("\x00", 9) + "\x01"},
	}, p, p6)
}
