package dhcp4

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode checks that Decode never panics, that its errors carry a
// sentinel, and that decode → encode → decode gives the same header and
// option list, with and without a size limit forcing overload.
func FuzzDecode(f *testing.F) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	overloaded := rawMsg(hdr, opt(53, 1), opt(52, 3), optS(12, "a"))
	copy(overloaded[offFile:], cat(optS(12, "b"), opt(3, 1, 2, 3, 4), []byte{255}))
	copy(overloaded[offSName:], cat(optS(15, "c"), []byte{255}))
	long := bytes.Repeat([]byte{9}, 600)
	for _, seed := range [][]byte{
		discoverPkt(), requestPkt(), ackPkt(), overloaded,
		rawMsg(hdr, opt(77, long[:255]...), opt(53, 1), opt(77, long[255:510]...), opt(77, long[510:]...)),
		rawMsg(hdr, opt(121, 24, 198, 51, 100, 192, 0, 2, 1), opt(125, 0, 0, 0x11, 0x8b, 3, 1, 1, 0), opt(124, 0, 0, 0, 9, 2, 1, 'x')),
		rawMsg(hdr, opt(43, 1, 2, 3, 4, 0, 255), opt(81, 0, 0, 0, 'a', '.')),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m1 Message
		if err := m1.Decode(b); err != nil {
			checkDecodeError(t, err)
			return
		}
		exercise(&m1)
		out, err := m1.AppendTo(nil)
		if err != nil {
			t.Fatalf("AppendTo: %v", err)
		}
		var m2 Message
		if err := m2.Decode(out); err != nil {
			t.Fatalf("decoding the re-encoded message: %v", err)
		}
		if diff := compareMessages(&m1, &m2); diff != "" {
			t.Fatalf("round trip: %s", diff)
		}

		// Again under the 576-byte limit, which may move options into
		// file and sname.
		bl := NewBuilder(nil, m1.Header)
		bl.SetMaxSize(576)
		for i := range m1.NumOptions() {
			if err := bl.AddOption(m1.OptionAt(i)); err != nil {
				t.Fatal(err)
			}
		}
		small, err := bl.Finish()
		if errors.Is(err, ErrTooLarge) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(small) > 576-28 {
			t.Fatalf("message of %d bytes under a 548-byte limit", len(small))
		}
		var m3 Message
		if err := m3.Decode(small); err != nil {
			t.Fatalf("decoding the size-limited message: %v", err)
		}
		if m3.Overload() == 0 {
			if diff := compareMessages(&m1, &m3); diff != "" {
				t.Fatalf("size-limited round trip: %s", diff)
			}
			return
		}
		m3.File, m3.SName = m1.File, m1.SName
		if diff := compareMessages(&m1, &m3); diff != "" {
			t.Fatalf("overloaded round trip: %s", diff)
		}
	})
}

func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	for _, s := range []error{ErrTruncated, ErrBadMagicCookie, ErrBadOption, ErrBadOverload, ErrTooLarge} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no decoding sentinel", err)
}

// exercise calls every accessor, which must not panic on anything Decode
// accepted.
func exercise(m *Message) {
	_ = m.HWAddr()
	_, _ = m.MessageType()
	_, _ = m.RequestedIP()
	_, _ = m.LeaseTime()
	if f, ok := m.ClientFQDN(); ok {
		_ = f.AppendText(nil)
		_ = f.Partial()
	}
	if r, ok := m.RelayAgentInfo(); ok {
		_, _ = r.LinkSelection()
		_, _ = r.ServerIDOverride()
		s := r.Suboptions()
		for s.Next() {
		}
		if s.Err() != nil {
			panic("option 82 passed Decode but not its walk: " + s.Err().Error())
		}
	}
	_, _ = m.ClasslessRoutes(nil)
	for _, get := range []func() (VendorBlocks, bool){m.VIVendorClass, m.VIVendorSpecific} {
		v, _ := get()
		for v.Next() {
			s := VendorSuboptions(OptVIVendorSpecific, v.Data())
			for s.Next() {
			}
		}
	}
	s, _ := m.VendorSpecific()
	for s.Next() {
	}
	_, _ = m.AppendIPs(nil, OptDNS)
}
