package lease

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// leaseFile is one family's lease file and the files Kea's cleanup (LFC)
// leaves beside it. Their names are Kea's:
//
//	NAME            the file rows are appended to
//	NAME.1          a former NAME, set aside for compaction
//	NAME.2          the result of the previous compaction
//	NAME.output     compaction output being written
//	NAME.completed  compaction output, complete and synced
//
// Loading reads NAME.completed if it exists, else NAME.2 then NAME.1, and
// then NAME; the last row for an address wins. Every step of compaction
// leaves a set of files that loads to the same leases (see compact.go).
type leaseFile struct {
	path    string
	v6      bool
	poolID  bool
	log     *slog.Logger
	open    func(string) (syncFile, error)
	crashAt func(string) bool

	j           *journal
	compactMu   sync.Mutex
	compactions atomic.Uint64
}

func (lf *leaseFile) header() string {
	h := header4
	if lf.v6 {
		h = header6
	}
	if lf.poolID {
		h += poolIDColumn
	}
	return h
}

func (lf *leaseFile) family() string {
	if lf.v6 {
		return "DHCPv6"
	}
	return "DHCPv4"
}

func openAppend(path string) (syncFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// openLeaseFile loads a family's files into its table and opens NAME for
// appending. A NAME whose header is not the one this store writes (another
// Kea version's) is compacted at once, so rows of one format never follow
// another's header.
func openLeaseFile(ctx context.Context, opts *MemfileOptions, path string, v6 bool, t4 *table4, t6 *table6) (*leaseFile, error) {
	lf := &leaseFile{
		path: path, v6: v6, poolID: opts.PoolIDColumn, log: opts.Logger,
		open: opts.openFile, crashAt: opts.crashAt,
	}
	// A NAME.new is a rotation that did not finish; it holds no rows.
	if err := os.Remove(path + ".new"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lease file %s: %w", path, err)
	}
	inputs := []string{path + ".completed"}
	if !exists(inputs[0]) {
		inputs = []string{path + ".2", path + ".1"}
	}
	apply := func(l4 *Lease4, l6 *Lease6) {
		if v6 {
			apply6(t6, l6)
		} else {
			apply4(t4, l4)
		}
	}
	for _, in := range inputs {
		if _, _, err := lf.load(in, false, apply); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	size, sameHeader, err := lf.load(path, true, apply)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && size == 0):
		if err := lf.createEmpty(path); err != nil {
			return nil, err
		}
		size, sameHeader = int64(len(lf.header())+1), true
	case err != nil:
		return nil, err
	}
	f, err := lf.open(path)
	if err != nil {
		return nil, fmt.Errorf("lease file %s: %w", path, err)
	}
	lf.j = newJournal(path, f, size)
	if !sameHeader {
		lf.log.Info("lease file has another format; rewriting it in this server's", "file", path)
		if err := lf.compact(ctx, true); err != nil {
			_ = lf.j.close(ctx)
			return nil, err
		}
	}
	now := opts.Now().Unix()
	var n, expired int
	if v6 {
		n = t6.len()
		expired = countExpired(&t6.exp, now, t6.expireOf)
	} else {
		n = t4.len()
		expired = countExpired(&t4.exp, now, t4.expireOf)
	}
	lf.log.Info("lease file loaded", "family", lf.family(), "file", path, "leases", n, "expired", expired)
	return lf, nil
}

func apply4(t *table4, l *Lease4) {
	id, ok := t.lookup(l.Addr)
	switch {
	case l.ValidLifetime == 0: // Kea's mark of a deleted lease
		if ok {
			t.remove(id)
		}
	case ok:
		t.update(id, l)
	default:
		t.insert(l)
	}
}

func apply6(t *table6, l *Lease6) {
	id, ok := t.lookup(l.Addr)
	switch {
	case l.ValidLifetime == 0:
		if ok {
			t.remove(id)
		}
	case ok:
		t.update(id, l)
	default:
		t.insert(l)
	}
}

