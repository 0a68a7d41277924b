package main

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestReloadInterfaces6: SIGHUP with a file that names a second interface
// serves a client on it; a file that drops the first interface stops
// serving clients there. The first client's lease stays in the lease file
// throughout.
func TestReloadInterfaces6(t *testing.T) {
	t.Parallel()
	lab := netlab.NewT(t, netlab.Options{Prefix: "hfI6"})
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	if2, err := lab.OwnLink(timeout(t, 10*time.Second), c2, netip.MustParsePrefix("2001:db8:5::1/64"))
	if err != nil {
		t.Fatal(err)
	}
	lf := leaseFile(lab)
	cfg := daemontest.Config6(lab, lf)
	cfg.M["valid-lifetime"], cfg.M["preferred-lifetime"] = 600, 300
	cfg.M["subnet6"] = append(cfg.M["subnet6"].([]any), daemontest.Obj{
		"id": 2, "subnet": "2001:db8:5::/64", "interface": if2,
		"pools": []any{daemontest.Obj{"pool": "2001:db8:5::100-2001:db8:5::1ff"}},
	})
	d := serve(t, lab, cfg, daemontest.Options{})
	ctx := timeout(t, 90*time.Second)
	bound := func(c *netlab.Client, within time.Duration) (netip.Addr, error) {
		t.Helper()
		cl, err := lab.StartDHClient(c, netlab.ClientOptions{V6: true})
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Stop(ctx)
		wctx, cancel := context.WithTimeout(ctx, within)
		defer cancel()
		ev, err := cl.WaitEvent(wctx, "BOUND6")
		if err != nil {
			return netip.Addr{}, err
		}
		return v6(t, ev).addr, nil
	}

	first, err := bound(lab.FirstClient(), 20*time.Second)
	if err != nil || !netip.MustParsePrefix("2001:db8:1::/64").Contains(first) {
		t.Fatalf("client on %s: %v, %v", lab.ServerIf, first, err)
	}

	cfg.M["interfaces-config"] = daemontest.Obj{"interfaces": []any{lab.ServerIf, if2}}
	if line, ok := d.Reload(cfg.JSON(t)); !ok {
		t.Fatalf("reload naming a second interface: %s", line)
	}
	if a, err := bound(c2, 20*time.Second); err != nil || !netip.MustParsePrefix("2001:db8:5::/64").Contains(a) {
		t.Fatalf("client on the added %s: %v, %v", if2, a, err)
	}

	cfg.M["interfaces-config"] = daemontest.Obj{"interfaces": []any{if2}}
	if line, ok := d.Reload(cfg.JSON(t)); !ok {
		t.Fatalf("reload dropping %s: %s", lab.ServerIf, line)
	}
	c3, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	// dhclient -6 sends its first SOLICIT at once and repeats it within
	// a few seconds: 8 s of silence means the link is not served.
	if a, err := bound(c3, 8*time.Second); err == nil {
		t.Errorf("client on the removed %s got %v", lab.ServerIf, a)
	}
	ls, err := daemontest.ReadLeases6(lf)
	if err != nil {
		t.Fatal(err)
	}
	if !held(ls, typeNA, first, duidLL(lab.FirstClient())) {
		t.Errorf("the lease file lacks the first client's lease of %v: %s", first, describe(ls))
	}
}
