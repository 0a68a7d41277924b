package runscript

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/runscript/internal/exchange"
)

// envdumpBin is the recording script, built once by TestMain.
var envdumpBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runscript-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	envdumpBin = filepath.Join(dir, "envdump")
	out, err := exec.Command("go", "build", "-o", envdumpBin, "github.com/leasehold/leasehold/runscript/internal/envdump").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building envdump: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// script writes an executable shell script with body into a new directory
// and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// dumper installs envdump in a new directory; its records appear in the
// returned dumps directory.
func dumper(t *testing.T) (path, dumps string) {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(envdumpBin)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "envdump")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	dumps = filepath.Join(dir, "dumps")
	if err := os.Mkdir(dumps, 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dumps
}

// waitDumps waits for n records in dir and returns them, oldest first.
func waitDumps(t *testing.T, dir string, n int) []exchange.Call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(dir, "*.dump"))
		if len(names) >= n {
			calls := make([]exchange.Call, 0, len(names))
			for _, name := range names {
				b, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				calls = append(calls, parseDump(t, b))
			}
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d script calls recorded in %s, want %d", len(names), dir, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func parseDump(t *testing.T, b []byte) exchange.Call {
	t.Helper()
	var c exchange.Call
	for _, f := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		switch f[0] {
		case 'A':
			c.Args = append(c.Args, string(f[1:]))
		case 'E':
			c.Env = append(c.Env, string(f[1:]))
		default:
			t.Fatalf("bad dump entry %q", f)
		}
	}
	return c
}

// logBuf is a concurrency-safe log sink for checking what was logged.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the log holds a line containing every one of parts.
func (l *logBuf) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, line := range strings.Split(l.String(), "\n") {
			ok := true
			for _, p := range parts {
				if !strings.Contains(line, p) {
					ok = false
					break
				}
			}
			if ok {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q in:\n%s", parts, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// load makes a loaded Library with params (a JSON object literal) and a
// log sink; it is unloaded when the test ends.
func load(t *testing.T, params string) (*Library, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	l := New(Options{Logger: slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Getenv: func(string) string { return "" }})
	if _, err := l.Load(context.Background(), json.RawMessage(params)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Unload(ctx)
	})
	return l, lb
}

func params(name string, extra string) string {
	b, _ := json.Marshal(name)
	if extra != "" {
		extra = ", " + extra
	}
	return fmt.Sprintf(`{"name": %s%s}`, b, extra)
}

// releaseArgs are the arguments of a lease4_release for a direct client.
func releaseArgs() *hooks.Args {
	return &hooks.Args{Query: testQuery4(), Lease4: testLease4()}
}
