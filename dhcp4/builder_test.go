package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// wireOptions lists the option instances of the options field of msg as
// [code, data...] slices, for checking what a Builder wrote.
func wireOptions(t *testing.T, msg []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for i := MinLen; i < len(msg); {
		switch msg[i] {
		case OptPad:
			i++
			continue
		case OptEnd:
			return out
		}
		n := int(msg[i+1])
		out = append(out, append([]byte{msg[i]}, msg[i+2:i+2+n]...))
		i += 2 + n
	}
	t.Fatal("no End option")
	return nil
}

func TestBuildAck(t *testing.T) {
	b := NewBuilder(nil, ackHeader())
	ri, err := ParseRelayAgentInfo(relayInfo)
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		b.AddMessageType(Ack),
		b.AddIP(OptServerID, addr4(serverIP)),
		b.AddUint32(OptLeaseTime, 3600),
		b.AddUint32(OptRenewalTime, 1800),
		b.AddUint32(OptRebindingTime, 3150),
		b.AddIP(OptSubnetMask, netip.MustParseAddr("255.255.255.0")),
		b.AddIPs(OptRouter, []netip.Addr{netip.MustParseAddr("192.0.2.1")}),
		b.AddIPs(OptDNS, []netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("192.0.2.54")}),
		b.AddString(OptDomainName, "example.org"),
		b.AddRelayAgentInfo(ri),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if want := ackPkt(); !bytes.Equal(got, want) {
		t.Errorf("built ACK differs from the hand-assembled one\n got %x\nwant %x", got, want)
	}
}

func TestBuildAppendsToBuffer(t *testing.T) {
	prefix := []byte("prefix")
	b := NewBuilder(prefix, ackHeader())
	if err := b.AddMessageType(Offer); err != nil {
		t.Fatal(err)
	}
	got, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, prefix) || len(got) != len(prefix)+BOOTPMinLen {
		t.Fatalf("len %d, want prefix then %d bytes", len(got), BOOTPMinLen)
	}
	var m Message
	if err := m.Decode(got[len(prefix):]); err != nil {
		t.Fatal(err)
	}
	if mt, _ := m.MessageType(); mt != Offer {
		t.Errorf("message type %v", mt)
	}
}

func TestBuildPadding(t *testing.T) {
	for _, n := range []int{0, 50, 59, 60, 61, 200} {
		b := NewBuilder(nil, Header{Op: BootRequest})
		if n > 0 {
			if err := b.AddOption(OptMessage, make([]byte, n-2)[:max(0, n-2)]); err != nil {
				t.Fatal(err)
			}
		}
		msg, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		want := max(BOOTPMinLen, MinLen+n+1)
		if len(msg) != want {
			t.Errorf("%d bytes of options: message %d bytes, want %d", n, len(msg), want)
		}
	}
}

