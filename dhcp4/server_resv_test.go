package dhcp4

import (
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/hooks"
)

const hResvCfg = `
	"interfaces-config": {"interfaces": ["eth0"]},
	"host-reservation-identifiers": ["hw-address", "duid", "circuit-id", "client-id", "flex-id"],
	"client-classes": [{"name": "gold", "option-data": [{"name": "domain-name", "data": "gold.example"}]}],
	"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0",
		"pools": [{"pool": "192.0.2.10 - 192.0.2.19"}],
		"option-data": [{"name": "domain-name", "data": "subnet.example"},
			{"name": "routers", "data": "192.0.2.1"}],
		"reservations": [
			{"hw-address": "02:00:00:00:00:01", "ip-address": "192.0.2.100", "hostname": "Printer",
			 "next-server": "192.0.2.5", "server-hostname": "boot.example", "boot-file-name": "pxelinux.0",
			 "option-data": [{"name": "routers", "data": "192.0.2.2"}]},
			{"hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.12"},
			{"client-id": "01:02:00:00:00:00:03", "ip-address": "192.0.2.103"},
			{"circuit-id": "'port-7'", "ip-address": "192.0.2.107"},
			{"flex-id": "'flexy'", "ip-address": "192.0.2.108"},
			{"hw-address": "02:00:00:00:00:09", "client-classes": ["gold"]}
		]}]`

func TestReservations(t *testing.T) {
	tests := []struct {
		name string
		c    client
		want netip.Addr
	}{
		{"by hw-address, out of pool", client{mac: mac(1)}, netip.MustParseAddr("192.0.2.100")},
		{"by hw-address, in pool", client{mac: mac(2)}, netip.MustParseAddr("192.0.2.12")},
		{"by client-id", client{mac: mac(33), cid: []byte{1, 2, 0, 0, 0, 0, 3}}, netip.MustParseAddr("192.0.2.103")},
		{"by circuit-id", client{mac: mac(34), giaddr: netip.MustParseAddr("192.0.2.250"),
			rai: opt82(sub(RelayCircuitID, []byte("port-7")...))}, netip.MustParseAddr("192.0.2.107")},
		{"reserved address wins over the requested one", client{mac: mac(1), reqIP: hAddr15}, netip.MustParseAddr("192.0.2.100")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hResvCfg)
			_, ack := h.dora(tt.c)
			if ack.YIAddr != tt.want {
				t.Errorf("got %v, want %v", ack.YIAddr, tt.want)
			}
		})
	}
}

func TestReservationDetails(t *testing.T) {
	h := newHarness(t, hResvCfg)
	_, ack := h.dora(client{mac: mac(1), prl: []byte{OptRouter, OptDomainName, OptHostname}})
	if r, _ := ack.IP(OptRouter); r != netip.MustParseAddr("192.0.2.2") {
		t.Errorf("router %v: the reservation's option must win over the subnet's", r)
	}
	if d, _ := ack.DomainName(); string(d) != "subnet.example" {
		t.Errorf("domain name %q", d)
	}
	if hn, _ := ack.Hostname(); string(hn) != "printer" {
		t.Errorf("host name %q, want the reserved one in lower case (Kea)", hn)
	}
	if ack.SIAddr != netip.MustParseAddr("192.0.2.5") || string(ack.ServerName()) != "boot.example" ||
		string(ack.BootFile()) != "pxelinux.0" {
		t.Errorf("siaddr %v sname %q file %q", ack.SIAddr, ack.ServerName(), ack.BootFile())
	}
	l, _ := h.store.Get4(t.Context(), ack.YIAddr)
	if l.Hostname != "printer" {
		t.Errorf("lease host name %q", l.Hostname)
	}
	// A reservation's classes apply: option from class gold.
	_, ack = h.dora(client{mac: mac(9), prl: []byte{OptDomainName}})
	if d, _ := ack.DomainName(); string(d) != "subnet.example" {
		t.Errorf("subnet option must win over the class option, got %q", d)
	}
}

// An address reserved for one client is never offered to another, even
// when it is in the pool and free.
func TestReservedAddressNotGivenToOthers(t *testing.T) {
	h := newHarness(t, hResvCfg)
	seen := map[netip.Addr]bool{}
	for i := range 9 {
		_, ack := h.dora(client{mac: mac(byte(100 + i))})
		seen[ack.YIAddr] = true
	}
	if seen[netip.MustParseAddr("192.0.2.12")] {
		t.Error("192.0.2.12, reserved for 02:00:00:00:00:02, went to another client")
	}
	// And asking for it explicitly is refused.
	r, err := h.send(client{typ: Request, mac: mac(200), reqIP: netip.MustParseAddr("192.0.2.12"), srvID: hSrvAddr})
	h.reply(r, err, Nak)
	// The pool is now full but for the reservation: no offer.
	r, err = h.send(client{typ: Discover, mac: mac(201)})
	wantDrop(t, r, err, DropNoAddress)
	// The owner still gets it.
	if _, ack := h.dora(client{mac: mac(2)}); ack.YIAddr != netip.MustParseAddr("192.0.2.12") {
		t.Errorf("owner got %v", ack.YIAddr)
	}
}

func TestFlexIDFromHook(t *testing.T) {
	lib := syncLib(func(p hooks.Point, a *hooks.Args) hooks.NextStep {
		a.IDType, a.IDValue = "flex-id", []byte("flexy")
		return hooks.Continue
	}, hooks.Host4Identifier)
	h := newHarness(t, hResvCfg, withHooks(t, lib))
	if _, ack := h.dora(client{mac: mac(50)}); ack.YIAddr != netip.MustParseAddr("192.0.2.108") {
		t.Errorf("got %v, want the flex-id reservation", ack.YIAddr)
	}
}

// With reservations-out-of-pool the server may assume reservations are
// outside the pools: one inside a pool is neither honoured nor kept from
// other clients (Kea's semantics of the flag).
func TestReservationsOutOfPool(t *testing.T) {
	h := newHarness(t, `"interfaces-config": {"interfaces": ["eth0"]},
		"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "interface": "eth0", "reservations-out-of-pool": true,
			"pools": [{"pool": "192.0.2.10 - 192.0.2.11"}],
			"reservations": [{"hw-address": "02:00:00:00:00:01", "ip-address": "192.0.2.10"},
				{"hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.200"}]}]`)
	if _, ack := h.dora(client{mac: mac(3)}); ack.YIAddr != netip.MustParseAddr("192.0.2.10") {
		t.Errorf("another client got %v, want the in-pool reserved address, which the flag leaves free", ack.YIAddr)
	}
	if _, ack := h.dora(client{mac: mac(2)}); ack.YIAddr != netip.MustParseAddr("192.0.2.200") {
		t.Errorf("out-of-pool reservation: got %v", ack.YIAddr)
	}
}
