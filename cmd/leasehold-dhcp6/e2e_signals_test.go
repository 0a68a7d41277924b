package main

import (
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestSignals6: SIGHUP puts a changed file in force, a broken file leaves
// the configuration in force serving, and SIGTERM stops the daemon with
// exit code 0 and its leases on disk.
func TestSignals6(t *testing.T) {
	t.Parallel()
	lab, cfg, d := suite.Serving(t, netlab.Options{}, nil)
	ctx := timeout(t, 60*time.Second)
	dns := func() string {
		t.Helper()
		c, err := lab.AddClient()
		if err != nil {
			t.Fatal(err)
		}
		cl, _, ev := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{})
		if err := cl.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		return ev["new_dhcp6_name_servers"]
	}
	_, first, _ := bound6(t, ctx, lab, dhclient, lab.FirstClient(), netlab.ClientOptions{})

	cfg.Subnet(1)["option-data"] = []any{daemontest.Obj{"name": "dns-servers", "data": "2001:db8:1::53"}}
	d.CheckReloads(cfg, dns, "2001:db8:1::53")

	d.Terminate(ctx)
	ls, err := daemontest.ReadLeases6(d.LeaseFile)
	if err != nil {
		t.Fatal(err)
	}
	if !held(ls, typeNA, first.addr, duidLL(lab.FirstClient())) {
		t.Errorf("after SIGTERM the lease file lacks the first client's lease of %s: %s", first.addr, describe(ls))
	}
}
