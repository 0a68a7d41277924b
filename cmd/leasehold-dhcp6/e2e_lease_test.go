package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestDecline6: a client declines the address it got (its duplicate
// address detection failed); the server holds the address for the
// probation period and gives the client another one, then frees it.
func TestDecline6(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.M["decline-probation-period"] = 6
		cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "flush-reclaimed-timer-wait-time": 0}
	})
	lf := d.LeaseFile
	ctx := timeout(t, 90*time.Second)
	c := lab.FirstClient()
	declined, second := d.Decline(ctx, c)
	waitRows(t, ctx, lf, "the declined address", func(rows []daemontest.Lease6) bool {
		for _, r := range rows {
			if r.Addr == declined && r.State == 1 {
				return true
			}
		}
		return false
	})
	ls, err := daemontest.ReadLeases6(lf)
	if err != nil {
		t.Fatal(err)
	}
	if !held(ls, typeNA, second, duidLL(c)) {
		t.Errorf("the second address %s is not leased to the client: %s", second, describe(ls))
	}
	waitLeases(t, ctx, lf, "the declined address freed after probation", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		l, ok := ls[daemontest.Key6{Type: typeNA, Addr: declined}]
		return !ok || l.State == 2
	})
}

// TestConfirm: a client that restarts with its lease sends CONFIRM; the
// server answers Success while the address is on the link, and NotOnLink
// for an address of another link, after which the client starts over.
func TestConfirm(t *testing.T) {
	t.Parallel()
	lab, _, _ := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 1000, 2000, 3000, 4000
	})
	ctx := timeout(t, 90*time.Second)
	capFile := filepath.Join(lab.Dir, "confirm.pcap")
	capture, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, capFile, "udp port 546 or udp port 547")
	if err != nil {
		t.Fatal(err)
	}
	c := lab.FirstClient()
	first, g, _ := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{})
	addr := g.addr
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	leases := first.LeaseFile()

	// The same lease file: dhclient confirms the address it holds.
	// dhclient reports a confirmed lease as BOUND6; the capture below
	// shows it came from a CONFIRM.
	again, g, _ := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{Args: []string{"-lf", leases}})
	if g.addr != addr {
		t.Errorf("restart with the lease: bound to %v, want the confirmed %v", g.addr, addr)
	}
	if err := again.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// The lease moved to a prefix of no link the server knows.
	b, err := os.ReadFile(leases)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := "2001:db8:99::5"
	if err := os.WriteFile(leases, []byte(strings.ReplaceAll(string(b), addr.String(), elsewhere)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, g, _ := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{Args: []string{"-lf", leases}}); !inPoolNA(g.addr) {
		t.Errorf("restart with an address of another link: bound to %v, want an address of the link", g.addr)
	}
	if err := capture.Stop(); err != nil {
		t.Fatal(err)
	}
	msgs, err := readDHCP6(capFile)
	if err != nil {
		t.Fatal(err)
	}
	// Each CONFIRM is followed by its REPLY; statuses in order.
	var statuses []int
	for i, m := range msgs {
		if m.Type != layers.DHCPv6MsgTypeConfirm {
			continue
		}
		for _, r := range msgs[i+1:] {
			if r.Type == layers.DHCPv6MsgTypeReply {
				statuses = append(statuses, r.Status)
				break
			}
		}
	}
	if len(statuses) != 2 || statuses[0] != 0 || statuses[1] != 4 {
		t.Errorf("REPLY statuses to the CONFIRMs: %v; want Success (0), then NotOnLink (4)", statuses)
	}
}

// TestExpiry6: the lease of a client that vanishes without releasing is
// reclaimed when it expires, and its address goes to the next client (the
// pool has one).
func TestExpiry6(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "2001:db8:1::100-2001:db8:1::100"}}
		cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 2, 3, 3, 4
		cfg.M["expired-leases-processing"] = daemontest.Obj{"reclaim-timer-wait-time": 1, "hold-reclaimed-time": 60}
	})
	lf := d.LeaseFile
	next, err := lab.AddClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 60*time.Second)

	first, g, _ := bound6(t, ctx, lab, dhclient, lab.FirstClient(), netlab.ClientOptions{})
	addr := g.addr
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	rows := waitRows(t, ctx, lf, "the lease reclaimed", func(rows []daemontest.Lease6) bool {
		return len(rows) > 0 && rows[len(rows)-1].Addr == addr && rows[len(rows)-1].State == 2
	})
	if last := rows[len(rows)-1]; time.Now().Unix() < last.Expire {
		t.Errorf("lease reclaimed before it expired: %+v", last)
	}
	if _, g, _ := bound6(t, ctx, lab, dhclient, next, netlab.ClientOptions{}); g.addr != addr {
		t.Errorf("the next client got %v, want the reclaimed %v", g.addr, addr)
	}
}
