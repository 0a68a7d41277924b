package lease

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
)

// plainStore hides Memfile's FreeFinder, so the allocators probe.
type plainStore struct{ Store }

func memStore(t testing.TB) *Memfile {
	m, err := OpenMemfile(ctx, MemfileOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// forEachSetup runs a test for both allocators, with and without the
// store's index of held addresses.
func forEachSetup(t *testing.T, fn func(t *testing.T, a *Allocator, m *Memfile, s Store)) {
	for _, name := range []string{"iterative", "random"} {
		for _, indexed := range []bool{true, false} {
			label := name + "/indexed"
			if !indexed {
				label = name + "/probing"
			}
			t.Run(label, func(t *testing.T) {
				a, err := NewAllocator(name)
				if err != nil {
					t.Fatal(err)
				}
				m := memStore(t)
				var s Store = m
				if !indexed {
					s = plainStore{m}
				}
				fn(t, a, m, s)
			})
		}
	}
}

func mustPool4(t testing.TB, first, last string) *Pool4 {
	p, err := NewPool4(netip.MustParseAddr(first), netip.MustParseAddr(last))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hold4(t testing.TB, m *Memfile, a netip.Addr, state State) {
	t.Helper()
	l := &Lease4{Addr: a, HWAddr: []byte{1, 2, 3, 4, 5, 6}, ValidLifetime: 100, CLTT: 1, SubnetID: 1, State: state}
	if err := m.Add4(ctx, l); err != nil {
		if !errors.Is(err, ErrExists) {
			t.Fatal(err)
		}
		if err := m.Update4(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
}

// fill4 allocates until the pool is exhausted, adding a lease each time,
// and returns what it got.
func fill4(t *testing.T, a *Allocator, m *Memfile, s Store, p *Pool4, reserved func(netip.Addr) bool) []netip.Addr {
	t.Helper()
	var got []netip.Addr
	seen := map[netip.Addr]bool{}
	for {
		addr, err := a.Allocate4(ctx, s, p, reserved)
		if errors.Is(err, ErrPoolExhausted) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[addr] || !p.Contains(addr) || (reserved != nil && reserved(addr)) {
			t.Fatalf("allocated %v: seen %v, in pool %v", addr, seen[addr], p.Contains(addr))
		}
		seen[addr] = true
		got = append(got, addr)
		hold4(t, m, addr, StateDefault)
		if len(got) > int(p.Size()) {
			t.Fatal("allocated more addresses than the pool has")
		}
	}
}

func TestAllocatePoolOfOne(t *testing.T) {
	forEachSetup(t, func(t *testing.T, a *Allocator, m *Memfile, s Store) {
		p := mustPool4(t, "192.0.2.7", "192.0.2.7")
		got := fill4(t, a, m, s, p, nil)
		if len(got) != 1 || got[0] != netip.MustParseAddr("192.0.2.7") {
			t.Fatalf("pool of one gave %v", got)
		}
		if _, err := a.Allocate4(ctx, s, p, nil); !errors.Is(err, ErrPoolExhausted) {
			t.Fatalf("full pool: %v", err)
		}
		m.Delete4(ctx, got[0])
		if addr, err := a.Allocate4(ctx, s, p, nil); err != nil || addr != got[0] {
			t.Fatalf("after release: %v, %v", addr, err)
		}
	})
}

func TestAllocateFullPool(t *testing.T) {
	forEachSetup(t, func(t *testing.T, a *Allocator, m *Memfile, s Store) {
		p := mustPool4(t, "192.0.2.10", "192.0.2.73")
		if got := fill4(t, a, m, s, p, nil); len(got) != 64 {
			t.Fatalf("filled %d of 64", len(got))
		}
		// Free two: they are exactly what comes back.
		m.Delete4(ctx, netip.MustParseAddr("192.0.2.40"))
		hold4(t, m, netip.MustParseAddr("192.0.2.50"), StateExpiredReclaimed)
		got := fill4(t, a, m, s, p, nil)
		if len(got) != 2 {
			t.Fatalf("refilled %v, want .40 and .50", got)
		}
	})
}

func TestAllocateSkipsReservedAndDeclined(t *testing.T) {
	forEachSetup(t, func(t *testing.T, a *Allocator, m *Memfile, s Store) {
		p := mustPool4(t, "198.51.100.0", "198.51.100.15")
		reserved := func(a netip.Addr) bool { return a.As4()[3]%4 == 1 } // .1 .5 .9 .13
		hold4(t, m, netip.MustParseAddr("198.51.100.2"), StateDeclined)
		got := fill4(t, a, m, s, p, reserved)
		if len(got) != 11 {
			t.Fatalf("got %d addresses %v, want 16 - 4 reserved - 1 declined", len(got), got)
		}
		// Everything reserved: exhausted, not a loop.
		q := mustPool4(t, "198.51.100.200", "198.51.100.203")
		if _, err := a.Allocate4(ctx, s, q, func(netip.Addr) bool { return true }); !errors.Is(err, ErrPoolExhausted) {
			t.Fatalf("all reserved: %v", err)
		}
		// The declined address comes back once reclaimed.
		hold4(t, m, netip.MustParseAddr("198.51.100.2"), StateExpiredReclaimed)
		if addr, err := a.Allocate4(ctx, s, p, reserved); err != nil || addr != netip.MustParseAddr("198.51.100.2") {
			t.Fatalf("after reclaiming the declined address: %v, %v", addr, err)
		}
	})
}

// TestIterativeOrder checks Kea's iterative behaviour: in order, resuming
// after the last address given (per pool), wrapping at the end.
func TestIterativeOrder(t *testing.T) {
	a, _ := NewAllocator("iterative")
	for _, indexed := range []bool{true, false} {
		m := memStore(t)
		var s Store = m
		if !indexed {
			s = plainStore{m}
		}
		p := mustPool4(t, "255.255.255.250", "255.255.255.255") // the cursor wraps at the top of the space
		q := mustPool4(t, "192.0.2.0", "192.0.2.9")
		want := []string{"255.255.255.250", "255.255.255.251", "255.255.255.252"}
		for _, w := range want {
			addr, err := a.Allocate4(ctx, s, p, nil)
			if err != nil || addr.String() != w {
				t.Fatalf("got %v, %v; want %s", addr, err, w)
			}
			// Another pool's allocations do not move this pool's cursor.
			a.Allocate4(ctx, s, q, nil)
		}
		// Nothing was leased, yet the allocator goes on, not back.
		if addr, _ := a.Allocate4(ctx, s, p, nil); addr.String() != "255.255.255.253" {
			t.Fatalf("resumed at %v, want 255.255.255.253", addr)
		}
		hold4(t, m, netip.MustParseAddr("255.255.255.254"), StateDefault)
		hold4(t, m, netip.MustParseAddr("255.255.255.250"), StateDefault)
		for _, w := range []string{"255.255.255.255", "255.255.255.251"} {
			if addr, _ := a.Allocate4(ctx, s, p, nil); addr.String() != w {
				t.Fatalf("got %v, want %s (skip held, wrap around)", addr, w)
			}
		}
	}
}

func TestAllocateRandomCoversPool(t *testing.T) {
	a, _ := NewAllocator("random")
	m := memStore(t)
	p := mustPool4(t, "203.0.113.0", "203.0.113.255")
	if got := fill4(t, a, m, m, p, nil); len(got) != 256 {
		t.Fatalf("random allocator gave %d of 256", len(got))
	}
}

func TestAllocate6(t *testing.T) {
	forEachSetup(t, func(t *testing.T, a *Allocator, m *Memfile, s Store) {
		pd, err := NewPDPool(netip.MustParsePrefix("2001:db8:8000::/56"), 60)
		if err != nil {
			t.Fatal(err)
		}
		if pd.Size() != 16 {
			t.Fatalf("a /56 of /60s has %d prefixes", pd.Size())
		}
		reserved := func(p netip.Prefix) bool { return p == netip.MustParsePrefix("2001:db8:8000:30::/60") }
		seen := map[netip.Prefix]bool{}
		for {
			pfx, err := a.Allocate6(ctx, s, pd, reserved)
			if errors.Is(err, ErrPoolExhausted) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if seen[pfx] || !pd.Contains(pfx) || reserved(pfx) {
				t.Fatalf("allocated %v", pfx)
			}
			seen[pfx] = true
			l := &Lease6{Type: TypePD, Addr: pfx.Addr(), PrefixLen: 60, DUID: []byte{1}, ValidLifetime: 100, SubnetID: 1}
			if err := m.Add6(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if len(seen) != 15 {
			t.Fatalf("%d prefixes, want 15", len(seen))
		}
		// Addresses live in their own index: the PD pool's leases do not
		// use up an address pool over the same space.
		na, _ := NewPool6(TypeNA, netip.MustParseAddr("2001:db8:8000::"), netip.MustParseAddr("2001:db8:8000::1"))
		if addr, err := a.Allocate6(ctx, s, na, nil); err != nil || addr.Bits() != 128 {
			t.Fatalf("address pool: %v, %v", addr, err)
		}
	})
}

func TestAllocate6Iterative(t *testing.T) {
	a, _ := NewAllocator("iterative")
	m := memStore(t)
	// A range across a 2^64 boundary of the address space.
	na, _ := NewPool6(TypeNA, netip.MustParseAddr("2001:db8:0:1:ffff:ffff:ffff:fffe"), netip.MustParseAddr("2001:db8:0:2::1"))
	m.Add6(ctx, &Lease6{Type: TypeNA, Addr: netip.MustParseAddr("2001:db8:0:1:ffff:ffff:ffff:ffff"), PrefixLen: 128,
		DUID: []byte{1}, ValidLifetime: 100, SubnetID: 1})
	var got []string
	for i := 0; i < 4; i++ {
		p, err := a.Allocate6(ctx, m, na, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Addr().String())
	}
	want := "[2001:db8:0:1:ffff:ffff:ffff:fffe 2001:db8:0:2:: 2001:db8:0:2::1 2001:db8:0:1:ffff:ffff:ffff:fffe]"
	if s := "[" + join(got) + "]"; s != want {
		t.Errorf("got %s, want %s", s, want)
	}
	// A /48 of /64s, and the whole space in /1s.
	big, _ := NewPDPool(netip.MustParsePrefix("2001:db8::/48"), 64)
	if p, err := a.Allocate6(ctx, m, big, nil); err != nil || p.String() != "2001:db8::/64" {
		t.Errorf("/48 pool: %v, %v", p, err)
	}
	all, _ := NewPDPool(netip.MustParsePrefix("::/0"), 1)
	r, _ := NewAllocator("random")
	if p, err := r.Allocate6(ctx, m, all, nil); err != nil || p.Bits() != 1 {
		t.Errorf("::/0 pool: %v, %v", p, err)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestAllocateConcurrent: parallel allocations from one pool never hand the
// same address twice.
func TestAllocateConcurrent(t *testing.T) {
	for _, name := range []string{"iterative", "random"} {
		a, _ := NewAllocator(name)
		m := memStore(t)
		p := mustPool4(t, "10.1.0.0", "10.1.3.255")
		var mu sync.Mutex
		seen := map[netip.Addr]bool{}
		clashes := 0
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					addr, err := a.Allocate4(ctx, m, p, nil)
					if errors.Is(err, ErrPoolExhausted) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					l := &Lease4{Addr: addr, HWAddr: []byte{1}, ValidLifetime: 10, SubnetID: 1}
					err = m.Add4(ctx, l)
					mu.Lock()
					if errors.Is(err, ErrExists) {
						// The caller retries, as a server does. Count
						// clashes while the pool still has room.
						if len(seen) < 1024-64 {
							clashes++
						}
					} else {
						seen[addr] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 1024 {
			t.Errorf("%s: %d addresses leased, want 1024", name, len(seen))
		}
		// Iterative callers clash only when the cursor wraps onto an
		// address another caller got but has not leased yet: near the end.
		if name == "iterative" && clashes > 0 {
			t.Errorf("iterative: %d clashes between concurrent callers", clashes)
		}
	}
}

func TestPools(t *testing.T) {
	if _, err := NewPool4(netip.MustParseAddr("192.0.2.9"), netip.MustParseAddr("192.0.2.1")); err == nil {
		t.Error("reversed pool accepted")
	}
	p, err := NewPool4Prefix(netip.MustParsePrefix("10.0.0.0/8"))
	if err != nil || p.Size() != 1<<24 || p.Last().String() != "10.255.255.255" {
		t.Errorf("10.0.0.0/8: %v, %v", p, err)
	}
	if all, _ := NewPool4Prefix(netip.MustParsePrefix("0.0.0.0/0")); all.Size() != 1<<32 {
		t.Errorf("0/0 has %d addresses", all.Size())
	}
	if _, err := NewPDPool(netip.MustParsePrefix("2001:db8::/48"), 40); err == nil {
		t.Error("delegated length shorter than the prefix accepted")
	}
	if _, err := NewPool6(TypePD, netip.MustParseAddr("2001:db8::"), netip.MustParseAddr("2001:db8::1")); err == nil {
		t.Error("address pool of type PD accepted")
	}
	pd, _ := NewPDPool(netip.MustParsePrefix("2001:db8::/32"), 64)
	if pd.Size() != 1<<32 || pd.Last().String() != "2001:db8:ffff:ffff::/64" {
		t.Errorf("pd pool %v size %d", pd, pd.Size())
	}
	if !pd.Contains(netip.MustParsePrefix("2001:db8:1::/64")) || pd.Contains(netip.MustParsePrefix("2001:db8:1::/56")) {
		t.Error("Contains")
	}
	if _, err := NewAllocator("flq"); err == nil {
		t.Error("unknown allocator accepted")
	}
}
