package record

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

func packet4(t *testing.T, op dhcp4.OpCode, typ dhcp4.MessageType, yiaddr string) []byte {
	t.Helper()
	h := dhcp4.Header{Op: op, HType: 1, HLen: 6, XID: 0x01020304}
	copy(h.CHAddr[:], []byte{2, 0, 0, 0, 0, 9})
	if yiaddr != "" {
		h.YIAddr = netip.MustParseAddr(yiaddr)
	}
	b := dhcp4.NewBuilder(nil, h)
	if err := b.AddMessageType(typ); err != nil {
		t.Fatal(err)
	}
	p, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromArgs(t *testing.T) {
	l4 := lease.Lease4{Addr: netip.MustParseAddr("192.0.2.100"), HWAddr: []byte{2, 0, 0, 0, 0, 9}, ValidLifetime: 20, SubnetID: 1}
	l6 := lease.Lease6{Type: lease.TypePD, Addr: netip.MustParseAddr("2001:db8:100::"), PrefixLen: 56, DUID: []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 9}, IAID: 7, ValidLifetime: 12, SubnetID: 1}
	sub := &hooks.Subnet4{ID: 1}
	// A SOLICIT (type 1, xid 0x0a0b0c) without options, and an IA_PD with IAID 7.
	solicit := []byte{1, 0x0a, 0x0b, 0x0c}
	iaPD := []byte{0, 25, 0, 12, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0}
	one := uint32(1)
	for _, tc := range []struct {
		name string
		p    hooks.Point
		a    hooks.Args
		want Call
	}{
		{"offer", hooks.Lease4Offer, hooks.Args{
			Query: packet4(t, dhcp4.BootRequest, dhcp4.Discover, ""), Response: packet4(t, dhcp4.BootReply, dhcp4.Offer, "192.0.2.100"),
			Leases4: []lease.Lease4{l4}, DeletedLeases4: []lease.Lease4{}, OfferLifetime: 5,
		}, Call{Point: "lease4_offer", Query: "DHCPDISCOVER", XID: 0x01020304, QueryMAC: "02:00:00:00:00:09", Response: "DHCPOFFER",
			RespAddr: "192.0.2.100", Leases: []Lease{{Addr: "192.0.2.100", HWAddr: "02:00:00:00:00:09", Valid: 20, Subnet: 1}}, HasLeases: true, OfferLifetime: 5}},
		{"buffer4_send takes the response's xid", hooks.Buffer4Send, hooks.Args{Response: packet4(t, dhcp4.BootReply, dhcp4.Ack, "192.0.2.100")},
			Call{Point: "buffer4_send", XID: 0x01020304, Response: "DHCPACK", RespAddr: "192.0.2.100"}},
		{"select", hooks.Lease4Select, hooks.Args{Query: packet4(t, dhcp4.BootRequest, dhcp4.Discover, ""), Subnet4: sub, Lease4: &l4, FakeAllocation: true},
			Call{Point: "lease4_select", Query: "DHCPDISCOVER", XID: 0x01020304, QueryMAC: "02:00:00:00:00:09", Subnet: &one,
				Lease: &Lease{Addr: "192.0.2.100", HWAddr: "02:00:00:00:00:09", Valid: 20, Subnet: 1}, FakeAllocation: true}},
		{"expire", hooks.Lease4Expire, hooks.Args{Lease4: &l4, RemoveLease: true},
			Call{Point: "lease4_expire", Lease: &Lease{Addr: "192.0.2.100", HWAddr: "02:00:00:00:00:09", Valid: 20, Subnet: 1}, RemoveLease: true}},
		{"v6 renew", hooks.Lease6Renew, hooks.Args{Query: solicit, Lease6: &l6, IA: iaPD},
			Call{Point: "lease6_renew", Query: "SOLICIT", XID: 0x0a0b0c, IA: "IA_PD 7",
				Lease: &Lease{Addr: "2001:db8:100::", PrefixLen: 56, Type: 2, DUID: "00030001020000000009", IAID: 7, Valid: 12, Subnet: 1}}},
		{"configured", hooks.Dhcp6SrvConfigured, hooks.Args{JSONConfig: json.RawMessage(`{}`)}, Call{Point: "dhcp6_srv_configured", Config: true}},
	} {
		got, _ := json.Marshal(FromArgs(tc.p, &tc.a))
		want, _ := json.Marshal(tc.want)
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
}

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	if cs, err := Read(path); err != nil || cs != nil {
		t.Errorf("missing file: %v, %v; want no calls, no error", cs, err)
	}
	// The last line is still being written: it is not a record yet.
	if err := os.WriteFile(path, []byte(`{"point":"pkt4_receive","n":1,"step":"drop"}`+"\n"+`{"point":"pkt4_se`), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, err := Read(path)
	if err != nil || len(cs) != 1 || cs[0].Point != "pkt4_receive" || cs[0].N != 1 || cs[0].Step != "drop" {
		t.Errorf("Read: %+v, %v; want the one complete call", cs, err)
	}
	if err := os.WriteFile(path, []byte("not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil {
		t.Error("a malformed line gave no error")
	}
}
