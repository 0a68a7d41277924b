package lease_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// A server's use of a durable memfile: change leases, Sync once for the
// batch, then answer.
func ExampleOpenMemfile() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "leases")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "kea-leases4.csv")

	store, err := lease.OpenMemfile(ctx, lease.MemfileOptions{
		V4Path:      path,
		Persist:     true,
		LFCInterval: time.Hour,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	l := lease.Lease4{
		Addr:          netip.MustParseAddr("192.0.2.11"),
		HWAddr:        []byte{2, 0, 0, 0, 0, 2},
		ClientID:      []byte{1, 2, 0, 0, 0, 0, 2},
		ValidLifetime: 4000,
		CLTT:          1795591639,
		SubnetID:      1,
		Hostname:      "host,one.example.org",
	}
	if err := store.Add4(ctx, &l); err != nil {
		fmt.Println(err)
		return
	}
	if err := store.Sync(ctx); err != nil { // now the ACK may go out
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context
	// 192.0.2.11,02:00:00:00:00:02,01:02:00:00:00:00:02,4000,1795595639,1,0,0,host&#x2cone.example.org,0,
}

// Iterative allocation goes on after the last address given and skips
// leased and reserved addresses.
func ExampleAllocator() {
	ctx := context.Background()
	store, _ := lease.OpenMemfile(ctx, lease.MemfileOptions{}) // memory only
	defer store.Close()
	pool, _ := lease.NewPool4(netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.14"))
	alloc, _ := lease.NewAllocator("iterative")

	store.Add4(ctx, &lease.Lease4{Addr: netip.MustParseAddr("192.0.2.11"), HWAddr: []byte{2, 0, 0, 0, 0, 1}, ValidLifetime: 3600, SubnetID: 1})
	reserved := func(a netip.Addr) bool { return a == netip.MustParseAddr("192.0.2.12") }

	for i := 0; i < 4; i++ {
		a, err := alloc.Allocate4(ctx, store, pool, reserved)
		fmt.Println(a, err)
	}
	// Output:
	// 192.0.2.10 <nil>
	// 192.0.2.13 <nil>
	// 192.0.2.14 <nil>
	// 192.0.2.10 <nil>
}

// Delegated prefixes come from a PD pool: a prefix and a delegated length.
func ExampleNewPDPool() {
	ctx := context.Background()
	store, _ := lease.OpenMemfile(ctx, lease.MemfileOptions{})
	defer store.Close()
	pool, _ := lease.NewPDPool(netip.MustParsePrefix("2001:db8:8000::/48"), 64)
	alloc, _ := lease.NewAllocator("iterative")
	for i := 0; i < 2; i++ {
		p, _ := alloc.Allocate6(ctx, store, pool, nil)
		store.Add6(ctx, &lease.Lease6{Type: lease.TypePD, Addr: p.Addr(), PrefixLen: uint8(p.Bits()),
			DUID: []byte{0, 3, 0, 1, 2, 0, 0, 0, 0, 1}, IAID: 1, ValidLifetime: 4000, SubnetID: 1})
		fmt.Println(p)
	}
	fmt.Println(pool.Size(), "prefixes in", pool)
	// Output:
	// 2001:db8:8000::/64
	// 2001:db8:8000:1::/64
	// 65536 prefixes in 2001:db8:8000::/64 - 2001:db8:8000:ffff::/64
}

// Reclamation: find expired leases, reclaim them, flush them later.
func ExampleMemfile_Expired4() {
	ctx := context.Background()
	store, _ := lease.OpenMemfile(ctx, lease.MemfileOptions{})
	defer store.Close()
	now := time.Unix(1795600000, 0)
	for i, age := range []int64{5000, 100, 9000} {
		store.Add4(ctx, &lease.Lease4{Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), HWAddr: []byte{2, 0, 0, 0, 0, byte(i)},
			ValidLifetime: 3600, CLTT: now.Unix() - age, SubnetID: 1})
	}
	expired, _ := store.Expired4(ctx, now, 100)
	for _, l := range expired {
		fmt.Println("expired:", l.Addr)
		l.State = lease.StateExpiredReclaimed
		store.Update4(ctx, &l)
	}
	n, _ := store.DeleteReclaimed4(ctx, now)
	fmt.Println("flushed:", n)
	// Output:
	// expired: 192.0.2.3
	// expired: 192.0.2.1
	// flushed: 2
}

// A DHCPv6 server finds a client's leases by IA: DUID, IAID, type and
// subnet. Counts gives the per-pool numbers behind Kea's statistics.
func ExampleMemfile_Get6ByDUID() {
	ctx := context.Background()
	store, _ := lease.OpenMemfile(ctx, lease.MemfileOptions{})
	defer store.Close()
	duid := []byte{0, 1, 0, 1, 0x2e, 0x3f, 0x4a, 0x5b, 2, 0, 0, 0, 0, 1}
	for _, a := range []string{"2001:db8:1::100", "2001:db8:1::101"} {
		store.Add6(ctx, &lease.Lease6{Type: lease.TypeNA, Addr: netip.MustParseAddr(a), PrefixLen: 128,
			DUID: duid, IAID: 7, ValidLifetime: 4000, PreferredLifetime: 3000, SubnetID: 1})
	}
	leases, _ := store.Get6ByDUID(ctx, lease.TypeNA, duid, 7, 1)
	fmt.Println(len(leases), "leases for IAID 7")
	counts, _ := store.Counts6(ctx)
	for _, c := range counts {
		fmt.Println("subnet", c.SubnetID, c.Type, c.State, c.N)
	}
	// Output:
	// 2 leases for IAID 7
	// subnet 1 IA_NA default 2
}
