package lease

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var ctx = context.Background()

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// logTo returns a logger writing text records into buf.
func logTo(buf *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }

func openTest(t *testing.T, dir string, mod func(*MemfileOptions)) *Memfile {
	t.Helper()
	o := MemfileOptions{
		V4Path: filepath.Join(dir, "leases4.csv"), V6Path: filepath.Join(dir, "leases6.csv"),
		Persist: true, Logger: quietLogger(),
	}
	if mod != nil {
		mod(&o)
	}
	m, err := OpenMemfile(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func lease4(i int) *Lease4 {
	return &Lease4{
		Addr:          netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}),
		HWAddr:        []byte{2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)},
		ClientID:      []byte{1, 2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)},
		ValidLifetime: 3600, CLTT: 1700000000 + int64(i%1000), SubnetID: 1 + uint32(i%3), PoolID: 1,
	}
}

func lease6(i int, t Type) *Lease6 {
	l := &Lease6{
		Type: t, DUID: []byte{0, 3, 0, 1, 2, 0, byte(i >> 8), byte(i)}, IAID: uint32(i),
		ValidLifetime: 4000, PreferredLifetime: 3000, CLTT: 1700000000 + int64(i), SubnetID: 1,
		HWAddr: []byte{2, 0, 0, 0, byte(i >> 8), byte(i)}, HWType: 1, HWAddrSource: 2, PrefixLen: 128,
	}
	if t == TypePD {
		l.Addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0x80, 0, byte(i >> 8), byte(i)})
		l.PrefixLen = 64
	} else {
		l.Addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 14: byte(i >> 8), 15: byte(i)})
	}
	return l
}

// snapshot4 lists a store's v4 leases as rows, sorted, for comparing stores.
// Pool ids are left out: Kea 2.2's format does not keep them.
func snapshot4(m *Memfile) []string {
	var out []string
	m.Each4(func(l *Lease4) bool {
		out = append(out, string(appendRow4(nil, l, false)))
		return true
	})
	sort.Strings(out)
	return out
}

func snapshot6(m *Memfile) []string {
	var out []string
	m.Each6(func(l *Lease6) bool {
		out = append(out, string(appendRow6(nil, l, false)))
		return true
	})
	sort.Strings(out)
	return out
}

func TestMemfileCRUD4(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	l := lease4(1)
	l.Hostname, l.UserContext = "host,one", `{"a": "b,c"}`
	if err := m.Add4(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := m.Add4(ctx, l); !errors.Is(err, ErrExists) {
		t.Fatalf("second Add4: %v, want ErrExists", err)
	}
	got, err := m.Get4(ctx, l.Addr)
	if err != nil || !equal4(&got, l) {
		t.Fatalf("Get4 = %+v, %v", got, err)
	}
	// The caller owns what it gets: scribbling on it changes nothing.
	got.HWAddr[0], got.ClientID[0] = 0xff, 0xff
	again, _ := m.Get4(ctx, l.Addr)
	if !equal4(&again, l) {
		t.Fatal("a returned lease aliases the store")
	}
	// And the store owns what it was given.
	l.HWAddr[5] = 0x99
	if again, _ := m.Get4(ctx, l.Addr); again.HWAddr[5] == 0x99 {
		t.Fatal("the store aliases the caller's lease")
	}
	l.HWAddr[5] = 1
	if got, err := m.Get4ByHWAddr(ctx, l.HWAddr, l.SubnetID); err != nil || got.Addr != l.Addr {
		t.Fatalf("Get4ByHWAddr = %v, %v", got.Addr, err)
	}
	if _, err := m.Get4ByHWAddr(ctx, l.HWAddr, l.SubnetID+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get4ByHWAddr in another subnet: %v", err)
	}
	if got, err := m.Get4ByClientID(ctx, l.ClientID, l.SubnetID); err != nil || got.Addr != l.Addr {
		t.Fatalf("Get4ByClientID = %v, %v", got.Addr, err)
	}
	l.Hostname = "renamed"
	if err := m.Update4(ctx, l); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Get4(ctx, l.Addr); got.Hostname != "renamed" {
		t.Fatalf("after Update4 hostname %q", got.Hostname)
	}
	if err := m.Update4(ctx, lease4(2)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Update4 of a missing lease: %v", err)
	}
	// A reclaimed lease does not hold its address: Add replaces it.
	l.State = StateExpiredReclaimed
	if err := m.Update4(ctx, l); err != nil {
		t.Fatal(err)
	}
	l2 := lease4(1)
	l2.HWAddr = []byte{9, 9, 9, 9, 9, 9}
	if err := m.Add4(ctx, l2); err != nil {
		t.Fatalf("Add4 over a reclaimed lease: %v", err)
	}
	if _, err := m.Get4ByHWAddr(ctx, l.HWAddr, l.SubnetID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old hardware address still indexed: %v", err)
	}
	if err := m.Delete4(ctx, l.Addr); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete4(ctx, l.Addr); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete4: %v", err)
	}
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*Lease4{
		{Addr: netip.MustParseAddr("2001:db8::1")},
		{Addr: netip.MustParseAddr("192.0.2.1"), UserContext: "not json"},
		{Addr: netip.MustParseAddr("192.0.2.1"), HWAddr: make([]byte, 65)},
	} {
		if err := m.Add4(ctx, bad); err == nil {
			t.Errorf("Add4(%+v) accepted", bad)
		}
	}
}

