package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestRelayAgentInfo(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		circuit string
		remote  string
		link    netip.Addr
		subs    []uint8
		err     string
	}{
		{"circuit, remote, link", relayInfo, "eth0/1/7", "remote-17", netip.MustParseAddr("192.0.2.0"), []uint8{1, 2, 5}, ""},
		{"circuit only", opt(1, 'x'), "x", "", netip.Addr{}, []uint8{1}, ""},
		{"empty", nil, "", "", netip.Addr{}, nil, ""},
		{"unknown and empty sub-options", cat(opt(9), opt(151, 1), opt(2, 'r')), "", "r", netip.Addr{}, []uint8{9, 151, 2}, ""},
		{"repeated sub-option, first wins", cat(opt(1, 'a'), opt(1, 'b')), "a", "", netip.Addr{}, []uint8{1, 1}, ""},
		{"truncated sub-option", []byte{1, 5, 'a'}, "", "", netip.Addr{}, nil, "dhcp4: option 82: at byte 0: sub-option 1: length 5 runs past end of option"},
		{"no length byte", cat(opt(1, 'a'), []byte{2}), "", "", netip.Addr{}, nil, "dhcp4: option 82: at byte 3: sub-option 2: no length byte"},
		{"link selection length", opt(5, 1, 2), "", "", netip.Addr{}, nil, "dhcp4: option 82: at byte 0: sub-option 5: length 2, want 4"},
		{"server override length", opt(11, 1, 2, 3, 4, 5), "", "", netip.Addr{}, nil, "dhcp4: option 82: at byte 0: sub-option 11: length 5, want 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelayAgentInfo(tc.data)
			if tc.err != "" {
				wantBadOption(t, err, tc.err, tc.data, OptRelayAgentInfo)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := r.CircuitID(); string(c) != tc.circuit || ok != (tc.circuit != "") {
				t.Errorf("CircuitID() = %q, %v", c, ok)
			}
			if c, ok := r.RemoteID(); string(c) != tc.remote || ok != (tc.remote != "") {
				t.Errorf("RemoteID() = %q, %v", c, ok)
			}
			if a, ok := r.LinkSelection(); a != tc.link || ok != tc.link.IsValid() {
				t.Errorf("LinkSelection() = %v, %v", a, ok)
			}
			var subs []uint8
			s := r.Suboptions()
			for s.Next() {
				subs = append(subs, s.Code())
			}
			if s.Err() != nil || !bytes.Equal(subs, tc.subs) {
				t.Errorf("sub-options %v (err %v), want %v", subs, s.Err(), tc.subs)
			}
			if !bytes.Equal(r.Bytes(), tc.data) {
				t.Error("Bytes() differs from the input")
			}
		})
	}
}

func TestRelayAgentInfoFromMessage(t *testing.T) {
	var m Message
	if err := m.Decode(requestPkt()); err != nil {
		t.Fatal(err)
	}
	r, ok := m.RelayAgentInfo()
	if !ok {
		t.Fatal("RelayAgentInfo() absent")
	}
	if d, _ := r.Sub(RelayRemoteID); string(d) != "remote-17" {
		t.Errorf("remote id %q", d)
	}
	if _, ok := r.ServerIDOverride(); ok {
		t.Error("ServerIDOverride() present")
	}
	if err := m.Decode(discoverPkt()); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.RelayAgentInfo(); ok {
		t.Error("RelayAgentInfo() present in a DISCOVER without option 82")
	}
}

// TestBuildRelayAgentInfo composes option 82 in place, as a relay agent
// would, and reads it back.
func TestBuildRelayAgentInfo(t *testing.T) {
	b := NewBuilder(nil, Header{Op: BootRequest, GIAddr: addr4(relayIP)})
	m := decodeBuilt(t, &b,
		b.AddMessageType(Discover),
		b.StartOption(OptRelayAgentInfo),
		b.AddSubOption(RelayCircuitID, []byte("eth0/1/7")),
		b.AddSubOption(RelayRemoteID, []byte("remote-17")),
		b.AddSubOption(RelayLinkSelection, []byte{192, 0, 2, 0}),
		b.EndOption(),
	)
	if d, _ := m.Option(OptRelayAgentInfo); !bytes.Equal(d, relayInfo) {
		t.Errorf("option 82 = %x, want %x", d, relayInfo)
	}
}

func TestVendorSuboptions(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		codes []uint8
		err   string
	}{
		{"plain", cat(opt(1, 'a'), opt(2, 'b', 'c')), []uint8{1, 2}, ""},
		{"pads", cat([]byte{0, 0}, opt(1, 'a'), []byte{0}, opt(2)), []uint8{1, 2}, ""},
		{"end stops", cat(opt(1, 'a'), []byte{255, 7, 7, 7}), []uint8{1}, ""},
		{"not TLV", []byte("PXEClient"), nil, "dhcp4: option 43: sub-option 80 at byte 0: length 88 runs past end of option"},
		{"good then truncated", cat(opt(6, 3), []byte{8, 4, 1}), []uint8{6}, "dhcp4: option 43: sub-option 8 at byte 3: length 4 runs past end of option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			// Option 43 framing is the walk's business: Decode accepts it.
			if err := m.Decode(rawMsg(rawHeader(2, 1, 0, noAddr, noAddr, noAddr), opt(43, tc.data...))); err != nil {
				t.Fatal(err)
			}
			s, ok := m.VendorSpecific()
			if !ok {
				t.Fatal("VendorSpecific() absent")
			}
			var codes []uint8
			for s.Next() {
				codes = append(codes, s.Code())
			}
			if !bytes.Equal(codes, tc.codes) {
				t.Errorf("codes %v, want %v", codes, tc.codes)
			}
			switch {
			case tc.err == "" && s.Err() != nil:
				t.Errorf("Err() = %v", s.Err())
			case tc.err != "" && (s.Err() == nil || s.Err().Error() != tc.err || !errors.Is(s.Err(), ErrBadOption)):
				t.Errorf("Err() = %v, want %q", s.Err(), tc.err)
			}
		})
	}
}
