package main

import (
	"net/netip"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestReservation: a client with a reservation gets its reserved address
// and host name, and another client that asks first never gets that
// address although it lies in the pool.
func TestReservation(t *testing.T) {
	t.Parallel()
	lab := newLab(t, netlab.Options{})
	other := lab.FirstClient()
	reserved, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	lf := leaseFile(lab)
	cfg := daemontest.Config4(lab, lf)
	// .100 is the first address the pool would hand out.
	cfg.Subnet(1)["reservations"] = []any{daemontest.Obj{
		"hw-address": reserved.MAC.String(), "ip-address": "192.0.2.100", "hostname": "lhi-reserved",
	}}
	serve(t, lab, cfg, daemontest.Options{})
	ctx := timeout(t, 60*time.Second)

	k := clientKinds[0] // dhclient
	_, got, _ := bound(t, ctx, lab, k, other, netlab.ClientOptions{})
	if got == netip.MustParseAddr("192.0.2.100") {
		t.Errorf("the unreserved client got the reserved address %s", got)
	}
	_, got, ev := bound(t, ctx, lab, k, reserved, netlab.ClientOptions{})
	if got != netip.MustParseAddr("192.0.2.100") || ev["new_host_name"] != "lhi-reserved" {
		t.Errorf("reserved client got %s, host name %q; want 192.0.2.100, lhi-reserved", got, ev["new_host_name"])
	}
	waitLeases(t, ctx, lf, "the reserved lease", func(ls map[netip.Addr]daemontest.Lease4) bool {
		return heldBy(ls, got, reserved.MAC)
	})
}

// TestDecline: a client declines the address it was given (dhclient sends
// DHCPDECLINE when its script rejects the lease, as Red Hat's does when
// arping finds the address in use); the server holds that address for the
// decline probation period, gives the client another one, and frees the
// declined one when the period is over.
func TestDecline(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, declineConfig)
	lf := d.LeaseFile
	ctx := timeout(t, 90*time.Second)
	c := lab.FirstClient()
	declined, second := d.Decline(ctx, c)
	rows := waitRows(t, ctx, lf, "the declined address", func(rows []daemontest.Lease4) bool {
		for _, r := range rows {
			if r.Addr == declined && r.State == 1 {
				return true
			}
		}
		return false
	})
	for _, r := range rows {
		if r.Addr == declined && r.State == 1 {
			// The decline itself; Kea's recovery later writes another.
			if r.HWAddr != "" || r.ValidLifetime != 6 {
				t.Errorf("declined lease %+v: want no hardware address and the probation period (6 s) as lifetime", r)
			}
			break
		}
	}
	ls, err := daemontest.ReadLeases4(lf)
	if err != nil {
		t.Fatal(err)
	}
	if !heldBy(ls, second, c.MAC) {
		t.Errorf("the second address %s is not leased to the client: %s", second, describe(ls))
	}
	// Probation over: the address is reclaimed, no longer held.
	waitLeases(t, ctx, lf, "the declined address reclaimed after probation", func(ls map[netip.Addr]daemontest.Lease4) bool {
		l, ok := ls[declined]
		return !ok || l.State == 2
	})
}

// TestExpiry: a client that vanishes without releasing loses its lease when
// it expires; the server reclaims it on its expired-leases-processing
// timer, and the address goes to the next client (the pool has one).
func TestExpiry(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "192.0.2.100 - 192.0.2.100"}}
		cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["valid-lifetime"] = 2, 3, 4
		cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "hold-reclaimed-time": 60}
	})
	lf := d.LeaseFile
	second, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 60*time.Second)

	k := clientKinds[1] // udhcpc: SIGTERM ends it without a release
	first, addr, _ := bound(t, ctx, lab, k, lab.FirstClient(), netlab.ClientOptions{})
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	rows := waitRows(t, ctx, lf, "the lease reclaimed", func(rows []daemontest.Lease4) bool {
		return len(rows) > 0 && rows[len(rows)-1].Addr == addr && rows[len(rows)-1].State == 2
	})
	last := rows[len(rows)-1]
	if time.Now().Unix() < last.Expire {
		t.Errorf("lease reclaimed before it expired: %+v", last)
	}
	if since := time.Since(stopped); since > 4*time.Second+3*time.Second {
		t.Errorf("reclaimed %v after the client left; lifetime 4 s, reclaim timer 1 s", since)
	}
	_, got, _ := bound(t, ctx, lab, k, second, netlab.ClientOptions{})
	if got != addr {
		t.Errorf("the next client got %s, want the reclaimed %s", got, addr)
	}
}

// TestExhaustion: when every address of the pool is leased, a new client
// gets no OFFER (and no lease).
func TestExhaustion(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "192.0.2.100 - 192.0.2.101"}}
	})
	clients, err := lab.Clients(3)
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 60*time.Second)
	capFile := filepath.Join(lab.Dir, "exhaustion.pcap")
	capture, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, capFile, "udp port 67 or udp port 68")
	if err != nil {
		t.Fatal(err)
	}

	k := clientKinds[1] // udhcpc
	for _, c := range clients[:2] {
		bound(t, ctx, lab, k, c, netlab.ClientOptions{})
	}
	// -n: give up after its five DISCOVERs.
	late, err := k.start(lab, clients[2], netlab.ClientOptions{Args: []string{"-n"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := late.WaitEvent(ctx, "leasefail"); err != nil {
		t.Fatalf("the third client did not give up: %v", err)
	}
	if err := capture.Stop(); err != nil {
		t.Fatal(err)
	}
	msgs, err := readDHCP(capFile)
	if err != nil {
		t.Fatal(err)
	}
	discovers := 0
	for _, m := range msgs {
		if m.CHAddr.String() != clients[2].MAC.String() {
			continue
		}
		switch m.Type {
		case layers.DHCPMsgTypeDiscover:
			discovers++
		case layers.DHCPMsgTypeOffer, layers.DHCPMsgTypeAck:
			t.Errorf("the server answered the third client with %v for %s", m.Type, m.YIAddr)
		}
	}
	if discovers == 0 {
		t.Errorf("the capture has no DISCOVER from the third client (%d messages)", len(msgs))
	}
	// The drops are counted: leasehold logs its counters when it stops,
	// Kea its allocation failures as they happen.
	d.Stop()
	counted := regexp.MustCompile(`dropped-no-address-available=([1-9]\d*)`)
	if d.Kind == daemontest.Kea {
		counted = regexp.MustCompile(`ALLOC_ENGINE_V4_ALLOC_FAIL.*` + regexp.QuoteMeta(clients[2].MAC.String()))
	}
	if m := counted.FindString(d.Proc.Output()); m == "" {
		t.Errorf("the server's log does not count the unanswered DISCOVERs (%s):\n%s", counted, d.Proc.Output())
	} else {
		t.Logf("counted: %s", m)
	}
}

// declineConfig sets a short decline probation period (6 s) and reclaims
// expired leases every second.
func declineConfig(cfg *daemontest.Config) {
	cfg.M["decline-probation-period"] = 6
	cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 0}
}
