package main

// End-to-end tests: the daemon built from this package (or Kea's
// kea-dhcp4, with LEASEHOLD_E2E_SERVER=kea, to check the tests themselves)
// serving real DHCP clients in network namespaces. They need root; they
// skip without it unless CI=true or LEASEHOLD_E2E=1. Each test builds its
// own lab, so they run in parallel. The harness is daemontest's; what is
// here is DHCPv4's.

import (
	"context"
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

const pkg = "github.com/leasehold/leasehold/cmd/leasehold-dhcp4"

var suite = daemontest.Suite{Family: daemontest.V4, Pkg: pkg, Prefix: "lhI4"}

func TestMain(m *testing.M) { daemontest.Main(m) }

var (
	newLab     = suite.Lab
	serve      = suite.Serve
	leaseFile  = suite.LeaseFile
	timeout    = daemontest.Timeout
	waitLeases = daemontest.WaitLeases4
	waitRows   = daemontest.WaitRows4
	heldBy     = daemontest.Held4
	describe   = daemontest.Describe4
)

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
