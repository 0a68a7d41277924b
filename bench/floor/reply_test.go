package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/dhcp6"
)

func request4(t *testing.T, typ dhcp4.MessageType) []byte {
	t.Helper()
	h := dhcp4.Header{Op: 1, HType: 1, HLen: 6, Hops: 1, XID: 0x1234,
		GIAddr: netip.MustParseAddr("198.18.0.2"), CHAddr: [16]byte{2, 0, 0, 0, 0x12, 0x34}}
	b := dhcp4.NewBuilder(nil, h)
	if err := b.AddMessageType(typ); err != nil {
		t.Fatal(err)
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReply4(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		want    dhcp4.MessageType // 0: no reply
		durable bool
	}{
		{"discover", request4(t, dhcp4.Discover), dhcp4.Offer, false},
		{"request", request4(t, dhcp4.Request), dhcp4.Ack, true},
		{"release", request4(t, dhcp4.Release), 0, false},
		{"short", []byte{1, 2, 3}, 0, false},
		{"reply op", append([]byte{2}, request4(t, dhcp4.Discover)[1:]...), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, durable := reply4(make([]byte, 0, 512), tc.in)
			if durable != tc.durable {
				t.Errorf("durable = %v, want %v", durable, tc.durable)
			}
			if tc.want == 0 {
				if len(out) != 0 {
					t.Fatalf("replied %d bytes, want nothing", len(out))
				}
				return
			}
			var m dhcp4.Message
			if err := m.Decode(out); err != nil {
				t.Fatal(err)
			}
			if mt, _ := m.MessageType(); mt != tc.want || m.Op != 2 || m.XID != 0x1234 {
				t.Errorf("type %v op %d xid %#x, want %v 2 0x1234", mt, m.Op, m.XID, tc.want)
			}
			if m.YIAddr != netip.MustParseAddr("198.18.18.52") || m.GIAddr != netip.MustParseAddr("198.18.0.2") {
				t.Errorf("yiaddr %v giaddr %v", m.YIAddr, m.GIAddr)
			}
			if sid, _ := m.ServerID(); sid != netip.AddrFrom4(serverV4) {
				t.Errorf("server id %v", sid)
			}
			if lt, _ := m.LeaseTime(); lt != 4000 {
				t.Errorf("lease time %d", lt)
			}
		})
	}
}

func request6(typ dhcp6.MessageType, na, pd bool) []byte {
	b := dhcp6.NewBuilder(nil, typ, 0xabcdef)
	b.AddOption(dhcp6.OptClientID, dhcp6.AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 7}))
	if na {
		b.AddIANA(7, 0, 0)
		b.EndOption()
	}
	if pd {
		b.AddIAPD(8, 0, 0)
		b.EndOption()
	}
	out, _ := b.Finish()
	return out
}

func TestReply6(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		want    dhcp6.MessageType
		na, pd  bool
		durable bool
	}{
		{"solicit na", request6(dhcp6.Solicit, true, false), dhcp6.Advertise, true, false, false},
		{"request na", request6(dhcp6.Request, true, false), dhcp6.Reply, true, false, true},
		{"solicit pd", request6(dhcp6.Solicit, false, true), dhcp6.Advertise, false, true, false},
		{"request na+pd", request6(dhcp6.Request, true, true), dhcp6.Reply, true, true, true},
		{"renew", request6(dhcp6.Renew, true, false), 0, false, false, false},
		{"no client id", []byte{1, 0, 0, 1}, 0, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, durable := reply6(make([]byte, 0, 512), tc.in)
			if durable != tc.durable {
				t.Errorf("durable = %v, want %v", durable, tc.durable)
			}
			if tc.want == 0 {
				if len(out) != 0 {
					t.Fatalf("replied %d bytes, want nothing", len(out))
				}
				return
			}
			var m dhcp6.Message
			if err := m.Decode(out); err != nil {
				t.Fatal(err)
			}
			if m.Type != tc.want || m.TransactionID != 0xabcdef {
				t.Errorf("type %v xid %#x", m.Type, m.TransactionID)
			}
			if !m.Options.Has(dhcp6.OptClientID) || !m.Options.Has(dhcp6.OptServerID) {
				t.Error("client or server id missing")
			}
			if data, ok := m.Options.Get(dhcp6.OptIANA); ok != tc.na {
				t.Errorf("IA_NA present %v, want %v", ok, tc.na)
			} else if ok {
				ia, err := dhcp6.ParseIANA(data)
				if err != nil || ia.IAID != 7 {
					t.Fatalf("IA_NA %+v %v", ia, err)
				}
				a, _ := ia.Options.Get(dhcp6.OptIAAddr)
				addr, err := dhcp6.ParseIAAddr(a)
				if err != nil || !netip.MustParsePrefix("2001:db8:18::1:0/112").Contains(addr.Addr) || addr.Valid != 4000 {
					t.Errorf("IAADDR %+v %v", addr, err)
				}
			}
			if data, ok := m.Options.Get(dhcp6.OptIAPD); ok != tc.pd {
				t.Errorf("IA_PD present %v, want %v", ok, tc.pd)
			} else if ok {
				ia, err := dhcp6.ParseIAPD(data)
				if err != nil || ia.IAID != 8 {
					t.Fatalf("IA_PD %+v %v", ia, err)
				}
				p, _ := ia.Options.Get(dhcp6.OptIAPrefix)
				pfx, err := dhcp6.ParseIAPrefix(p)
				if err != nil || pfx.Prefix.Bits() != 56 || !netip.MustParsePrefix("2001:db8:1800::/40").Contains(pfx.Prefix.Addr()) {
					t.Errorf("IAPREFIX %+v %v", pfx, err)
				}
			}
		})
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		want       settings
		bad        bool
	}{
		{"v4", `{"Dhcp4": {"interfaces-config": {"interfaces": ["s0"]}, "lease-database": {"name": "/l4"}}}`,
			settings{family: 4, iface: "s0", leases: "/l4"}, false},
		{"v6", `{"Dhcp6": {"interfaces-config": {"interfaces": ["s0"]}, "lease-database": {"name": "/l6"}}}`,
			settings{family: 6, iface: "s0", leases: "/l6"}, false},
		{"neither", `{"DhcpDdns": {}}`, settings{}, true},
		{"no lease file", `{"Dhcp4": {"interfaces-config": {"interfaces": ["s0"]}}}`, settings{}, true},
		{"not json", `{`, settings{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(p, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readConfig(p)
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("got %+v, %v; want %+v (error %v)", got, err, tc.want, tc.bad)
			}
		})
	}
}
