package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/plugintest"
	"github.com/leasehold/leasehold/lease"
)

var plugins plugintest.Builder

func TestMain(m *testing.M) { os.Exit(plugins.Run(m)) }

func TestObserveLogsCommittedLeases(t *testing.T) {
	path := plugins.Build(t, ".")
	logs := &plugintest.LogBuffer{}
	m, err := hooks.New(context.Background(), hooks.Config{
		Libraries: []hooks.LibraryConfig{{Library: path, Parameters: json.RawMessage(`{"include-deleted": true}`)}},
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Enabled(hooks.Leases4Committed) || !m.Enabled(hooks.Leases6Committed) || m.Enabled(hooks.Pkt4Receive) {
		t.Fatal("registration is not leases4_committed and leases6_committed")
	}
	ctx := context.Background()
	l4 := lease.Lease4{Addr: netip.MustParseAddr("192.0.2.10"), HWAddr: []byte{2, 0, 0, 0, 0, 1}, ValidLifetime: 3600, SubnetID: 1}
	rel := lease.Lease4{Addr: netip.MustParseAddr("192.0.2.11"), HWAddr: []byte{2, 0, 0, 0, 0, 2}, SubnetID: 1}
	l6 := lease.Lease6{Type: lease.TypeNA, Addr: netip.MustParseAddr("2001:db8:1::100"), PrefixLen: 128,
		DUID: []byte{0, 1, 0, 1, 1, 2, 3, 4}, IAID: 7, ValidLifetime: 4000, PreferredLifetime: 3000, SubnetID: 1}
	m.Call(ctx, hooks.Leases4Committed, &hooks.Args{Leases4: []lease.Lease4{l4}, DeletedLeases4: []lease.Lease4{}})
	m.Call(ctx, hooks.Leases4Committed, &hooks.Args{Leases4: []lease.Lease4{}, DeletedLeases4: []lease.Lease4{rel}})
	m.Call(ctx, hooks.Leases6Committed, &hooks.Args{Leases6: []lease.Lease6{l6}, DeletedLeases6: []lease.Lease6{}})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "2001:db8:1::100") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{
		`msg="lease committed" library=` + path + ` address=192.0.2.10 client_id="" cltt=0 hostname="" hwaddr=02:00:00:00:00:01`,
		`msg="lease deleted" library=` + path + ` address=192.0.2.11`,
		`msg="lease committed" library=` + path + ` address=2001:db8:1::100`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	// Order: the v4 commit, the release, then the v6 commit.
	if a, b, c := strings.Index(out, "192.0.2.10"), strings.Index(out, "192.0.2.11"), strings.Index(out, "2001:db8:1::100"); !(a < b && b < c) {
		t.Errorf("events out of order:\n%s", out)
	}
}
