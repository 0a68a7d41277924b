package expr

import (
	"errors"
	"strings"
	"testing"
)

// parseCase is a test expression and the error expected from Parse: "" when
// it parses, text starting "unsupported:" when Kea accepts it but this
// package does not, otherwise a part of the syntax error Kea would also
// give one for. kea_test.go runs the same table through kea-dhcp4/6 -t.
type parseCase struct {
	fam  Family
	text string
	err  string
}

var parseCases = []parseCase{
	// accepted
	{V4, "'a' == 'a'", ""},
	{V4, "'a'=='a'", ""},
	{V4, "  'a'\t==\n'a'  ", ""},
	{V4, "option[61].exists", ""},
	{V4, "option [ 61 ] . exists", ""},
	{V4, "option[host-name].exists", ""},
	{V4, "option[host-name ].exists", ""},
	{V4, "option[vendor-encapsulated-options].exists", ""},
	{V4, "option[0].exists", ""},
	{V4, "option[255].hex == ''", ""},
	{V4, "option[12].text == 'x'", ""},
	{V4, "option[3].hex == 192.0.2.1", ""},
	{V4, "relay4[1].hex == 'abc'", ""},
	{V4, "relay4[255].text == 'abc'", ""},
	{V4, "relay4[2].exists", ""},
	{V4, "pkt4.mac == 0x010203040506", ""},
	{V4, "pkt4.hlen == 6 and pkt4.htype == 1", ""},
	{V4, "pkt4.ciaddr == 0.0.0.0 or pkt4.giaddr == 192.0.2.1", ""},
	{V4, "pkt4.yiaddr == pkt4.siaddr", ""},
	{V4, "pkt4.msgtype == 1 and pkt4.transid == 0x12345678", ""},
	{V4, "pkt.iface == 'eth0' and pkt.src == 192.0.2.1 and pkt.dst == 192.0.2.2 and pkt.len == 300", ""},
	{V4, "member('KNOWN')", ""},
	{V4, "member('foo') or member('ALL')", ""},
	{V4, "not member('KNOWN')", ""},
	{V4, "not not member('KNOWN')", ""},
	{V4, "(member('KNOWN'))", ""},
	{V4, "((member('KNOWN')) and (('a') == ('a')))", ""},
	{V4, "substring(option[61].hex, 0, 3) == 0x010203", ""},
	{V4, "substring('foobar', -1, -3) == 'oba'", ""},
	{V4, "substring('foobar', 3, all) == 'bar'", ""},
	{V4, "substring('foobar', 0, 99999999999) == 'foobar'", ""},
	{V4, "concat('a', 'b') == 'ab'", ""},
	{V4, "'a' + 'b' + 'c' == 'abc'", ""},
	{V4, "'abc' == 'a' + 'bc'", ""},
	{V4, "ifelse(option[230].exists, option[230].hex, 'none') == 'none'", ""},
	{V4, "hexstring(pkt4.mac, ':') == '01:02'", ""},
	{V4, "hexstring(pkt4.mac, '-' + ':') == '01:02'", ""},
	{V4, "split('a.b', '.', 2) == 'b'", ""},
	{V4, "addrtotext(pkt4.giaddr) == '192.0.2.1'", ""},
	{V4, "int8totext(0xff) == '-1' and int16totext(0xffff) == '-1' and int32totext(0xffffffff) == '-1'", ""},
	{V4, "uint8totext(0xff) == '255' and uint16totext(0xffff) == '65535' and uint32totext(4294967295) == '4294967295'", ""},
	{V4, "uint8totext(255) == '255'", ""}, // fails at evaluation only
	{V4, "0x1 == 1", ""},
	{V4, "1 == 1", ""},
	{V4, "0 == 4294967295", ""},
	{V4, "::1 == 2001:db8::", ""},
	{V4, "::ffff:192.0.2.1 == 10.0.0.1", ""},
	{V4, "'a' == 'a' and 'b' == 'b' or not 'c' == 'd'", ""},
	{V4, "'' == ''", ""},
	{V4, "'it\"s' == ''", ""},
	{V6, "option[1].hex == 0x0001", ""},
	{V6, "option[65535].exists", ""},
	{V6, "option[clientid].exists", ""},
	{V6, "option[bootfile-url].text == 'x'", ""},
	{V6, "relay6[0].option[18].hex == 'x'", ""},
	{V6, "relay6[-1].option[37].exists", ""},
	{V6, "relay6[31].peeraddr == ::1", ""},
	{V6, "relay6[-32].linkaddr == 2001:db8::1", ""},
	{V6, "pkt6.msgtype == 1 and pkt6.transid == 12345", ""},
	{V6, "pkt.iface == 'eth0' and pkt.src == fe80::1", ""},
	{V6, "substring(option[1].hex, 0, 6) == 0x0002AABBCCDD", ""},

	// Kea accepts these; this package does not
	{V4, "option[43].option[1].exists", "unsupported: option[43].option[1].exists (sub-options are not implemented)"},
	{V4, "option[43].option[1].hex == 'a'", "unsupported: option[43].option[1].hex"},
	{V4, "vendor[4491].exists", "unsupported: vendor (vendor and vendor-class options are not implemented)"},
	{V4, "vendor-class[4491].exists", "unsupported: vendor-class"},
	{V4, "vendor.enterprise == 4491", "unsupported: vendor "},
	{V4, "option[3].text == '192.0.2.1'", "unsupported: option[3].text (Kea renders the text of this option from its definition"},
	{V4, "option[routers].text == '192.0.2.1'", "unsupported: option[routers].text"},
	{V4, "option[82].text == ''", "unsupported: option[82].text"},
	{V4, "option[53].text == ''", "unsupported: option[53].text"},
	{V6, "option[16].text == ''", "unsupported: option[16].text"},
	{V6, "relay6[0].option[37].text == ''", "unsupported: relay6[0].option[37].text"},

	// Kea rejects these too
	{V4, "", "expected"},
	{V4, "'abc'", "a test must be a condition"},
	{V4, "option[61].hex", "a test must be a condition"},
	{V4, "true", "invalid character 't' at column 1"},
	{V4, "false", "invalid character 'f'"},
	{V4, "known", "invalid character 'k'"},
	{V4, "unknown", "invalid character 'u'"},
	{V4, "'a' = 'a'", "invalid character '='"},
	{V4, "'a' != 'a'", "invalid character '!'"},
	{V4, "'a' == 'a' == 'a'", "unexpected \"==\" at column 12"},
	{V4, "'a' == 'a' and 'b'", "\"and\" needs a condition on its right"},
	{V4, "'b' and 'a' == 'a'", "\"and\" needs a condition on its left"},
	{V4, "not 'a'", "\"not\" needs a condition"},
	{V4, "('a' == 'a') == 'true'", "unexpected \"==\""},
	{V4, "'it''s' == 'a'", "unexpected string 's' at column 5"},
	{V4, "'abc == 'a'", "invalid character 'a' at column 10"},
	{V4, "'a\nb' == 'a'", "invalid character '\\''"},
	{V4, "0x == 'a'", "invalid character 'x'"},
	{V4, "0xg1 == 'a'", "invalid character 'x'"},
	{V4, "10.0.0.256 == 'a'", "invalid IP address 10.0.0.256"},
	{V4, "010.0.0.1 == 'a'", "invalid IP address 010.0.0.1"},
	{V4, "1:2:3 == 'a'", "invalid IP address 1:2:3"},
	{V4, "-1 == 'a'", "integer -1 out of range 0..4294967295"},
	{V4, "4294967296 == 'a'", "integer 4294967296 out of range"},
	{V4, "99999999999999999999 == 'a'", "integer 99999999999999999999 out of range"},
	{V4, "option[256].exists", "option code 256 out of range 0..255"},
	{V4, "option[-1].exists", "option code -1 out of range"},
	{V4, "option[hostname].exists", "option \"hostname\" is not defined at column 8"},
	{V4, "option[clientid].exists", "option \"clientid\" is not defined"},
	{V4, "option[61].exist", "invalid character 'e'"},
	{V4, "option[61].option", "expected \"[\""},
	{V4, "option[61].data", "expected \"hex\", \"text\" or \"exists\""},
	{V4, "option[61].exists == 'true'", "unexpected \"==\""},
	{V4, "option[61]", "expected \".\""},
	{V4, "option 61", "expected \"[\""},
	{V4, "options[61].exists", "invalid character 's'"},
	{V4, "option[61].hexx == 'a'", "invalid character 'x'"},
	{V4, "relay4[300].exists", "option code 300 out of range 0..255"},
	{V4, "relay4[host-name].exists", "expected option code but found option name host-name"},
	{V4, "relay6[0].peeraddr == ::1", "relay6 can be used only in DHCPv6"},
	{V4, "pkt6.msgtype == 1", "pkt6 can be used only in DHCPv4"[:28]},
	{V4, "pkt4.chaddr == 0x01", "invalid character 'c'"[:18]},
	{V4, "pkt4.foo == 0x01", "invalid character 'f'"},
	{V4, "pkt4.text == 0x01", "expected a field of pkt4"},
	{V4, "pkt.mac == 0x01", "expected a field of pkt"},
	{V4, "member('bar')", "client class \"bar\" is not defined"},
	{V4, "member('all')", "client class \"all\" is not defined"},
	{V4, "member('DROP')", "client class \"DROP\" is not defined"},
	{V4, "member(0x01)", "expected class name in quotes but found hex string 0x01"},
	{V4, "member('KNOWN') == 'true'", "unexpected \"==\""},
	{V4, "substring('abc', 0) == 'a'", "expected \",\""},
	{V4, "substring('abc', (0), 1) == 'a'", "expected integer"},
	{V4, "substring('abc', 0, 'all') == 'a'", "expected integer or \"all\""},
	{V4, "substring('abc', all, 1) == 'a'", "expected integer but found \"all\""},
	{V4, "substring('abc', 0, 999999999999999999999) == ''", "integer 999999999999999999999 out of range"},
	{V4, "concat('a') == 'a'", "expected \",\""},
	{V4, "concat('a', 'b', 'c') == 'a'", "expected \")\""},
	{V4, "concat('a' == 'b', 'c') == 'a'", "expected a string value, not a condition"},
	{V4, "ifelse('a', 'b', 'c') == 'b'", "ifelse needs a condition"},
	{V4, "hexstring(0x01) == '01'", "expected \",\""},
	{V4, "split('a', '.') == 'a'", "expected \",\""},
	{V4, "split('a', '.', -1 + 2) == 'a'", "expected \")\""},
	{V4, "int8totext(-1) == '-1'", "integer -1 out of range"},
	{V4, "'a' + ('b' == 'b') == 'a'", "\"+\" concatenates string values"},
	{V4, "'a' == 'a' +", "unexpected end of expression"},
	{V4, "('a' == 'a'", "expected \")\" but found end of expression"},
	{V4, "'a' == 'a')", "unexpected \")\""},
	{V4, "'a' == 'a' 'b'", "unexpected string 'b'"},
	{V4, "'a' == 'a'\n and 'b'", "right, not a string value at line 2 column 6"},
	{V4, "'a' == 'a' and \r'b' == 'b'", "invalid character '\\r'"},
	{V4, "'a' + 'b'", "a test must be a condition"},
	{V6, "relay4[1].exists", "relay4 can be used only in DHCPv4"},
	{V6, "pkt4.mac == 0x01", "pkt4 can be used only in DHCPv4"},
	{V6, "option[65536].exists", "option code 65536 out of range 0..65535"},
	{V6, "option[host-name].exists", "option \"host-name\" is not defined"},
	{V6, "relay6[32].peeraddr == ::1", "relay nesting level 32 out of range -32..31"},
	{V6, "relay6[-33].peeraddr == ::1", "relay nesting level -33 out of range"},
	{V6, "relay6[0].option[70000].exists", "option code 70000 out of range"},
	{V6, "relay6[0].iface == 'x'", "expected \"option\", \"peeraddr\" or \"linkaddr\""},
	{V6, "pkt6.mac == 0x01", "expected a field of pkt6"},
}

