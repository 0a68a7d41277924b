package main

// End-to-end tests: the daemon built from this package (or Kea's
// kea-dhcp4, with LEASEHOLD_E2E_SERVER=kea, to check the tests themselves)
// serving real DHCP clients in network namespaces. They need root; they
// skip without it unless CI=true or LEASEHOLD_E2E=1. Each test builds its
// own lab, so they run in parallel.

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

const pkg = "github.com/leasehold/leasehold/cmd/leasehold-dhcp4"

func TestMain(m *testing.M) {
	code := m.Run()
	daemontest.Cleanup()
	os.Exit(code)
}

// newLab builds a lab with this package's namespace prefix.
func newLab(t *testing.T, o netlab.Options) *netlab.Lab {
	t.Helper()
	o.Prefix = "lhI4"
	return netlab.NewT(t, o)
}

// timeout is a context for one test's waits.
func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// serve starts the server under test on cfg in lab's server namespace.
func serve(t *testing.T, lab *netlab.Lab, cfg *daemontest.Config, o daemontest.Options) *daemontest.Daemon {
	t.Helper()
	return daemontest.Start(t, lab, daemontest.V4, pkg, cfg.JSON(t), o)
}

// client kinds and the names their scripts give the events.
type clientKind struct {
	name         string
	bound, renew []string
	addrKey      string // the event's variable holding the address
	routersKey   string
	start        func(*netlab.Lab, *netlab.Client, netlab.ClientOptions) (*netlab.DHCPClient, error)
}

var clientKinds = []clientKind{
	{"dhclient", []string{"BOUND"}, []string{"RENEW"}, "new_ip_address", "new_routers", (*netlab.Lab).StartDHClient},
	{"udhcpc", []string{"bound"}, []string{"renew"}, "ip", "router", (*netlab.Lab).StartUDHCPC},
	{"dhcpcd", []string{"BOUND"}, []string{"RENEW"}, "new_ip_address", "new_routers", (*netlab.Lab).StartDHCPCD},
}

// bound starts a client of kind k on c and waits for its lease.
func bound(t *testing.T, ctx context.Context, lab *netlab.Lab, k clientKind, c *netlab.Client, o netlab.ClientOptions) (*netlab.DHCPClient, netip.Addr, netlab.ClientEvent) {
	t.Helper()
	cl, err := k.start(lab, c, o)
	if err != nil {
		t.Fatalf("%s: %v", k.name, err)
	}
	ev, err := cl.WaitEvent(ctx, k.bound...)
	if err != nil {
		t.Fatalf("%s got no lease: %v", k.name, err)
	}
	a, err := netip.ParseAddr(ev[k.addrKey])
	if err != nil {
		t.Fatalf("%s: bound event without an address (%s=%q): %v", k.name, k.addrKey, ev[k.addrKey], err)
	}
	return cl, a, ev
}

// inRange reports whether a lies in [lo, hi].
func inRange(a netip.Addr, lo, hi string) bool {
	return a.Compare(netip.MustParseAddr(lo)) >= 0 && a.Compare(netip.MustParseAddr(hi)) <= 0
}

// waitLeases polls the lease file until ok accepts the leases it leaves,
// and returns them.
func waitLeases(t *testing.T, ctx context.Context, path string, what string, ok func(map[netip.Addr]daemontest.Lease4) bool) map[netip.Addr]daemontest.Lease4 {
	t.Helper()
	for {
		ls, err := daemontest.ReadLeases4(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok(ls) {
			return ls
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lease file %s: %s: not seen before the deadline; leases %v", path, what, ls)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitRows is waitLeases over every row of the file.
func waitRows(t *testing.T, ctx context.Context, path string, what string, ok func([]daemontest.Lease4) bool) []daemontest.Lease4 {
	t.Helper()
	for {
		rows, err := daemontest.Rows4(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok(rows) {
			return rows
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lease file %s: %s: not seen before the deadline; rows %v", path, what, rows)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// heldBy reports whether the lease of a is held (state default) by mac.
func heldBy(ls map[netip.Addr]daemontest.Lease4, a netip.Addr, mac net.HardwareAddr) bool {
	l, ok := ls[a]
	return ok && l.State == 0 && strings.EqualFold(l.HWAddr, mac.String())
}

func leaseFile(lab *netlab.Lab) string { return filepath.Join(lab.Dir, "kea-leases4.csv") }

func describe(ls map[netip.Addr]daemontest.Lease4) string {
	var b strings.Builder
	for a, l := range ls {
		fmt.Fprintf(&b, "%s→%s(state %d) ", a, l.HWAddr, l.State)
	}
	return b.String()
}
