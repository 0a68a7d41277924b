package main

import (
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestKeaSingleSubnetExample runs Kea's own example configuration from
// Debian's kea-doc with only the interface name replaced: its pool
// 192.0.2.1-200 on 192.0.2.0/24, lifetime 4000 s and no renew timers, and
// its lease file at the default path (the server's /var/lib/kea is the
// lab's). dhclient, udhcpc and dhcpcd get distinct addresses from it, a
// forced renewal is answered before and after a restart, SIGHUP reloads
// the file, DHCPINFORM is answered, and releases free the addresses.
func TestKeaSingleSubnetExample(t *testing.T) {
	t.Parallel()
	// The server's own address lies outside the example's pool.
	lab, _, d := suite.ServeKeaExample(t, "kea4/single-subnet.json", netlab.Options{ServerAddr4: netip.MustParsePrefix("192.0.2.250/24")})
	ctx := timeout(t, 90*time.Second)

	type running struct {
		k    clientKind
		c    *netlab.Client
		cl   *netlab.DHCPClient
		addr netip.Addr
	}
	clients, err := lab.Clients(len(clientKinds))
	if err != nil {
		t.Fatal(err)
	}
	var all []*running
	for i, k := range clientKinds {
		c := clients[i]
		cl, err := k.start(lab, c, netlab.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, &running{k: k, c: c, cl: cl})
	}
	seen := map[netip.Addr]bool{}
	for _, r := range all {
		ev, err := r.cl.WaitEvent(ctx, r.k.bound...)
		if err != nil {
			t.Fatalf("%s: %v", r.k.name, err)
		}
		r.addr = netip.MustParseAddr(ev[r.k.addrKey])
		if !inRange(r.addr, "192.0.2.1", "192.0.2.200") || seen[r.addr] {
			t.Errorf("%s got %s: outside the example's pool or given twice", r.k.name, r.addr)
		}
		seen[r.addr] = true
	}
	held := func(what string) map[netip.Addr]daemontest.Lease4 {
		return waitLeases(t, ctx, d.LeaseFile, what, func(ls map[netip.Addr]daemontest.Lease4) bool {
			for _, r := range all {
				if !heldBy(ls, r.addr, r.c.MAC) || ls[r.addr].ValidLifetime != 4000 {
					return false
				}
			}
			return true
		})
	}
	held("every client's lease, lifetime 4000 s, in the default lease file")

	// udhcpc renews at once on SIGUSR1.
	u := all[1]
	renew := func(when string) {
		if err := u.cl.Proc.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		ev, err := u.cl.WaitEvent(ctx, "renew")
		if err != nil {
			t.Fatalf("udhcpc renewal %s: %v", when, err)
		}
		if ev["ip"] != u.addr.String() {
			t.Errorf("udhcpc renewal %s gave %s, want %s", when, ev["ip"], u.addr)
		}
	}
	renew("before the restart")

	d.Bounce()
	held("every lease after the restart")
	renew("after the restart")

	informer, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	own := netip.MustParsePrefix("192.0.2.240/24")
	if out, err := lab.IP(ctx, informer.NS, "addr", "add", own.String(), "dev", informer.If); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	inf, err := lab.StartDHCPCD(informer, netlab.ClientOptions{Inform: own})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inf.WaitEvent(ctx, "INFORM"); err != nil {
		t.Errorf("no answer to DHCPINFORM: %v", err)
	}

	for _, r := range all {
		if err := r.cl.Release(ctx); err != nil {
			t.Fatalf("%s release: %v", r.k.name, err)
		}
	}
	waitLeases(t, ctx, d.LeaseFile, "every address released", func(ls map[netip.Addr]daemontest.Lease4) bool {
		for _, r := range all {
			if heldBy(ls, r.addr, r.c.MAC) {
				return false
			}
		}
		return true
	})
}