// TestBuildSplit covers RFC 3396 on the encoding side: AddOption and
// StartOption/EndOption write data over 255 bytes as consecutive
// instances, and Decode joins them again.
func TestBuildSplit(t *testing.T) {
	for _, n := range []int{0, 1, 254, 255, 256, 509, 510, 511, 765, 1000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		var wantWire [][]byte
		for rest := data; ; {
			k := min(len(rest), 255)
			wantWire = append(wantWire, append([]byte{OptUserClass}, rest[:k]...))
			rest = rest[k:]
			if len(rest) == 0 {
				break
			}
		}
		for _, how := range []string{"AddOption", "StartOption"} {
			b := NewBuilder(nil, Header{Op: BootReply})
			if how == "AddOption" {
				if err := b.AddOption(OptUserClass, data); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := b.StartOption(OptUserClass); err != nil {
					t.Fatal(err)
				}
				// Append in uneven pieces to exercise the in-place split.
				for rest := data; len(rest) > 0; {
					k := min(len(rest), 97)
					if err := b.AppendBytes(rest[:k]); err != nil {
						t.Fatal(err)
					}
					rest = rest[k:]
				}
				if err := b.EndOption(); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.AddMessageType(Ack); err != nil {
				t.Fatal(err)
			}
			msg, err := b.Finish()
			if err != nil {
				t.Fatal(err)
			}
			wire := wireOptions(t, msg)
			if len(wire) != len(wantWire)+1 {
				t.Fatalf("%s %d bytes: %d instances, want %d", how, n, len(wire)-1, len(wantWire))
			}
			for i := range wantWire {
				if !bytes.Equal(wire[i], wantWire[i]) {
					t.Errorf("%s %d bytes: instance %d differs", how, n, i)
				}
			}
			var m Message
			if err := m.Decode(msg); err != nil {
				t.Fatal(err)
			}
			if d, ok := m.Option(OptUserClass); !ok || !bytes.Equal(d, data) {
				t.Errorf("%s %d bytes: decoded %d bytes", how, n, len(d))
			}
			if mt, _ := m.MessageType(); mt != Ack {
				t.Errorf("%s %d bytes: option after the split option lost", how, n)
			}
		}
	}
}

func TestBuildOverload(t *testing.T) {
	long := func(code uint8, n int) func(*Builder) error {
		return func(b *Builder) error { return b.AddOption(code, bytes.Repeat([]byte{code}, n)) }
	}
	tests := []struct {
		name     string
		hdr      func(*Header)
		maxSize  int
		opts     []func(*Builder) error
		overload uint8
		err      error
	}{
		{"fits, no overload", nil, 576, []func(*Builder) error{long(43, 200), long(77, 100)}, 0, nil},
		{"no limit set", nil, 0, []func(*Builder) error{long(43, 250), long(77, 250), long(66, 250)}, 0, nil},
		{"into file", nil, 576, []func(*Builder) error{long(43, 250), long(77, 100)}, OverloadFile, nil},
		{"into file and sname", nil, 576, []func(*Builder) error{long(43, 250), long(77, 120), long(66, 50)}, OverloadFile | OverloadSName, nil},
		{"split option spans fields", nil, 576, []func(*Builder) error{long(77, 300), long(43, 30)}, OverloadFile, nil},
		{"file taken, sname used", func(h *Header) { copy(h.File[:], "pxelinux.0") }, 576, []func(*Builder) error{long(43, 250), long(77, 60)}, OverloadSName, nil},
		{"below 576 counts as 576", nil, 300, []func(*Builder) error{long(43, 250), long(77, 100)}, OverloadFile, nil},
		{"larger limit, no overload", nil, 1500, []func(*Builder) error{long(43, 250), long(77, 250), long(66, 250)}, 0, nil},
		{"too large", nil, 576, []func(*Builder) error{long(43, 250), long(77, 250), long(66, 250)}, 0, ErrTooLarge},
		{"instance too big for any field", nil, 576, []func(*Builder) error{long(43, 250), long(77, 200)}, 0, ErrTooLarge},
		{"both fields taken", func(h *Header) { copy(h.File[:], "f"); copy(h.SName[:], "s") }, 576, []func(*Builder) error{long(43, 250), long(77, 100)}, 0, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ackHeader()
			if tc.hdr != nil {
				tc.hdr(&h)
			}
			b := NewBuilder(nil, h)
			if tc.maxSize > 0 {
				b.SetMaxSize(tc.maxSize)
			}
			if err := b.AddMessageType(Offer); err != nil {
				t.Fatal(err)
			}
			var want [][]byte
			for _, add := range tc.opts {
				if err := add(&b); err != nil {
					t.Fatal(err)
				}
			}
			// What the options would be without any limit.
			var m Message
			{
				nb := NewBuilder(nil, h)
				_ = nb.AddMessageType(Offer)
				for _, add := range tc.opts {
					_ = add(&nb)
				}
				plain, err := nb.Finish()
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Decode(plain); err != nil {
					t.Fatal(err)
				}
				for i := range m.NumOptions() {
					c, d := m.OptionAt(i)
					want = append(want, append([]byte{c}, d...))
				}
			}
			msg, err := b.Finish()
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if len(msg) != 0 {
					t.Errorf("Finish returned %d bytes with the error, want the buffer as given", len(msg))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			limit := max(tc.maxSize, 576) - 28
			if tc.maxSize > 0 && len(msg) > limit {
				t.Errorf("message %d bytes, limit %d", len(msg), limit)
			}
			if err := m.Decode(msg); err != nil {
				t.Fatal(err)
			}
			if m.Overload() != tc.overload {
				t.Errorf("Overload() = %d, want %d", m.Overload(), tc.overload)
			}
			if m.NumOptions() != len(want) {
				t.Fatalf("NumOptions() = %d, want %d", m.NumOptions(), len(want))
			}
			for i := range want {
				c, d := m.OptionAt(i)
				if c != want[i][0] || !bytes.Equal(d, want[i][1:]) {
					t.Errorf("option %d: code %d (%d bytes), want code %d (%d bytes)", i, c, len(d), want[i][0], len(want[i])-1)
				}
			}
			if m.Overload()&OverloadFile == 0 && !bytes.Equal(m.File[:], h.File[:]) {
				t.Error("file field changed without overload")
			}
			if m.Overload()&OverloadSName == 0 && !bytes.Equal(m.SName[:], h.SName[:]) {
				t.Error("sname field changed without overload")
			}
		})
	}
}

func TestBuilderErrors(t *testing.T) {
	v6 := netip.MustParseAddr("2001:db8::1")
	tests := []struct {
		name string
		run  func(b *Builder) error
		err  error
		text string
	}{
		{"zero builder", func(*Builder) error { var z Builder; return z.AddMessageType(Ack) }, ErrBuilderState, "dhcp4: builder used out of order: cannot add option 53: the builder was not made by NewBuilder"},
		{"pad", func(b *Builder) error { return b.AddOption(OptPad, nil) }, ErrBadOption, "dhcp4: option 0: pad and end are written by the builder"},
		{"end", func(b *Builder) error { return b.AddOption(OptEnd, nil) }, ErrBadOption, ""},
		{"overload", func(b *Builder) error { return b.StartOption(OptOverload) }, ErrBadOption, ""},
		{"end without start", func(b *Builder) error { return b.EndOption() }, ErrBuilderState, "dhcp4: builder used out of order: cannot end option: no option is open"},
		{"append without start", func(b *Builder) error { return b.AppendUint8(1) }, ErrBuilderState, ""},
		{"add while open", func(b *Builder) error { _ = b.StartOption(82); return b.AddUint8(46, 1) }, ErrBuilderState, "dhcp4: builder used out of order: cannot add option 46: option 82 is still open"},
		{"finish while open", func(b *Builder) error { _ = b.StartOption(82); _, err := b.Finish(); return err }, ErrBuilderState, ""},
		{"finish while vendor open", func(b *Builder) error {
			_ = b.StartOption(125)
			_ = b.StartVendor(4491)
			_, err := b.Finish()
			return err
		}, ErrBuilderState, "dhcp4: builder used out of order: cannot finish: a vendor block of option 125 is still open"},
		{"vendor outside option", func(b *Builder) error { return b.StartVendor(1) }, ErrBuilderState, ""},
		{"after finish", func(b *Builder) error { _, _ = b.Finish(); return b.AddUint8(46, 1) }, ErrBuilderState, "...the message is finished"},
		{"AddIP v6", func(b *Builder) error { return b.AddIP(OptServerID, v6) }, ErrNotIPv4, "dhcp4: option 54: address 2001:db8::1 is not IPv4"},
		{"AddIPs v6", func(b *Builder) error { return b.AddIPs(OptDNS, []netip.Addr{netip.IPv4Unspecified(), v6}) }, ErrNotIPv4, ""},
		{"AppendIP v6", func(b *Builder) error { _ = b.StartOption(3); return b.AppendIP(v6) }, ErrNotIPv4, ""},
		{"long sub-option", func(b *Builder) error { _ = b.StartOption(82); return b.AddSubOption(1, make([]byte, 256)) }, ErrBadOption, "dhcp4: option 82: sub-option 1 of 256 bytes, more than 255"},
		{"long vendor block", func(b *Builder) error {
			_ = b.StartOption(125)
			_ = b.StartVendor(4491)
			_ = b.AppendBytes(make([]byte, 256))
			return b.EndVendor()
		}, ErrBadOption, "dhcp4: option 125: vendor block of 256 bytes, more than 255"},
		{"header v6", func(*Builder) error {
			nb := NewBuilder(nil, Header{GIAddr: v6})
			_, err := nb.Finish()
			return err
		}, ErrNotIPv4, "dhcp4: not an IPv4 address: giaddr 2001:db8::1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(nil, Header{})
			err := tc.run(&b)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if want, ok := strings.CutPrefix(tc.text, "..."); ok {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			} else if tc.text != "" && err.Error() != tc.text {
				t.Errorf("err = %q\nwant  %q", err, tc.text)
			}
		})
	}
}

