package lease

import (
	"errors"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentUse runs writers, readers, syncs and compactions at once
// (run it with -race), then checks that the files load to what the store
// held.
func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, nil)
	const writers, ops = 6, 300
	var wg sync.WaitGroup
	var stop atomic.Bool
	errc := make(chan error, 64)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < ops; i++ {
				n := w*ops + i
				l := lease4(n)
				if err := m.Add4(ctx, l); err != nil {
					fail(err)
					return
				}
				l6 := lease6(n, Type(n%3))
				if err := m.Add6(ctx, l6); err != nil {
					fail(err)
					return
				}
				switch i % 5 {
				case 1:
					l.State = StateExpiredReclaimed
					if err := m.Update4(ctx, l); err != nil {
						fail(err)
					}
				case 2:
					if err := m.Delete4(ctx, l.Addr); err != nil {
						fail(err)
					}
					if err := m.Delete6(ctx, l6.Type, l6.Addr); err != nil {
						fail(err)
					}
				}
				if i%7 == 0 {
					if err := m.Sync(ctx); err != nil {
						fail(err)
					}
				}
			}
		}(w)
	}
	var bg sync.WaitGroup
	bg.Add(2)
	go func() {
		defer bg.Done()
		now := time.Unix(1700000500, 0)
		for !stop.Load() {
			n := int(time.Now().UnixNano() % (writers * ops))
			if l, err := m.Get4(ctx, lease4(n).Addr); err == nil {
				l.HWAddr[0] ^= 0xff // owned by the reader
			}
			m.Get4ByHWAddr(ctx, lease4(n).HWAddr, lease4(n).SubnetID)
			m.Get6ByDUID(ctx, TypeNA, lease6(n, TypeNA).DUID, uint32(n), 1)
			m.Expired4(ctx, now, 10)
			m.Expired6(ctx, now, 10)
			m.Counts4(ctx)
			m.NextFree4(ctx, netip.MustParseAddr("10.0.0.0"), netip.MustParseAddr("10.0.255.255"))
		}
	}()
	go func() {
		defer bg.Done()
		for !stop.Load() {
			if err := m.Compact(ctx); err != nil {
				fail(err)
				return
			}
		}
	}()
	wg.Wait()
	stop.Store(true)
	bg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want4, want6 := snapshot4(m), snapshot6(m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, nil)
	if got := snapshot4(r); strings.Join(got, "") != strings.Join(want4, "") {
		t.Errorf("v4: %d leases after reopen, want %d", len(got), len(want4))
	}
	if got := snapshot6(r); strings.Join(got, "") != strings.Join(want6, "") {
		t.Errorf("v6: %d leases after reopen, want %d", len(got), len(want6))
	}
	if st := m.Stats(); st.Compactions == 0 {
		t.Error("no compaction ran during the test")
	}
	if _, err := m.Get4(ctx, netip.MustParseAddr("10.0.0.1")); err != nil && !errors.Is(err, ErrNotFound) {
		t.Error(err)
	}
}
