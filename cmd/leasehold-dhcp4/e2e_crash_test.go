package main

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

// TestKillUnderLoad: perfdhcp runs DORA exchanges (as a relay, so replies
// come back unicast) while the server is killed with SIGKILL. After a
// restart, every address the capture saw ACKed is leased to the client it
// was ACKed to: a lease is durable before the ACK that promises it.
func TestKillUnderLoad(t *testing.T) {
	t.Parallel()
	netlab.RequireTool(t, "perfdhcp")
	lab := newLab(t, netlab.Options{ServerAddr4: netip.MustParsePrefix("198.18.0.1/15")})
	c := lab.FirstClient()
	ctx := timeout(t, 90*time.Second)
	if out, err := lab.IP(ctx, c.NS, "addr", "add", "198.18.0.2/15", "dev", c.If); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lf := leaseFile(lab)
	cfg := daemontest.Config4(lab, lf)
	cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "198.18.1.0 - 198.19.255.254"}}
	cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["valid-lifetime"] = 1800, 3150, 3600
	d := serve(t, lab, cfg, daemontest.Options{})

	capFile := filepath.Join(lab.Dir, "load.pcap")
	capture, err := lab.StartCapture(ctx, lab.ServerNS, lab.ServerIf, capFile, "udp port 67")
	if err != nil {
		t.Fatal(err)
	}
	perf, err := lab.Start(c.NS, "perfdhcp", "-4", "-r", "400", "-R", "5000", "-p", "30", lab.ServerAddr4.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	// Kill once the load is well under way, however fast this machine is.
	loaded := time.Now().Add(20 * time.Second)
	for {
		rows, err := daemontest.Rows4(lf)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) >= 500 || time.Now().After(loaded) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.Kill()
	time.Sleep(500 * time.Millisecond) // frames on their way reach the capture
	if err := capture.Stop(); err != nil {
		t.Fatal(err)
	}
	_ = perf.Kill()

	msgs, err := readDHCP(capFile)
	if err != nil {
		t.Fatal(err)
	}
	acked := map[netip.Addr]string{}
	for _, m := range msgs {
		if m.Type == layers.DHCPMsgTypeAck {
			acked[m.YIAddr] = m.CHAddr.String()
		}
	}
	if len(acked) < 100 {
		t.Fatalf("only %d addresses ACKed before the kill (%d DHCP messages captured); perfdhcp:\n%s", len(acked), len(msgs), perf.Output())
	}

	d.Restart()
	ls, err := daemontest.ReadLeases4(lf)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for a, mac := range acked {
		if l, ok := ls[a]; !ok || !strings.EqualFold(l.HWAddr, mac) || l.State != 0 {
			if lost++; lost <= 10 {
				t.Errorf("%s was ACKed to %s, but after the restart the lease file has %+v (present %v)", a, mac, l, ok)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d ACKed leases lost", lost, len(acked))
	}
	t.Logf("%d leases ACKed before SIGKILL, all kept", len(acked))
}