func classDefined(name string) bool { return name == "foo" || BuiltinClass(name) }

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		e, err := Parse(c.text, c.fam, ClassDefined(classDefined))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%v %q: %v", c.fam, c.text, err)
		case c.err == "":
			if e.String() != c.text || e.Family() != c.fam || !e.IsBool() {
				t.Errorf("%v %q: accessors give %q %v %v", c.fam, c.text, e.String(), e.Family(), e.IsBool())
			}
		case err == nil:
			t.Errorf("%v %q: parsed, want error containing %q", c.fam, c.text, c.err)
		case !strings.Contains(err.Error(), c.err):
			t.Errorf("%v %q:\n got error %v\nwant it to contain %q", c.fam, c.text, err, c.err)
		case errors.Is(err, ErrUnsupported) != strings.HasPrefix(c.err, "unsupported:"):
			t.Errorf("%v %q: errors.Is(err, ErrUnsupported) = %v for %v", c.fam, c.text, errors.Is(err, ErrUnsupported), err)
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	cases := []struct {
		fam       Family
		text, err string
	}{
		{V4, "vendor[4491].exists", `unsupported: vendor (vendor and vendor-class options are not implemented) in expression "vendor[4491].exists"`},
		{V4, "option[3].text == 'a'", `unsupported: option[3].text (Kea renders the text of this option from its definition, which is not reproduced; use .hex) in expression "option[3].text == 'a'"`},
		{V4, "'a' == 'a' == 'b'", `syntax error: unexpected "==" at column 12 in expression "'a' == 'a' == 'b'"`},
		{V4, "option[300].exists", `option code 300 out of range 0..255 at column 8 in expression "option[300].exists"`},
		{V4, "'a' ==\n 'b' 'c'", `syntax error: unexpected string 'c' at line 2 column 6 in expression "'a' ==\n 'b' 'c'"`},
	}
	for _, c := range cases {
		_, err := Parse(c.text, c.fam)
		if err == nil || err.Error() != c.err {
			t.Errorf("%q:\n got %v\nwant %s", c.text, err, c.err)
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Expr != c.text {
			t.Errorf("%q: error is not an *Error for the expression: %#v", c.text, err)
		}
	}
}

