package expr

import "testing"

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
