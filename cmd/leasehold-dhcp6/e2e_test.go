package main

// End-to-end tests: the daemon built from this package (or Kea's
// kea-dhcp6, with LEASEHOLD_E2E_SERVER=kea, to check the tests themselves)
// serving real DHCPv6 clients in network namespaces. They need root; they
// skip without it unless CI=true or LEASEHOLD_E2E=1. Each test builds its
// own lab, so they run in parallel.

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/daemon/daemontest"
	"github.com/leasehold/leasehold/internal/netlab"
)

const pkg = "github.com/leasehold/leasehold/cmd/leasehold-dhcp6"

func TestMain(m *testing.M) {
	code := m.Run()
	daemontest.Cleanup()
	os.Exit(code)
}

func newLab(t *testing.T, o netlab.Options) *netlab.Lab {
	t.Helper()
	o.Prefix = "lhI6"
	return netlab.NewT(t, o)
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func serve(t *testing.T, lab *netlab.Lab, cfg *daemontest.Config, o daemontest.Options) *daemontest.Daemon {
	t.Helper()
	return daemontest.Start(t, lab, daemontest.V6, pkg, cfg.JSON(t), o)
}

func leaseFile(lab *netlab.Lab) string { return filepath.Join(lab.Dir, "kea-leases6.csv") }

// got is what a client's script reported for one exchange.
type got struct {
	addr   netip.Addr   // IA_NA address, if any
	prefix netip.Prefix // IA_PD prefix, if any
}

// v6 reads the address and prefix from an event of dhclient -6
// (new_ip6_address, new_ip6_prefix) or dhcpcd -6 (new_dhcp6_ia_na1_ia_addr1,
// new_dhcp6_ia_pd1_prefix1 and _length).
func v6(t *testing.T, ev netlab.ClientEvent) got {
	t.Helper()
	var g got
	if s := firstOf(ev, "new_ip6_address", "new_dhcp6_ia_na1_ia_addr1"); s != "" {
		a, err := netip.ParseAddr(s)
		if err != nil {
			t.Fatalf("event address %q: %v", s, err)
		}
		g.addr = a
	}
	if s := ev["new_ip6_prefix"]; s != "" {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			t.Fatalf("event prefix %q: %v", s, err)
		}
		g.prefix = p
	}
	if s := ev["new_dhcp6_ia_pd1_prefix1"]; s != "" {
		p, err := netip.ParsePrefix(s + "/" + ev["new_dhcp6_ia_pd1_prefix1_length"])
		if err != nil {
			t.Fatalf("event prefix %q: %v", s, err)
		}
		g.prefix = p
	}
	return g
}

func firstOf(ev netlab.ClientEvent, keys ...string) string {
	for _, k := range keys {
		if v := ev[k]; v != "" {
			return v
		}
	}
	return ""
}

// waitLeases polls the lease file until ok accepts the leases it leaves.
func waitLeases(t *testing.T, ctx context.Context, path, what string, ok func(map[daemontest.Key6]daemontest.Lease6) bool) map[daemontest.Key6]daemontest.Lease6 {
	t.Helper()
	for {
		ls, err := daemontest.ReadLeases6(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok(ls) {
			return ls
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lease file %s: %s: not seen before the deadline; leases %s", path, what, describe(ls))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitRows is waitLeases over every row of the file.
func waitRows(t *testing.T, ctx context.Context, path, what string, ok func([]daemontest.Lease6) bool) []daemontest.Lease6 {
	t.Helper()
	for {
		rows, err := daemontest.Rows6(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok(rows) {
			return rows
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lease file %s: %s: not seen before the deadline; rows %+v", path, what, rows)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// held reports whether the lease of type typ at a is held (state default)
// by the client with the given DUID ("" for any).
func held(ls map[daemontest.Key6]daemontest.Lease6, typ int, a netip.Addr, duid string) bool {
	l, ok := ls[daemontest.Key6{Type: typ, Addr: a}]
	return ok && l.State == 0 && (duid == "" || strings.EqualFold(l.DUID, duid))
}

func describe(ls map[daemontest.Key6]daemontest.Lease6) string {
	var b strings.Builder
	for k, l := range ls {
		fmt.Fprintf(&b, "%s/%d(type %d, duid %s, state %d) ", k.Addr, l.PrefixLen, k.Type, l.DUID, l.State)
	}
	return b.String()
}

// duidLL is the DUID-LL that netlab's clients use for a MAC.
func duidLL(c *netlab.Client) string {
	return "00:03:00:01:" + c.MAC.String()
}
