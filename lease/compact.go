package lease

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
)

// Compaction follows Kea's LFC so that Kea's files and ours can be mixed:
//
//  1. rotate: NAME.new gets a header and an fsync; NAME is renamed NAME.1
//     and NAME.new renamed NAME. The journal flushes and fsyncs its rows
//     into the old file first and switches to the new one in the same
//     flight, so no row is lost or reordered and writers never wait.
//  2. merge: NAME.2 and NAME.1 (both immutable now) are read, and the last
//     row of each lease still alive is written to NAME.output, which is
//     fsynced and renamed NAME.completed.
//  3. finish: NAME.2 and NAME.1 are removed and NAME.completed renamed
//     NAME.2.
//
// Why each crash point is safe, given the load order (NAME.completed, or else
// NAME.2 then NAME.1; then NAME):
//   - before step 1's first rename: nothing changed but a NAME.new, which
//     loading removes;
//   - between the renames: NAME is missing, NAME.1 holds everything;
//   - during step 2: NAME.output is ignored, the inputs are untouched;
//   - from NAME.completed's rename on: it holds exactly what NAME.2 + NAME.1
//     held, so it replaces them whichever of them remain;
//   - after the last rename: NAME.2 + NAME.
//
// A later compaction first finishes what an interrupted one left: a
// NAME.completed is finished, a NAME.1 is merged before NAME is rotated.

var errCrash = errors.New("simulated crash")

// compactSyncEvery is how much compaction output may wait for an fsync.
const compactSyncEvery = 256 << 10

// crash lets tests stop compaction dead at a named step.
func (lf *leaseFile) crash(step string) error {
	if lf.crashAt != nil && lf.crashAt(step) {
		return fmt.Errorf("lease file %s: %s: %w", lf.path, step, errCrash)
	}
	return nil
}

// compact runs one compaction; with rotate false it only finishes what an
// interrupted one left.
func (lf *leaseFile) compact(ctx context.Context, rotate bool) error {
	lf.compactMu.Lock()
	defer lf.compactMu.Unlock()
	if exists(lf.path + ".completed") {
		if err := lf.finish(); err != nil {
			return err
		}
	}
	if exists(lf.path + ".1") {
		if err := lf.merge(ctx); err != nil {
			return err
		}
		if err := lf.finish(); err != nil {
			return err
		}
	}
	if !rotate {
		return nil
	}
	if err := lf.j.exclusive(ctx, lf.rotate); err != nil {
		return err
	}
	if err := lf.merge(ctx); err != nil {
		return err
	}
	if err := lf.finish(); err != nil {
		return err
	}
	lf.compactions.Add(1)
	return nil
}

// rotate runs inside a journal flight, after the old file's rows are synced.
func (lf *leaseFile) rotate(old syncFile) (syncFile, int64, error) {
	tmp, one := lf.path+".new", lf.path+".1"
	hdr := []byte(lf.header() + "\n")
	if err := writeFileSync(tmp, hdr); err != nil {
		return nil, 0, fmt.Errorf("lease file %s: rotate: %w", lf.path, err)
	}
	if err := lf.crash("rotate:new-created"); err != nil {
		return nil, 0, err
	}
	if err := os.Rename(lf.path, one); err != nil {
		os.Remove(tmp)
		return nil, 0, fmt.Errorf("lease file %s: rotate: %w", lf.path, err)
	}
	if err := lf.crash("rotate:main-renamed"); err != nil {
		return nil, 0, err
	}
	if err := os.Rename(tmp, lf.path); err != nil {
		if berr := os.Rename(one, lf.path); berr != nil {
			return nil, 0, fmt.Errorf("lease file %s: rotate: %w; renaming %s back failed: %v", lf.path, err, one, berr)
		}
		return nil, 0, fmt.Errorf("lease file %s: rotate: %w", lf.path, err)
	}
	if err := lf.crash("rotate:new-renamed"); err != nil {
		return nil, 0, err
	}
	if err := syncDir(lf.path); err != nil {
		return nil, 0, fmt.Errorf("lease file %s: rotate: %w", lf.path, err)
	}
	nf, err := lf.open(lf.path)
	if err != nil {
		return nil, 0, fmt.Errorf("lease file %s: rotate: %w", lf.path, err)
	}
	if err := old.Close(); err != nil {
		lf.log.Warn("closing the set-aside lease file", "file", one, "err", err)
	}
	return nf, int64(len(hdr)), nil
}

// rowLoc says where the last row for a lease is: input file and offset.
type rowLoc struct {
	file int
	off  int64
}

