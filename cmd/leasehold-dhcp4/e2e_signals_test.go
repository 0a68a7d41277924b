package main

import (
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestSignals: SIGHUP puts a changed file in force without losing leases,
// a broken file leaves the configuration in force serving, and SIGTERM
// stops the daemon with exit code 0 and its leases on disk.
func TestSignals(t *testing.T) {
	t.Parallel()
	lab, cfg, d := suite.Serving(t, netlab.Options{}, nil)
	ctx := timeout(t, 60*time.Second)
	k := clientKinds[1] // udhcpc
	router := func() string {
		t.Helper()
		c, err := lab.AddClient()
		if err != nil {
			t.Fatal(err)
		}
		cl, _, ev := bound(t, ctx, lab, k, c, netlab.ClientOptions{})
		if err := cl.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		return ev[k.routersKey]
	}
	_, first, _ := bound(t, ctx, lab, k, lab.FirstClient(), netlab.ClientOptions{})

	cfg.Subnet(1)["option-data"] = []any{daemontest.Obj{"name": "routers", "data": "192.0.2.2"}}
	d.CheckReloads(cfg, router, "192.0.2.2")

	d.Terminate(ctx)
	ls, err := daemontest.ReadLeases4(d.LeaseFile)
	if err != nil {
		t.Fatal(err)
	}
	if !heldBy(ls, first, lab.FirstClient().MAC) {
		t.Errorf("after SIGTERM the lease file lacks the first client's lease of %s: %s", first, describe(ls))
	}
}
