package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestRelayed: a client behind a relay agent gets an address from the
// subnet its giaddr selects, with that subnet's options, and every reply
// carries the agent's option 82 back unchanged (RFC 3046).
func TestRelayed(t *testing.T) {
	t.Parallel()
	lab, r, far := suite.RelayLab(t)
	lf := leaseFile(lab)
	serve(t, lab, daemontest.Config4(lab, lf), daemontest.Options{})
	agent, err := r.StartAgent4(lab.ServerAddr4.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 60*time.Second)

	k := clientKinds[0] // dhclient
	_, addr, ev := bound(t, ctx, lab, k, far, netlab.ClientOptions{})
	if !r.Addr4.Contains(addr) || !inRange(addr, "198.51.100.100", "198.51.100.199") {
		t.Errorf("relayed client got %s; want one from subnet 2's pool 198.51.100.100-199", addr)
	}
	if got := ev[k.routersKey]; got != r.Addr4.Addr().String() {
		t.Errorf("routers %q, want subnet 2's %s", got, r.Addr4.Addr())
	}
	ls := waitLeases(t, ctx, lf, "the relayed client's lease", func(ls map[netip.Addr]daemontest.Lease4) bool {
		return heldBy(ls, addr, far.MAC)
	})
	if ls[addr].SubnetID != 2 {
		t.Errorf("lease %+v: want subnet 2", ls[addr])
	}
	if replies, echoed := agent.Counts(); replies < 2 || echoed != replies {
		t.Errorf("relay agent saw %d replies, %d with its option 82 echoed; want OFFER and ACK, all echoed", replies, echoed)
	}
	if err := agent.Err(); err != nil {
		t.Errorf("relay agent: %v", err)
	}
}
