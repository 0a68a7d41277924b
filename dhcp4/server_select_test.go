package dhcp4

import (
	"net/netip"
	"testing"
)

// Subnets for selection tests: 1 on the server's link (eth0), 2 behind a
// relay whose giaddr is inside it, 3 selected by relay ip-addresses, 4 and
// 5 a shared network behind relay 203.0.113.1, 6 only for class "vip".
const hSelectCfg = `
	"interfaces-config": {"interfaces": ["eth0", "eth1"]},
	"client-classes": [{"name": "vip", "test": "option[60].text == 'vip'"}],
	"subnet4": [
		{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "pools": [{"pool": "192.0.2.10 - 192.0.2.19"}]},
		{"id": 2, "subnet": "198.51.100.0/25", "pools": [{"pool": "198.51.100.10 - 198.51.100.19"}]},
		{"id": 3, "subnet": "198.51.100.128/25", "relay": {"ip-addresses": ["192.0.2.250"]},
			"pools": [{"pool": "198.51.100.130 - 198.51.100.139"}]},
		{"id": 6, "subnet": "198.18.0.0/24", "client-class": "vip", "relay": {"ip-addresses": ["198.51.100.1"]},
			"pools": [{"pool": "198.18.0.10 - 198.18.0.19"}]}
	],
	"shared-networks": [{"name": "net", "relay": {"ip-addresses": ["203.0.113.1"]}, "subnet4": [
		{"id": 4, "subnet": "203.0.113.0/28", "pools": [{"pool": "203.0.113.2 - 203.0.113.3"}]},
		{"id": 5, "subnet": "203.0.113.16/28", "pools": [{"pool": "203.0.113.18 - 203.0.113.19"}]}]}]`

func TestSubnetSelection(t *testing.T) {
	vendor := func(v string) [][2][]byte { return [][2][]byte{{{OptVendorClass}, []byte(v)}} }
	tests := []struct {
		name   string
		c      client
		meta   func(*PacketMeta)
		subnet uint32
		drop   DropReason
	}{
		{name: "receiving interface", c: client{}, subnet: 1},
		{name: "receiving interface's address", c: client{},
			meta: func(m *PacketMeta) { m.IfName = "eth9" }, subnet: 1},
		{name: "link with no subnet", c: client{},
			meta: func(m *PacketMeta) { m.IfName, m.IfAddr = "eth1", netip.MustParseAddr("192.168.255.1") },
			drop: DropNoSubnetDirect},
		{name: "giaddr inside a subnet", c: client{giaddr: netip.MustParseAddr("198.51.100.1")}, subnet: 2},
		{name: "giaddr matching relay ip-addresses", c: client{giaddr: netip.MustParseAddr("192.0.2.250")}, subnet: 3},
		{name: "relay ip-addresses of a class-restricted subnet, class matches",
			c: client{giaddr: netip.MustParseAddr("198.51.100.1"), extra: vendor("vip")}, subnet: 6},
		{name: "giaddr in no subnet", c: client{giaddr: netip.MustParseAddr("192.168.1.1")}, drop: DropNoSubnet},
		{name: "link selection sub-option wins over giaddr",
			c: client{giaddr: netip.MustParseAddr("198.51.100.1"), rai: opt82(sub(RelayLinkSelection, 198, 51, 100, 140))}, subnet: 3},
		{name: "subnet selection option",
			c: client{giaddr: netip.MustParseAddr("198.51.100.1"), extra: [][2][]byte{{{OptSubnetSelection}, {198, 51, 100, 140}}}}, subnet: 3},
		{name: "option 118 beside option 82 without link selection (as Kea 2.2, checked in TestKeaCompare)",
			c: client{giaddr: netip.MustParseAddr("198.51.100.1"), rai: opt82(sub(RelayCircuitID, 1)),
				extra: [][2][]byte{{{OptSubnetSelection}, {198, 51, 100, 140}}}}, subnet: 3},
		{name: "link selection wins over option 118",
			c: client{giaddr: netip.MustParseAddr("198.51.100.1"), rai: opt82(sub(RelayLinkSelection, 198, 51, 100, 5)),
				extra: [][2][]byte{{{OptSubnetSelection}, {198, 51, 100, 140}}}}, subnet: 2},
		{name: "shared network by relay", c: client{giaddr: netip.MustParseAddr("203.0.113.1")}, subnet: 4},
		{name: "relayed unicast renew uses giaddr", c: client{giaddr: netip.MustParseAddr("198.51.100.1"),
			ciaddr: netip.MustParseAddr("198.51.100.12")}, subnet: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hSelectCfg)
			c := tt.c
			c.typ, c.mac = Discover, mac(1)
			meta := h.meta
			if c.giaddr.IsValid() {
				meta.Src, meta.Dst = netip.AddrPortFrom(c.giaddr, 67), hSrvAddr
			}
			if tt.meta != nil {
				tt.meta(&meta)
			}
			r, err := h.sendMeta(c, meta)
			if tt.drop != 0 {
				wantDrop(t, r, err, tt.drop)
				return
			}
			m := h.reply(r, err, Offer)
			s := h.s.view.Load().byID[tt.subnet]
			if !s.contains(u32(m.YIAddr)) {
				t.Errorf("offered %v, want an address of subnet %d (%v)", m.YIAddr, tt.subnet, s.prefix)
			}
			if c.giaddr.IsValid() && r.Dst != netip.AddrPortFrom(c.giaddr, 67) {
				t.Errorf("relayed reply to %v, want the relay", r.Dst)
			}
		})
	}
}