func TestParseString(t *testing.T) {
	good := []string{
		"option[61].hex",
		"concat(pkt4.mac, option[61].hex)",
		"'a' + 'b'",
		"ifelse(option[61].exists, option[61].hex, pkt4.mac)",
		"(substring(option[60].hex, 0, 9))",
		"1",
		"hexstring(pkt4.mac, ':')",
	}
	for _, text := range good {
		e, err := ParseString(text, V4)
		if err != nil {
			t.Errorf("%q: %v", text, err)
		} else if e.IsBool() {
			t.Errorf("%q: IsBool true for a string expression", text)
		}
	}
	bad := map[string]string{
		"'a' == 'b'":        "expected a string value, not a condition at column 5",
		"option[61].exists": "expected a string value, not a condition at column 1",
		"":                  "unexpected end of expression",
	}
	for text, want := range bad {
		_, err := ParseString(text, V4)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	names := OptionNames(func(name string) (uint16, bool) {
		if name == "my-opt" {
			return 224, true
		}
		return 0, false
	})
	formats := OptionFormats(func(space Space, code uint16) (Format, bool) {
		switch {
		case space == SpaceDHCP4 && code == 224:
			return FormatString, true
		case space == SpaceAgent && code == 5:
			return FormatTyped, true
		case space == SpaceDHCP4 && code == 12:
			return FormatTyped, true // standard definitions win
		}
		return 0, false
	})
	p := v4Packet()
	p.options[224] = []byte("custom\x00\x00")
	for text, want := range map[string]string{
		"option[my-opt].text": "custom",
		"option[224].hex":     "custom",
		"option[12].text":     "laptop",
	} {
		e, err := ParseString(text, V4, names, formats)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if v, err := e.EvalBytes(p); string(v) != want || err != nil {
			t.Errorf("%q = %q, %v; want %q", text, v, err, want)
		}
	}
	if _, err := ParseString("relay4[5].text", V4, names, formats); !errors.Is(err, ErrUnsupported) {
		t.Errorf("relay4[5].text with a typed definition: %v, want unsupported", err)
	}
	if _, err := ParseString("option[other].hex", V4, names); err == nil {
		t.Error("option[other]: parsed with a lookup that does not know it")
	}
	if _, err := Parse("'a' == 'a'", Family(5)); err == nil {
		t.Error("family 5 accepted")
	}
}

func TestUses(t *testing.T) {
	e, err := Parse("member('b') and (member('a') or not member('b')) and member('KNOWN')", V4)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(e.Uses(), ",")
	if got != "b,a,KNOWN" {
		t.Errorf("Uses() = %s, want b,a,KNOWN", got)
	}
	e, err = Parse("'a' == 'a'", V4)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Uses()) != 0 {
		t.Errorf("Uses() = %v, want none", e.Uses())
	}
}

func TestBuiltinClass(t *testing.T) {
	for name, want := range map[string]bool{
		"ALL": true, "KNOWN": true, "UNKNOWN": true, "BOOTP": true,
		"VENDOR_CLASS_docsis3.0": true, "HA_server1": true, "AFTER_x": true, "EXTERNAL_y": true,
		"VENDOR_CLASS_": false, "HA_": false, "DROP": false, "all": false, "SKIP_DDNS": false, "foo": false,
	} {
		if got := BuiltinClass(name); got != want {
			t.Errorf("BuiltinClass(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("(", 1000) + "'a' == 'a'" + strings.Repeat(")", 1000)
	if _, err := Parse(deep, V4); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep nesting: %v", err)
	}
	nots := strings.Repeat("not ", 1000) + "'a' == 'a'"
	if _, err := Parse(nots, V4); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep not: %v", err)
	}
	ok := strings.Repeat("(", 100) + "'a' == 'a'" + strings.Repeat(")", 100)
	if _, err := Parse(ok, V4); err != nil {
		t.Errorf("100 parentheses: %v", err)
	}
}
