package netlab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// pollInterval paces waits on files, which have no change notification
// that works for every writer.
const pollInterval = 20 * time.Millisecond

// WaitForLine waits until the file at path has a complete line matching re
// and returns it. A missing file is waited for like a missing line.
func WaitForLine(ctx context.Context, path string, re *regexp.Regexp) (string, error) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("netlab: waiting for %q in %s: %w", re, path, err)
		}
		// Only complete lines: the writer may be between two writes.
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			sc := bufio.NewScanner(bytes.NewReader(b[:i+1]))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if re.Match(sc.Bytes()) {
					return sc.Text(), nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("netlab: waiting for %q in %s: %w; file has: %s", re, path, ctx.Err(), tail(b, 800))
		case <-tick.C:
		}
	}
}

// WriteFile writes content to name inside the lab's directory and returns
// the full path; name may contain subdirectories, which are created.
func (l *Lab) WriteFile(name, content string) (string, error) {
	return WriteFile(l.Dir, name, content)
}

// WriteFile writes content to dir/name, creating dir/name's directory, and
// returns the full path.
func WriteFile(dir, name, content string) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("netlab: %w", err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("netlab: %w", err)
	}
	return p, nil
}

// TempDir makes a new directory inside the lab's directory.
func (l *Lab) TempDir(pattern string) (string, error) {
	d, err := os.MkdirTemp(l.Dir, pattern)
	if err != nil {
		return "", fmt.Errorf("netlab %s: %w", l.ID, err)
	}
	return d, nil
}
