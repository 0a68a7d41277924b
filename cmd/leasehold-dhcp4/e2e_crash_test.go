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
	lab, _, d := suite.Serving(t, netlab.Options{ServerAddr4: netip.MustParsePrefix("198.18.0.1/15")}, func(cfg *daemontest.Config) {
		cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "198.18.1.0 - 198.19.255.254"}}
		cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["valid-lifetime"] = 1800, 3150, 3600
	})
	c := lab.FirstClient()
	ctx := timeout(t, 90*time.Second)
	if out, err := lab.IP(ctx, c.NS, "addr", "add", "198.18.0.2/15", "dev", c.If); err != nil {
		t.Fatalf("%v: %s", err, out)
	}

	capFile := filepath.Join(lab.Dir, "load.pcap")
	perf := d.KillUnderLoad(ctx, c, capFile, "udp port 67", "-4", "-r", "400", "-R", "5000", "-p", "30", lab.ServerAddr4.Addr().String())
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
	ls, err := daemontest.ReadLeases4(d.LeaseFile)
	if err != nil {
		t.Fatal(err)
	}
	daemontest.CheckKept(t, "ACKed", acked, func(a netip.Addr, mac string) (any, bool) {
		l, ok := ls[a]
		return l, ok && strings.EqualFold(l.HWAddr, mac) && l.State == 0
	})
}