// merge writes the live leases of NAME.2 and NAME.1 to NAME.completed.
func (lf *leaseFile) merge(ctx context.Context) error {
	var inputs []string
	for _, in := range []string{lf.path + ".2", lf.path + ".1"} {
		if exists(in) {
			inputs = append(inputs, in)
		}
	}
	// Pass 1: find each lease's last row; a deletion row forgets it.
	last := make(map[[16]byte]rowLoc)
	for i, in := range inputs {
		err := lf.scan(ctx, in, func(key [16]byte, off int64, deleted bool, _ *Lease4, _ *Lease6) error {
			if deleted {
				delete(last, key)
			} else {
				last[key] = rowLoc{i, off}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Pass 2: copy those rows, in this store's format.
	out := lf.path + ".output"
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("lease file %s: compaction output: %w", lf.path, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	w.WriteString(lf.header() + "\n")
	written, unsynced := 0, 0
	var row []byte
	for i, in := range inputs {
		err := lf.scan(ctx, in, func(key [16]byte, off int64, _ bool, l4 *Lease4, l6 *Lease6) error {
			if last[key] != (rowLoc{i, off}) {
				return nil
			}
			if written == len(last)/2 {
				if err := lf.crash("merge:output-partial"); err != nil {
					w.Flush()
					return err
				}
			}
			if lf.v6 {
				row = appendRow6(row[:0], l6, lf.poolID)
			} else {
				row = appendRow4(row[:0], l4, lf.poolID)
			}
			w.Write(row)
			written++
			// Sync as the output grows: one fsync of the whole file at
			// the end would hold up the server's own fsyncs behind it.
			if unsynced += len(row); unsynced >= compactSyncEvery {
				unsynced = 0
				if err := w.Flush(); err != nil {
					return err
				}
				return f.Sync()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("lease file %s: compaction output: %w", lf.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("lease file %s: compaction output: %w", lf.path, err)
	}
	if err := lf.crash("merge:output-written"); err != nil {
		return err
	}
	if err := os.Rename(out, lf.path+".completed"); err != nil {
		return fmt.Errorf("lease file %s: %w", lf.path, err)
	}
	if err := syncDir(lf.path); err != nil {
		return fmt.Errorf("lease file %s: %w", lf.path, err)
	}
	lf.log.Info("lease file compacted", "file", lf.path, "leases", written)
	return lf.crash("merge:completed")
}

// scan reads a file's rows, calling fn with each good row's key, offset,
// whether it deletes, and the parsed lease (valid until fn returns). Rows
// that do not parse and a torn last line are skipped, as at load.
func (lf *leaseFile) scan(ctx context.Context, path string,
	fn func(key [16]byte, off int64, deleted bool, l4 *Lease4, l6 *Lease6) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("lease file %s: %w", path, err)
	}
	defer f.Close()
	sc := newRowScanner(f, lf.v6)
	if err := sc.readHeader(); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, errTorn) {
			return nil
		}
		return fmt.Errorf("lease file %s: %w", path, err)
	}
	for n := 0; ; n++ {
		if n%256 == 255 {
			// Let a server goroutine waiting for a P run now rather than
			// at the scheduler's next 10 ms preemption: compaction is
			// background work.
			runtime.Gosched()
			if ctx.Err() != nil {
				return fmt.Errorf("lease file %s: compaction: %w", lf.path, ctx.Err())
			}
		}
		err := sc.next()
		var re *rowError
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, errTorn):
			return nil
		case errors.As(err, &re):
			continue // logged when the file was loaded
		case err != nil:
			return fmt.Errorf("lease file %s: %w", path, err)
		}
		var key [16]byte
		var valid uint32
		if lf.v6 {
			key, valid = sc.l6.Addr.As16(), sc.l6.ValidLifetime
		} else {
			a := sc.l4.Addr.As4()
			copy(key[:], a[:])
			valid = sc.l4.ValidLifetime
		}
		if err := fn(key, sc.off, valid == 0, &sc.l4, &sc.l6); err != nil {
			return err
		}
	}
}

// finish replaces NAME.2 and NAME.1 by NAME.completed.
func (lf *leaseFile) finish() error {
	for i, name := range []string{lf.path + ".2", lf.path + ".1"} {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("lease file %s: %w", lf.path, err)
		}
		if err := lf.crash(fmt.Sprintf("finish:removed-%d", 2-i)); err != nil {
			return err
		}
	}
	if err := os.Rename(lf.path+".completed", lf.path+".2"); err != nil {
		return fmt.Errorf("lease file %s: %w", lf.path, err)
	}
	if err := syncDir(lf.path); err != nil {
		return fmt.Errorf("lease file %s: %w", lf.path, err)
	}
	return lf.crash("finish:renamed")
}
