package e2e

import (
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks/e2e/internal/record"
	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// declineScript is netlab's DeclineScript: dhclient declines the first
// lease it is given.
func declineScript(t *testing.T, lab *netlab.Lab) (script, events string) {
	t.Helper()
	script, events, err := lab.DeclineScript()
	if err != nil {
		t.Fatal(err)
	}
	return script, events
}

// boundAddrs waits for n addresses bound (reason BOUND or BOUND6) in the
// script's events file.
func (s *setup) boundAddrs(events, reason string, n int) []string {
	s.t.Helper()
	addrs, err := netlab.WaitScriptEvents(s.ctx, events, reason, n)
	if err != nil {
		s.t.Fatalf("dhclient did not decline and bind again: %v", err)
	}
	return addrs
}

// TestReclaim4: one client declines the address it is given, another
// binds and vanishes. lease4_decline sees the lease with the client's
// identity; leases4_committed of the DECLINE carries it declined; when
// probation ends reclamation fires lease4_expire and lease4_recover for
// it; when the other client's lease expires, lease4_expire fires for it
// (remove_lease false: the flush timer is on, so Kea keeps reclaimed
// leases) and lease4_recover does not.
func TestReclaim4(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 60*time.Second)
	cfg := s.config4(params{})
	cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["valid-lifetime"] = 20, 30, 4
	cfg.M["decline-probation-period"] = 3
	cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 25, "hold-reclaimed-time": 60}
	s.serve(daemontest.V4, cfg)
	decliner := s.lab.FirstClient()
	leaver, err := s.lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	script, events := declineScript(t, s.lab)
	s.dhclient(decliner, netlab.ClientOptions{Args: []string{"-sf", script}})
	cl := s.dhclient(leaver, netlab.ClientOptions{})
	second := s.bound(cl, "BOUND")["new_ip_address"]
	if err := cl.Stop(s.ctx); err != nil {
		t.Fatal(err)
	}
	declined := s.boundAddrs(events, "BOUND", 1)[0]
	cs := s.waitCalls("lease4_expire of both leases", func(cs []record.Call) bool {
		n := 0
		for _, c := range at(cs, "lease4_expire") {
			if c.Lease != nil && (c.Lease.Addr == second || c.Lease.Addr == declined) {
				n++
			}
		}
		return n == 2
	})

	dec := one(t, cs, "lease4_decline")
	if dec.Query != "DHCPDECLINE" || dec.Lease == nil || dec.Lease.Addr != declined || dec.Lease.HWAddr != decliner.MAC.String() || dec.Lease.State != 0 {
		t.Errorf("lease4_decline: query %s lease %+v; want the DECLINE and %s as it was, held by %s", dec.Query, dec.Lease, declined, decliner.MAC)
	}
	var committed []record.Call
	for _, c := range at(cs, "leases4_committed") {
		if c.Query == "DHCPDECLINE" {
			committed = append(committed, c)
		}
	}
	if len(committed) != 1 {
		t.Fatalf("%d leases4_committed calls for the DECLINE, want 1; calls:\n%s", len(committed), dump(cs))
	}
	if c := committed[0]; c.Response != "" || !c.HasLeases || len(c.Leases) != 1 || len(c.Deleted) != 0 ||
		c.Leases[0].Addr != declined || c.Leases[0].State != 1 || c.Leases[0].HWAddr != "" || c.Leases[0].Valid != 3 {
		t.Errorf("leases4_committed of the DECLINE: response %q leases %+v deleted %+v; want no response and %s declined (state 1, no hwaddr, probation 3 s)",
			c.Response, c.Leases, c.Deleted, declined)
	}
	for _, c := range cs {
		if c.Query == "DHCPDECLINE" && (c.Point == "pkt4_send" || c.Point == "buffer4_send") {
			t.Errorf("a DECLINE got a reply: %+v", c)
		}
	}

	recovered := 0
	for _, c := range cs {
		switch {
		case c.Point == "lease4_expire" && c.Lease != nil:
			want := record.Lease{Addr: second, HWAddr: leaver.MAC.String(), Valid: 4, Subnet: 1}
			switch c.Lease.Addr {
			case declined:
				want = record.Lease{Addr: declined, Valid: 3, Subnet: 1, State: 1}
			case second:
			default:
				// The decliner's next address expires too (its 4 s lifetime
				// ends before the 20 s renew timer), possibly first.
				want = record.Lease{Addr: c.Lease.Addr, HWAddr: decliner.MAC.String(), Valid: 4, Subnet: 1}
			}
			if *c.Lease != want || c.RemoveLease {
				t.Errorf("lease4_expire: lease %+v remove_lease %v; want %+v, remove_lease false", *c.Lease, c.RemoveLease, want)
			}
		case c.Point == "lease4_recover":
			recovered++
			if c.Lease == nil || *c.Lease != (record.Lease{Addr: declined, Valid: 3, Subnet: 1, State: 1}) {
				t.Errorf("lease4_recover: lease %+v, want the declined %s", c.Lease, declined)
			}
		}
	}
	if recovered != 1 {
		t.Errorf("lease4_recover fired %d times, want once, for the declined address", recovered)
	}
}

