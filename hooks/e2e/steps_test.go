package e2e

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// quiet is how long a client is given to get a reply the test says it
// must not get: the server answers in milliseconds, and the recorded
// calls show separately that the reply was never sent.
const quiet = 3 * time.Second

// stepCase is one next step at one point, and what it must change.
type stepCase struct {
	name  string
	v6    bool
	rules []rule
	// run drives the client and checks the outcome.
	run func(t *testing.T, s *setup, cl *netlab.DHCPClient, c *netlab.Client)
}

// TestNextSteps: a callout's next step changes what the server does as
// Kea's do: DROP at pkt4_receive (no OFFER), SKIP at subnet4_select (no
// subnet, so no OFFER), SKIP at lease4_select (no lease), DROP at pkt4_send
// and at leases4_committed (the lease is committed, no ACK), SKIP at
// buffer4_send (nothing sent), SKIP at lease4_renew (ACK with the stored
// lease unchanged), SKIP at lease4_release (the lease is kept); DROP at
// pkt6_receive (no ADVERTISE), SKIP at lease6_release (the leases are
// kept).
func TestNextSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []stepCase{
		{"pkt4_receive drop", false, []rule{{Point: "pkt4_receive", Query: "DHCPDISCOVER", Step: "drop"}}, noOffer("pkt4_receive")},
		{"subnet4_select skip", false, []rule{{Point: "subnet4_select", Step: "skip"}}, noOffer("subnet4_select")},
		{"lease4_select skip", false, []rule{{Point: "lease4_select", Step: "skip"}}, noOffer("lease4_select")},
		{"buffer4_send skip", false, []rule{{Point: "buffer4_send", Step: "skip"}}, noOffer("buffer4_send")},
		{"pkt4_send drop", false, []rule{{Point: "pkt4_send", Query: "DHCPREQUEST", Step: "drop"}}, committedNoAck("pkt4_send")},
		{"leases4_committed drop", false, []rule{{Point: "leases4_committed", Query: "DHCPREQUEST", Step: "drop"}}, committedNoAck("leases4_committed")},
		{"lease4_renew skip", false, []rule{{Point: "lease4_renew", Step: "skip"}}, renewSkipped},
		{"lease4_release skip", false, []rule{{Point: "lease4_release", Step: "skip"}}, releaseKept},
		{"pkt6_receive drop", true, []rule{{Point: "pkt6_receive", Query: "SOLICIT", Step: "drop"}}, noAdvertise},
		{"lease6_release skip", true, []rule{{Point: "lease6_release", Step: "skip"}}, releaseKept6},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, 60*time.Second)
			c := s.lab.FirstClient()
			var cl *netlab.DHCPClient
			if tc.v6 {
				cfg := s.config6(params{Rules: tc.rules})
				s.serve(daemontest.V6, cfg)
				cl = s.dhclient(c, netlab.ClientOptions{V6: true})
			} else {
				cfg := s.config4(params{Rules: tc.rules})
				cfg.M["renew-timer"] = 2
				s.serve(daemontest.V4, cfg)
				cl = s.dhclient(c, netlab.ClientOptions{})
			}
			tc.run(t, s, cl, c)
		})
	}
}

// stepped waits for a call at p that returned a step other than continue.
func (s *setup) stepped(p string) []record.Call {
	s.t.Helper()
	return s.waitCalls(p+" returning its step", has(p, func(c record.Call) bool { return c.Step != "continue" }))
}

// noOffer: the DISCOVER gets no OFFER; the calls stop at point p, and the
// lease file holds no lease.
func noOffer(p string) func(*testing.T, *setup, *netlab.DHCPClient, *netlab.Client) {
	return func(t *testing.T, s *setup, cl *netlab.DHCPClient, _ *netlab.Client) {
		s.stepped(p)
		noEvent(t, cl, quiet, "BOUND")
		cs := s.recorded()
		names, _ := exchange(cs, "DHCPDISCOVER", "buffer4_receive", "buffer4_send")
		if len(names) == 0 || names[len(names)-1] != p {
			t.Errorf("the DISCOVER's calls %v do not end at %s", names, p)
		}
		for _, c := range cs {
			if c.Point == "buffer4_send" && c.Step == "continue" {
				t.Errorf("a reply went out: %+v", c)
			}
		}
		if ls, err := daemontest.ReadLeases4(s.lf); err != nil || len(ls) != 0 {
			t.Errorf("leases after a %s skip/drop: %v (%v); want none", p, ls, err)
		}
	}
}

