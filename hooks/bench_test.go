package hooks

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// BenchmarkUnusedPoint is what a server pays at a point no library handles:
// the Enabled check (target ≤ 5 ns, 0 allocs).
func BenchmarkUnusedPoint(b *testing.B) {
	l := &fakeLib{name: "l", reg: Registration{Pkt4Receive: Sync}}
	m := newManager(b, linked(l))
	for _, bm := range []struct {
		name string
		m    *Manager
	}{{"loaded", m}, {"nil", nil}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if bm.m.Enabled(Pkt4Send) {
					n++
				}
			}
			if n != 0 {
				b.Fatal("unused point reported enabled")
			}
		})
	}
}

// BenchmarkInProcessCallout is one synchronous in-process callout through
// the Manager, with the snapshot and validation of its changes.
func BenchmarkInProcessCallout(b *testing.B) {
	l := &fakeLib{name: "l", reg: Registration{Pkt4Receive: Sync}}
	m := newManager(b, linked(l))
	a := &Args{Query: packet4(1, 1, 1)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if m.Call(ctx, Pkt4Receive, a) != Continue {
			b.Fatal("unexpected step")
		}
	}
}

// BenchmarkPluginRoundTrip is one synchronous callout to a real plugin
// process, reported as p50/p99 of the single round trip. Pin to one core
// with `taskset -c 0 go test -bench PluginRoundTrip` to compare.
func BenchmarkPluginRoundTrip(b *testing.B) {
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			m := newManager(b, pluginConfig(b, `{"sync": ["pkt4_receive"]}`, LibrarySettings{GRPCStream: tr.grpc, Deadline: time.Second}))
			q := packet4(1, 1, 1)
			q = append(q[:len(q)-1], make([]byte, 300-len(q))...) // a typical DISCOVER's size
			a := &Args{Query: q}
			ctx := context.Background()
			for range 200 { // warm up both processes
				m.Call(ctx, Pkt4Receive, a)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				m.Call(ctx, Pkt4Receive, a)
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			if st := m.Stats()[0]; st.Errors != 0 {
				b.Fatalf("%d calls failed", st.Errors)
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		})
	}
}

// BenchmarkObserverThroughput pushes leases4_committed events to an
// observe-only plugin with back-pressure (no loss) and counts what reaches
// the plugin's socket per second, the drain at the end included.
func BenchmarkObserverThroughput(b *testing.B) {
	m, err := New(context.Background(), pluginConfig(b, `{"observe": ["leases4_committed"]}`,
		LibrarySettings{ObserverBlock: true, Deadline: 10 * time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	a := &Args{Query: packet4(1, 1, 3), Response: packet4(2, 1, 5), Leases4: []lease.Lease4{*testLease4()}, DeletedLeases4: []lease.Lease4{}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		m.Call(ctx, Leases4Committed, a)
	}
	lib := m.state.Load().libs[0]
	lib.obs.close(ctx)
	elapsed := time.Since(start)
	b.StopTimer()
	if lost := lib.lost.Load(); lost != 0 {
		b.Fatalf("%d events lost with back-pressure on", lost)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	_ = m.Close(ctx)
}