// load reads one file, calling apply for each good row. Rows that do not
// parse are logged and skipped, as Kea does. In the main file a last line
// without its newline is the row a crash cut short: it was never reported
// durable, so it is cut off the file. load returns the size of the file
// (after any cut) and whether its header is the one this store writes.
func (lf *leaseFile) load(path string, main bool, apply func(*Lease4, *Lease6)) (int64, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	sc := newRowScanner(f, lf.v6)
	if err := sc.readHeader(); err != nil {
		if errors.Is(err, errTorn) {
			// Only a crash while the file was created does this; the
			// file holds no rows. A main file is made afresh.
			lf.log.Warn("lease file header cut short; the file holds no leases", "file", path)
			return 0, true, nil
		}
		if errors.Is(err, io.EOF) {
			return 0, true, nil
		}
		return 0, false, fmt.Errorf("lease file %s: %w", path, err)
	}
	skipped := 0
	for {
		err := sc.next()
		switch {
		case err == nil:
			apply(&sc.l4, &sc.l6)
			continue
		case errors.Is(err, io.EOF):
		case errors.Is(err, errTorn):
			if main {
				lf.log.Warn("lease file: cutting off a torn last line left by a crash",
					"file", path, "line", sc.lineNo, "bytes", sc.next0-sc.off)
				if err := os.Truncate(path, sc.off); err != nil {
					return 0, false, fmt.Errorf("lease file %s: cutting torn last line: %w", path, err)
				}
				sc.next0 = sc.off
			} else {
				lf.log.Warn("lease file: skipping a torn last line", "file", path, "line", sc.lineNo)
			}
		default:
			var re *rowError
			if errors.As(err, &re) {
				skipped++
				lf.log.Warn("lease file: skipping a row", "file", path, "line", re.line, "err", re.err)
				continue
			}
			return 0, false, fmt.Errorf("lease file %s: %w", path, err)
		}
		break
	}
	return sc.next0, bytes.Equal(sc.headerLine, []byte(lf.header())), nil
}

// createEmpty makes path a file holding just the header, atomically: a crash
// leaves either no file or a whole header.
func (lf *leaseFile) createEmpty(path string) error {
	tmp := path + ".new"
	if err := writeFileSync(tmp, []byte(lf.header()+"\n")); err != nil {
		return fmt.Errorf("lease file %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("lease file %s: %w", path, err)
	}
	return syncDir(path)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes renames and creations in path's directory durable.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory of %s: %w", path, err)
	}
	return nil
}

// rowScanner reads a lease file row by row.
type rowScanner struct {
	r          *bufio.Reader
	v6         bool
	lo         *layout
	headerLine []byte
	buf        []byte
	lineNo     int
	off        int64  // offset of the current line
	next0      int64  // offset after the current line
	l4         Lease4 // the row just parsed; its slices point into scratch
	l6         Lease6
	scratch    scratch
}

// errTorn: the last line of the file has no newline.
var errTorn = errors.New("last line has no newline")

// rowError is a data row that does not parse.
type rowError struct {
	line int
	err  error
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

func newRowScanner(r io.Reader, v6 bool) *rowScanner {
	return &rowScanner{r: bufio.NewReaderSize(r, 64<<10), v6: v6}
}

// readLine returns the next line without its newline; errTorn if the input
// ends in the middle of a line, io.EOF at a clean end.
func (s *rowScanner) readLine() ([]byte, error) {
	s.buf = s.buf[:0]
	s.off = s.next0
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.buf = append(s.buf, chunk...)
		s.next0 += int64(len(chunk))
		switch {
		case err == nil:
			s.lineNo++
			return s.buf[:len(s.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.buf) == 0 {
				return nil, io.EOF
			}
			s.lineNo++
			return s.buf, errTorn
		default:
			return nil, err
		}
	}
}

// readFilled reads the next line that is not blank.
func (s *rowScanner) readFilled() ([]byte, error) {
	for {
		line, err := s.readLine()
		if err != nil || len(line) > 0 {
			return line, err
		}
	}
}

// readHeader reads the first non-empty line as the header.
func (s *rowScanner) readHeader() error {
	line, err := s.readFilled()
	if err != nil {
		return err
	}
	lo, err := parseHeader(line, s.v6)
	if err != nil {
		return fmt.Errorf("line %d: %w", s.lineNo, err)
	}
	s.lo = lo
	s.headerLine = append([]byte(nil), line...)
	return nil
}

// next parses the next data row into s.l4 or s.l6, skipping blank lines.
func (s *rowScanner) next() error {
	line, err := s.readFilled()
	if err != nil {
		return err
	}
	if s.v6 {
		err = s.lo.parse6(line, &s.l6, &s.scratch)
	} else {
		err = s.lo.parse4(line, &s.l4, &s.scratch)
	}
	if err != nil {
		return &rowError{line: s.lineNo, err: err}
	}
	return nil
}
