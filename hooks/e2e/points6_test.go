package e2e

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// duidLL is the DUID-LL dhclient -6 -D LL makes from c's MAC.
func duidLL(c *netlab.Client) string { return "00030001" + hex.EncodeToString(c.MAC) }

// TestPoints6 follows dhclient -6 asking for an address and a prefix
// through SOLICIT-ADVERTISE-REQUEST-REPLY, a RENEW, a REBIND (the
// recorder drops the second RENEW at pkt6_receive, so the client rebinds)
// and a RELEASE, and checks each DHCPv6 hook point: the points of each
// exchange in Kea's order, the per-IA points once per IA, and Kea's
// arguments at each.
func TestPoints6(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 60*time.Second)
	cfg := s.config6(params{Rules: []rule{
		{Point: "pkt6_receive", Query: "RENEW", Step: "continue", Times: 1},
		{Point: "pkt6_receive", Query: "RENEW", Step: "drop"},
	}})
	cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 2, 4, 8, 12
	cfg.M["host-reservation-identifiers"] = []any{"duid", "flex-id"}
	s.serve(daemontest.V6, cfg)
	c := s.lab.FirstClient()
	duid := duidLL(c)

	cl := s.dhclient(c, netlab.ClientOptions{V6: true, NA: true, PD: true})
	s.bound(cl, "BOUND6")
	s.bound(cl, "RENEW6")
	s.bound(cl, "REBIND6")
	// Stopped first: on a loaded machine the running dhclient -6 has been
	// seen to miss the SIGTERM of dhclient -r and go on renewing, while
	// dhclient -r alone sends the RELEASE from the lease file as well.
	if err := cl.Stop(s.ctx); err != nil {
		t.Fatal(err)
	}
	if err := cl.Release(s.ctx); err != nil {
		t.Fatal(err)
	}
	cs := s.waitCalls("leases6_committed of the RELEASE", has("leases6_committed", func(c record.Call) bool {
		return c.Query == "RELEASE"
	}))
	// dhclient -6 runs its script once per IA.
	evs, err := cl.Events()
	if err != nil {
		t.Fatal(err)
	}
	var addr, prefix string
	for _, ev := range evs {
		if ev.Reason() == "BOUND6" {
			addr, prefix = or(addr, ev["new_ip6_address"]), or(prefix, ev["new_ip6_prefix"])
		}
	}
	if addr == "" || prefix == "" {
		t.Fatalf("dhclient -6 bound without an address and a prefix: %v", evs)
	}
	pfx := netip.MustParsePrefix(prefix)

	if c := one(t, cs, "dhcp6_srv_configured"); c.N != 1 || !c.Config {
		t.Errorf("dhcp6_srv_configured was call %d (json_config set: %v), want the first, before any packet, with json_config", c.N, c.Config)
	}
	// leases checks that ls are the client's address and prefix.
	leases := func(c record.Call, ls []record.Lease) {
		t.Helper()
		if len(ls) != 2 {
			t.Errorf("%s (%s): leases %+v, want the address and the prefix", c.Point, c.Query, ls)
			return
		}
		for _, l := range ls {
			wantAddr, wantLen, wantType := addr, uint8(128), uint8(0)
			if l.Type == 2 {
				wantAddr, wantLen, wantType = pfx.Addr().String(), uint8(pfx.Bits()), 2
			}
			if l.Addr != wantAddr || l.PrefixLen != wantLen || l.Type != wantType || l.DUID != duid || l.Subnet != 1 {
				t.Errorf("%s (%s): lease %+v, want %s/%d type %d of DUID %s in subnet 1", c.Point, c.Query, l, wantAddr, wantLen, wantType, duid)
			}
		}
	}
	perIA := func(x string, got []record.Call, p string) []record.Lease {
		t.Helper()
		var ls []record.Lease
		for _, c := range got {
			if c.Point != p {
				continue
			}
			if c.Lease == nil {
				t.Errorf("%s %s: no lease", x, p)
				continue
			}
			ls = append(ls, *c.Lease)
		}
		return ls
	}
	for _, x := range []struct {
		query  string
		points []string
		check  func([]record.Call)
	}{
		{"SOLICIT", []string{"buffer6_receive", "pkt6_receive", "subnet6_select", "host6_identifier", "lease6_select", "lease6_select", "pkt6_send", "buffer6_send"},
			func(got []record.Call) {
				for _, c := range got {
					if c.Point == "lease6_select" && !c.FakeAllocation {
						t.Errorf("lease6_select for a SOLICIT: fake_allocation false")
					}
					if (c.Point == "pkt6_send" || c.Point == "buffer6_send") && c.Response != "ADVERTISE" {
						t.Errorf("%s for a SOLICIT: response %q, want ADVERTISE", c.Point, c.Response)
					}
				}
				leases(got[0], perIA("SOLICIT", got, "lease6_select"))
			}},
		{"REQUEST", []string{"buffer6_receive", "pkt6_receive", "subnet6_select", "host6_identifier", "lease6_select", "lease6_select", "leases6_committed", "pkt6_send", "buffer6_send"},
			func(got []record.Call) {
				for _, c := range got {
					switch c.Point {
					case "lease6_select":
						if c.FakeAllocation {
							t.Errorf("lease6_select for a REQUEST: fake_allocation true")
						}
					case "leases6_committed":
						if !c.HasLeases || len(c.Deleted) != 0 || c.Response != "REPLY" {
							t.Errorf("leases6_committed of the REQUEST: response %q deleted %+v", c.Response, c.Deleted)
						}
						leases(c, c.Leases)
					case "pkt6_send", "buffer6_send":
						if c.Response != "REPLY" {
							t.Errorf("%s for a REQUEST: response %q, want REPLY", c.Point, c.Response)
						}
					}
				}
				leases(got[0], perIA("REQUEST", got, "lease6_select"))
			}},
		{"RENEW", []string{"buffer6_receive", "pkt6_receive", "subnet6_select", "host6_identifier", "lease6_renew", "lease6_renew", "leases6_committed", "pkt6_send", "buffer6_send"},
			func(got []record.Call) { leases(got[0], perIA("RENEW", got, "lease6_renew")) }},
		{"REBIND", []string{"buffer6_receive", "pkt6_receive", "subnet6_select", "host6_identifier", "lease6_rebind", "lease6_rebind", "leases6_committed", "pkt6_send", "buffer6_send"},
			func(got []record.Call) { leases(got[0], perIA("REBIND", got, "lease6_rebind")) }},
	} {
		names, got := exchange(cs, x.query, "buffer6_receive", "buffer6_send")
		if !equal(names, x.points) {
			t.Errorf("%s: points %v, want %v", x.query, names, x.points)
			continue
		}
		for _, c := range got {
			if c.Query != "" && c.Query != x.query {
				t.Errorf("%s: query %s at %s", x.query, c.Query, c.Point)
			}
			if c.Point == "subnet6_select" && (c.Subnet == nil || *c.Subnet != 1 || !equal(u32s(c.Subnets), []string{"1"})) {
				t.Errorf("subnet6_select (%s): subnet %v of %v, want 1 of [1]", x.query, c.Subnet, c.Subnets)
			}
			if c.Point == "host6_identifier" && c.IDType != "flex-id" {
				t.Errorf("host6_identifier: id_type %q, want flex-id", c.IDType)
			}
		}
		x.check(got)
	}
	// lease6_renew and lease6_rebind carry the IA they renew.
	for _, p := range []string{"lease6_renew", "lease6_rebind"} {
		var ias []string
		for _, c := range at(cs, p) {
			if c.Lease == nil {
				continue
			}
			ias = append(ias, c.IA)
			want := "IA_NA"
			if c.Lease.Type == 2 {
				want = "IA_PD"
			}
			if !strings.HasPrefix(c.IA, want+" ") || !strings.HasSuffix(c.IA, " "+itoa(c.Lease.IAID)) {
				t.Errorf("%s: ia %q for lease %+v, want %s with the lease's IAID", p, c.IA, *c.Lease, want)
			}
		}
		if len(ias) == 0 {
			t.Errorf("no %s call", p)
		}
	}
	// The second RENEW was dropped at pkt6_receive: no lease6_renew for it.
	if n := len(at(cs, "lease6_renew")); n != 2 {
		t.Errorf("lease6_renew fired %d times, want 2 (one RENEW with two IAs; the later RENEWs were dropped)", n)
	}

	// RELEASE: lease6_release per IA, leases6_committed with both deleted;
	// the REPLY goes out.
	rel := at(cs, "lease6_release")
	var rl []record.Lease
	for _, c := range rel {
		if c.Lease != nil {
			rl = append(rl, *c.Lease)
		}
	}
	leases(record.Call{Point: "lease6_release", Query: "RELEASE"}, rl)
	for _, c := range at(cs, "leases6_committed") {
		if c.Query == "RELEASE" {
			if !c.HasLeases || len(c.Leases) != 0 {
				t.Errorf("leases6_committed of the RELEASE: leases %+v, want none", c.Leases)
			}
			leases(c, c.Deleted)
		}
	}
}

func u32s(v []uint32) []string {
	var out []string
	for _, x := range v {
		out = append(out, itoa(x))
	}
	return out
}

func itoa(v uint32) string { return strconvU(uint64(v)) }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
