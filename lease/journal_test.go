package lease

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingFile wraps a lease file: it counts syncs, remembers how many bytes
// each sync covered, and can be made slow, blocked or failing.
type countingFile struct {
	syncFile
	mu        sync.Mutex
	written   int64
	synced    int64 // bytes written before the last sync started
	syncs     atomic.Int64
	delay     time.Duration
	block     chan struct{} // when set, Sync waits for it to close
	inSync    chan struct{} // when set, Sync signals here first
	failWrite atomic.Bool
}

func (c *countingFile) Write(p []byte) (int, error) {
	if c.failWrite.Load() {
		return 0, errors.New("disk full (test)")
	}
	n, err := c.syncFile.Write(p)
	c.mu.Lock()
	c.written += int64(n)
	c.mu.Unlock()
	return n, err
}

func (c *countingFile) Sync() error {
	c.mu.Lock()
	upto := c.written
	c.mu.Unlock()
	if c.inSync != nil {
		c.inSync <- struct{}{}
	}
	if c.block != nil {
		<-c.block
	}
	time.Sleep(c.delay)
	err := c.syncFile.Sync()
	c.syncs.Add(1)
	c.mu.Lock()
	c.synced = upto
	c.mu.Unlock()
	return err
}

func (c *countingFile) syncedBytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.synced
}

// withCounting makes the store open its v4 file through a countingFile.
func withCounting(cf **countingFile, setup func(*countingFile)) func(*MemfileOptions) {
	return func(o *MemfileOptions) {
		o.V6Path = ""
		o.openFile = func(path string) (syncFile, error) {
			f, err := openAppend(path)
			if err != nil {
				return nil, err
			}
			st, err := os.Stat(path)
			if err != nil {
				return nil, err
			}
			c := &countingFile{syncFile: f, written: st.Size()}
			if setup != nil {
				setup(c)
			}
			*cf = c
			return c, nil
		}
	}
}

// TestGroupCommit runs many writers that each add a lease and sync, against a
// slow disk, and checks that fsyncs are shared and that each Sync returned
// only after its row was covered by an fsync.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	var cf *countingFile
	m := openTest(t, dir, withCounting(&cf, func(c *countingFile) { c.delay = 2 * time.Millisecond }))
	path := filepath.Join(dir, "leases4.csv")
	const writers, each = 32, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l := lease4(w*each + i)
				if err := m.Add4(ctx, l); err != nil {
					errs <- err
					return
				}
				if err := m.Sync(ctx); err != nil {
					errs <- err
					return
				}
				// The row must lie within the bytes the last fsync covered.
				b, _ := os.ReadFile(path)
				row := appendRow4(nil, l, false)
				at := bytes.Index(b, row)
				if at < 0 || int64(at+len(row)) > cf.syncedBytes() {
					errs <- errors.New("Sync returned before its row was synced: " + string(row))
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	commits, syncs := int64(writers*each), cf.syncs.Load()
	t.Logf("%d commits, %d fsyncs (%.1f commits per fsync)", commits, syncs, float64(commits)/float64(syncs))
	if syncs > commits/4 {
		t.Errorf("%d fsyncs for %d commits: syncs are not grouped", syncs, commits)
	}
	if st := m.Stats(); st.Rows != uint64(commits) || int64(st.Syncs) != syncs {
		t.Errorf("stats %+v, want %d rows and %d syncs", st, commits, syncs)
	}
}

