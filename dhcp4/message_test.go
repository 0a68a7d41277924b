package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestDecodeHeader(t *testing.T) {
	var m Message
	if err := m.Decode(requestPkt()); err != nil {
		t.Fatal(err)
	}
	if m.Op != BootRequest || m.HType != 1 || m.HLen != 6 || m.Hops != 0 || m.XID != 0x3903f327 {
		t.Errorf("op/htype/hlen/hops/xid = %v/%d/%d/%d/%#x", m.Op, m.HType, m.HLen, m.Hops, m.XID)
	}
	if !m.Broadcast() {
		t.Error("Broadcast() = false, want true")
	}
	if m.GIAddr != addr4(relayIP) || m.CIAddr != netip.IPv4Unspecified() {
		t.Errorf("giaddr %v ciaddr %v", m.GIAddr, m.CIAddr)
	}
	if !bytes.Equal(m.HWAddr(), testMAC) {
		t.Errorf("HWAddr() = %x, want %x", m.HWAddr(), testMAC)
	}
}

func TestHWAddrClamp(t *testing.T) {
	for _, tc := range []struct {
		hlen uint8
		want int
	}{{0, 0}, {6, 6}, {16, 16}, {17, 16}, {255, 16}} {
		h := Header{HLen: tc.hlen}
		if got := len(h.HWAddr()); got != tc.want {
			t.Errorf("HLen %d: len(HWAddr()) = %d, want %d", tc.hlen, got, tc.want)
		}
	}
}

func TestHeaderNames(t *testing.T) {
	var h Header
	copy(h.SName[:], "tftp.example")
	copy(h.File[:], "pxelinux.0")
	if string(h.ServerName()) != "tftp.example" || string(h.BootFile()) != "pxelinux.0" {
		t.Errorf("ServerName %q BootFile %q", h.ServerName(), h.BootFile())
	}
	for i := range h.File {
		h.File[i] = 'x'
	}
	if len(h.BootFile()) != 128 {
		t.Errorf("unterminated file: len %d, want 128", len(h.BootFile()))
	}
}

func TestDecodeOptionsInWireOrder(t *testing.T) {
	var m Message
	if err := m.Decode(discoverPkt()); err != nil {
		t.Fatal(err)
	}
	want := []uint8{53, 61, 50, 12, 55, 57}
	if m.NumOptions() != len(want) {
		t.Fatalf("NumOptions() = %d, want %d", m.NumOptions(), len(want))
	}
	for i, c := range want {
		if code, _ := m.OptionAt(i); code != c {
			t.Errorf("OptionAt(%d) code %d, want %d", i, code, c)
		}
	}
	if d, ok := m.Option(OptHostname); !ok || string(d) != "host-a" {
		t.Errorf("Option(12) = %q, %v", d, ok)
	}
	if _, ok := m.Option(OptRouter); ok {
		t.Error("Option(3) present, want absent")
	}
	for _, c := range []uint8{OptPad, OptEnd, OptOverload} {
		if _, ok := m.Option(c); ok {
			t.Errorf("Option(%d) present", c)
		}
	}
}

// TestDecodeFraming covers Pad, End and what follows End.
func TestDecodeFraming(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	tests := []struct {
		name  string
		opts  []byte
		codes []uint8
	}{
		{"pads between options", cat(opt(53, 1), []byte{0, 0, 0}, opt(12, 'a'), []byte{255}), []uint8{53, 12}},
		{"bytes after End ignored", cat(opt(53, 1), []byte{255, 12, 200, 1, 2}), []uint8{53}},
		{"no End", cat(opt(53, 1), opt(12, 'a')), []uint8{53, 12}},
		{"only pads", []byte{0, 0, 0, 0}, nil},
		{"no options at all", nil, nil},
		{"zero-length option", cat(opt(80), opt(53, 1)), []uint8{80, 53}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			if err := m.Decode(cat(hdr, tc.opts)); err != nil {
				t.Fatal(err)
			}
			var got []uint8
			for i := range m.NumOptions() {
				c, _ := m.OptionAt(i)
				got = append(got, c)
			}
			if !bytes.Equal(got, tc.codes) {
				t.Errorf("codes %v, want %v", got, tc.codes)
			}
		})
	}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// TestDecodeConcat covers RFC 3396: instances of one option are joined in
