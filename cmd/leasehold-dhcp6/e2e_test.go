package main

// End-to-end tests: the daemon built from this package (or Kea's
// kea-dhcp6, with LEASEHOLD_E2E_SERVER=kea, to check the tests themselves)
// serving real DHCPv6 clients in network namespaces. They need root; they
// skip without it unless CI=true or LEASEHOLD_E2E=1. Each test builds its
// own lab, so they run in parallel. The harness is daemontest's; what is
// here is DHCPv6's.

import (
	"context"
	"net/netip"
	"testing"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

const pkg = "github.com/leasehold/leasehold/cmd/leasehold-dhcp6"

var suite = daemontest.Suite{Family: daemontest.V6, Pkg: pkg, Prefix: "lhI6"}

func TestMain(m *testing.M) { daemontest.Main(m) }

var (
	serve      = suite.Serve
	leaseFile  = suite.LeaseFile
	timeout    = daemontest.Timeout
	waitLeases = daemontest.WaitLeases6
	waitRows   = daemontest.WaitRows6
	held       = daemontest.Held6
	describe   = daemontest.Describe6
	duidLL     = daemontest.DUIDLL
)

var (
	pool     = netip.MustParsePrefix("2001:db8:1::/64")
	pdPool   = netip.MustParsePrefix("2001:db8:100::/40")
	typeNA   = daemontest.TypeNA
	typePD   = daemontest.TypePD
	inPoolNA = func(a netip.Addr) bool {
		return pool.Contains(a) && a.Compare(netip.MustParseAddr("2001:db8:1::100")) >= 0 && a.Compare(netip.MustParseAddr("2001:db8:1::1ff")) <= 0
	}
)

// got is what a client's script reported for one exchange.
type got struct {
	addr   netip.Addr   // IA_NA address, if any
	prefix netip.Prefix // IA_PD prefix, if any
}

// v6 reads the address and prefix from an event of dhclient -6 or
// dhcpcd -6.
func v6(t *testing.T, ev netlab.ClientEvent) got {
	t.Helper()
	a, p, err := ev.Lease6()
	if err != nil {
		t.Fatal(err)
	}
	return got{a, p}
}

// bound6 starts a DHCPv6 client (start is (*netlab.Lab).StartDHClient or
// StartDHCPCD) on c and waits for its BOUND6.
func bound6(t *testing.T, ctx context.Context, lab *netlab.Lab, start func(*netlab.Lab, *netlab.Client, netlab.ClientOptions) (*netlab.DHCPClient, error), c *netlab.Client, o netlab.ClientOptions) (*netlab.DHCPClient, got, netlab.ClientEvent) {
	t.Helper()
	o.V6 = true
	cl, err := start(lab, c, o)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cl.WaitEvent(ctx, "BOUND6")
	if err != nil {
		t.Fatalf("%s got no lease: %v", cl.Kind, err)
	}
	return cl, v6(t, ev), ev
}

var (
	dhclient = (*netlab.Lab).StartDHClient
	dhcpcd   = (*netlab.Lab).StartDHCPCD
)
