package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// MemfileOptions configure OpenMemfile.
type MemfileOptions struct {
	// V4Path and V6Path are Kea lease files (Kea's lease-database "name").
	// With Persist set, a family whose path is empty cannot be written to.
	V4Path, V6Path string
	// Persist writes every change to the lease files (Kea's "persist"). When
	// false, leases live in memory only, nothing is read at start, and Sync
	// returns at once.
	Persist bool
	// LFCInterval runs compaction (Kea's lease file cleanup) this often; 0
	// disables the timer (Compact can still be called).
	LFCInterval time.Duration
	// Now is the clock (time.Now if nil). The memfile uses it only to report
	// how many loaded leases have expired; callers pass the time to Expired
	// and DeleteReclaimed.
	Now func() time.Time
	// Logger receives load reports, skipped rows, torn-line recovery and
	// compaction results (slog.Default if nil).
	Logger *slog.Logger
	// PoolIDColumn writes the pool_id column of Kea 2.6 and later. Kea 2.2
	// cannot read such a file; without it PoolID is not kept across
	// restarts (files that have the column are read either way).
	PoolIDColumn bool

	// Test hooks.
	openFile func(path string) (syncFile, error) // opens a lease file for appending
	crashAt  func(step string) bool              // compaction stops dead at a step that returns true
}

// Memfile is the in-memory lease store backed by Kea's CSV lease files. It
// implements Store and FreeFinder and is safe for concurrent use.
//
// Each family (v4, v6) has its own lock; reads share it, writes hold it only
// to update memory and queue the file row, never across disk I/O.
type Memfile struct {
	opts MemfileOptions
	log  *slog.Logger

	mu4 sync.RWMutex
	t4  *table4
	f4  *leaseFile // nil without persistence or path

	mu6 sync.RWMutex
	t6  *table6
	f6  *leaseFile

	stop   context.CancelFunc
	lfc    sync.WaitGroup
	closeM sync.Mutex
	closed atomic.Bool
}

// OpenMemfile loads the lease files (when persisting) and returns the store.
// Files Kea wrote load too; see the package documentation for the rules.
func OpenMemfile(ctx context.Context, opts MemfileOptions) (*Memfile, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.openFile == nil {
		opts.openFile = openAppend
	}
	m := &Memfile{opts: opts, log: opts.Logger, t4: newTable4(), t6: newTable6()}
	if opts.Persist {
		if opts.V4Path == "" && opts.V6Path == "" {
			return nil, errors.New("lease: memfile with persist needs V4Path or V6Path")
		}
		if opts.V4Path != "" && filepath.Clean(opts.V4Path) == filepath.Clean(opts.V6Path) {
			return nil, fmt.Errorf("lease: V4Path and V6Path are the same file %s", opts.V4Path)
		}
		if opts.V4Path != "" {
			f, err := openLeaseFile(ctx, &opts, opts.V4Path, false, m.t4, nil)
			if err != nil {
				return nil, err
			}
			m.f4 = f
		}
		if opts.V6Path != "" {
			f, err := openLeaseFile(ctx, &opts, opts.V6Path, true, nil, m.t6)
			if err != nil {
				if m.f4 != nil {
					_ = m.f4.j.close(ctx)
				}
				return nil, err
			}
			m.f6 = f
		}
	}
	lctx, cancel := context.WithCancel(context.Background())
	m.stop = cancel
	if opts.Persist && opts.LFCInterval > 0 {
		m.lfc.Add(1)
		go m.lfcLoop(lctx, opts.LFCInterval)
	}
	return m, nil
}

func (m *Memfile) lfcLoop(ctx context.Context, every time.Duration) {
	defer m.lfc.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Compact(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("lease file cleanup failed", "err", err)
			}
		}
	}
}

// Compact rewrites each lease file as Kea's LFC does: the current file is
// set aside (after an fsync) and a fresh one takes new rows at once; the
// set-aside rows are then merged, one row per lease, in the background of
// the caller's goroutine. Reads and writes go on throughout; Syncs wait only
// for the brief switch of files.
func (m *Memfile) Compact(ctx context.Context) error {
	if m.closed.Load() {
		return ErrClosed
	}
	return m.eachFile(func(f *leaseFile) error { return f.compact(ctx, true) })
}

// eachFile calls fn with the DHCPv4 and then the DHCPv6 lease file, those
// that are open, and joins the errors.
func (m *Memfile) eachFile(fn func(f *leaseFile) error) error {
	var errs []error
	for _, f := range []*leaseFile{m.f4, m.f6} {
		if f != nil {
			errs = append(errs, fn(f))
		}
	}
	return errors.Join(errs...)
}

// Sync returns when every change made before the call is on stable storage.
// See Store for the contract.
func (m *Memfile) Sync(ctx context.Context) error {
	return m.eachFile(func(f *leaseFile) error { return f.j.sync(ctx) })
}

// Flush writes every change made before the call to the lease files without
// waiting for stable storage: the changes survive the process being killed,
// not the machine losing power. This is Kea's own guarantee (Kea does not
// fsync its lease files); a server configured not to fsync calls Flush where
// it would call Sync.
func (m *Memfile) Flush(ctx context.Context) error {
	return m.eachFile(func(f *leaseFile) error { return f.j.flush(ctx) })
}

// Close stops compaction, syncs pending changes and closes the files. Calls
// after Close fail with ErrClosed.
func (m *Memfile) Close() error {
	m.closeM.Lock()
	defer m.closeM.Unlock()
	if m.closed.Load() {
		return nil
	}
	m.closed.Store(true)
	m.stop()
	m.lfc.Wait()
	// Taking the write locks keeps writers out while the files close.
	m.mu4.Lock()
	m.mu6.Lock()
	defer m.mu6.Unlock()
	defer m.mu4.Unlock()
	return m.eachFile(func(f *leaseFile) error { return f.j.close(context.Background()) })
}

// MemfileStats counts lease file activity since OpenMemfile.
type MemfileStats struct {
	Rows        uint64 // rows appended to the lease files
	Syncs       uint64 // fsyncs of the lease files
	Compactions uint64 // completed compactions
}

// Stats returns counters of lease file activity; Rows/Syncs is the number
// of changes each fsync covered.
func (m *Memfile) Stats() MemfileStats {
	var s MemfileStats
	_ = m.eachFile(func(f *leaseFile) error {
		s.Rows += f.j.rows.Load()
		s.Syncs += f.j.syncs.Load()
		s.Compactions += f.compactions.Load()
		return nil
	})
	return s
}

// Len4 returns the number of DHCPv4 leases (any state).
func (m *Memfile) Len4() int {
	m.mu4.RLock()
	defer m.mu4.RUnlock()
	return m.t4.len()
}

// Len6 returns the number of DHCPv6 leases (any state and type).
func (m *Memfile) Len6() int {
	m.mu6.RLock()
	defer m.mu6.RUnlock()
	return m.t6.len()
}

// writable reports why a family cannot take writes.
func (m *Memfile) writable(f *leaseFile, v6 bool) error {
	if m.closed.Load() {
		return ErrClosed
	}
	if m.opts.Persist && f == nil {
		name, field := "DHCPv4", "V4Path"
		if v6 {
			name, field = "DHCPv6", "V6Path"
		}
		return fmt.Errorf("lease: no %s lease file configured (MemfileOptions.%s is empty)", name, field)
	}
	return nil
}

var _ Store = (*Memfile)(nil)
var _ FreeFinder = (*Memfile)(nil)