// the order options field, file, sname, and the joined option sits where
// its first instance was.
func TestDecodeConcat(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	long := bytes.Repeat([]byte("0123456789"), 40) // 400 bytes
	t.Run("options field", func(t *testing.T) {
		var m Message
		b := rawMsg(hdr, opt(53, 1), optS(12, "ab"), opt(61, 0, 1), optS(12, "cd"), opt(61, 2), optS(12, ""), optS(12, "e"))
		if err := m.Decode(b); err != nil {
			t.Fatal(err)
		}
		if d, _ := m.Option(12); string(d) != "abcde" {
			t.Errorf("option 12 = %q, want abcde", d)
		}
		if d, _ := m.Option(61); !bytes.Equal(d, []byte{0, 1, 2}) {
			t.Errorf("option 61 = %x, want 000102", d)
		}
		if m.NumOptions() != 3 {
			t.Fatalf("NumOptions() = %d, want 3", m.NumOptions())
		}
		if c, _ := m.OptionAt(1); c != 12 {
			t.Errorf("OptionAt(1) = %d, want 12 (first instance's place)", c)
		}
	})
	t.Run("long option split at 255", func(t *testing.T) {
		var m Message
		if err := m.Decode(rawMsg(hdr, opt(77, long[:255]...), opt(77, long[255:]...))); err != nil {
			t.Fatal(err)
		}
		if d, _ := m.Option(77); !bytes.Equal(d, long) {
			t.Errorf("joined option 77: %d bytes, want %d", len(d), len(long))
		}
	})
	t.Run("across overloaded fields", func(t *testing.T) {
		b := rawMsg(hdr, opt(52, 3), optS(12, "a"))
		copy(b[offFile:], cat(optS(12, "b"), []byte{255}))
		copy(b[offSName:], cat(optS(12, "c"), []byte{255}))
		var m Message
		if err := m.Decode(b); err != nil {
			t.Fatal(err)
		}
		if d, _ := m.Option(12); string(d) != "abc" {
			t.Errorf("option 12 = %q, want abc (options, file, sname)", d)
		}
	})
	t.Run("does not touch the input", func(t *testing.T) {
		b := rawMsg(hdr, optS(12, "ab"), optS(12, "cd"))
		orig := append([]byte(nil), b...)
		var m Message
		if err := m.Decode(b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, orig) {
			t.Error("Decode changed its input")
		}
	})
}

