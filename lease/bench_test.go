package lease

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkDurableCommit measures durable lease commits to the memfile on
// this machine's disk: each operation adds a lease and calls Sync, from many
// goroutines at once (as a server's workers would) or from one. It reports
// commits per second and fsyncs per commit.
func BenchmarkDurableCommit(b *testing.B) {
	for _, par := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", par*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			dir := b.TempDir()
			m, err := OpenMemfile(ctx, MemfileOptions{V4Path: filepath.Join(dir, "leases4.csv"), Persist: true, Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			var n atomic.Uint32
			b.ReportAllocs()
			b.SetParallelism(par)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				l := *lease4(0)
				for pb.Next() {
					i := n.Add(1)
					l.Addr = fromAddr4(0x0A000000 | i)
					if err := m.Add4(ctx, &l); err != nil {
						b.Error(err)
						return
					}
					if err := m.Sync(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
			elapsed := time.Since(start)
			st := m.Stats()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commits/s")
			b.ReportMetric(float64(st.Syncs)/float64(st.Rows), "fsyncs/commit")
		})
	}
}

// fillHeld marks a fraction of [first, last] held in the memfile's index of
// held addresses, scattered at random (the hardest case: as many runs as
// the fraction allows), without lease records, so that a /8 at 99% fits a
// benchmark's memory. The allocators see exactly what a store full of
// leases would show them.
func fillHeld(m *Memfile, first, last uint32, use float64) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := &m.t4.held
	*s = ivset[uint32]{}
	var ch []interval[uint32]
	flush := func() {
		if len(ch) > 0 {
			s.chunks = append(s.chunks, ch)
			s.mins = append(s.mins, ch[0].lo)
			ch = nil
		}
	}
	inRun := false
	for a := first; ; a++ {
		if rng.Float64() < use {
			s.count++
			if inRun {
				ch[len(ch)-1].hi = a
			} else {
				if len(ch) == ivChunkMax/2 {
					flush()
				}
				ch = append(ch, interval[uint32]{a, a})
				s.runs++
				inRun = true
			}
		} else {
			inRun = false
		}
		if a == last {
			break
		}
	}
	flush()
}

// BenchmarkAllocate4Slash8 allocates from 10.0.0.0/8 (16.7M addresses) at
// 0%, 50% and 99% use, with both allocators. Allocations are not leased, so
// the use stays put.
func BenchmarkAllocate4Slash8(b *testing.B) {
	pool, _ := NewPool4Prefix(netip.MustParsePrefix("10.0.0.0/8"))
	for _, use := range []float64{0, 0.5, 0.99} {
		m := memStore(b)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fillHeld(m, pool.first, pool.last, use)
		runtime.GC()
		runtime.ReadMemStats(&after)
		indexMiB := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / (1 << 20)
		for _, name := range []string{"iterative", "random"} {
			b.Run(fmt.Sprintf("use=%.0f%%/%s", use*100, name), func(b *testing.B) {
				a, _ := NewAllocator(name)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Allocate4(ctx, m, pool, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(m.t4.held.runs), "runs")
				b.ReportMetric(indexMiB, "indexMiB")
			})
		}
		m.t4.held = ivset[uint32]{} // let the next round's memory be measured alone
	}
}

