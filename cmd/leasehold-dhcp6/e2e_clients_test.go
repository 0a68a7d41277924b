package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestDHClient6: dhclient -6 gets an address (IA_NA), renews it and
// releases it.
func TestDHClient6(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, nil)
	lf := d.LeaseFile
	ctx := timeout(t, 60*time.Second)
	c := lab.FirstClient()
	cl, g, _ := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{})
	if !inPoolNA(g.addr) {
		t.Fatalf("dhclient -6 got %v, outside the pool ::100-::1ff", g.addr)
	}
	first := waitLeases(t, ctx, lf, "the address leased", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return held(ls, typeNA, g.addr, duidLL(c))
	})[daemontest.Key6{Type: typeNA, Addr: g.addr}]
	ev, err := cl.WaitEvent(ctx, "RENEW6")
	if err != nil {
		t.Fatalf("no renewal: %v", err)
	}
	if r := v6(t, ev); r.addr != g.addr {
		t.Errorf("renewed %v, want %v", r.addr, g.addr)
	}
	ls, err := daemontest.ReadLeases6(lf)
	if err != nil {
		t.Fatal(err)
	}
	if l := ls[daemontest.Key6{Type: typeNA, Addr: g.addr}]; l.Expire <= first.Expire {
		t.Errorf("after the renewal the lease %+v does not expire later than %d", l, first.Expire)
	}
	if err := cl.Release(ctx); err != nil {
		t.Fatal(err)
	}
	waitLeases(t, ctx, lf, "the address released", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return !held(ls, typeNA, g.addr, "")
	})
}

// TestDHCPCD6: dhcpcd -6 gets an address (IA_NA) and renews it.
func TestDHCPCD6(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, nil)
	lf := d.LeaseFile
	ctx := timeout(t, 60*time.Second)
	c := lab.FirstClient()
	cl, g, _ := bound6(t, ctx, lab, dhcpcd, c, netlab.ClientOptions{})
	if !inPoolNA(g.addr) {
		t.Fatalf("dhcpcd -6 got %v, outside the pool ::100-::1ff", g.addr)
	}
	waitLeases(t, ctx, lf, "the address leased", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return held(ls, typeNA, g.addr, duidLL(c))
	})
	if ev, err := cl.WaitEvent(ctx, "RENEW6"); err != nil || v6(t, ev).addr != g.addr {
		t.Fatalf("renewal: %v %v, want %v", ev, err, g.addr)
	}
}

// TestPrefixDelegation: dhclient -6 -P gets a /56 out of the subnet's
// prefix pool and renews it.
func TestPrefixDelegation(t *testing.T) {
	t.Parallel()
	lab, _, d := suite.Serving(t, netlab.Options{}, nil)
	lf := d.LeaseFile
	ctx := timeout(t, 60*time.Second)
	c := lab.FirstClient()
	cl, g, _ := bound6(t, ctx, lab, dhclient, c, netlab.ClientOptions{PD: true})
	if g.prefix.Bits() != 56 || !pdPool.Contains(g.prefix.Addr()) {
		t.Fatalf("dhclient -P got prefix %v; want a /56 of %v", g.prefix, pdPool)
	}
	ls := waitLeases(t, ctx, lf, "the prefix leased", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return held(ls, typePD, g.prefix.Addr(), duidLL(c))
	})
	if l := ls[daemontest.Key6{Type: typePD, Addr: g.prefix.Addr()}]; l.PrefixLen != 56 {
		t.Errorf("lease %+v: want prefix length 56", l)
	}
	if ev, err := cl.WaitEvent(ctx, "RENEW6"); err != nil || v6(t, ev).prefix != g.prefix {
		t.Fatalf("renewal: %v %v, want %v", ev, err, g.prefix)
	}
}