func TestDecodeOverload(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	tests := []struct {
		name      string
		overload  byte
		file      []byte
		sname     []byte
		codes     []uint8
		fileZero  bool
		snameZero bool
	}{
		{"file", 1, cat(opt(3, 1, 2, 3, 4), []byte{255}), []byte("srv"), []uint8{53, 3}, true, false},
		{"sname", 2, []byte("boot.img"), cat(opt(15, 'x'), []byte{255}), []uint8{53, 15}, false, true},
		{"both, file first", 3, cat(opt(3, 1, 2, 3, 4), []byte{255}), cat(opt(15, 'x'), []byte{255}), []uint8{53, 3, 15}, true, true},
		{"field without End", 1, cat(opt(3, 1, 2, 3, 4), bytes.Repeat([]byte{0}, 122)), nil, []uint8{53, 3}, true, true},
		{"End stops the field", 1, cat([]byte{255}, opt(3, 1, 2, 3, 4)), []byte("srv"), []uint8{53}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := rawMsg(hdr, opt(53, 1), opt(52, tc.overload))
			copy(b[offFile:offCookie], tc.file)
			copy(b[offSName:offFile], tc.sname)
			var m Message
			if err := m.Decode(b); err != nil {
				t.Fatal(err)
			}
			if m.Overload() != tc.overload {
				t.Errorf("Overload() = %d, want %d", m.Overload(), tc.overload)
			}
			var got []uint8
			for i := range m.NumOptions() {
				c, _ := m.OptionAt(i)
				got = append(got, c)
			}
			if !bytes.Equal(got, tc.codes) {
				t.Errorf("codes %v, want %v", got, tc.codes)
			}
			if allZero(m.File[:]) != tc.fileZero || allZero(m.SName[:]) != tc.snameZero {
				t.Errorf("file zero %v sname zero %v, want %v %v", allZero(m.File[:]), allZero(m.SName[:]), tc.fileZero, tc.snameZero)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	badCookie := rawMsg(hdr)
	badCookie[239] = 98
	withFile := func(opts, file []byte) []byte {
		b := cat(hdr, opts, []byte{255})
		b = append(b, make([]byte, 60)...)
		copy(b[offFile:offCookie], file)
		return b
	}
	tests := []struct {
		name string
		msg  []byte
		err  error
		text string // the whole error message, or a part of it after "..."
	}{
		{"empty", nil, ErrTruncated, "dhcp4: message truncated: 0 bytes, a DHCP message has at least 240"},
		{"header only", hdr[:236], ErrTruncated, "...236 bytes"},
		{"larger than UDP", make([]byte, 65536), ErrTooLarge, "dhcp4: message too large: 65536 bytes, more than a UDP datagram holds"},
		{"bad cookie", badCookie, ErrBadMagicCookie, "dhcp4: at offset 236: magic cookie is 99.130.83.98, want 99.130.83.99"},
		{"length past end", cat(hdr, opt(53, 1), opt(12, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q'), []byte{82, 40, 1, 2}),
			ErrBadOption, "dhcp4: option 82 at offset 262: length 40 runs past end of options"},
		{"no length byte", cat(hdr, opt(53, 1), []byte{61}), ErrBadOption, "dhcp4: option 61 at offset 243: no length byte before the end of options"},
		{"past end of file field", withFile(opt(52, 1), cat(opt(3, 1, 2, 3, 4), []byte{6, 200})), ErrBadOption, "dhcp4: option 6 at offset 114: length 200 runs past end of file field"},
		{"overload length", rawMsg(hdr, opt(52, 1, 2)), ErrBadOverload, "dhcp4: option 52 at offset 240: length 2, want 1"},
		{"overload value", rawMsg(hdr, opt(52, 4)), ErrBadOverload, "...value 4, want 1 (file), 2 (sname) or 3 (both)"},
		{"overload twice", rawMsg(hdr, opt(52, 1), opt(52, 1)), ErrBadOverload, "...appears 2 times"},
		{"overload in file", withFile(opt(52, 1), opt(52, 2)), ErrBadOverload, "dhcp4: option 52 at offset 108: option overload inside the file field; it belongs in the options field"},
		{"message type length", rawMsg(hdr, opt(53, 1, 1)), ErrBadOption, "dhcp4: option 53 at offset 240: length 2, want 1"},
		{"requested IP length", rawMsg(hdr, opt(53, 1), opt(50, 1, 2, 3)), ErrBadOption, "dhcp4: option 50 at offset 243: length 3, want 4"},
		{"server ID length", rawMsg(hdr, opt(54)), ErrBadOption, "...length 0, want 4"},
		{"max size length", rawMsg(hdr, opt(57, 2)), ErrBadOption, "...option 57 at offset 240: length 1, want 2"},
		{"lease time length", rawMsg(hdr, opt(51, 1, 2, 3, 4, 5)), ErrBadOption, "...length 5, want 4"},
		{"joined instances checked", rawMsg(hdr, opt(50, 1, 2), opt(53, 1), opt(50, 3, 4, 5)), ErrBadOption, "dhcp4: option 50 at offset 240: in the data joined from 2 instances: length 5, want 4"},
		{"relay sub-option framing", rawMsg(hdr, opt(82, 1, 3, 'a')), ErrBadOption, "dhcp4: option 82 at offset 242: sub-option 1: length 3 runs past end of option"},
		{"link selection length", rawMsg(hdr, opt(82, 1, 1, 'a', 5, 3, 1, 2, 3)), ErrBadOption, "dhcp4: option 82 at offset 245: sub-option 5: length 3, want 4"},
		{"fqdn short", rawMsg(hdr, opt(81, 0, 0)), ErrBadOption, "...length 2, want at least 3"},
		{"fqdn long label", rawMsg(hdr, opt(81, cat([]byte{4, 0, 0, 64}, make([]byte, 64))...)), ErrBadOption, "dhcp4: option 81 at offset 245: label length 64, longer than 63"},
		{"fqdn pointer", rawMsg(hdr, opt(81, 4, 0, 0, 1, 'a', 0xc0, 3)), ErrBadOption, "...compressed domain name"},
		{"fqdn after root", rawMsg(hdr, opt(81, 4, 0, 0, 1, 'a', 0, 1)), ErrBadOption, "...bytes after the root label"},
		{"fqdn label past end", rawMsg(hdr, opt(81, 4, 0, 0, 5, 'a')), ErrBadOption, "...label length 5 runs past end of option"},
		{"routes width", rawMsg(hdr, opt(121, 33, 1, 2, 3, 4, 5, 1, 2, 3, 4)), ErrBadOption, "dhcp4: option 121 at offset 242: prefix length 33, more than 32"},
		{"routes short", rawMsg(hdr, opt(121, 24, 10, 0, 0, 1, 2, 3)), ErrBadOption, "...route needs 8 bytes, 7 left"},
		{"routes empty", rawMsg(hdr, opt(121)), ErrBadOption, "...length 0, want at least 5"},
		{"vivso short", rawMsg(hdr, opt(125, 0, 0, 0, 9)), ErrBadOption, "...4 bytes left, an enterprise block needs at least 5"},
		{"vivso data", rawMsg(hdr, opt(125, 0, 0, 0, 9, 3, 1)), ErrBadOption, "...enterprise 9: data length 3 runs past end of option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			err := m.Decode(tc.msg)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not *Error", err)
			}
			if want, ok := strings.CutPrefix(tc.text, "..."); ok {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			} else if err.Error() != tc.text {
				t.Errorf("err = %q\nwant  %q", err, tc.text)
			}
			if m.NumOptions() != 0 {
				t.Errorf("NumOptions() = %d after error, want 0", m.NumOptions())
			}
		})
	}
}

// TestDecodeReuse checks that nothing of one message shows through the
// next when a Message is reused.
func TestDecodeReuse(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	var m Message
	if err := m.Decode(rawMsg(hdr, optS(12, "a"), optS(12, "b"), opt(53, 1), opt(3, 1, 2, 3, 4))); err != nil {
		t.Fatal(err)
	}
	if err := m.Decode(rawMsg(hdr, opt(53, 3), optS(12, "xy"))); err != nil {
		t.Fatal(err)
	}
	if m.NumOptions() != 2 {
		t.Errorf("NumOptions() = %d, want 2", m.NumOptions())
	}
	if d, _ := m.Option(12); string(d) != "xy" {
		t.Errorf("option 12 = %q, want xy", d)
	}
	if _, ok := m.Option(3); ok {
		t.Error("option 3 of the previous message still present")
	}
	if err := m.Decode(nil); err == nil {
		t.Fatal("Decode(nil) succeeded")
	}
	if _, ok := m.Option(53); ok {
		t.Error("option 53 present after a failed Decode")
	}
}

func TestTypedAccessors(t *testing.T) {
	var m Message
	if err := m.Decode(requestPkt()); err != nil {
		t.Fatal(err)
	}
	if mt, ok := m.MessageType(); !ok || mt != Request {
		t.Errorf("MessageType() = %v, %v", mt, ok)
	}
	if a, ok := m.RequestedIP(); !ok || a != addr4(clientIP) {
		t.Errorf("RequestedIP() = %v, %v", a, ok)
	}
	if a, ok := m.ServerID(); !ok || a != addr4(serverIP) {
		t.Errorf("ServerID() = %v, %v", a, ok)
	}
	if d, ok := m.ClientID(); !ok || !bytes.Equal(d, clientID) {
		t.Errorf("ClientID() = %x, %v", d, ok)
	}
	if !bytes.Equal(m.ParamRequestList(), prl) {
		t.Errorf("ParamRequestList() = %v", m.ParamRequestList())
	}
	if h, ok := m.Hostname(); !ok || string(h) != "host-a" {
		t.Errorf("Hostname() = %q, %v", h, ok)
	}
	if _, ok := m.LeaseTime(); ok {
		t.Error("LeaseTime() present in a REQUEST without option 51")
	}
	if _, ok := m.SubnetSelection(); ok {
		t.Error("SubnetSelection() present")
	}

	if err := m.Decode(discoverPkt()); err != nil {
		t.Fatal(err)
	}
	if v, ok := m.MaxMessageSize(); !ok || v != 1500 {
		t.Errorf("MaxMessageSize() = %d, %v", v, ok)
	}
	if _, ok := m.ServerID(); ok {
		t.Error("ServerID() present in DISCOVER")
	}

	if err := m.Decode(ackPkt()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    func() (uint32, bool)
		want uint32
	}{{"LeaseTime", m.LeaseTime, 3600}, {"RenewalTime", m.RenewalTime, 1800}, {"RebindingTime", m.RebindingTime, 3150}} {
		if v, ok := tc.f(); !ok || v != tc.want {
			t.Errorf("%s() = %d, %v, want %d", tc.name, v, ok, tc.want)
		}
	}
	if a, ok := m.IP(OptSubnetMask); !ok || a != netip.MustParseAddr("255.255.255.0") {
		t.Errorf("IP(1) = %v, %v", a, ok)
	}
	dns, ok := m.AppendIPs(nil, OptDNS)
	if !ok || len(dns) != 2 || dns[1] != netip.MustParseAddr("192.0.2.54") {
		t.Errorf("AppendIPs(6) = %v, %v", dns, ok)
	}
	if d, ok := m.DomainName(); !ok || string(d) != "example.org" {
		t.Errorf("DomainName() = %q, %v", d, ok)
	}
	if _, ok := m.IP(OptDNS); ok {
		t.Error("IP(6) accepted 8 bytes")
	}
	if _, ok := m.AppendIPs(nil, OptDomainName); ok {
		t.Error("AppendIPs(15) accepted 11 bytes")
	}
	if v, ok := m.Uint8(OptMessageType); !ok || v != 5 {
		t.Errorf("Uint8(53) = %d, %v", v, ok)
	}
	if _, ok := m.Uint16(OptLeaseTime); ok {
		t.Error("Uint16(51) accepted 4 bytes")
	}
}