// BenchmarkAllocate4Leased allocates and leases from a /16 that is 99% full
// of real leases, freeing one random lease per round so the use stays put:
// the whole path a server takes.
func BenchmarkAllocate4Leased(b *testing.B) {
	for _, name := range []string{"iterative", "random"} {
		b.Run(name, func(b *testing.B) {
			m := memStore(b)
			pool, _ := NewPool4Prefix(netip.MustParsePrefix("10.7.0.0/16"))
			rng := rand.New(rand.NewPCG(1, 2))
			for i := uint32(0); i < 65536; i++ {
				if rng.Float64() < 0.99 {
					l := Lease4{Addr: fromAddr4(pool.first + i), HWAddr: []byte{2, 0, 0, 0, byte(i >> 8), byte(i)},
						ValidLifetime: 3600, CLTT: 1700000000, SubnetID: 1}
					m.Add4(ctx, &l)
				}
			}
			a, _ := NewAllocator(name)
			l := Lease4{HWAddr: []byte{2, 1, 0, 0, 0, 0}, ValidLifetime: 3600, CLTT: 1700000000, SubnetID: 1}
			b.ReportAllocs()
			for b.Loop() {
				addr, err := a.Allocate4(ctx, m, pool, nil)
				if err != nil {
					b.Fatal(err)
				}
				l.Addr = addr
				if err := m.Add4(ctx, &l); err != nil {
					b.Fatal(err)
				}
				for {
					victim := fromAddr4(pool.first + rng.Uint32N(65536))
					if m.Delete4(ctx, victim) == nil {
						break
					}
				}
			}
		})
	}
}

