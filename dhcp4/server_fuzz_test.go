package dhcp4

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// srvFuzzCfg exercises as much of the server as one configuration can:
// classes with tests, reservations of every kind, a shared network behind
// a relay, pool classes, names.
const srvFuzzCfg = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"authoritative": true, "ddns-qualifying-suffix": "example.org",
	"host-reservation-identifiers": ["hw-address", "duid", "circuit-id", "client-id"],
	"client-classes": [
		{"name": "pxe", "test": "substring(option[60].hex, 0, 9) == 'PXEClient'", "boot-file-name": "pxelinux.0"},
		{"name": "relayed", "test": "not (pkt4.giaddr == 0.0.0.0) and relay4[1].exists"},
		{"name": "known-pxe", "test": "member('KNOWN') and member('pxe')"}],
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.13", "client-class": "pxe"}, {"pool": "192.0.2.20 - 192.0.2.23"}],
		"option-data": [{"name": "routers", "data": "192.0.2.1"}],
		"reservations": [{"hw-address": "02:00:00:00:00:01", "ip-address": "192.0.2.100", "hostname": "one"},
			{"client-id": "01:02:00:00:00:00:02", "ip-address": "192.0.2.21"},
			{"circuit-id": "'c1'", "ip-address": "192.0.2.101"}]}],
	"shared-networks": [{"name": "n", "relay": {"ip-addresses": ["198.51.100.1"]}, "subnet4": [
		{"id": 2, "subnet": "198.51.100.0/28", "pools": [{"pool": "198.51.100.2 - 198.51.100.3"}]},
		{"id": 3, "subnet": "198.51.100.16/28", "pools": [{"pool": "198.51.100.18 - 198.51.100.19"}]}]}]`

// FuzzHandle feeds arbitrary bytes to the server: it must never panic
// (Handle recovers, so a recovered panic counted as internal-error fails
// the test) and must answer only with messages that decode.
func FuzzHandle(f *testing.F) {
	for _, c := range []client{
		{typ: Discover, mac: mac(1)},
		{typ: Discover, mac: mac(3), extra: [][2][]byte{{{OptVendorClass}, []byte("PXEClient:Arch:00000")}}},
		{typ: Request, mac: mac(1), reqIP: netip.MustParseAddr("192.0.2.100"), srvID: hSrvAddr},
		{typ: Request, mac: mac(2), reqIP: netip.MustParseAddr("192.0.2.22")},
		{typ: Request, mac: mac(2), ciaddr: netip.MustParseAddr("192.0.2.22")},
		{typ: Discover, mac: mac(4), giaddr: netip.MustParseAddr("198.51.100.1"), rai: opt82(sub(1, 'c', '1'), sub(5, 198, 51, 100, 17))},
		{typ: Inform, mac: mac(5), ciaddr: netip.MustParseAddr("192.0.2.77"), prl: []byte{1, 3, 6, 15, 66, 67}},
		{typ: Release, mac: mac(1), ciaddr: netip.MustParseAddr("192.0.2.100")},
		{typ: Decline, mac: mac(1), reqIP: netip.MustParseAddr("192.0.2.100")},
		{typ: Discover, cid: []byte{1, 2, 0, 0, 0, 0, 2}, hlen: -1,
			extra: [][2][]byte{{{OptClientFQDN}, []byte{1, 0, 0, 2, 'p', 'c'}}, {{OptHostname}, []byte("x")}}},
	} {
		f.Add(c.bytes(f), false)
		f.Add(c.bytes(f), true)
	}
	store, err := lease.OpenMemfile(context.Background(), lease.MemfileOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s, err := NewServer(hConfig(f, srvFuzzCfg), ServerOptions{Store: store, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pkt []byte, unicast bool) {
		meta := PacketMeta{Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: bcast, IfIndex: 2, IfName: "eth0", IfAddr: hSrvAddr}
		if unicast {
			meta.Src, meta.Dst = netip.MustParseAddrPort("198.51.100.1:67"), hSrvAddr
		}
		r, err := s.Handle(context.Background(), pkt, meta, nil)
		if n := s.Counters().Dropped[DropInternal]; n != 0 {
			t.Fatalf("internal error (a recovered panic) on %x", pkt)
		}
		if err == nil && r.Data != nil {
			var m Message
			if err := m.Decode(r.Data); err != nil {
				t.Fatalf("reply does not decode: %v", err)
			}
		}
	})
}