// TestBuilderRecovers checks that a failed typed adder leaves the builder
// usable and the message without a half-written option.
func TestBuilderRecovers(t *testing.T) {
	b := NewBuilder(nil, Header{Op: BootReply})
	if err := b.AddClientFQDN(FQDNEncoded, 255, "a..b"); err == nil {
		t.Fatal("AddClientFQDN accepted an empty label")
	}
	if err := b.AddClasslessRoutes([]Route{{Dest: netip.MustParsePrefix("2001:db8::/32")}}); err == nil {
		t.Fatal("AddClasslessRoutes accepted an IPv6 prefix")
	}
	if err := b.AddIPs(OptRouter, []netip.Addr{netip.MustParseAddr("::1")}); err == nil {
		t.Fatal("AddIPs accepted ::1")
	}
	if err := b.AddMessageType(Nak); err != nil {
		t.Fatal(err)
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if wire := wireOptions(t, msg); len(wire) != 1 || wire[0][0] != OptMessageType {
		t.Errorf("options %v, want only 53", wire)
	}
}

func TestBuildTypedRoundTrip(t *testing.T) {
	b := NewBuilder(nil, Header{Op: BootRequest, HType: 1, HLen: 6})
	mask := netip.MustParseAddr("255.255.255.0")
	m := decodeBuilt(t, &b,
		b.AddMessageType(Request),
		b.AddUint8(OptNetBIOSNodeType, 8),
		b.AddUint16(OptMaxMessageSize, 1400),
		b.AddUint32(OptLeaseTime, 0xffffffff),
		b.AddIP(OptSubnetMask, mask),
		b.AddIP(OptRequestedIP, netip.MustParseAddr("::ffff:192.0.2.9")),
		b.AddIP(OptSubnetSelection, netip.MustParseAddr("198.51.100.0")),
		b.AddString(OptHostname, "host-b"),
	)
	if v, _ := m.Uint8(OptNetBIOSNodeType); v != 8 {
		t.Errorf("option 46 = %d", v)
	}
	if v, _ := m.MaxMessageSize(); v != 1400 {
		t.Errorf("MaxMessageSize() = %d", v)
	}
	if v, _ := m.LeaseTime(); v != 0xffffffff {
		t.Errorf("LeaseTime() = %d", v)
	}
	if a, _ := m.RequestedIP(); a != netip.MustParseAddr("192.0.2.9") {
		t.Errorf("RequestedIP() = %v (4in6 should be unmapped)", a)
	}
	if a, _ := m.SubnetSelection(); a != netip.MustParseAddr("198.51.100.0") {
		t.Errorf("SubnetSelection() = %v", a)
	}
	if h, _ := m.Hostname(); string(h) != "host-b" {
		t.Errorf("Hostname() = %q", h)
	}
}

// TestAppendTo re-encodes decoded messages, including ones that used
// overload and split options, and checks that decoding the result gives
// the same header and options.
func TestAppendTo(t *testing.T) {
	hdr := rawHeader(1, 7, 0, noAddr, noAddr, noAddr)
	overloaded := rawMsg(hdr, opt(53, 1), opt(52, 3), optS(12, "a"))
	copy(overloaded[offFile:], cat(optS(12, "b"), opt(3, 1, 2, 3, 4), []byte{255}))
	copy(overloaded[offSName:], cat(optS(15, "c"), []byte{255}))
	long := bytes.Repeat([]byte{9}, 700)
	split := rawMsg(hdr, opt(77, long[:255]...), opt(53, 1), opt(77, long[255:510]...), opt(77, long[510:]...))
	for name, pkt := range map[string][]byte{
		"discover": discoverPkt(), "request": requestPkt(), "ack": ackPkt(),
		"overloaded": overloaded, "split": split,
	} {
		t.Run(name, func(t *testing.T) {
			var m1, m2 Message
			if err := m1.Decode(pkt); err != nil {
				t.Fatal(err)
			}
			out, err := m1.AppendTo(nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := m2.Decode(out); err != nil {
				t.Fatal(err)
			}
			if diff := compareMessages(&m1, &m2); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// compareMessages returns "" when a and b have the same header and the
// same options in the same order, or the first difference.
func compareMessages(a, b *Message) string {
	if a.Header != b.Header {
		return "headers differ"
	}
	if a.NumOptions() != b.NumOptions() {
		return "option counts differ: " + itoa(a.NumOptions()) + " and " + itoa(b.NumOptions())
	}
	for i := range a.NumOptions() {
		ca, da := a.OptionAt(i)
		cb, db := b.OptionAt(i)
		if ca != cb || !bytes.Equal(da, db) {
			return "option " + itoa(i) + " differs: code " + itoa(int(ca)) + " and " + itoa(int(cb))
		}
	}
	return ""
}
