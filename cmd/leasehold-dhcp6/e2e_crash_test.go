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
	lab, _, d := suite.Serving(t, netlab.Options{}, func(cfg *daemontest.Config) {
		cfg.Subnet(1)["pools"] = []any{daemontest.Obj{"pool": "2001:db8:1::1:0/112"}}
		cfg.M["renew-timer"], cfg.M["rebind-timer"], cfg.M["preferred-lifetime"], cfg.M["valid-lifetime"] = 1000, 2000, 3000, 4000
	})
	c := lab.FirstClient()
	ctx := timeout(t, 90*time.Second)

	capFile := filepath.Join(lab.Dir, "load6.pcap")
	perf := d.KillUnderLoad(ctx, c, capFile, "udp port 546", "-6", "-l", c.If, "-r", "400", "-R", "5000", "-p", "30")
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
	ls, err := daemontest.ReadLeases6(d.LeaseFile)
	if err != nil {
		t.Fatal(err)
	}
	daemontest.CheckKept(t, "confirmed", confirmed, func(k daemontest.Key6, duid string) (any, bool) {
		l, ok := ls[k]
		return l, ok && strings.ReplaceAll(l.DUID, ":", "") == duid && l.State == 0
	})
}
