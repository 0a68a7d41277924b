package expr

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

type evalCase struct {
	fam  Family
	text string
	want string // value; for tests "true" or "false"
}

// evalOne parses text as a test when it yields a condition, else as a
// string value, evaluates it against p and returns the value.
func evalOne(t *testing.T, fam Family, text string, p Packet) (string, error) {
	t.Helper()
	e, err := ParseString(text, fam)
	if err != nil {
		be, berr := Parse(text, fam)
		if berr != nil {
			t.Fatalf("parse %q: %v / %v", text, err, berr)
		}
		ok, err := be.Eval(p)
		if err != nil {
			return "", err
		}
		if ok {
			return "true", nil
		}
		return "false", nil
	}
	v, err := e.EvalBytes(p)
	return string(v), err
}

func runEval(t *testing.T, cases []evalCase, p4, p6 Packet) {
	t.Helper()
	for _, c := range cases {
		p := p4
		if c.fam == V6 {
			p = p6
		}
		got, err := evalOne(t, c.fam, c.text, p)
		if err != nil {
			t.Errorf("%v %q: %v", c.fam, c.text, err)
			continue
		}
		if got != c.want {
			t.Errorf("%v %q = %q, want %q", c.fam, c.text, got, c.want)
		}
	}
}

func TestEvalTokens(t *testing.T) {
	cases := []evalCase{
		// literals
		{V4, "'abc'", "abc"},
		{V4, "''", ""},
		{V4, "0x5a7d", "Z}"},
		{V4, "0X5A7D", "Z}"},
		{V4, "0x1", "\x01"},
		{V4, "0xabc", "\x0a\xbc"},
		{V4, "10.0.0.1", "\x0a\x00\x00\x01"},
		{V4, "2001:db8::1", "\x20\x01\x0d\xb8" + strings.Repeat("\x00", 11) + "\x01"},
		{V4, "::ffff:192.0.2.1", strings.Repeat("\x00", 10) + "\xff\xff\xc0\x00\x02\x01"},
		{V4, "123", "\x00\x00\x00\x7b"},
		{V4, "4294967295", "\xff\xff\xff\xff"},
		// options
		{V4, "option[61].hex", "\x01\x00\x0c\x29\xaa\xbb\xcc"},
		{V4, "option[dhcp-client-identifier].hex", "\x01\x00\x0c\x29\xaa\xbb\xcc"},
		{V4, "option[61].text", "type=061, len=007: 01:00:0c:29:aa:bb:cc"},
		{V4, "option[61].exists", "true"},
		{V4, "option[62].hex", ""},
		{V4, "option[62].text", ""},
		{V4, "option[62].exists", "false"},
		{V4, "option[12].text", "laptop"}, // string option: trailing NUL dropped
		{V4, "option[12].hex", "laptop"},
		{V4, "option[host-name].text", "laptop"},
		{V4, "option[60].text", "PXEClient:Arch:00000:UNDI:002001"},
		{V4, "option[80].exists", "true"},
		{V4, "option[80].hex", ""},
		{V4, "option[80].text", "type=080, len=000: "},
		{V4, "option[15].exists", "false"}, // all-NUL string option: dropped
		{V4, "option[15].hex", ""},
		{V4, "option[53].hex", "\x01"},
		// relay agent sub-options
		{V4, "relay4[1].hex", "eth0/1"},
		{V4, "relay4[1].text", "type=001, len=006: 65:74:68:30:2f:31"},
		{V4, "relay4[2].exists", "true"},
		{V4, "relay4[3].exists", "false"},
		{V4, "relay4[3].hex", ""},
		// pkt4 fields, integers as 4 bytes
		{V4, "pkt4.mac", "\x00\x0c\x29\xaa\xbb\xcc"},
		{V4, "pkt4.hlen", "\x00\x00\x00\x06"},
		{V4, "pkt4.htype", "\x00\x00\x00\x01"},
		{V4, "pkt4.msgtype", "\x00\x00\x00\x01"},
		{V4, "pkt4.transid", "\x12\x34\x56\x78"},
		{V4, "pkt4.ciaddr", "\x00\x00\x00\x00"},
		{V4, "pkt4.giaddr", "\xc0\x00\x02\x01"},
		{V4, "pkt4.yiaddr", "\x00\x00\x00\x00"},
		{V4, "pkt4.siaddr", "\xc0\x00\x02\x02"},
		{V4, "pkt.iface", "eth0"},
		{V4, "pkt.src", "\xc0\x00\x02\x01"},
		{V4, "pkt.dst", "\xc0\x00\x02\xfe"},
		{V4, "pkt.len", "\x00\x00\x01\x2c"},
		{V4, "member('KNOWN')", "true"},
		{V4, "member('UNKNOWN')", "false"},
		// DHCPv6
		{V6, "option[1].hex", "\x00\x02\xaa\xbb\xcc\xdd\x01"},
		{V6, "option[1].text", "type=00001, len=00007: 00:02:aa:bb:cc:dd:01"},
		{V6, "option[clientid].exists", "true"},
		{V6, "option[14].exists", "true"},
		{V6, "option[2].exists", "false"},
		{V6, "option[59].text", "http://[2001:db8::1]/boot.efi"},
		{V6, "option[bootfile-url].text", "http://[2001:db8::1]/boot.efi"},
		{V6, "pkt6.msgtype", "\x00\x00\x00\x01"},
		{V6, "pkt6.transid", "\x00\xab\xcd\xef"},
		{V6, "pkt.iface", "eth1"},
		{V6, "pkt.src", "\x20\x01\x0d\xb8\x00\x01" + strings.Repeat("\x00", 9) + "\x01"},
		{V6, "pkt.len", "\x00\x00\x00\x78"},
		{V6, "relay6[0].option[18].hex", "ge-0/0/1"},
		{V6, "relay6[1].option[18].hex", "port7"},
		{V6, "relay6[-1].option[18].hex", "port7"},
		{V6, "relay6[-2].option[18].hex", "ge-0/0/1"},
		{V6, "relay6[-3].option[18].hex", ""},
		{V6, "relay6[2].option[18].hex", ""},
		{V6, "relay6[2].option[18].exists", "false"},
		{V6, "relay6[0].option[18].exists", "true"},
		{V6, "relay6[1].option[37].exists", "false"},
		{V6, "relay6[0].option[18].text", "type=00018, len=00008: 67:65:2d:30:2f:30:2f:31"},
		{V6, "relay6[0].linkaddr", "\x20\x01\x0d\xb8\x00\x01" + strings.Repeat("\x00", 9) + "\x01"},
		{V6, "relay6[1].peeraddr", "\xfe\x80" + strings.Repeat("\x00", 13) + "\x01"},
		{V6, "relay6[-1].linkaddr", "\x20\x01\x0d\xb8\x00\x02" + strings.Repeat("\x00", 9) + "\x01"},
		{V6, "relay6[5].peeraddr", ""},
		{V6, "relay6[-5].peeraddr", ""},
		// operators
		{V4, "'a' == 'a'", "true"},
		{V4, "'a' == 'b'", "false"},
		{V4, "'' == option[99].hex", "true"},
		{V4, "not 'a' == 'b'", "true"},
		{V4, "not not 'a' == 'b'", "false"},
		{V4, "'a' == 'a' and 'b' == 'c'", "false"},
		{V4, "'a' == 'a' or 'b' == 'c'", "true"},
		{V4, "'a' == 'b' and 'b' == 'c' or 'c' == 'c'", "true"},    // (F and F) or T
		{V4, "'a' == 'b' and ('b' == 'c' or 'c' == 'c')", "false"}, // F and (F or T)
		{V4, "not 'a' == 'a' or 'c' == 'c'", "true"},               // (not T) or T
		{V4, "not ('a' == 'a' or 'c' == 'c')", "false"},
		{V4, "('a') == 'a'", "true"},
		{V4, "(('a' == 'a'))", "true"},
		{V4, "concat('foo', 'bar')", "foobar"},
		{V4, "concat('', 'bar')", "bar"},
		{V4, "concat('foo', '')", "foo"},
		{V4, "'abc' + 'def' + 'ghi'", "abcdefghi"},
		{V4, "'a' + 'b' == 'ab'", "true"},
		{V4, "'ab' == 'a' + 'b'", "true"},
		{V4, "ifelse(option[61].exists, 'yes', 'no')", "yes"},
		{V4, "ifelse(option[62].exists, 'yes', 'no')", "no"},
		{V4, "hexstring(pkt4.mac, ':')", "00:0c:29:aa:bb:cc"},
		{V4, "hexstring(0x0a1b2c3e, '-')", "0a-1b-2c-3e"},
		{V4, "hexstring(0x0a1b, '')", "0a1b"},
		{V4, "hexstring('', ':')", ""},
		{V4, "hexstring(0x01, 'ab' + 'cd')", "01"},
		{V4, "hexstring(0x0102, 'ab' + 'cd')", "01abcd02"},
		{V4, "addrtotext(192.10.0.1)", "192.10.0.1"},
		{V4, "addrtotext(2003:db8::)", "2003:db8::"},
		{V4, "addrtotext(::ffff:192.0.2.1)", "::ffff:192.0.2.1"},
		{V4, "addrtotext(::192.0.2.1)", "::192.0.2.1"},
		{V4, "addrtotext(::1)", "::1"},
		{V4, "addrtotext(::)", "::"},
		{V4, "addrtotext(pkt4.giaddr)", "192.0.2.1"},
		{V4, "addrtotext('')", ""},
		{V4, "int8totext(0xff)", "-1"},
		{V4, "int16totext(0xfffe)", "-2"},
		{V4, "int32totext(0xfffffffd)", "-3"},
		{V4, "int32totext(1)", "1"},
		{V4, "uint8totext(0xff)", "255"},
		{V4, "uint16totext(0xfffe)", "65534"},
		{V4, "uint32totext(4294967295)", "4294967295"},
		{V4, "uint32totext(pkt4.transid)", "305419896"},
		{V4, "uint8totext(substring(pkt4.htype, 3, 1))", "1"},
		{V4, "uint16totext('')", ""},
		{V4, "split('one.two..four', '.', 1)", "one"},
		{V4, "split('a.b', '', 1)", "a.b"},
		{V4, "split('', '.', 1)", ""},
		{V4, "split('a.b,c', '.,', 3)", "c"},
		{V4, "split('a.b', '.', 0)", ""},
		{V4, "split('a.b', '.', -1)", ""},
		{V4, "split('a.b', '.', 3)", ""},
		{V4, "split('.', '.', 2)", ""},
		{V4, "split('ab', '.', 1)", "ab"},
		// integer literal and integer fields compare as 4 bytes
		{V4, "pkt4.msgtype == 1", "true"},
		{V4, "pkt4.msgtype == 0x01", "false"},
		{V4, "pkt4.msgtype == 0x00000001", "true"},
		{V4, "pkt4.hlen == 6", "true"},
		{V6, "pkt6.msgtype == 1", "true"},
		{V6, "pkt6.transid == 11259375", "true"},
	}
	runEval(t, cases, v4Packet(), v6Packet())
}