// committedNoAck: the REQUEST's lease is committed (state changes before
// the reply is built), but no ACK goes out. The lease need not be durable
// yet, since no reply promised it: the server writes it at the latest when
// it stops.
func committedNoAck(p string) func(*testing.T, *setup, *netlab.DHCPClient, *netlab.Client) {
	return func(t *testing.T, s *setup, cl *netlab.DHCPClient, c *netlab.Client) {
		s.stepped(p)
		noEvent(t, cl, quiet, "BOUND")
		cs := s.recorded()
		names, _ := exchange(cs, "DHCPREQUEST", "buffer4_receive", "buffer4_send")
		if len(names) == 0 || names[len(names)-1] != p {
			t.Errorf("the REQUEST's calls %v do not end at %s", names, p)
		}
		for _, c := range at(cs, "buffer4_send") {
			if c.Response == "DHCPACK" {
				t.Errorf("an ACK went out: %+v", c)
			}
		}
		s.d.Stop()
		ls, err := daemontest.ReadLeases4(s.lf)
		if err != nil {
			t.Fatal(err)
		}
		held := false
		for _, l := range ls {
			held = held || strings.EqualFold(l.HWAddr, c.MAC.String())
		}
		if !held {
			t.Errorf("no lease committed for %s although the REQUEST got that far: %v", c.MAC, ls)
		}
	}
}

// renewSkipped: the renewal is ACKed, but the stored lease is not
// updated: the lease file has no row after the first.
func renewSkipped(t *testing.T, s *setup, cl *netlab.DHCPClient, _ *netlab.Client) {
	addr := netip.MustParseAddr(s.bound(cl, "BOUND")["new_ip_address"])
	s.bound(cl, "RENEW")
	s.stepped("lease4_renew")
	rows, err := daemontest.Rows4(s.lf)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Addr != addr {
		t.Errorf("lease file rows after a skipped renewal: %+v; want only the first, for %s", rows, addr)
	}
}

// releaseKept: the RELEASE reaches lease4_release, which skips: the lease
// stays in the lease file, held by the client.
func releaseKept(t *testing.T, s *setup, cl *netlab.DHCPClient, c *netlab.Client) {
	addr := netip.MustParseAddr(s.bound(cl, "BOUND")["new_ip_address"])
	if err := cl.Release(s.ctx); err != nil {
		t.Fatal(err)
	}
	s.stepped("lease4_release")
	// The release would have been written with the same sync as the call.
	time.Sleep(500 * time.Millisecond)
	ls, err := daemontest.ReadLeases4(s.lf)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := ls[addr]; !ok || !strings.EqualFold(l.HWAddr, c.MAC.String()) || l.State != 0 {
		t.Errorf("after a skipped release the lease of %s is %+v (present %v); want it kept for %s", addr, l, ok, c.MAC)
	}
}

func noAdvertise(t *testing.T, s *setup, cl *netlab.DHCPClient, _ *netlab.Client) {
	s.stepped("pkt6_receive")
	noEvent(t, cl, quiet, "BOUND6")
	for _, c := range s.recorded() {
		if c.Point == "subnet6_select" || c.Point == "buffer6_send" {
			t.Errorf("a dropped SOLICIT went on to %s: %+v", c.Point, c)
		}
	}
	if ls, err := daemontest.ReadLeases6(s.lf); err != nil || len(ls) != 0 {
		t.Errorf("leases after a dropped SOLICIT: %v (%v); want none", ls, err)
	}
}

func releaseKept6(t *testing.T, s *setup, cl *netlab.DHCPClient, c *netlab.Client) {
	addr := netip.MustParseAddr(s.bound(cl, "BOUND6")["new_ip6_address"])
	if err := cl.Release(s.ctx); err != nil {
		t.Fatal(err)
	}
	s.stepped("lease6_release")
	s.waitCalls("the RELEASE's reply", has("buffer6_send", func(c record.Call) bool { return c.Response == "REPLY" && c.Time > 0 }))
	time.Sleep(500 * time.Millisecond)
	ls, err := daemontest.ReadLeases6(s.lf)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := ls[daemontest.Key6{Type: 0, Addr: addr}]
	if !ok || l.DUID != colonHex(duidLL(c)) || l.State != 0 {
		t.Errorf("after a skipped release the lease of %s is %+v (present %v); want it kept for DUID %s", addr, l, ok, duidLL(c))
	}
}

// colonHex writes hex digits as the lease file does: "00:03:...".
func colonHex(h string) string {
	var b strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}