// TestReclaim6 is TestReclaim4 for DHCPv6: dhclient -6 declines its first
// address (lease6_decline with the client's lease, leases6_committed with
// it declined, a REPLY), probation ends (lease6_expire and lease6_recover),
// and another client's lease expires (lease6_expire only). The flush timer
// is off here, so Kea removes reclaimed leases: remove_lease is true.
func TestReclaim6(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 60*time.Second)
	cfg := s.config6(params{})
	cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 20, 30, 4, 4
	cfg.M["decline-probation-period"] = 3
	cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 0, "hold-reclaimed-time": 60}
	s.serve(daemontest.V6, cfg)
	decliner := s.lab.FirstClient()
	leaver, err := s.lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	script, events := declineScript(t, s.lab)
	s.dhclient(decliner, netlab.ClientOptions{V6: true, Args: []string{"-sf", script}})
	cl := s.dhclient(leaver, netlab.ClientOptions{V6: true})
	second := s.bound(cl, "BOUND6")["new_ip6_address"]
	if err := cl.Stop(s.ctx); err != nil {
		t.Fatal(err)
	}
	declined := s.boundAddrs(events, "BOUND6", 1)[0]
	cs := s.waitCalls("lease6_expire of both leases", func(cs []record.Call) bool {
		n := 0
		for _, c := range at(cs, "lease6_expire") {
			if c.Lease != nil && (c.Lease.Addr == second || c.Lease.Addr == declined) {
				n++
			}
		}
		return n == 2
	})

	dec := one(t, cs, "lease6_decline")
	if dec.Query != "DECLINE" || dec.Lease == nil || dec.Lease.Addr != declined || dec.Lease.DUID != duidLL(decliner) || dec.Lease.State != 0 {
		t.Errorf("lease6_decline: query %s lease %+v; want the DECLINE and %s as it was, held by DUID %s", dec.Query, dec.Lease, declined, duidLL(decliner))
	}
	names, got := exchange(cs, "DECLINE", "buffer6_receive", "buffer6_send")
	if want := []string{"buffer6_receive", "pkt6_receive", "subnet6_select", "lease6_decline", "leases6_committed", "pkt6_send", "buffer6_send"}; !equal(names, want) {
		t.Errorf("DECLINE: points %v, want %v", names, want)
	}
	for _, c := range got {
		if c.Point != "leases6_committed" {
			continue
		}
		if c.Response != "REPLY" || !c.HasLeases || len(c.Leases) != 1 || len(c.Deleted) != 0 ||
			c.Leases[0].Addr != declined || c.Leases[0].State != 1 || c.Leases[0].Valid != 3 {
			t.Errorf("leases6_committed of the DECLINE: response %q leases %+v deleted %+v; want the REPLY and %s declined (state 1, probation 3 s)",
				c.Response, c.Leases, c.Deleted, declined)
		}
	}

	recovered := 0
	for _, c := range cs {
		switch {
		case c.Point == "lease6_expire" && c.Lease != nil:
			l := *c.Lease
			wantState, wantDUID := uint8(0), duidLL(leaver)
			switch l.Addr {
			case declined:
				wantState = 1
			case second:
			default:
				// The decliner goes on with a new address whose 4 s lifetime
				// runs out before its 20 s renew timer: that expiry is
				// Kea's too, and may come first on a loaded machine.
				wantDUID = duidLL(decliner)
			}
			if l.State != wantState || l.Subnet != 1 || (l.Addr != declined && l.DUID != wantDUID) || !c.RemoveLease {
				t.Errorf("lease6_expire: lease %+v remove_lease %v; want state %d, DUID %s, remove_lease true (declined %s, other client's %s)", l, c.RemoveLease, wantState, wantDUID, declined, second)
			}
		case c.Point == "lease6_recover":
			recovered++
			if c.Lease == nil || c.Lease.Addr != declined || c.Lease.State != 1 {
				t.Errorf("lease6_recover: lease %+v, want the declined %s", c.Lease, declined)
			}
		}
	}
	if recovered != 1 {
		t.Errorf("lease6_recover fired %d times, want once, for the declined address", recovered)
	}
}