func TestEvalMac(t *testing.T) {
	p := v4Packet()
	// Kea caps pkt4.hlen at 16 but sizes pkt4.mac by the raw hlen.
	p.uints[FieldHlen] = 20
	for i := range p.chaddr {
		p.chaddr[i] = byte(i + 1)
	}
	want := string(p.chaddr) + "\x00\x00\x00\x00"
	runEval(t, []evalCase{
		{V4, "pkt4.mac", want},
		{V4, "pkt4.hlen", "\x00\x00\x00\x10"},
	}, p, nil)
	p.uints[FieldHlen] = 0
	runEval(t, []evalCase{{V4, "pkt4.mac", ""}, {V4, "pkt4.mac == ''", "true"}}, p, nil)
}

// TestEvalErrors covers what Kea accepts at configuration time but fails
// when evaluated: the packet is then not put in the class.
func TestEvalErrors(t *testing.T) {
	cases := []struct {
		text, err string
	}{
		{"uint8totext(255) == '255'", "uint8totext needs a 1-byte value, got 4 bytes"},
		{"int16totext(0x01) == ''", "int16totext needs a 2-byte value, got 1 bytes"},
		{"addrtotext(0x010203) == ''", "addrtotext needs a 4- or 16-byte value, got 3 bytes"},
		{"substring('abc', 0, 99999999999) == ''", "substring length 99999999999 is not a 32-bit integer"},
		{"substring('abc', -99999999999, 1) == ''", "substring start -99999999999 is not a 32-bit integer"},
		{"split('a.b', '.', 99999999999) == ''", "split field 99999999999 is not a 32-bit integer"},
		// The error surfaces even when the other side of "and" is false:
		// Kea evaluates both operands.
		{"'a' == 'b' and uint8totext(1) == ''", "uint8totext needs a 1-byte value"},
		// Nested hexstring grows a value fourfold per level.
		{strings.Repeat("hexstring(", 11) + "'abcd'" + strings.Repeat(", 'xx')", 11) + " == ''", "hexstring result longer than 1048576 bytes"},
		{"concat(" + strings.Repeat("hexstring(", 9) + "'abcd'" + strings.Repeat(", 'xx')", 9) + ", " +
			strings.Repeat("hexstring(", 9) + "'abcd'" + strings.Repeat(", 'xx')", 9) + ") == ''", "concat result longer than 1048576 bytes"},
	}
	p := v4Packet()
	for _, c := range cases {
		e, err := Parse(c.text, V4)
		if err != nil {
			t.Errorf("parse %q: %v", c.text, err)
			continue
		}
		ok, err := e.Eval(p)
		if err == nil || !strings.Contains(err.Error(), c.err) || ok {
			t.Errorf("%q = %v, %v; want error containing %q", c.text, ok, err, c.err)
		}
	}
	// Kea skips the conversion when the string is empty.
	for _, text := range []string{
		"substring('', 0, 99999999999) == ''",
		"split(option[99].hex, '.', 99999999999) == ''",
	} {
		e, err := Parse(text, V4)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := e.Eval(p); !ok || err != nil {
			t.Errorf("%q = %v, %v; want true", text, ok, err)
		}
	}
}

