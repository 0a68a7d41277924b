package lease

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"testing"
	"time"
)

// TestTableModel4 applies random adds, updates (changing any field) and
// deletes, and checks every query against a brute-force model, so that the
// partial index updates of table4.update can be trusted.
func TestTableModel4(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	m := memStore(t)
	model := map[netip.Addr]Lease4{}
	randLease := func() Lease4 {
		l := Lease4{
			Addr:          netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(64))}),
			ValidLifetime: []uint32{10, 100, 3600, InfiniteLifetime}[rng.IntN(4)],
			CLTT:          1000 + int64(rng.IntN(200)),
			SubnetID:      uint32(1 + rng.IntN(2)),
			PoolID:        uint32(rng.IntN(2)),
			State:         State(rng.IntN(3)),
		}
		if rng.IntN(4) > 0 {
			l.HWAddr = []byte{2, 0, 0, 0, 0, byte(rng.IntN(8))}
		}
		if rng.IntN(2) > 0 {
			l.ClientID = []byte{1, byte(rng.IntN(8))}
		}
		if rng.IntN(3) == 0 {
			l.Hostname = fmt.Sprintf("h%d", rng.IntN(5))
		}
		return l
	}
	for step := 0; step < 5000; step++ {
		l := randLease()
		_, exists := model[l.Addr]
		switch op := rng.IntN(10); {
		case op < 4:
			err := m.Add4(ctx, &l)
			if old, ok := model[l.Addr]; ok && old.State.held() {
				if err == nil {
					t.Fatalf("step %d: Add4 over a held lease succeeded", step)
				}
			} else if err != nil {
				t.Fatalf("step %d: Add4: %v", step, err)
			} else {
				model[l.Addr] = l
			}
		case op < 8:
			if err := m.Update4(ctx, &l); (err == nil) != exists {
				t.Fatalf("step %d: Update4: %v (exists %v)", step, err, exists)
			}
			if exists {
				model[l.Addr] = l
			}
		default:
			if err := m.Delete4(ctx, l.Addr); (err == nil) != exists {
				t.Fatalf("step %d: Delete4: %v", step, err)
			}
			delete(model, l.Addr)
		}
		if step%50 == 0 {
			checkModel4(t, m, model, step)
		}
	}
	checkModel4(t, m, model, -1)
}

func checkModel4(t *testing.T, m *Memfile, model map[netip.Addr]Lease4, step int) {
	t.Helper()
	if m.Len4() != len(model) {
		t.Fatalf("step %d: %d leases, model %d", step, m.Len4(), len(model))
	}
	best := map[string]Lease4{} // by "hw|subnet" and "cid|subnet"
	better := func(a, b Lease4) bool {
		if a.State.held() != b.State.held() {
			return a.State.held()
		}
		return a.Expire() > b.Expire()
	}
	counts := map[countKey]uint64{}
	for _, l := range model {
		got, err := m.Get4(ctx, l.Addr)
		if err != nil || !equal4(&got, &l) {
			t.Fatalf("step %d: Get4(%v) = %+v, %v; want %+v", step, l.Addr, got, err, l)
		}
		for _, k := range []string{fmt.Sprintf("hw%x|%d", l.HWAddr, l.SubnetID), fmt.Sprintf("cid%x|%d", l.ClientID, l.SubnetID)} {
			if b, ok := best[k]; !ok || better(l, b) {
				best[k] = l
			}
		}
		counts[countKey{l.SubnetID, l.PoolID, TypeNA, l.State}]++
	}
	for k, want := range best {
		var got Lease4
		var err error
		var key []byte
		if k[:2] == "hw" {
			key = want.HWAddr
			got, err = m.Get4ByHWAddr(ctx, key, want.SubnetID)
		} else {
			key = want.ClientID
			got, err = m.Get4ByClientID(ctx, key, want.SubnetID)
		}
		if len(key) == 0 {
			continue
		}
		if err != nil || got.State.held() != want.State.held() || got.Expire() != want.Expire() {
			t.Fatalf("step %d: lookup %s = %v, %v; want %v", step, k, got.Addr, err, want.Addr)
		}
	}
	gotCounts, _ := m.Counts4(ctx)
	if len(gotCounts) != len(counts) {
		t.Fatalf("step %d: %d count rows, model %d", step, len(gotCounts), len(counts))
	}
	for _, c := range gotCounts {
		if counts[countKey{c.SubnetID, c.PoolID, c.Type, c.State}] != c.N {
			t.Fatalf("step %d: count %+v, model %d", step, c, counts[countKey{c.SubnetID, c.PoolID, c.Type, c.State}])
		}
	}
	for _, now := range []int64{1005, 1100, 1250, 5000} {
		var want []string
		for _, l := range model {
			if l.State.held() && l.Expired(now) {
				want = append(want, l.Addr.String())
			}
		}
		got, _ := m.Expired4(ctx, time.Unix(now, 0), 0)
		var gs []string
		for i, l := range got {
			gs = append(gs, l.Addr.String())
			if i > 0 && got[i-1].Expire() > l.Expire() {
				t.Fatalf("step %d: Expired4 not oldest first", step)
			}
		}
		sort.Strings(want)
		sort.Strings(gs)
		if fmt.Sprint(gs) != fmt.Sprint(want) {
			t.Fatalf("step %d: Expired4(%d) = %v, want %v", step, now, gs, want)
		}
	}
	for from := 0; from < 64; from += 7 {
		want, wantOK := netip.Addr{}, false
		for a := from; a < 64; a++ {
			addr := netip.AddrFrom4([4]byte{10, 0, 0, byte(a)})
			if l, ok := model[addr]; !ok || !l.State.held() {
				want, wantOK = addr, true
				break
			}
		}
		got, ok, _ := m.NextFree4(ctx, netip.AddrFrom4([4]byte{10, 0, 0, byte(from)}), netip.MustParseAddr("10.0.0.63"))
		if ok != wantOK || got != want {
			t.Fatalf("step %d: NextFree4 from %d = %v %v, want %v %v", step, from, got, ok, want, wantOK)
		}
	}
}

