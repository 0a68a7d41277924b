package dhcp4

import (
	"net/netip"
	"testing"
)

func TestDORA(t *testing.T) {
	h := newHarness(t, hBasic)
	offer, ack := h.dora(client{mac: mac(1), prl: []byte{OptSubnetMask, OptRouter, OptDNS, OptNTPServers}})
	if offer.YIAddr != netip.MustParseAddr("192.0.2.10") {
		t.Errorf("offered %v, want the first pool address", offer.YIAddr)
	}
	if lt, _ := ack.LeaseTime(); lt != 4000 {
		t.Errorf("lease time %d", lt)
	}
	l, err := h.store.Get4(t.Context(), ack.YIAddr)
	if err != nil || l.SubnetID != 1 || l.ValidLifetime != 4000 {
		t.Fatalf("stored lease %+v, %v", l, err)
	}
}
