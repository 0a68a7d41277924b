package daemon

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/logging"
)

func TestLoggingConfig(t *testing.T) {
	ls := []config.Logger{{Name: "kea-dhcp4", Severity: "DEBUG", DebugLevel: 40, OutputOptions: []config.LogOutput{
		{Output: "/var/log/kea.log", MaxSize: 10240000, MaxVer: 3, Flush: false},
		{Output: "stderr", Flush: true},
	}}}
	got := loggingConfig("kea-dhcp4", ls, true, nil, nil)
	want := logging.Logger{Name: "kea-dhcp4", Severity: "DEBUG", DebugLevel: 40, Outputs: []logging.Output{
		{Output: "/var/log/kea.log", MaxSize: 10240000, MaxVer: 3},
		{Output: "stderr", Flush: true},
	}}
	if got.Root != "kea-dhcp4" || !got.Debug || len(got.Loggers) != 1 {
		t.Fatalf("config %+v", got)
	}
	l := got.Loggers[0]
	if l.Name != want.Name || l.Severity != want.Severity || l.DebugLevel != want.DebugLevel || len(l.Outputs) != 2 ||
		l.Outputs[0] != want.Outputs[0] || l.Outputs[1] != want.Outputs[1] {
		t.Errorf("logger %+v, want %+v", l, want)
	}
}

// TestSwapHandler: loggers derived before a swap write through the new
// handler after it, with their attributes and groups, also while records
// are being written concurrently (run with -race).
func TestSwapHandler(t *testing.T) {
	var a, b bytes.Buffer
	sh := newSwapHandler(slog.NewTextHandler(&a, nil))
	derived := slog.New(sh).With("component", "memfile").WithGroup("lease")
	derived.Info("one", "addr", "192.0.2.1")
	sh.swap(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn}))
	derived.Info("hidden")
	derived.Warn("two", "addr", "192.0.2.2")
	if !strings.Contains(a.String(), "msg=one component=memfile lease.addr=192.0.2.1") || strings.Contains(a.String(), "two") {
		t.Errorf("first handler got:\n%s", a.String())
	}
	if !strings.Contains(b.String(), "msg=two component=memfile lease.addr=192.0.2.2") || strings.Contains(b.String(), "hidden") {
		t.Errorf("second handler got:\n%s", b.String())
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	w := lockedWriter{mu: &mu, b: &bytes.Buffer{}}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := slog.New(sh).With("g", i)
			for range 200 {
				l.Warn("x")
			}
		}()
	}
	for range 50 {
		sh.swap(slog.NewTextHandler(w, nil))
	}
	wg.Wait()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
