package main

import (
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestKeaSimpleExample runs Kea's own example configuration from Debian's
// kea-doc with only the interface name replaced: addresses from
// 2001:db8:1::/80, lifetimes 3000/4000 s, the lease file at the default
// path (the server's /var/lib/kea is the lab's). dhclient -6 and dhcpcd -6
// get distinct addresses, SIGHUP reloads the file, the leases survive a
// server restart and a renewal after it keeps the address, and releases
// free the addresses.
func TestKeaSimpleExample(t *testing.T) {
	t.Parallel()
	// The server's own address lies outside the example's /80 pool.
	lab, _, d := suite.ServeKeaExample(t, "kea6/simple.json", netlab.Options{ServerAddr6: netip.MustParsePrefix("2001:db8:1:0:1::1/64")})
	ctx := timeout(t, 90*time.Second)
	pool := netip.MustParsePrefix("2001:db8:1::/80")

	dc := lab.FirstClient()
	dh, err := lab.StartDHClient(dc, netlab.ClientOptions{V6: true})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	cd, err := lab.StartDHCPCD(cc, netlab.ClientOptions{V6: true})
	if err != nil {
		t.Fatal(err)
	}
	addr := map[*netlab.Client]netip.Addr{}
	for c, cl := range map[*netlab.Client]*netlab.DHCPClient{dc: dh, cc: cd} {
		ev, err := cl.WaitEvent(ctx, "BOUND6")
		if err != nil {
			t.Fatalf("%s: %v", cl.Kind, err)
		}
		addr[c] = v6(t, ev).addr
		if !pool.Contains(addr[c]) {
			t.Errorf("%s got %v, outside the example's pool %v", cl.Kind, addr[c], pool)
		}
	}
	if addr[dc] == addr[cc] {
		t.Errorf("both clients got %v", addr[dc])
	}
	heldAll := func(what string) {
		ls := waitLeases(t, ctx, d.LeaseFile, what, func(ls map[daemontest.Key6]daemontest.Lease6) bool {
			return held(ls, typeNA, addr[dc], duidLL(dc)) && held(ls, typeNA, addr[cc], duidLL(cc))
		})
		if l := ls[daemontest.Key6{Type: typeNA, Addr: addr[dc]}]; l.ValidLifetime != 4000 || l.PrefLifetime != 3000 {
			t.Errorf("lease %+v: want the example's lifetimes 4000/3000", l)
		}
	}
	heldAll("both leases in the default lease file")

	d.Bounce()
	heldAll("both leases after the restart")
	// dhcpcd renews at once on SIGUSR1: the restarted server knows it.
	if err := cd.Proc.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	ev, err := cd.WaitEvent(ctx, "RENEW6")
	if err != nil {
		t.Fatal(err)
	}
	if got := v6(t, ev).addr; got != addr[cc] {
		t.Errorf("dhcpcd renewal after the server's restart: %v, want %v", got, addr[cc])
	}

	for _, cl := range []*netlab.DHCPClient{dh, cd} {
		if err := cl.Release(ctx); err != nil {
			t.Fatalf("%s release: %v", cl.Kind, err)
		}
	}
	waitLeases(t, ctx, d.LeaseFile, "both addresses released", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return !held(ls, typeNA, addr[dc], "") && !held(ls, typeNA, addr[cc], "")
	})
}
