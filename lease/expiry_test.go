package lease

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

func TestExpired4(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	const now = 1700001000
	add := func(i int, cltt int64, valid uint32, state State) {
		l := lease4(i)
		l.CLTT, l.ValidLifetime, l.State = cltt, valid, state
		if state == StateDeclined {
			l.HWAddr, l.ClientID = nil, nil // as a server declines
		}
		if err := m.Add4(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	add(1, now-100, 50, StateDefault)                 // expired 50 s ago
	add(2, now-3000, 100, StateDefault)               // expired long ago: first
	add(3, now-10, 100, StateDefault)                 // still valid
	add(4, now-100, 20, StateDeclined)                // probation over: expired too
	add(5, now-10, 20, StateDeclined)                 // still in probation
	add(6, now-5000, 10, StateExpiredReclaimed)       // reclaimed: never again
	add(7, now-10000, InfiniteLifetime, StateDefault) // infinite
	add(8, now-1, 1, StateDefault)                    // expires exactly now: not yet
	add(9, now-1000, 10, StateDefault)                // expired
	add(10, now-1000+expiryGrain*3, 10, StateDefault) // expired, a few buckets later
	want := []int{2, 9, 10, 4, 1}
	got, err := m.Expired4(ctx, time.Unix(now, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(addrs4(got)) != fmt.Sprint(addrsOf(want)) {
		t.Errorf("Expired4 = %v, want %v", addrs4(got), addrsOf(want))
	}
	got, _ = m.Expired4(ctx, time.Unix(now, 0), 2)
	if fmt.Sprint(addrs4(got)) != fmt.Sprint(addrsOf(want[:2])) {
		t.Errorf("Expired4 max 2 = %v, want %v", addrs4(got), addrsOf(want[:2]))
	}
	// Reclaiming one takes it off the list and onto the flush list.
	l := got[0]
	l.State = StateExpiredReclaimed
	if err := m.Update4(ctx, &l); err != nil {
		t.Fatal(err)
	}
	got, _ = m.Expired4(ctx, time.Unix(now, 0), 0)
	if len(got) != 4 {
		t.Errorf("%d expired after reclaiming one, want 4", len(got))
	}
	// A renewal moves a lease out of the expired set.
	r := lease4(9)
	r.CLTT = now
	m.Update4(ctx, r)
	if got, _ = m.Expired4(ctx, time.Unix(now, 0), 0); len(got) != 3 {
		t.Errorf("%d expired after renewing one, want 3", len(got))
	}
	// Flush reclaimed leases that expired before now-2000: leases 2 and 6.
	n, err := m.DeleteReclaimed4(ctx, time.Unix(now-2000, 0))
	if err != nil || n != 2 {
		t.Errorf("DeleteReclaimed4 = %d, %v; want 2", n, err)
	}
	if _, err := m.Get4(ctx, lease4(6).Addr); err == nil {
		t.Error("flushed lease still there")
	}
	counts, _ := m.Counts4(ctx)
	total := uint64(0)
	for _, c := range counts {
		total += c.N
	}
	if total != uint64(m.Len4()) || m.Len4() != 8 {
		t.Errorf("counts %+v for %d leases", counts, m.Len4())
	}
}

func TestExpired6(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	const now = 1700001000
	for i, ty := range []Type{TypeNA, TypeTA, TypePD} {
		l := lease6(i, ty)
		l.CLTT, l.ValidLifetime = now-int64(100*(3-i)), 10
		if err := m.Add6(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	l := lease6(5, TypeNA)
	l.CLTT = now
	m.Add6(ctx, l)
	got, err := m.Expired6(ctx, time.Unix(now, 0), 0)
	if err != nil || len(got) != 3 || got[0].Type != TypeNA || got[2].Type != TypePD {
		t.Errorf("Expired6 = %+v, %v", got, err)
	}
	for _, g := range got {
		g.State = StateExpiredReclaimed
		m.Update6(ctx, &g)
	}
	if n, _ := m.DeleteReclaimed6(ctx, time.Unix(now, 0)); n != 3 {
		t.Errorf("DeleteReclaimed6 removed %d, want 3", n)
	}
	if m.Len6() != 1 {
		t.Errorf("%d leases left, want 1", m.Len6())
	}
}

func TestCounts(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	for i := 0; i < 9; i++ {
		l := lease4(i) // subnets 1, 2, 3 in turn
		l.State = State(i / 3 % 3)
		m.Add4(ctx, l)
	}
	got, _ := m.Counts4(ctx)
	want := "[{1 1 IA_NA default 1} {1 1 IA_NA declined 1} {1 1 IA_NA expired-reclaimed 1} " +
		"{2 1 IA_NA default 1} {2 1 IA_NA declined 1} {2 1 IA_NA expired-reclaimed 1} " +
		"{3 1 IA_NA default 1} {3 1 IA_NA declined 1} {3 1 IA_NA expired-reclaimed 1}]"
	if fmt.Sprint(got) != want {
		t.Errorf("Counts4 = %v, want %s", got, want)
	}
	m.Delete4(ctx, lease4(0).Addr)
	got, _ = m.Counts4(ctx)
	if fmt.Sprint(got[0]) != "{1 1 IA_NA declined 1}" {
		t.Errorf("after a delete Counts4 = %v", got)
	}
}

func TestPoolIDColumn(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, func(o *MemfileOptions) { o.PoolIDColumn = true })
	l := lease4(1)
	l.PoolID = 42
	m.Add4(ctx, l)
	l6 := lease6(1, TypePD)
	l6.PoolID = 43
	m.Add6(ctx, l6)
	m.Close()
	if h := readLines(t, filepath.Join(dir, "leases4.csv"))[0]; h != header4+poolIDColumn {
		t.Errorf("header %q", h)
	}
	r := openTest(t, dir, func(o *MemfileOptions) { o.PoolIDColumn = true })
	if got, _ := r.Get4(ctx, l.Addr); got.PoolID != 42 {
		t.Errorf("v4 pool id %d after reopen, want 42", got.PoolID)
	}
	if got, _ := r.Get6(ctx, TypePD, l6.Addr); got.PoolID != 43 {
		t.Errorf("v6 pool id %d after reopen, want 43", got.PoolID)
	}
}

func addrs4(ls []Lease4) []netip.Addr {
	var out []netip.Addr
	for _, l := range ls {
		out = append(out, l.Addr)
	}
	return out
}

func addrsOf(is []int) []netip.Addr {
	var out []netip.Addr
	for _, i := range is {
		out = append(out, lease4(i).Addr)
	}
	return out
}
