package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestPoints4 follows one dhclient through DORA, a renewal and a release
// and checks each DHCPv4 hook point the recorder saw: the points of each
// exchange in Kea's order, and the arguments Kea gives at each
// (message types, subnet, lease, fake_allocation, leases4 and
// deleted_leases4).
func TestPoints4(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 60*time.Second)
	cfg := s.config4(params{})
	// flex-id among the identifiers makes the server ask host4_identifier.
	cfg.M["host-reservation-identifiers"] = []any{"hw-address", "flex-id"}
	d := s.serve(daemontest.V4, cfg)
	c := s.lab.FirstClient()
	mac := c.MAC.String()

	cl := s.dhclient(c, netlab.ClientOptions{})
	ev := s.bound(cl, "BOUND")
	addr := ev["new_ip_address"]
	s.bound(cl, "RENEW")
	if err := cl.Release(s.ctx); err != nil {
		t.Fatal(err)
	}
	cs := s.waitCalls("leases4_committed of the RELEASE", has("leases4_committed", func(c record.Call) bool {
		return c.Query == "DHCPRELEASE"
	}))

	if c := one(t, cs, "dhcp4_srv_configured"); c.N != 1 || !c.Config {
		t.Errorf("dhcp4_srv_configured was call %d (json_config set: %v), want the first, before any packet, with json_config", c.N, c.Config)
	}
	if !strings.Contains(d.Proc.Output(), "hook library loaded") {
		t.Errorf("the server did not log the library's load:\n%s", d.Proc.Output())
	}

	lease := func(c record.Call, l *record.Lease) {
		t.Helper()
		if l == nil || l.Addr != addr || l.HWAddr != mac || l.Subnet != 1 {
			t.Errorf("%s (%s): lease %+v, want %s of %s in subnet 1", c.Point, c.Query, l, addr, mac)
		}
	}
	subnet := func(c record.Call) {
		t.Helper()
		if c.Subnet == nil || *c.Subnet != 1 {
			t.Errorf("%s (%s): subnet %v, want 1", c.Point, c.Query, c.Subnet)
		}
	}
	for _, x := range []struct {
		query, send string
		points      []string
		check       func(record.Call)
	}{
		{"DHCPDISCOVER", "buffer4_send",
			[]string{"buffer4_receive", "pkt4_receive", "subnet4_select", "host4_identifier", "lease4_select", "lease4_offer", "pkt4_send", "buffer4_send"},
			func(c record.Call) {
				switch c.Point {
				case "subnet4_select":
					subnet(c)
					if len(c.Subnets) != 1 || c.Subnets[0] != 1 {
						t.Errorf("subnet4_select: subnet4collection %v, want [1]", c.Subnets)
					}
				case "host4_identifier":
					if c.IDType != "flex-id" {
						t.Errorf("host4_identifier: id_type %q, want flex-id", c.IDType)
					}
				case "lease4_select":
					subnet(c)
					lease(c, c.Lease)
					if !c.FakeAllocation {
						t.Errorf("lease4_select for a DISCOVER: fake_allocation false")
					}
				case "lease4_offer":
					if c.Response != "DHCPOFFER" || len(c.Leases) != 1 || !c.HasLeases {
						t.Errorf("lease4_offer: response %q, leases %+v; want the OFFER and the offered lease", c.Response, c.Leases)
					} else {
						lease(c, &c.Leases[0])
					}
				case "pkt4_send", "buffer4_send":
					if c.Response != "DHCPOFFER" || c.RespAddr != addr {
						t.Errorf("%s: response %s yiaddr %s, want DHCPOFFER of %s", c.Point, c.Response, c.RespAddr, addr)
					}
					if c.Point == "pkt4_send" {
						subnet(c)
					}
				}
			}},
		{"DHCPREQUEST", "buffer4_send",
			[]string{"buffer4_receive", "pkt4_receive", "subnet4_select", "host4_identifier", "lease4_select", "leases4_committed", "pkt4_send", "buffer4_send"},
			func(c record.Call) {
				switch c.Point {
				case "lease4_select":
					subnet(c)
					lease(c, c.Lease)
					if c.FakeAllocation {
						t.Errorf("lease4_select for a REQUEST: fake_allocation true")
					}
				case "leases4_committed":
					if c.Response != "DHCPACK" || !c.HasLeases || len(c.Leases) != 1 || len(c.Deleted) != 0 {
						t.Errorf("leases4_committed: response %q, leases %+v, deleted %+v; want the ACK, the lease, none deleted", c.Response, c.Leases, c.Deleted)
					} else {
						lease(c, &c.Leases[0])
						if c.Leases[0].Valid != 20 {
							t.Errorf("leases4_committed: valid lifetime %d, want 20", c.Leases[0].Valid)
						}
					}
				case "pkt4_send", "buffer4_send":
					if c.Response != "DHCPACK" || c.RespAddr != addr {
						t.Errorf("%s: response %s yiaddr %s, want DHCPACK of %s", c.Point, c.Response, c.RespAddr, addr)
					}
				}
			}},
	} {
		names, got := exchange(cs, x.query, "buffer4_receive", x.send)
		if !equal(names, x.points) {
			t.Errorf("%s: points %v, want %v", x.query, names, x.points)
		}
		for _, c := range got {
			if c.Query != "" && c.Query != x.query {
				t.Errorf("%s: query %s at %s", x.query, c.Query, c.Point)
			}
			x.check(c)
		}
	}

	// The renewal: the second REQUEST, sent to the server (ciaddr set).
	renew := at(cs, "lease4_renew")
	if len(renew) == 0 {
		t.Fatalf("no lease4_renew call")
	}
	r := renew[0]
	subnet(r)
	lease(r, r.Lease)
	if r.Query != "DHCPREQUEST" || r.HWAddr != mac {
		t.Errorf("lease4_renew: query %s hwaddr %q, want DHCPREQUEST from %s", r.Query, r.HWAddr, mac)
	}
	if sel := at(cs, "lease4_select"); len(sel) != 2 {
		t.Errorf("lease4_select fired %d times, want 2 (DISCOVER, REQUEST); a renewal is lease4_renew", len(sel))
	}

	// The release: lease4_release, then leases4_committed with the lease
	// deleted; no reply.
	rel := one(t, cs, "lease4_release")
	lease(rel, rel.Lease)
	for _, c := range at(cs, "leases4_committed") {
		if c.Query != "DHCPRELEASE" {
			continue
		}
		if c.Response != "" || !c.HasLeases || len(c.Leases) != 0 || len(c.Deleted) != 1 {
			t.Errorf("leases4_committed of the RELEASE: response %q leases %+v deleted %+v; want no response, the lease deleted", c.Response, c.Leases, c.Deleted)
		} else {
			lease(c, &c.Deleted[0])
		}
	}
	for _, c := range cs {
		if c.Query == "DHCPRELEASE" && (c.Point == "pkt4_send" || c.Point == "buffer4_send") {
			t.Errorf("a RELEASE got a reply: %+v", c)
		}
	}
}