func TestMemfileCRUD6(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	na, pd := lease6(1, TypeNA), lease6(1, TypePD)
	for _, l := range []*Lease6{na, pd} {
		if err := m.Add6(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Get6(ctx, TypePD, na.Addr); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get6 with the wrong type: %v", err)
	}
	got, err := m.Get6(ctx, TypePD, pd.Addr)
	if err != nil || !equal6(&got, pd) {
		t.Fatalf("Get6 = %+v, %v", got, err)
	}
	ia, err := m.Get6ByDUID(ctx, TypeNA, na.DUID, na.IAID, na.SubnetID)
	if err != nil || len(ia) != 1 || ia[0].Addr != na.Addr {
		t.Fatalf("Get6ByDUID = %v, %v", ia, err)
	}
	second := lease6(2, TypeNA)
	second.DUID, second.IAID = na.DUID, na.IAID
	if err := m.Add6(ctx, second); err != nil {
		t.Fatal(err)
	}
	if ia, _ := m.Get6ByDUID(ctx, TypeNA, na.DUID, na.IAID, na.SubnetID); len(ia) != 2 {
		t.Fatalf("an IA with two addresses gave %d leases", len(ia))
	}
	if ia, _ := m.Get6ByDUID(ctx, TypeTA, na.DUID, na.IAID, na.SubnetID); len(ia) != 0 {
		t.Fatalf("wrong type matched %d leases", len(ia))
	}
	if err := m.Delete6(ctx, TypeNA, pd.Addr); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete6 with the wrong type: %v", err)
	}
	if err := m.Delete6(ctx, TypePD, pd.Addr); err != nil {
		t.Fatal(err)
	}
	bad := lease6(3, TypePD)
	bad.Addr = netip.MustParseAddr("2001:db8:8000:3::1")
	if err := m.Add6(ctx, bad); err == nil {
		t.Error("accepted a delegated prefix with host bits set")
	}
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestReopen writes leases of every kind, reopens the files, and expects the
// same leases back.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, nil)
	for i := 0; i < 300; i++ {
		if err := m.Add4(ctx, lease4(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		l := lease4(i)
		l.CLTT += 100
		l.Hostname = fmt.Sprintf("h%d,x\n", i)
		if err := m.Update4(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	for i := 100; i < 150; i++ {
		if err := m.Delete4(ctx, lease4(i).Addr); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i++ {
		for _, ty := range []Type{TypeNA, TypePD} {
			if err := m.Add6(ctx, lease6(i, ty)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := m.Delete6(ctx, TypeNA, lease6(7, TypeNA).Addr); err != nil {
		t.Fatal(err)
	}
	want4, want6 := snapshot4(m), snapshot6(m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Add4(ctx, lease4(999)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add4 after Close: %v", err)
	}
	r := openTest(t, dir, nil)
	if got := snapshot4(r); strings.Join(got, "") != strings.Join(want4, "") {
		t.Errorf("v4 after reopen: %d leases, want %d", len(got), len(want4))
	}
	if got := snapshot6(r); strings.Join(got, "") != strings.Join(want6, "") {
		t.Errorf("v6 after reopen: %d leases, want %d", len(got), len(want6))
	}
	if r.Len4() != 250 || r.Len6() != 99 {
		t.Errorf("reopened with %d v4 and %d v6 leases, want 250 and 99", r.Len4(), r.Len6())
	}
}

func TestPersistFalse(t *testing.T) {
	dir := t.TempDir()
	m, err := OpenMemfile(ctx, MemfileOptions{V4Path: filepath.Join(dir, "l4.csv"), Persist: false, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Add4(ctx, lease4(1)); err != nil {
		t.Fatal(err)
	}
	if err := m.Add6(ctx, lease6(1, TypeNA)); err != nil {
		t.Fatal(err)
	}
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("persist=false wrote %d files", len(entries))
	}
	if s := m.Stats(); s.Rows != 0 || s.Syncs != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestFamilyWithoutFile(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, func(o *MemfileOptions) { o.V6Path = "" })
	if err := m.Add6(ctx, lease6(1, TypeNA)); err == nil || !strings.Contains(err.Error(), "V6Path") {
		t.Errorf("Add6 without a v6 file: %v", err)
	}
	if err := m.Add4(ctx, lease4(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenMemfile(ctx, MemfileOptions{Persist: true}); err == nil {
		t.Error("persist without paths accepted")
	}
	same := filepath.Join(dir, "x.csv")
	if _, err := OpenMemfile(ctx, MemfileOptions{Persist: true, V4Path: same, V6Path: same}); err == nil {
		t.Error("one file for both families accepted")
	}
	if _, err := OpenMemfile(ctx, MemfileOptions{Persist: true, V4Path: filepath.Join(dir, "no/such/dir/l.csv")}); err == nil ||
		!strings.Contains(err.Error(), "no/such/dir") {
		t.Errorf("a lease file in a missing directory: %v", err)
	}
}

// TestManyLeasesOneKey: many leases of one hardware address in a subnet
// (one MAC behind many client ids); removals from the middle of the chain
// keep the rest findable, and the lookup prefers held, then later expiry.
func TestManyLeasesOneKey(t *testing.T) {
	m := openTest(t, t.TempDir(), nil)
	hw := []byte{2, 0, 0, 0, 0, 0xaa}
	for i := 0; i < 50; i++ {
		l := lease4(i)
		l.HWAddr, l.SubnetID, l.CLTT = hw, 1, 1700000000+int64(i)
		if err := m.Add4(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50; i += 3 {
		m.Delete4(ctx, lease4(i).Addr)
	}
	got, err := m.Get4ByHWAddr(ctx, hw, 1)
	if err != nil || got.Addr != lease4(49).Addr {
		t.Fatalf("Get4ByHWAddr = %v, %v; want the latest expiry, %v", got.Addr, err, lease4(49).Addr)
	}
	l := lease4(49)
	l.HWAddr, l.SubnetID, l.CLTT, l.State = hw, 1, 1700000049, StateExpiredReclaimed
	m.Update4(ctx, l)
	if got, _ := m.Get4ByHWAddr(ctx, hw, 1); got.Addr != lease4(47).Addr {
		t.Fatalf("Get4ByHWAddr = %v; want the held lease with the latest expiry, %v", got.Addr, lease4(47).Addr)
	}
	for i := 0; i < 50; i++ {
		m.Delete4(ctx, lease4(i).Addr)
	}
	if _, err := m.Get4ByHWAddr(ctx, hw, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after deleting all: %v", err)
	}
	if len(m.t4.byHW) != 0 || len(m.t4.byCID) != 0 {
		t.Errorf("indexes keep %d and %d chains for no leases", len(m.t4.byHW), len(m.t4.byCID))
	}
}