// TestWritesDuringSync holds an fsync and checks that writes and reads go on
// meanwhile, and that a Sync started later waits for a second fsync.
func TestWritesDuringSync(t *testing.T) {
	var cf *countingFile
	block, inSync := make(chan struct{}), make(chan struct{}, 4)
	m := openTest(t, t.TempDir(), withCounting(&cf, func(c *countingFile) { c.block, c.inSync = block, inSync }))
	if err := m.Add4(ctx, lease4(1)); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- m.Sync(ctx) }()
	<-inSync // the first fsync is in progress and stuck

	done := make(chan error, 1)
	go func() {
		err := m.Add4(ctx, lease4(2))
		if err == nil {
			_, err = m.Get4(ctx, lease4(1).Addr)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write waited for an fsync")
	}
	second := make(chan error, 1)
	go func() { second <- m.Sync(ctx) }()
	// A Sync with a deadline gives up without disturbing the flight.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	if err := m.Sync(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sync past its deadline: %v", err)
	}
	cancel()
	close(block)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if n := cf.syncs.Load(); n != 2 {
		t.Errorf("%d fsyncs, want 2 (the second covering the write made during the first)", n)
	}
}

// TestSyncWriteFailure makes the disk refuse a write: Sync reports it, the
// rows stay queued, and the next Sync writes them.
func TestSyncWriteFailure(t *testing.T) {
	dir := t.TempDir()
	var cf *countingFile
	m := openTest(t, dir, withCounting(&cf, nil))
	if err := m.Add4(ctx, lease4(1)); err != nil {
		t.Fatal(err)
	}
	cf.failWrite.Store(true)
	if err := m.Sync(ctx); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Sync with a failing disk: %v", err)
	}
	if err := m.Add4(ctx, lease4(2)); err != nil {
		t.Fatal(err)
	}
	cf.failWrite.Store(false)
	if err := m.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	m.Close()
	r := openTest(t, dir, func(o *MemfileOptions) { o.V6Path = "" })
	if r.Len4() != 2 {
		t.Errorf("after a failed and a good sync the file holds %d leases, want 2", r.Len4())
	}
	lines := readLines(t, filepath.Join(dir, "leases4.csv"))
	if len(lines) != 3 {
		t.Errorf("file has %d lines, want header + 2 rows:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}

// TestTornLastLine cuts the file in the middle of a row, as a crash during
// an append would, and checks that opening drops the torn row, says so, and
// leaves a file new rows can follow.
func TestTornLastLine(t *testing.T) {
	for _, tc := range []struct{ name, tail string }{
		{"cut mid row", "10.9.9.9,02:00:00:00"},
		{"whole row but no newline", "10.9.9.9,02:00:00:00:00:01,,3600,1700003600,1,0,0,,0,"},
		{"cut in user context", `10.9.9.9,02:00:00:00:00:01,,3600,1700003600,1,0,0,,0,{ "a": 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "leases4.csv")
			m := openTest(t, dir, nil)
			for i := 0; i < 5; i++ {
				m.Add4(ctx, lease4(i))
			}
			m.Close()
			good, _ := os.Stat(path)
			f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(tc.tail)
			f.Close()

			var log bytes.Buffer
			r := openTest(t, dir, func(o *MemfileOptions) { o.Logger = logTo(&log) })
			if r.Len4() != 5 {
				t.Errorf("%d leases after recovery, want 5", r.Len4())
			}
			if !strings.Contains(log.String(), "torn last line") {
				t.Errorf("recovery not logged:\n%s", log.String())
			}
			if st, _ := os.Stat(path); st.Size() != good.Size() {
				t.Errorf("file is %d bytes after recovery, want %d", st.Size(), good.Size())
			}
			r.Add4(ctx, lease4(7))
			r.Close()
			again := openTest(t, dir, nil)
			if again.Len4() != 6 {
				t.Errorf("%d leases after appending past the cut, want 6", again.Len4())
			}
		})
	}
}

// TestTornHeader: a crash while Kea created the file leaves half a header.
func TestTornHeader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "leases4.csv")
	os.WriteFile(path, []byte("address,hwaddr,cli"), 0o644)
	m := openTest(t, dir, nil)
	if err := m.Add4(ctx, lease4(1)); err != nil {
		t.Fatal(err)
	}
	m.Close()
	lines := readLines(t, path)
	if lines[0] != header4 || len(lines) != 2 {
		t.Errorf("file after a torn header:\n%s", strings.Join(lines, "\n"))
	}
}

// TestSkipBadRows: rows that do not parse are skipped and named in the log,
// as Kea does; the rest load.
func TestSkipBadRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "leases4.csv")
	content := header4 + "\n" +
		"192.0.2.1,00:01,,100,200,1,0,0,,0,\n" +
		"192.0.2.2,zz,,100,200,1,0,0,,0,\n" +
		"\n" +
		"192.0.2.3,00:03,,100,200,1,0,0,,0,\n"
	os.WriteFile(path, []byte(content), 0o644)
	var log bytes.Buffer
	m := openTest(t, dir, func(o *MemfileOptions) { o.Logger = logTo(&log) })
	if m.Len4() != 2 {
		t.Errorf("%d leases, want 2", m.Len4())
	}
	if !strings.Contains(log.String(), "line=3") {
		t.Errorf("skipped row not named in the log:\n%s", log.String())
	}
	os.WriteFile(filepath.Join(dir, "bad6.csv"), []byte("nonsense,header\n"), 0o644)
	if _, err := OpenMemfile(ctx, MemfileOptions{V6Path: filepath.Join(dir, "bad6.csv"), Persist: true, Logger: quietLogger()}); err == nil ||
		!strings.Contains(err.Error(), "bad6.csv") {
		t.Errorf("a bad header: %v", err)
	}
}

func TestLoadReport(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, nil)
	for i := 0; i < 4; i++ {
		m.Add4(ctx, lease4(i)) // expire 1700003600 + i
	}
	m.Close()
	var log bytes.Buffer
	openTest(t, dir, func(o *MemfileOptions) {
		o.Logger = logTo(&log)
		o.Now = func() time.Time { return time.Unix(1700003602, 0) }
	})
	if !strings.Contains(log.String(), "leases=4 expired=2") {
		t.Errorf("load report:\n%s", log.String())
	}
}

// TestWriteBehind: without Sync, rows still reach the file once enough of
// them pile up, so memory stays bounded and a killed process loses little.
func TestWriteBehind(t *testing.T) {
	dir := t.TempDir()
	var cf *countingFile
	m := openTest(t, dir, withCounting(&cf, nil))
	for i := 0; i < 5000; i++ { // about 400 KiB of rows
		m.Add4(ctx, lease4(i))
	}
	st, _ := os.Stat(filepath.Join(dir, "leases4.csv"))
	if st.Size() < writeBehind {
		t.Errorf("file holds %d bytes after 5000 unsynced writes, want at least %d", st.Size(), writeBehind)
	}
	if n := cf.syncs.Load(); n != 0 {
		t.Errorf("write-behind did %d fsyncs, want none", n)
	}
}

func TestLFCTimer(t *testing.T) {
	dir := t.TempDir()
	m := openTest(t, dir, func(o *MemfileOptions) { o.LFCInterval = 10 * time.Millisecond })
	m.Add4(ctx, lease4(1))
	deadline := time.Now().Add(5 * time.Second)
	for m.Stats().Compactions == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no compaction within 5s with lfc-interval 10ms")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, nil)
	if r.Len4() != 1 {
		t.Errorf("%d leases after timed compactions, want 1", r.Len4())
	}
}

// TestFlush writes rows to the file without an fsync.
func TestFlush(t *testing.T) {
	dir := t.TempDir()
	var cf *countingFile
	m := openTest(t, dir, withCounting(&cf, nil))
	m.Add4(ctx, lease4(1))
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if lines := readLines(t, filepath.Join(dir, "leases4.csv")); len(lines) != 2 {
		t.Errorf("after Flush the file has %d lines, want 2", len(lines))
	}
	if n := cf.syncs.Load(); n != 0 {
		t.Errorf("Flush did %d fsyncs", n)
	}
	if err := m.Sync(ctx); err != nil || cf.syncs.Load() != 1 {
		t.Errorf("Sync after Flush: %v, %d fsyncs (want 1: written is not durable)", err, cf.syncs.Load())
	}
}
