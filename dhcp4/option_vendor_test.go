package dhcp4

import (
	"bytes"
	"testing"
)

func TestVendorBlocks(t *testing.T) {
	block := func(ent uint32, data ...byte) []byte {
		return append([]byte{byte(ent >> 24), byte(ent >> 16), byte(ent >> 8), byte(ent), byte(len(data))}, data...)
	}
	tests := []struct {
		name string
		data []byte
		ents []uint32
		err  string
	}{
		{"one", block(4491, opt(1, 1, 2)...), []uint32{4491}, ""},
		{"two, one empty", cat(block(4491), block(311, 'x')), []uint32{4491, 311}, ""},
		{"empty option", nil, nil, "dhcp4: option 125: length 0, want at least 5"},
		{"short block", cat(block(9, 1), []byte{0, 0, 1}), nil, "dhcp4: option 125: at byte 6: 3 bytes left, an enterprise block needs at least 5"},
		{"data past end", []byte{0, 0, 0, 9, 4, 1, 2}, nil, "dhcp4: option 125: at byte 0: enterprise 9: data length 4 runs past end of option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseVendorBlocks(OptVIVendorSpecific, tc.data)
			if tc.err != "" {
				wantBadOption(t, err, tc.err, tc.data, OptVIVendorClass, OptVIVendorSpecific)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ents []uint32
			for v.Next() {
				ents = append(ents, v.Enterprise())
			}
			if len(ents) != len(tc.ents) {
				t.Fatalf("enterprises %v, want %v", ents, tc.ents)
			}
			for i := range ents {
				if ents[i] != tc.ents[i] {
					t.Errorf("enterprises %v, want %v", ents, tc.ents)
				}
			}
		})
	}
}

// TestBuildVendor writes options 124 and 125 with the block methods and
// reads them back through the typed accessors.
func TestBuildVendor(t *testing.T) {
	b := NewBuilder(nil, Header{Op: BootReply})
	m := decodeBuilt(t, &b,
		b.StartOption(OptVIVendorClass),
		b.StartVendor(4491),
		b.AppendUint8(6),
		b.AppendString("docsis"),
		b.EndVendor(),
		b.EndOption(),
		b.StartOption(OptVIVendorSpecific),
		b.StartVendor(4491),
		b.AddSubOption(1, []byte{0, 1, 2}),
		b.AddSubOption(2, nil),
		b.EndVendor(),
		b.StartVendor(311),
		b.AppendUint16(0x0102),
		b.AppendUint32(0x03040506),
		b.EndVendor(),
		b.EndOption(),
		b.StartOption(OptVendorSpecific),
		b.AddSubOption(6, []byte{3}),
		b.AddSubOption(8, []byte{1, 2, 3, 4}),
		b.EndOption(),
	)
	vc, ok := m.VIVendorClass()
	if !ok {
		t.Fatal("VIVendorClass() absent")
	}
	if d, ok := vc.Find(4491); !ok || string(d) != "\x06docsis" {
		t.Errorf("124 enterprise 4491 = %q, %v", d, ok)
	}
	vs, ok := m.VIVendorSpecific()
	if !ok {
		t.Fatal("VIVendorSpecific() absent")
	}
	if !vs.Next() || vs.Enterprise() != 4491 {
		t.Fatalf("first 125 block: enterprise %d", vs.Enterprise())
	}
	sub := VendorSuboptions(OptVIVendorSpecific, vs.Data())
	var codes []uint8
	for sub.Next() {
		codes = append(codes, sub.Code())
	}
	if !bytes.Equal(codes, []uint8{1, 2}) || sub.Err() != nil {
		t.Errorf("125/4491 sub-options %v, err %v", codes, sub.Err())
	}
	if !vs.Next() || vs.Enterprise() != 311 || !bytes.Equal(vs.Data(), []byte{1, 2, 3, 4, 5, 6}) {
		t.Errorf("second 125 block: enterprise %d data %x", vs.Enterprise(), vs.Data())
	}
	if vs.Next() {
		t.Error("third 125 block")
	}
	if _, ok := vc.Find(1); ok {
		t.Error("Find(1) found a block")
	}
	s, ok := m.VendorSpecific()
	if !ok {
		t.Fatal("VendorSpecific() absent")
	}
	codes = codes[:0]
	for s.Next() {
		codes = append(codes, s.Code())
	}
	if !bytes.Equal(codes, []uint8{6, 8}) {
		t.Errorf("43 sub-options %v", codes)
	}
}

func TestMessageTypeString(t *testing.T) {
	for mt, want := range map[MessageType]string{
		Discover: "DHCPDISCOVER", Offer: "DHCPOFFER", Request: "DHCPREQUEST", Decline: "DHCPDECLINE",
		Ack: "DHCPACK", Nak: "DHCPNAK", Release: "DHCPRELEASE", Inform: "DHCPINFORM",
		LeaseQuery: "DHCPLEASEQUERY", LeaseUnassigned: "DHCPLEASEUNASSIGNED", LeaseUnknown: "DHCPLEASEUNKNOWN",
		LeaseActive: "DHCPLEASEACTIVE", BulkLeaseQuery: "DHCPBULKLEASEQUERY", LeaseQueryDone: "DHCPLEASEQUERYDONE",
		LeaseQueryStatus: "DHCPLEASEQUERYSTATUS", TLS: "DHCPTLS",
		// Kea 2.2 has no names for these two.
		ForceRenew: "UNKNOWN", ActiveLeaseQuery: "UNKNOWN",
		0: "UNKNOWN", 19: "UNKNOWN", 255: "UNKNOWN",
	} {
		if got := mt.String(); got != want {
			t.Errorf("MessageType(%d).String() = %q, want %q", uint8(mt), got, want)
		}
	}
	if BootRequest.String() != "BOOTREQUEST" || BootReply.String() != "BOOTREPLY" || OpCode(3).String() != "OpCode(3)" {
		t.Error("OpCode names")
	}
}