func TestEvalStringExprAsTest(t *testing.T) {
	e, err := ParseString("option[60].hex", V4)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Eval(v4Packet()); ok || err == nil {
		t.Errorf("Eval of a string expression = %v, %v; want an error", ok, err)
	}
	b, err := e.AppendEval([]byte("x:"), v4Packet())
	if err != nil || !bytes.Equal(b, []byte("x:PXEClient:Arch:00000:UNDI:002001")) {
		t.Errorf("AppendEval = %q, %v", b, err)
	}
	be, err := Parse("option[60].exists", V4)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := be.EvalBytes(v4Packet()); string(v) != "true" || err != nil {
		t.Errorf("EvalBytes of a test = %q, %v; want \"true\"", v, err)
	}
}

func TestMemberCallsPacket(t *testing.T) {
	p := v4Packet()
	e, err := Parse("member('KNOWN') and not member('VENDOR_CLASS_x')", V4)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Eval(p); !ok || err != nil {
		t.Errorf("got %v, %v", ok, err)
	}
	p.classes["VENDOR_CLASS_x"] = true
	if ok, err := e.Eval(p); ok || err != nil {
		t.Errorf("after adding the class: got %v, %v", ok, err)
	}
}

// TestConcurrentEval shares one Expr between goroutines, as the servers'
// workers do; run with -race.
func TestConcurrentEval(t *testing.T) {
	e, err := Parse("hexstring(pkt4.mac, ':') + '/' + option[12].text == '00:0c:29:aa:bb:cc/laptop' and relay4[1].text == 'type=001, len=006: 65:74:68:30:2f:31'", V4)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for range 4 {
		go func() {
			p := v4Packet()
			var s Scratch
			for i := range 200 {
				var ok bool
				var err error
				if i%2 == 0 {
					ok, err = e.Eval(p)
				} else {
					ok, err = e.EvalScratch(&s, p)
				}
				if !ok || err != nil {
					done <- fmt.Errorf("iteration %d: %v, %v", i, ok, err)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
