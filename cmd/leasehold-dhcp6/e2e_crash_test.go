package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestKillUnderLoad6: perfdhcp -6 runs SOLICIT-ADVERTISE-REQUEST-REPLY
// exchanges while the server is killed with SIGKILL. After a restart,
// every address a captured REPLY gave is leased to the DUID it was given
// to: a lease is durable before the REPLY that confirms it.
func TestKillUnderLoad6(t *testing.T) {
	t.Parallel()
	netlab.RequireTool(t, "perfdhcp")
	lab := newLab(t, netlab.Options{})
	c := lab.FirstClient()
	ctx := timeout(t, 90*time.Second)
	lf := leaseFile(lab)
	cfg := daemontest.Config6(lab, lf)
	cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "2001:db8:1::1:0/112"}}
	cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 1000, 2000, 3000, 4000
	d := serve(t, lab, cfg, daemontest.Options{})

	capFile := filepath.Join(lab.Dir, "load6.pcap")
	capture, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, capFile, "udp port 546")
	if err != nil {
		t.Fatal(err)
	}
	perf, err := lab.Start(c.NS, "perfdhcp", "-6", "-l", c.If, "-r", "400", "-R", "5000", "-p", "30")
	if err != nil {
		t.Fatal(err)
	}
	// Kill once the load is well under way, however fast this machine is.
	loaded := time.Now().Add(20 * time.Second)
	for {
		rows, err := daemontest.Rows6(lf)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) >= 500 || time.Now().After(loaded) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.Kill()
	time.Sleep(500 * time.Millisecond)
	if err := capture.Stop(); err != nil {
		t.Fatal(err)
	}
	_ = perf.Kill()

	msgs, err := readDHCP6(capFile)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := map[daemontest.Key6]string{} // address → DUID, hex without colons
	for _, m := range msgs {
		if m.Type != layers.DHCPv6MsgTypeReply {
			continue
		}
		for _, a := range m.Addrs {
			if a.Valid > 0 {
				confirmed[daemontest.Key6{Type: typeNA, Addr: a.Prefix.Addr()}] = m.DUID
			}
		}
	}
	if len(confirmed) < 100 {
		t.Fatalf("only %d addresses confirmed before the kill (%d DHCPv6 messages captured); perfdhcp:\n%s", len(confirmed), len(msgs), perf.Output())
	}

	d.Restart()
	ls, err := daemontest.ReadLeases6(lf)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for k, duid := range confirmed {
		l, ok := ls[k]
		if !ok || strings.ReplaceAll(l.DUID, ":", "") != duid || l.State != 0 {
			if lost++; lost <= 10 {
				t.Errorf("%s was confirmed to DUID %s, but after the restart the lease file has %+v (present %v)", k.Addr, duid, l, ok)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d confirmed leases lost", lost, len(confirmed))
	}
	t.Logf("%d leases confirmed before SIGKILL, all kept", len(confirmed))
}