// captured starts the server of the configuration edit makes in a new lab with a capture of its
// DHCPv6 traffic, runs a client (start) with options o on the first
// client, waits for the lease file to hold its lease, and returns what the
// client got and the captured messages.
func captured(t *testing.T, edit func(*daemontest.Config), start func(*netlab.Lab, *netlab.Client, netlab.ClientOptions) (*netlab.DHCPClient, error), o netlab.ClientOptions) (got, []dhcp6Msg) {
	t.Helper()
	lab, _, d := suite.Serving(t, netlab.Options{}, edit)
	lf := d.LeaseFile
	ctx := timeout(t, 60*time.Second)
	capFile := filepath.Join(lab.Dir, "capture.pcap")
	capture, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, capFile, "udp port 546 or udp port 547")
	if err != nil {
		t.Fatal(err)
	}
	c := lab.FirstClient()
	_, g, _ := bound6(t, ctx, lab, start, c, o)
	waitLeases(t, ctx, lf, "the lease", func(ls map[daemontest.Key6]daemontest.Lease6) bool {
		return (!g.addr.IsValid() || held(ls, typeNA, g.addr, duidLL(c))) && (!g.prefix.IsValid() || held(ls, typePD, g.prefix.Addr(), duidLL(c)))
	})
	if err := capture.Stop(); err != nil {
		t.Fatal(err)
	}
	msgs, err := readDHCP6(capFile)
	if err != nil {
		t.Fatal(err)
	}
	return g, msgs
}

// TestAddressAndPrefix: dhcpcd asks for IA_NA and IA_PD in one SOLICIT and
// gets both in one exchange.
func TestAddressAndPrefix(t *testing.T) {
	t.Parallel()
	g, msgs := captured(t, nil, dhcpcd, netlab.ClientOptions{NA: true, PD: true})
	if !inPoolNA(g.addr) || g.prefix.Bits() != 56 || !pdPool.Contains(g.prefix.Addr()) {
		t.Fatalf("dhcpcd got address %v and prefix %v; want both", g.addr, g.prefix)
	}
	var solicits, replies int
	for _, m := range msgs {
		switch m.Type {
		case layers.DHCPv6MsgTypeSolicit:
			solicits++
			if m.IANA != 1 || m.IAPD != 1 {
				t.Errorf("SOLICIT with %d IA_NA and %d IA_PD; want one of each", m.IANA, m.IAPD)
			}
		case layers.DHCPv6MsgTypeReply:
			if len(m.Addrs) == 1 && len(m.Prefixes) == 1 {
				replies++
			}
		}
	}
	if solicits == 0 || replies == 0 {
		t.Errorf("capture: %d SOLICITs, %d REPLYs with an address and a prefix", solicits, replies)
	}
}

// TestRapidCommit: on a subnet with rapid-commit, a client that sends the
// Rapid Commit option gets its lease in a two-message exchange: the
// server's REPLY to its SOLICIT, no ADVERTISE or REQUEST.
func TestRapidCommit(t *testing.T) {
	t.Parallel()
	rapid := func(cfg *daemontest.Config) { cfg.Subnet(1)["rapid-commit"] = true }
	g, msgs := captured(t, rapid, dhclient, netlab.ClientOptions{Config: "send dhcp6.rapid-commit;"})
	var seq []string
	rapidReply := false
	for _, m := range msgs {
		seq = append(seq, m.Type.String())
		switch m.Type {
		case layers.DHCPv6MsgTypeAdvertise, layers.DHCPv6MsgTypeRequest:
			t.Errorf("a %v in a rapid commit exchange", m.Type)
		case layers.DHCPv6MsgTypeSolicit:
			if !m.RapidCommit {
				t.Errorf("the client's SOLICIT has no Rapid Commit option")
			}
		case layers.DHCPv6MsgTypeReply:
			rapidReply = rapidReply || (m.RapidCommit && len(m.Addrs) == 1 && m.Addrs[0].Prefix.Addr() == g.addr)
		}
	}
	if !rapidReply {
		t.Errorf("no REPLY with Rapid Commit and the address %v; messages %v", g.addr, seq)
	}
}
