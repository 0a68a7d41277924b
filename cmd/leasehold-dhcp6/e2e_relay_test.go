package main

import (
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestRelayed6: a client behind a relay agent gets an address from the
// subnet the RELAY-FORW's link-address selects, and every RELAY-REPL
// carries the agent's interface-id back.
func TestRelayed6(t *testing.T) {
	t.Parallel()
	lab, r, far := suite.RelayLab(t)
	lf := leaseFile(lab)
	serve(t, lab, daemontest.Config6(lab, lf), daemontest.Options{})
	agent, err := r.StartAgent6()
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 15*time.Second)

	cl, err := lab.StartDHClient(far, netlab.ClientOptions{V6: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cl.WaitEvent(ctx, "BOUND6")
	if err != nil {
		replies, _ := agent.Counts()
		t.Fatalf("%v (relay agent: %d replies, errors %v)", err, replies, agent.Err())
	}
	g := v6(t, ev)
	if !r.Addr6.Masked().Contains(g.addr) || g.addr.As16()[14] != 1 {
		t.Errorf("relayed client got %v; want one of subnet 2's pool %v ::100-::1ff", g.addr, r.Addr6.Masked())
	}
	ls := waitLeases(t, ctx, lf, "the relayed client's lease", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return held(ls, typeNA, g.addr, duidLL(far))
	})
	if l := ls[daemontest.Key6{Type: typeNA, Addr: g.addr}]; l.SubnetID != 2 {
		t.Errorf("lease %+v: want subnet 2", l)
	}
	if replies, echoed := agent.Counts(); replies < 2 || echoed != replies {
		t.Errorf("relay agent saw %d RELAY-REPLs, %d with its interface-id; want ADVERTISE and REPLY, all with it", replies, echoed)
	}
	if err := agent.Err(); err != nil {
		t.Errorf("relay agent: %v", err)
	}
}
