package lease

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// compactionSteps are the points where a test can stop compaction dead, in
// the order compaction reaches them.
var compactionSteps = []string{
	"rotate:new-created", "rotate:main-renamed", "rotate:new-renamed",
	"merge:output-partial", "merge:output-written", "merge:completed",
	"finish:removed-2", "finish:removed-1", "finish:renamed",
}

// fillStore makes a store whose files hold adds, updates and deletes of both
// families, over two compactions' worth of history.
func fillStore(t *testing.T, m *Memfile, round int) {
	t.Helper()
	base := round * 1000
	for i := 0; i < 60; i++ {
		if err := m.Add4(ctx, lease4(base+i)); err != nil {
			t.Fatal(err)
		}
		if err := m.Add6(ctx, lease6(base+i, Type(i%3))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ {
		l := lease4(base + i)
		l.Hostname = "updated"
		m.Update4(ctx, l)
		m.Delete4(ctx, lease4(base+20+i).Addr)
		m.Delete6(ctx, Type((i+20)%3), lease6(base+20+i, Type((i+20)%3)).Addr)
	}
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

func leaseFiles(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestCompactionCrash stops compaction at every step (and then, after a
// restart, the next compaction at every step again) and checks that the
// files always load to the leases the store held.
func TestCompactionCrash(t *testing.T) {
	for i, first := range compactionSteps {
		seconds := append([]string{""}, compactionSteps...)
		if testing.Short() {
			seconds = []string{"", compactionSteps[(i+4)%len(compactionSteps)]}
		}
		for _, second := range seconds {
			dir := t.TempDir()
			crashAt := func(step string) func(string) bool {
				return func(s string) bool { return s == step }
			}
			m := openTest(t, dir, func(o *MemfileOptions) { o.crashAt = crashAt(first) })
			fillStore(t, m, 0)
			if err := m.Compact(ctx); err != nil && !errors.Is(err, errCrash) {
				t.Fatal(err)
			}
			fillStore(t, m, 1) // writes after the crash point, in case it was not fatal
			want4, want6 := snapshot4(m), snapshot6(m)
			m.Close()

			r := openTest(t, dir, func(o *MemfileOptions) { o.crashAt = crashAt(second) })
			if got := snapshot4(r); strings.Join(got, "") != strings.Join(want4, "") {
				t.Fatalf("crash at %s: v4 leases differ after restart (%d, want %d); files %v",
					first, len(got), len(want4), leaseFiles(dir))
			}
			if got := snapshot6(r); strings.Join(got, "") != strings.Join(want6, "") {
				t.Fatalf("crash at %s: v6 leases differ after restart; files %v", first, leaseFiles(dir))
			}
			if second == "" {
				r.Close()
				continue
			}
			if err := r.Compact(ctx); err != nil && !errors.Is(err, errCrash) {
				t.Fatal(err)
			}
			r.Close()
			again := openTest(t, dir, nil)
			if got := snapshot4(again); strings.Join(got, "") != strings.Join(want4, "") {
				t.Fatalf("crash at %s, then at %s: v4 leases differ; files %v", first, second, leaseFiles(dir))
			}
			if got := snapshot6(again); strings.Join(got, "") != strings.Join(want6, "") {
				t.Fatalf("crash at %s, then at %s: v6 leases differ; files %v", first, second, leaseFiles(dir))
			}
			// A clean compaction afterwards tidies up to NAME.2 + NAME.
			if err := again.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			want := []string{"leases4.csv", "leases4.csv.2", "leases6.csv", "leases6.csv.2"}
			if got := leaseFiles(dir); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("after crashes at %s and %s and a clean compaction: files %v", first, second, got)
			}
			again.Close()
		}
	}
}

// TestCompactionKeepsConcurrentWrites writes leases while a compaction is
// between its steps; all of them must survive, in the new file.
func TestCompactionKeepsConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	var m *Memfile
	var once sync.Once
	var stepErr error
	m = openTest(t, dir, func(o *MemfileOptions) {
		o.crashAt = func(step string) bool {
			if step == "merge:output-written" {
				once.Do(func() {
					for i := 500; i < 520; i++ {
						if err := m.Add4(ctx, lease4(i)); err != nil {
							stepErr = err
						}
					}
					stepErr = errors.Join(stepErr, m.Sync(ctx))
				})
			}
			return false
		}
	})
	fillStore(t, m, 0)
	if err := m.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if stepErr != nil {
		t.Fatal(stepErr)
	}
	want := snapshot4(m)
	if st := m.Stats(); st.Compactions != 2 { // v4 and v6
		t.Errorf("stats %+v, want 2 compactions", st)
	}
	m.Close()
	main := readLines(t, filepath.Join(dir, "leases4.csv"))
	if len(main) != 21 {
		t.Errorf("new lease file holds %d lines, want header + 20 rows written during compaction", len(main))
	}
	r := openTest(t, dir, nil)
	if got := snapshot4(r); strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("leases written during compaction lost: %d, want %d", len(got), len(want))
	}
}

// TestCompactionShrinks checks that the output holds one row per lease.
func TestCompactionShrinks(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, nil)
	for round := 0; round < 5; round++ {
		for i := 0; i < 50; i++ {
			l := lease4(i)
			l.CLTT += int64(round)
			m.Add4(ctx, l)
			if round < 4 {
				m.Delete4(ctx, l.Addr)
			}
		}
	}
	m.Sync(ctx)
	if err := m.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(readLines(t, filepath.Join(dir, "leases4.csv.2"))); n != 51 {
		t.Errorf("compacted file has %d lines, want 51", n)
	}
	if n := len(readLines(t, filepath.Join(dir, "leases4.csv"))); n != 1 {
		t.Errorf("fresh lease file has %d lines, want the header", n)
	}
}

// TestForeignHeaderRewritten: a file in Kea 2.6's format (pool_id column)
// loads, and is rewritten at once in the format this store appends.
func TestForeignHeaderRewritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "leases4.csv")
	os.WriteFile(path, []byte(header4+",pool_id\n192.0.2.1,00:01,,100,200,1,0,0,,0,,5\n"), 0o644)
	m := openTest(t, dir, nil)
	l, err := m.Get4(ctx, netipAddr("192.0.2.1"))
	if err != nil || l.PoolID != 5 {
		t.Fatalf("Kea 2.6 row: %+v, %v", l, err)
	}
	m.Add4(ctx, lease4(1))
	m.Close()
	if lines := readLines(t, path); lines[0] != header4 || len(lines) != 2 {
		t.Errorf("lease file after opening a Kea 2.6 file:\n%s", strings.Join(lines, "\n"))
	}
	r := openTest(t, dir, nil)
	if r.Len4() != 2 {
		t.Errorf("%d leases after the rewrite, want 2", r.Len4())
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
