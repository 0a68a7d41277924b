package plugintest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestBuilder(t *testing.T) {
	var b Builder
	one := b.Build(t, "./testdata/one/plug")
	two := b.Build(t, "./testdata/two/plug")
	if one == two || filepath.Base(one) != "plug" || filepath.Base(two) != "plug" {
		t.Fatalf("paths %q and %q: want two executables named plug", one, two)
	}
	for _, p := range []string{one, two} {
		if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
			t.Fatalf("%s is not an executable: %v", p, err)
		}
	}
	if again := b.Build(t, "./testdata/one/plug"); again != one {
		t.Errorf("second Build gave %q, want the first build %q", again, one)
	}
	b.RemoveAll()
	if _, err := os.Stat(filepath.Dir(filepath.Dir(one))); !os.IsNotExist(err) {
		t.Errorf("RemoveAll left the build directory: %v", err)
	}
	// The Builder can be used again after RemoveAll.
	if p := b.Build(t, "./testdata/one/plug"); p == one {
		t.Errorf("Build after RemoveAll returned the removed path %q", p)
	}
	b.RemoveAll()
}

// fatalTB records a Fatalf and stops the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestBuilderReportsCompileErrors(t *testing.T) {
	var b Builder
	defer b.RemoveAll()
	ftb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Build(ftb, "./testdata/broken")
	}()
	<-done
	if !strings.Contains(ftb.msg, "go build ./testdata/broken") || !strings.Contains(ftb.msg, "main.go") {
		t.Errorf("failure message %q: want the package and the compiler's output", ftb.msg)
	}
}

func TestLogBufferConcurrentWrites(t *testing.T) {
	var l LogBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(&l, "writer %d\n", i)
				_ = l.String()
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(l.String(), "\n"); n != 800 {
		t.Errorf("%d lines, want 800", n)
	}
}
