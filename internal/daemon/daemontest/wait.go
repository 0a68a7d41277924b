package daemontest

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/netlab"
)

// Lease6.Type values.
const (
	TypeNA = 0
	TypeTA = 1
	TypePD = 2
)

// WaitLeases4 polls a DHCPv4 lease file until ok accepts the leases it
// leaves (ReadLeases4) and returns them; it fails the test, naming what
// it waited for, when ctx ends first.
func WaitLeases4(t testing.TB, ctx context.Context, path, what string, ok func(map[netip.Addr]Lease4) bool) map[netip.Addr]Lease4 {
	t.Helper()
	return poll(t, ctx, path, what, ReadLeases4, ok, Describe4)
}

// WaitRows4 is WaitLeases4 over every row of the file (Rows4).
func WaitRows4(t testing.TB, ctx context.Context, path, what string, ok func([]Lease4) bool) []Lease4 {
	t.Helper()
	return poll(t, ctx, path, what, Rows4, ok, func(rows []Lease4) string { return fmt.Sprintf("rows %v", rows) })
}

// WaitLeases6 is WaitLeases4 for a DHCPv6 lease file.
func WaitLeases6(t testing.TB, ctx context.Context, path, what string, ok func(map[Key6]Lease6) bool) map[Key6]Lease6 {
	t.Helper()
	return poll(t, ctx, path, what, ReadLeases6, ok, Describe6)
}

// WaitRows6 is WaitRows4 for a DHCPv6 lease file.
func WaitRows6(t testing.TB, ctx context.Context, path, what string, ok func([]Lease6) bool) []Lease6 {
	t.Helper()
	return poll(t, ctx, path, what, Rows6, ok, func(rows []Lease6) string { return fmt.Sprintf("rows %+v", rows) })
}

func poll[T any](t testing.TB, ctx context.Context, path, what string, read func(string) (T, error), ok func(T) bool, show func(T) string) T {
	t.Helper()
	for {
		v, err := read(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok(v) {
			return v
		}
		select {
		case <-ctx.Done():
			t.Fatalf("lease file %s: %s: not seen before the deadline; %s", path, what, show(v))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Held4 reports whether the lease of a is held (state default) by mac.
func Held4(ls map[netip.Addr]Lease4, a netip.Addr, mac net.HardwareAddr) bool {
	l, ok := ls[a]
	return ok && l.State == 0 && strings.EqualFold(l.HWAddr, mac.String())
}

// Held6 reports whether the lease of type typ at a is held (state default)
// by the client with the given DUID ("" for any).
func Held6(ls map[Key6]Lease6, typ int, a netip.Addr, duid string) bool {
	l, ok := ls[Key6{Type: typ, Addr: a}]
	return ok && l.State == 0 && (duid == "" || strings.EqualFold(l.DUID, duid))
}

// Describe4 lists DHCPv4 leases for a failure message.
func Describe4(ls map[netip.Addr]Lease4) string {
	var b strings.Builder
	b.WriteString("leases ")
	for a, l := range ls {
		fmt.Fprintf(&b, "%s→%s(state %d) ", a, l.HWAddr, l.State)
	}
	return b.String()
}

// Describe6 lists DHCPv6 leases for a failure message.
func Describe6(ls map[Key6]Lease6) string {
	var b strings.Builder
	b.WriteString("leases ")
	for k, l := range ls {
		fmt.Fprintf(&b, "%s/%d(type %d, duid %s, state %d) ", k.Addr, l.PrefixLen, k.Type, l.DUID, l.State)
	}
	return b.String()
}

// DUIDLL is the DUID-LL, as a lease file writes it, that netlab's clients
// use: built from the client's MAC.
func DUIDLL(c *netlab.Client) string {
	return "00:03:00:01:" + c.MAC.String()
}