// BenchmarkAllocatePD allocates /64s from a /48 PD pool at 99% use.
func BenchmarkAllocatePD(b *testing.B) {
	pool, _ := NewPDPool(netip.MustParsePrefix("2001:db8::/48"), 64)
	m := memStore(b)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := uint64(0); i < 65536; i++ {
		if rng.Float64() < 0.99 {
			l := Lease6{Type: TypePD, Addr: addrOfKey(pool.first.add(i), 64), PrefixLen: 64, DUID: []byte{1, byte(i)},
				IAID: uint32(i), ValidLifetime: 3600, SubnetID: 1}
			if err := m.Add6(ctx, &l); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, name := range []string{"iterative", "random"} {
		b.Run(name, func(b *testing.B) {
			a, _ := NewAllocator(name)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Allocate6(ctx, m, pool, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetAdd measures the in-memory cost of the store's hot calls with
// 100k leases; a Get allocates one slice for the hardware address and
// client id it hands out.
func BenchmarkGetAdd(b *testing.B) {
	m := memStore(b)
	addrs := make([]netip.Addr, 100000)
	for i := range addrs {
		l := lease4(i)
		m.Add4(ctx, l)
		addrs[i] = l.Addr
	}
	b.Run("Get4", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m.Get4(ctx, addrs[i%len(addrs)])
			i++
		}
	})
	b.Run("Get4ByHWAddr", func(b *testing.B) {
		l := lease4(5)
		b.ReportAllocs()
		for b.Loop() {
			m.Get4ByHWAddr(ctx, l.HWAddr, l.SubnetID)
		}
	})
	b.Run("Update4-renew", func(b *testing.B) {
		l := lease4(7)
		b.ReportAllocs()
		for b.Loop() {
			l.CLTT += 60
			m.Update4(ctx, l)
		}
	})
}

// TestMemoryPerLease loads 1M DHCPv4 leases and 1M DHCPv6 leases (typical
// fields: 6-byte MAC, 7-byte client id / 14-byte DUID, no hostname) and
// measures the live heap they take. The target for DHCPv4 is 250 bytes.
func TestMemoryPerLease(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("loads 1M leases; heap sizes under the race detector mean little")
	}
	const n = 1 << 20
	measure := func(fill func(m *Memfile)) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, err := OpenMemfile(ctx, MemfileOptions{Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		fill(m)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(m)
		return float64(after.HeapAlloc-before.HeapAlloc) / n
	}
	v4 := measure(func(m *Memfile) {
		l := Lease4{ValidLifetime: 3600, SubnetID: 1}
		for i := uint32(0); i < n; i++ {
			l.Addr = fromAddr4(0x0A000000 + i)
			l.HWAddr = []byte{2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
			l.ClientID = []byte{1, 2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
			l.CLTT = 1700000000 + int64(i%3600)
			if err := m.Add4(ctx, &l); err != nil {
				t.Fatal(err)
			}
		}
	})
	v6 := measure(func(m *Memfile) {
		l := Lease6{Type: TypeNA, PrefixLen: 128, ValidLifetime: 3600, PreferredLifetime: 3000, SubnetID: 1, HWType: 1}
		base := u128Of(netip.MustParseAddr("2001:db8:1::"))
		for i := uint32(0); i < n; i++ {
			l.Addr = base.add(uint64(i)).addr()
			l.DUID = []byte{0, 1, 0, 1, 0x32, 0x99, 0x4f, 0x6e, 2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
			l.HWAddr = l.DUID[8:]
			l.IAID = i
			l.CLTT = 1700000000 + int64(i%3600)
			if err := m.Add6(ctx, &l); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Logf("heap per lease with 1M leases: DHCPv4 %.0f bytes, DHCPv6 %.0f bytes", v4, v6)
	if v4 > 250 {
		t.Errorf("DHCPv4 lease takes %.0f bytes, target 250", v4)
	}
}

// writeLeases makes a v4 lease file of n leases (each added, then renewed
// once, so the file has 2n rows) and returns its directory.
func writeLeases(b *testing.B, n int) string {
	dir := b.TempDir()
	m, err := OpenMemfile(ctx, MemfileOptions{V4Path: filepath.Join(dir, "leases4.csv"), Persist: true, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m.Add4(ctx, lease4(i))
	}
	for i := 0; i < n; i++ {
		l := lease4(i)
		l.CLTT += 1800
		m.Update4(ctx, l)
	}
	if err := m.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad100k opens a lease file of 100k leases (200k rows).
func BenchmarkLoad100k(b *testing.B) {
	dir := writeLeases(b, 100000)
	b.ReportAllocs()
	for b.Loop() {
		m, err := OpenMemfile(ctx, MemfileOptions{V4Path: filepath.Join(dir, "leases4.csv"), Persist: true, Logger: quietLogger()})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/200000, "ns/row")
}

// BenchmarkCompactUnderLoad compacts a file of 100k leases (200k rows)
// while a writer adds and syncs leases, and reports the writer's longest
// Add4 and Sync during compactions next to the same over an equal stretch of
// time without compaction: compaction must not hold writers up for the
// length of the rewrite.
func BenchmarkCompactUnderLoad(b *testing.B) {
	dir := writeLeases(b, 100000)
	m, err := OpenMemfile(ctx, MemfileOptions{V4Path: filepath.Join(dir, "leases4.csv"), Persist: true, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	// writer adds and syncs until stop closes and returns its worst latencies.
	writer := func(from int, stop <-chan struct{}) (maxAdd, maxSync time.Duration) {
		for i := from; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			t0 := time.Now()
			m.Add4(ctx, lease4(i))
			t1 := time.Now()
			m.Sync(ctx)
			t2 := time.Now()
			maxAdd, maxSync = max(maxAdd, t1.Sub(t0)), max(maxSync, t2.Sub(t1))
		}
	}
	type worst struct{ add, sync time.Duration }
	run := func(from int, work func()) worst {
		stop, res := make(chan struct{}), make(chan worst)
		go func() {
			a, s := writer(from, stop)
			res <- worst{a, s}
		}()
		work()
		close(stop)
		return <-res
	}
	var compacting, idle worst
	var total time.Duration
	round := 0
	for b.Loop() {
		round++
		t0 := time.Now()
		w := run(200000*round, func() {
			if err := m.Compact(ctx); err != nil {
				b.Error(err)
			}
		})
		d := time.Since(t0)
		total += d
		v := run(200000*round+100000, func() { time.Sleep(d) })
		compacting = worst{max(compacting.add, w.add), max(compacting.sync, w.sync)}
		idle = worst{max(idle.add, v.add), max(idle.sync, v.sync)}
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) }
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/compaction")
	b.ReportMetric(us(compacting.add), "maxAdd-µs")
	b.ReportMetric(us(compacting.sync), "maxSync-µs")
	b.ReportMetric(us(idle.add), "idleMaxAdd-µs")
	b.ReportMetric(us(idle.sync), "idleMaxSync-µs")
}
