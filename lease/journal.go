package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// syncFile is what the journal needs of an open lease file. *os.File
// satisfies it apart from Sync, which osFile maps to fdatasync; tests wrap it
// to count syncs or to fail.
type syncFile interface {
	Write(p []byte) (int, error)
	Sync() error
	Truncate(size int64) error
	Close() error
}

// journal appends rows to one lease file with group commit.
//
// Writers append rows to an in-memory buffer (pending) under mu, in the same
// order as they change the in-memory leases. Sync makes a caller the leader
// of a "flight" when none is in progress: it takes the whole pending buffer,
// releases mu, writes and fsyncs, and marks everything it took as durable.
// Syncs that arrive during a flight wait for it; if their rows came after the
// leader took the buffer, one of them leads the next flight with every row
// that piled up meanwhile. So each fsync covers every write made since the
// previous one started, and writers never wait for the disk.
//
// Positions are counted in bytes appended since the journal opened:
// appended >= written >= durable.
type journal struct {
	path string

	mu       sync.Mutex
	f        syncFile
	size     int64 // bytes in the file, all of them complete rows
	pending  []byte
	spare    []byte
	appended uint64
	written  uint64
	durable  uint64
	flight   *flight
	broken   error // set when a failed write could not be undone
	closed   bool

	rows  atomic.Uint64 // rows appended
	syncs atomic.Uint64 // fsyncs done
}

type flight struct{ done chan struct{} }

// writeBehind is the pending size past which writers push rows to the file
// (without fsync) even if nobody calls Sync, so memory stays bounded and a
// crash of the process (not of the machine) loses little.
const writeBehind = 256 << 10

// keepBuffer caps the buffer kept for reuse between flights.
const keepBuffer = 1 << 20

func newJournal(path string, f syncFile, size int64) *journal {
	return &journal{path: path, f: f, size: size}
}

// add appends one row built by fn. The caller holds the lock of the table the
// row describes, which keeps rows in the order of the changes. It reports
// whether the caller should call flushBehind after releasing that lock.
func (j *journal) add(fn func([]byte) []byte) bool {
	j.mu.Lock()
	n := len(j.pending)
	j.pending = fn(j.pending)
	j.appended += uint64(len(j.pending) - n)
	j.rows.Add(1)
	big := len(j.pending) >= writeBehind && j.flight == nil
	j.mu.Unlock()
	return big
}

// flushBehind writes pending rows without waiting for stable storage.
func (j *journal) flushBehind() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.flight != nil || len(j.pending) < writeBehind || j.closed || j.broken != nil {
		return
	}
	_ = j.lead(false, nil) // an error is kept in the pending rows and reported by the next Sync
}

// sync returns once every row appended before the call is durable.
func (j *journal) sync(ctx context.Context) error { return j.settle(ctx, true) }

// flush returns once every row appended before the call is written to the
// file, synced or not.
func (j *journal) flush(ctx context.Context) error { return j.settle(ctx, false) }

func (j *journal) settle(ctx context.Context, durable bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	target := j.appended
	reached := func() bool {
		if durable {
			return j.durable >= target
		}
		return j.written >= target
	}
	for !reached() {
		if j.broken != nil {
			return j.broken
		}
		if j.closed {
			return ErrClosed
		}
		if f := j.flight; f != nil {
			if err := j.wait(ctx, f); err != nil {
				return err
			}
			continue
		}
		if err := j.lead(durable, nil); err != nil {
			return err
		}
	}
	return nil
}

// wait releases mu until flight f lands or ctx ends; mu is held again on
// return.
func (j *journal) wait(ctx context.Context, f *flight) error {
	j.mu.Unlock()
	defer j.mu.Lock()
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("lease file %s: sync: %w", j.path, ctx.Err())
	}
}

// lead runs one flight: with mu held on entry and exit, it takes the pending
// rows, and without mu writes them, fsyncs if durable is set, and then runs
// swap (if not nil) with the file. swap may return a new file to append to
// from then on (compaction's rotation). If writing fails the rows go back to
// the front of the pending buffer and the file is cut back to its last
// complete row.
func (j *journal) lead(durable bool, swap func(old syncFile) (syncFile, int64, error)) error {
	f := &flight{done: make(chan struct{})}
	j.flight = f
	buf := j.pending
	j.pending, j.spare = j.spare[:0], nil
	upto := j.appended
	file, size := j.f, j.size
	j.mu.Unlock()

	var werr, fatal error
	if len(buf) > 0 {
		if _, werr = file.Write(buf); werr != nil {
			werr = fmt.Errorf("lease file %s: append: %w", j.path, werr)
			if terr := file.Truncate(size); terr != nil {
				fatal = fmt.Errorf("%w; cutting back to %d bytes failed too: %v", werr, size, terr)
			}
		}
	}
	synced := werr == nil && (durable || swap != nil)
	if synced {
		j.syncs.Add(1)
		if err := file.Sync(); err != nil {
			// After a failed fsync the kernel may have dropped the dirty
			// pages, so nothing written since the last good sync is known
			// to be anywhere: the file cannot be trusted until reopened.
			fatal = fmt.Errorf("lease file %s: fsync: %w", j.path, err)
		}
	}
	var nf syncFile
	var nsize int64
	var serr error
	if werr == nil && fatal == nil && swap != nil {
		nf, nsize, serr = swap(file)
	}

	j.mu.Lock()
	switch {
	case fatal != nil:
		j.broken = fatal
	case werr != nil:
		// The rows were not written: keep them, in order, before the rows
		// appended during the flight.
		j.pending = append(buf, j.pending...)
	default:
		j.size += int64(len(buf))
		j.written = upto
		if synced {
			j.durable = upto
		}
		if nf != nil {
			j.f, j.size = nf, nsize
		}
		if cap(buf) <= keepBuffer {
			j.spare = buf[:0]
		}
	}
	j.flight = nil
	close(f.done)
	return errors.Join(fatal, werr, serr)
}

// exclusive waits for any flight, then flushes and fsyncs the pending rows
// and runs swap while no other flight can start. Writers keep appending to
// memory meanwhile.
func (j *journal) exclusive(ctx context.Context, swap func(old syncFile) (syncFile, int64, error)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flight != nil {
		if err := j.wait(ctx, j.flight); err != nil {
			return err
		}
	}
	if j.broken != nil {
		return j.broken
	}
	if j.closed {
		return ErrClosed
	}
	return j.lead(true, swap)
}

// close syncs what is pending and closes the file.
func (j *journal) close(ctx context.Context) error {
	err := j.sync(ctx)
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flight != nil {
		if werr := j.wait(ctx, j.flight); werr != nil {
			return werr
		}
	}
	if j.closed {
		return nil
	}
	j.closed = true
	if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("lease file %s: close: %w", j.path, cerr)
	}
	return err
}
