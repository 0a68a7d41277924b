// Package plugintest is test support for hook plugins: it builds plugin
// binaries once per test binary, and collects what a hooks.Manager logs
// while plugin processes write to it.
//
//	var plugins plugintest.Builder
//
//	func TestMain(m *testing.M) { os.Exit(plugins.Run(m)) }
//
//	func TestPlugin(t *testing.T) {
//		path := plugins.Build(t, ".") // this directory's main package
//		logs := &plugintest.LogBuffer{}
//		m, err := hooks.New(ctx, hooks.Config{
//			Libraries: []hooks.LibraryConfig{{Library: path}},
//			Logger:    slog.New(slog.NewTextHandler(logs, nil)),
//		})
//		...
//	}
package plugintest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Builder builds main packages with "go build" into one temporary
// directory, each package once: a plugin binary takes seconds to link, and
// the tests of a package usually share it. The zero Builder is ready to
// use; run the tests with Run from TestMain, which removes the executables
// afterwards.
type Builder struct {
	mu    sync.Mutex
	dir   string
	built map[string]string
}

// Build returns the path of the executable built from pkg (an import path,
// or a directory relative to the test's working directory), building it
// on first use. A build failure fails t with the compiler's output.
func (b *Builder) Build(t testing.TB, pkg string) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.built[pkg]; ok {
		return p
	}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "leasehold-plugins-")
		if err != nil {
			t.Fatalf("building %s: %v", pkg, err)
		}
		b.dir = dir
		b.built = map[string]string{}
	}
	// Each executable gets a directory of its own, so that it keeps its
	// package's name ("." included) without clashing with another.
	abs, err := filepath.Abs(pkg) // for an import path too: its last element stays
	if err != nil {
		t.Fatalf("building %s: %v", pkg, err)
	}
	sub := filepath.Join(b.dir, strconv.Itoa(len(b.built)))
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatalf("building %s: %v", pkg, err)
	}
	out := filepath.Join(sub, filepath.Base(abs))
	if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	b.built[pkg] = out
	return out
}

// Run runs the tests and then removes what they built; TestMain passes
// its result to os.Exit.
func (b *Builder) Run(m *testing.M) int {
	defer b.RemoveAll()
	return m.Run()
}

// RemoveAll deletes the executables built so far.
func (b *Builder) RemoveAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
	b.dir, b.built = "", nil
}

// LogBuffer is an io.Writer that may be written from several goroutines
// (a manager logs from its plugins' reader goroutines) and read at any
// time.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
