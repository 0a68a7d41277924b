package hooks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

func committedEvent(i int) *Args {
	l := testLease4()
	l.CLTT = int64(i)
	return &Args{Leases4: []lease.Lease4{*l}, DeletedLeases4: []lease.Lease4{}}
}

// observe-buffer bounds the events in flight to a plugin that stopped
// handling them, those in the socket and in the plugin's buffers included:
// with a buffer of 8 and a plugin stuck in its first callout, 8 events get
// through and the rest are lost, however slowly they come. A plugin built
// before acknowledgements (the host does not ask for them) is bounded by
// the socket's buffers instead: everything fits in them here.
func TestPluginObserverInFlightBounded(t *testing.T) {
	const n, buffer = 100, 8
	for _, tr := range transports {
		for _, acks := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/acks=%v", tr.name, acks), func(t *testing.T) {
				dir := t.TempDir()
				rec, gate := filepath.Join(dir, "events"), filepath.Join(dir, "gate")
				m := newManager(t, pluginConfig(t,
					fmt.Sprintf(`{"observe": ["leases4_committed"], "record": %q, "observe-wait-file": %q}`, rec, gate),
					LibrarySettings{ObserverBuffer: buffer, GRPCStream: tr.grpc, noEventAcks: !acks}))
				q := m.state.Load().libs[0].obs
				for i := range n {
					m.Call(context.Background(), Leases4Committed, committedEvent(i))
					time.Sleep(2 * time.Millisecond) // slow enough for each to be written
				}
				lost := int(m.Stats()[0].ObserverLost)
				switch {
				case acks && lost != n-buffer:
					t.Errorf("lost %d events, want %d: more than the buffer was in flight", lost, n-buffer)
				case acks && q.inFlight() != buffer:
					t.Errorf("%d events in flight, want %d", q.inFlight(), buffer)
				case !acks && lost != 0:
					t.Errorf("lost %d events to a plugin that does not acknowledge, want 0", lost)
				}
				if err := os.WriteFile(gate, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "the events to be handled", 10*time.Second, func() bool { return len(readCLTTs(t, rec)) == n-lost })
				got := readCLTTs(t, rec)
				for i := 1; i < len(got); i++ {
					if got[i] <= got[i-1] {
						t.Fatalf("events out of order: %d after %d", got[i], got[i-1])
					}
				}
				waitFor(t, "the credits to come back", 5*time.Second, func() bool { return q.inFlight() == 0 })
			})
		}
	}
}

// Events that come together go to the plugin together: many per write,
// in order.
func TestPluginObserverBatches(t *testing.T) {
	const n = 64
	rec := filepath.Join(t.TempDir(), "events")
	m := newManager(t, pluginConfig(t, fmt.Sprintf(`{"observe": ["leases4_committed"], "record": %q}`, rec), LibrarySettings{}))
	for i := range n {
		m.Call(context.Background(), Leases4Committed, committedEvent(i))
	}
	waitFor(t, "the events to be handled", 10*time.Second, func() bool { return len(readCLTTs(t, rec)) == n })
	for i, c := range readCLTTs(t, rec) {
		if c != int64(i) {
			t.Fatalf("event %d has cltt %d: out of order", i, c)
		}
	}
	writes := m.state.Load().libs[0].lib.(*pluginLib).cur.Load().evSock.writes.Load()
	if writes > n/4 {
		t.Errorf("%d events took %d writes, want at most %d", n, writes, n/4)
	}
	t.Logf("%d events in %d writes", n, writes)
}
