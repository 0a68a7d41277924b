package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestClients: dhclient, udhcpc and dhcpcd each get a lease from the pool
// with the subnet's options, renew it (the server writes the renewed lease
// before it answers), and release it (the server lets the address go).
func TestClients(t *testing.T) {
	for _, k := range clientKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			lab, _, d := suite.Serving(t, netlab.Options{}, nil)
			lf := d.LeaseFile
			ctx := timeout(t, 60*time.Second)
			c := lab.FirstClient()

			cl, addr, ev := bound(t, ctx, lab, k, c, netlab.ClientOptions{})
			if !inRange(addr, "192.0.2.100", "192.0.2.199") {
				t.Errorf("%s got %s, outside the pool 192.0.2.100-199", k.name, addr)
			}
			if got := ev[k.routersKey]; got != "192.0.2.1" {
				t.Errorf("%s: routers %q, want the subnet's 192.0.2.1", k.name, got)
			}
			first := waitLeases(t, ctx, lf, "the client's lease", func(ls map[netip.Addr]daemontest.Lease4) bool {
				return heldBy(ls, addr, c.MAC)
			})[addr]
			if first.SubnetID != 1 || first.ValidLifetime != 20 {
				t.Errorf("lease %+v: want subnet 1, valid lifetime 20", first)
			}

			ev, err := cl.WaitEvent(ctx, k.renew...)
			if err != nil {
				t.Fatalf("%s did not renew: %v", k.name, err)
			}
			if got := ev[k.addrKey]; got != addr.String() {
				t.Errorf("%s renewed to %q, want %s", k.name, got, addr)
			}
			// The renewal's ACK came after the renewed lease was written.
			ls, err := daemontest.ReadLeases4(lf)
			if err != nil {
				t.Fatal(err)
			}
			if l := ls[addr]; !heldBy(ls, addr, c.MAC) || l.Expire <= first.Expire {
				t.Errorf("after the renewal the lease file has %+v; want %s held by %s expiring after %d", l, addr, c.MAC, first.Expire)
			}

			if err := cl.Release(ctx); err != nil {
				t.Fatalf("%s release: %v", k.name, err)
			}
			waitLeases(t, ctx, lf, "the address released", func(ls map[netip.Addr]daemontest.Lease4) bool {
				return !heldBy(ls, addr, c.MAC)
			})
		})
	}
}

// TestInform: a client that configured its address itself asks for the
// other parameters with DHCPINFORM and gets them, and no lease is made.
func TestInform(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, nil)
	lf := d.LeaseFile
	ctx := timeout(t, 30*time.Second)
	own := netip.MustParsePrefix("192.0.2.50/24")
	c := lab.FirstClient()
	// The client has its address already, as an INFORMing host does
	// (dhcpcd 9.4.1 -s with noarp crashes when it must add it itself).
	if out, err := lab.IP(ctx, c.NS, "addr", "add", own.String(), "dev", c.If); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	cl, err := lab.StartDHCPCD(c, netlab.ClientOptions{Inform: own})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cl.WaitEvent(ctx, "INFORM")
	if err != nil {
		t.Fatalf("dhcpcd got no answer to DHCPINFORM: %v", err)
	}
	if ev["new_routers"] != "192.0.2.1" || ev["new_domain_name_servers"] != "192.0.2.1" {
		t.Errorf("INFORM answer: routers %q, name servers %q; want the subnet's 192.0.2.1", ev["new_routers"], ev["new_domain_name_servers"])
	}
	if got := ev["new_ip_address"]; got != "" && got != own.Addr().String() {
		t.Errorf("INFORM answer gave address %q", got)
	}
	if err := cl.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	ls, err := daemontest.ReadLeases4(lf)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 0 {
		t.Errorf("DHCPINFORM made %s", describe(ls))
	}
}

// TestDistinctAddresses: clients of every kind on one link at once each get
// their own address, and the lease file says whose each one is.
func TestDistinctAddresses(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, nil)
	lf := d.LeaseFile
	ctx := timeout(t, 60*time.Second)
	type running struct {
		k  clientKind
		c  *netlab.Client
		cl *netlab.DHCPClient
	}
	clients, err := lab.Clients(6)
	if err != nil {
		t.Fatal(err)
	}
	var all []running
	for i, c := range clients {
		k := clientKinds[i%len(clientKinds)]
		cl, err := k.start(lab, c, netlab.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, running{k, c, cl})
	}
	owner := map[netip.Addr]string{}
	for _, r := range all {
		ev, err := r.cl.WaitEvent(ctx, r.k.bound...)
		if err != nil {
			t.Fatalf("%s on %s: %v", r.k.name, r.c.If, err)
		}
		a := netip.MustParseAddr(ev[r.k.addrKey])
		if prev, dup := owner[a]; dup {
			t.Errorf("%s and %s (%s) both got %s", prev, r.c.MAC, r.k.name, a)
		}
		owner[a] = r.c.MAC.String()
	}
	waitLeases(t, ctx, lf, "one lease per client", func(ls map[netip.Addr]daemontest.Lease4) bool {
		for a, mac := range owner {
			if l, ok := ls[a]; !ok || l.HWAddr != mac || l.State != 0 {
				return false
			}
		}
		return true
	})
}