// When one subnet of a shared network is full, the next one serves.
func TestSharedNetworkOverflow(t *testing.T) {
	h := newHarness(t, hSelectCfg)
	relay := netip.MustParseAddr("203.0.113.1")
	seen := map[uint32]int{}
	for i := range 4 {
		_, ack := h.dora(client{mac: mac(byte(i + 1)), giaddr: relay})
		for _, id := range []uint32{4, 5} {
			if h.s.view.Load().byID[id].contains(u32(ack.YIAddr)) {
				seen[id]++
			}
		}
	}
	if seen[4] != 2 || seen[5] != 2 {
		t.Errorf("leases per subnet %v, want both subnets used", seen)
	}
	r, err := h.send(client{typ: Discover, mac: mac(9), giaddr: relay})
	wantDrop(t, r, err, DropNoAddress)
	// A renewal of a lease in the second subnet, selected through the
	// first, stays in the second.
	r, err = h.send(client{typ: Request, mac: mac(4), ciaddr: netip.MustParseAddr("203.0.113.19"), giaddr: relay})
	if m := h.reply(r, err, Ack); m.YIAddr != netip.MustParseAddr("203.0.113.19") {
		t.Errorf("renewed %v", m.YIAddr)
	}
}

const hClassPoolCfg = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"client-classes": [
		{"name": "phones", "test": "substring(option[60].hex, 0, 5) == 'phone'",
		 "option-data": [{"name": "tftp-server-name", "data": "tftp.phones.example"}]},
		{"name": "late", "test": "member('phones')", "only-if-required": true,
		 "option-data": [{"name": "boot-file-name", "data": "late.cfg"}]}],
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "pools": [
		{"pool": "192.0.2.10 - 192.0.2.11", "client-class": "phones", "require-client-classes": ["late"]},
		{"pool": "192.0.2.20 - 192.0.2.21"}]}]`

func TestClassRestrictedPools(t *testing.T) {
	h := newHarness(t, hClassPoolCfg)
	phone := [][2][]byte{{{OptVendorClass}, []byte("phone-x1")}}
	prl := []byte{OptTFTPServerName, OptBootfileName}
	_, ack := h.dora(client{mac: mac(1), extra: phone, prl: prl})
	if ack.YIAddr != netip.MustParseAddr("192.0.2.10") {
		t.Errorf("phone got %v, want the phones pool", ack.YIAddr)
	}
	if v, _ := ack.Option(OptTFTPServerName); string(v) != "tftp.phones.example" {
		t.Errorf("class option 66 = %q", v)
	}
	if v, _ := ack.Option(OptBootfileName); string(v) != "late.cfg" {
		t.Errorf("required class option 67 = %q (the pool requires 'late')", v)
	}
	_, ack = h.dora(client{mac: mac(2), prl: prl})
	if ack.YIAddr != netip.MustParseAddr("192.0.2.20") {
		t.Errorf("other client got %v, want the unrestricted pool", ack.YIAddr)
	}
	if _, ok := ack.Option(OptTFTPServerName); ok {
		t.Error("class option sent to a client outside the class")
	}
	// The phones pool is never handed to others, even when asked for.
	r, err := h.send(client{typ: Request, mac: mac(3), reqIP: netip.MustParseAddr("192.0.2.11"), srvID: hSrvAddr})
	h.reply(r, err, Nak)
	// When their pool is full phones may use the unrestricted one (a pool
	// without client-class admits every client), then nothing is left.
	_, a4 := h.dora(client{mac: mac(4), extra: phone})
	_, a5 := h.dora(client{mac: mac(5), extra: phone})
	got := map[netip.Addr]bool{a4.YIAddr: true, a5.YIAddr: true}
	if !got[netip.MustParseAddr("192.0.2.11")] || !got[netip.MustParseAddr("192.0.2.21")] {
		t.Errorf("phones got %v and %v, want 192.0.2.11 and 192.0.2.21", a4.YIAddr, a5.YIAddr)
	}
	r, err = h.send(client{typ: Discover, mac: mac(6), extra: phone})
	wantDrop(t, r, err, DropNoAddress)
}