// TestTableModel6 does the same, more briefly, for DHCPv6.
func TestTableModel6(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	m := memStore(t)
	model := map[netip.Addr]Lease6{}
	for step := 0; step < 3000; step++ {
		l := Lease6{
			Type: Type(rng.IntN(3)), DUID: []byte{0, 1, byte(rng.IntN(6))}, IAID: uint32(rng.IntN(3)),
			ValidLifetime: []uint32{10, 100, InfiniteLifetime}[rng.IntN(3)], CLTT: 1000 + int64(rng.IntN(200)),
			SubnetID: uint32(1 + rng.IntN(2)), State: State(rng.IntN(3)), PrefixLen: 128,
		}
		if l.Type == TypePD {
			l.PrefixLen = uint8(56 + 8*rng.IntN(2))
			l.Addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 6: byte(rng.IntN(32))})
		} else {
			l.Addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(rng.IntN(32))})
		}
		old, exists := model[l.Addr]
		switch op := rng.IntN(10); {
		case op < 4:
			err := m.Add6(ctx, &l)
			if exists && old.State.held() {
				if err == nil {
					t.Fatalf("step %d: Add6 over a held lease succeeded", step)
				}
			} else if err != nil {
				t.Fatalf("step %d: Add6: %v", step, err)
			} else {
				model[l.Addr] = l
			}
		case op < 8:
			ok := exists && old.Type == l.Type
			if err := m.Update6(ctx, &l); (err == nil) != ok {
				t.Fatalf("step %d: Update6: %v (exists %v)", step, err, ok)
			}
			if ok {
				model[l.Addr] = l
			}
		default:
			ok := exists && old.Type == l.Type
			if err := m.Delete6(ctx, l.Type, l.Addr); (err == nil) != ok {
				t.Fatalf("step %d: Delete6: %v", step, err)
			}
			if ok {
				delete(model, l.Addr)
			}
		}
		if step%50 != 0 {
			continue
		}
		ia := map[string]int{}
		for _, l := range model {
			got, err := m.Get6(ctx, l.Type, l.Addr)
			if err != nil || !equal6(&got, &l) {
				t.Fatalf("step %d: Get6 = %+v, %v; want %+v", step, got, err, l)
			}
			ia[fmt.Sprintf("%d|%x|%d|%d", l.Type, l.DUID, l.IAID, l.SubnetID)]++
		}
		for k, n := range ia {
			var ty Type
			var duid []byte
			var iaid, subnet uint32
			fmt.Sscanf(k, "%d|%x|%d|%d", &ty, &duid, &iaid, &subnet)
			if got, _ := m.Get6ByDUID(ctx, ty, duid, iaid, subnet); len(got) != n {
				t.Fatalf("step %d: Get6ByDUID(%s) = %d leases, want %d", step, k, len(got), n)
			}
		}
		for _, plen := range []uint8{56, 64, 128} {
			first := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0x80})
			last := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 31})
			if plen == 128 {
				first, last = netip.MustParseAddr("2001:db8::"), netip.MustParseAddr("2001:db8::1f")
			}
			got, ok, _ := m.NextFree6(ctx, first, last, plen)
			want, wantOK := netip.Addr{}, false
			for k := keyOf(first, plen); !keyOf(last, plen).less(k); k = k.add(1) {
				a := addrOfKey(k, plen)
				if l, ok := model[a]; !ok || !l.State.held() || l.PrefixLen != plen {
					want, wantOK = a, true
					break
				}
			}
			if ok != wantOK || got != want {
				t.Fatalf("step %d: NextFree6 /%d = %v %v, want %v %v", step, plen, got, ok, want, wantOK)
			}
		}
	}
}
