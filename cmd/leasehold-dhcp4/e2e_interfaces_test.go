package main

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestReloadInterfaces4: SIGHUP with a file that names a second interface
// serves a client there (udhcpc); reloads that take that interface away
// and back do not disturb a dhclient renewing on the first one; a file
// that drops the first interface stops serving clients there while the
// second one serves on. The first client's lease stays in the lease file.
func TestReloadInterfaces4(t *testing.T) {
	t.Parallel()
	lab := netlab.NewT(t, netlab.Options{Prefix: "hrI4"})
	c2, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	if2 := reloadOwnLink(t, lab, c2, netip.MustParsePrefix("198.51.100.1/24"))
	subnet1, subnet2 := lab.ServerAddr4.Masked(), netip.MustParsePrefix("198.51.100.0/24")
	lf := filepath.Join(lab.Dir, "kea-leases4.csv")
	cfg := daemontest.Config4(lab, lf)
	// Renewals every 4 s while the lease outlives the test's last minute.
	cfg.M["valid-lifetime"] = 90
	cfg.M["subnet4"] = append(cfg.M["subnet4"].([]any), daemontest.Obj{
		"id": 2, "subnet": subnet2.String(),
		"pools": []any{daemontest.Obj{"pool": "198.51.100.100 - 198.51.100.199"}},
	})
	interfaces := func(names ...string) string {
		list := make([]any, len(names))
		for i, n := range names {
			list[i] = n
		}
		cfg.M["interfaces-config"] = daemontest.Obj{"interfaces": list, "dhcp-socket-type": "raw"}
		return cfg.JSON(t)
	}
	d := daemontest.Start(t, lab, daemontest.V4, "github.com/leasehold/leasehold/cmd/leasehold-dhcp4", interfaces(lab.ServerIf), daemontest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	reload := func(names ...string) {
		t.Helper()
		if line, ok := d.Reload(interfaces(names...)); !ok {
			t.Fatalf("reload with interfaces %v: %s", names, line)
		}
	}
	// bound runs a client on c until it has a lease, or for within.
	bound := func(c *netlab.Client, udhcpc bool, within time.Duration) (*netlab.DHCPClient, netip.Addr, error) {
		t.Helper()
		start, reason, key := lab.StartDHClient, "BOUND", "new_ip_address"
		if udhcpc {
			start, reason, key = lab.StartUDHCPC, "bound", "ip"
		}
		cl, err := start(c, netlab.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, within)
		defer wcancel()
		ev, err := cl.WaitEvent(wctx, reason)
		if err != nil {
			return cl, netip.Addr{}, err
		}
		a, err := netip.ParseAddr(ev[key])
		return cl, a, err
	}

	first, addr1, err := bound(lab.FirstClient(), false, 20*time.Second)
	if err != nil || !subnet1.Contains(addr1) {
		t.Fatalf("dhclient on %s: %v, %v", lab.ServerIf, addr1, err)
	}
	defer first.Stop(ctx)

	reload(lab.ServerIf, if2)
	second, addr2, err := bound(c2, true, 20*time.Second)
	if err != nil || !subnet2.Contains(addr2) {
		t.Fatalf("udhcpc on the added %s: %v, %v", if2, addr2, err)
	}
	if err := second.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// The second interface goes and comes back every second while the
	// first client renews.
	before, err := first.Events()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if i%2 == 0 {
			reload(lab.ServerIf)
		} else {
			reload(lab.ServerIf, if2)
		}
		time.Sleep(time.Second)
	}
	after, err := first.Events()
	if err != nil {
		t.Fatal(err)
	}
	renewed := 0
	for _, ev := range after[len(before):] {
		switch ev.Reason() {
		case "RENEW":
			if ev["new_ip_address"] == addr1.String() {
				renewed++
			}
		case "EXPIRE", "FAIL", "RELEASE", "STOP", "PREINIT":
			t.Errorf("dhclient on the kept %s during the reloads: %s", lab.ServerIf, ev.Reason())
		}
	}
	// Renewals come every 4 s: two at least in 10.
	if renewed < 2 {
		t.Errorf("dhclient on the kept %s renewed %v %d times during 10 s of reloads, want 2 or more (events %v)", lab.ServerIf, addr1, renewed, reloadReasons(after[len(before):]))
	}

	reload(if2)
	c3, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	// dhclient sends its first DISCOVER at once and repeats it within a
	// few seconds: 8 s of silence means the link is not served.
	cl, a, err := bound(c3, false, 8*time.Second)
	cl.Stop(ctx)
	if err == nil {
		t.Errorf("client on the removed %s got %v", lab.ServerIf, a)
	}
	cl, a, err = bound(c2, true, 20*time.Second)
	cl.Stop(ctx)
	if err != nil || !subnet2.Contains(a) {
		t.Errorf("udhcpc on %s after %s was removed: %v, %v", if2, lab.ServerIf, a, err)
	}
	ls, err := daemontest.ReadLeases4(lf)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := ls[addr1]; !ok || l.State != 0 || !strings.EqualFold(l.HWAddr, lab.FirstClient().MAC.String()) {
		t.Errorf("the lease file lacks the first client's lease of %v: %+v", addr1, ls)
	}
}

// reloadOwnLink turns client c's bridge port in the server namespace into
// a link of its own, a second server interface holding p, and returns its
// name.
func reloadOwnLink(t *testing.T, lab *netlab.Lab, c *netlab.Client, p netip.Prefix) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := lab.IP(ctx, lab.ServerNS, "link", "set", c.Port, "nomaster"); err != nil {
		t.Fatal(err)
	}
	if err := lab.AddAddr(ctx, lab.ServerNS, c.Port, p); err != nil {
		t.Fatal(err)
	}
	return c.Port
}

func reloadReasons(evs []netlab.ClientEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Reason()
	}
	return out
}
