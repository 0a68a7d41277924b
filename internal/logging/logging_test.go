package logging

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newTest(t *testing.T, cfg Config) (*slog.Logger, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	cfg.Stdout, cfg.Stderr = &out, &errOut
	h, closeFn, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFn() })
	return slog.New(h), &out, &errOut
}

func TestSeverityAndDebugLevel(t *testing.T) {
	tests := []struct {
		sev   string
		dbg   int
		level slog.Level
		want  bool
	}{
		{"INFO", 0, slog.LevelInfo, true},
		{"INFO", 0, slog.LevelDebug, false},
		{"WARN", 0, slog.LevelInfo, false},
		{"WARN", 0, slog.LevelError, true},
		{"ERROR", 0, slog.LevelWarn, false},
		{"FATAL", 0, slog.LevelError, false},
		{"FATAL", 0, LevelFatal, true},
		{"DEBUG", 0, slog.LevelDebug, true},
		{"DEBUG", 0, Debug(1), false},
		{"DEBUG", 40, Debug(40), true},
		{"DEBUG", 40, Debug(45), false},
		{"NONE", 0, LevelFatal, false},
	}
	for _, tt := range tests {
		log, out, _ := newTest(t, Config{Root: "kea-dhcp4", Loggers: []Logger{{Name: "kea-dhcp4", Severity: tt.sev, DebugLevel: tt.dbg}}})
		log.Log(t.Context(), tt.level, "hello")
		if got := out.Len() > 0; got != tt.want {
			t.Errorf("severity %s/%d, record at %v: logged=%v, want %v", tt.sev, tt.dbg, tt.level, got, tt.want)
		}
	}
}

func TestChildLoggerRouting(t *testing.T) {
	log, out, errOut := newTest(t, Config{Root: "kea-dhcp4", Loggers: []Logger{
		{Name: "kea-dhcp4", Severity: "INFO", Outputs: []Output{{Output: "stdout", Flush: true}}},
		{Name: "kea-dhcp4.packets", Severity: "DEBUG", DebugLevel: 50, Outputs: []Output{{Output: "stderr", Flush: true}}},
	}})
	log.Info("root message")
	pk := log.With(LoggerKey, "kea-dhcp4.packets")
	pk.Log(t.Context(), Debug(50), "packet detail", "xid", "0x1234")
	log.With(LoggerKey, "kea-dhcp4.packets.sub").Debug("grandchild")
	log.With(LoggerKey, "kea-dhcp4.leases").Debug("leases debug goes nowhere")
	if !strings.Contains(out.String(), "INFO  [kea-dhcp4/") || !strings.Contains(out.String(), "root message") {
		t.Errorf("stdout = %q", out)
	}
	if strings.Contains(out.String(), "packet detail") || strings.Contains(out.String(), "leases debug") {
		t.Errorf("child records leaked to the root output: %q", out)
	}
	e := errOut.String()
	if !strings.Contains(e, "[kea-dhcp4.packets/") || !strings.Contains(e, "packet detail xid=0x1234") || !strings.Contains(e, "grandchild") {
		t.Errorf("stderr = %q", e)
	}
}

func TestForcedDebug(t *testing.T) {
	log, out, _ := newTest(t, Config{Root: "kea-dhcp6", Debug: true, Loggers: []Logger{{Name: "kea-dhcp6", Severity: "WARN"}}})
	log.Log(t.Context(), Debug(99), "deep")
	if !strings.Contains(out.String(), "DEBUG [kea-dhcp6/") {
		t.Errorf("-d did not enable debug: %q", out)
	}
}

func TestAttrsAndGroups(t *testing.T) {
	log, out, _ := newTest(t, Config{Root: "x"})
	log.With("a", 1, "b", "two words").WithGroup("g").Info("m", "c", 3, slog.Group("h", "d", 4))
	want := `m a=1 b="two words" g.c=3 g.h.d=4`
	if !strings.Contains(out.String(), want) {
		t.Errorf("got %q, want it to contain %q", out, want)
	}
}

func TestFileRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kea.log")
	log, _, _ := newTest(t, Config{Root: "kea-dhcp4", Loggers: []Logger{{Name: "kea-dhcp4", Outputs: []Output{{Output: path, Flush: true, MaxSize: 200, MaxVer: 2}}}}})
	for i := 0; i < 20; i++ {
		log.Info("a line long enough to fill the file quickly", "i", i)
	}
	for _, p := range []string{path, path + ".1", path + ".2"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st.Size() > 200 {
			t.Errorf("%s has %d bytes, over maxsize", p, st.Size())
		}
	}
	if _, err := os.Stat(path + ".3"); err == nil {
		t.Error("more versions kept than maxver")
	}
	last, _ := os.ReadFile(path)
	if !strings.Contains(string(last), "i=19") {
		t.Errorf("newest record not in the current file: %q", last)
	}
}

func TestErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Root: "r", Loggers: []Logger{{Name: "r", Severity: "LOUD"}}},
		{Root: "r", Loggers: []Logger{{Name: "r", Severity: "DEBUG", DebugLevel: 100}}},
		{Root: "r", Loggers: []Logger{{Name: "r", Outputs: []Output{{Output: "/nonexistent-dir/x.log"}}}}},
		{Root: "r", Loggers: []Logger{{Name: "r", Outputs: []Output{{Output: ""}}}}},
	} {
		if _, _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "loggers[0]") {
			t.Errorf("config %+v: error %v, want one naming loggers[0]", cfg.Loggers, err)
		}
	}
}

func TestUnbufferedFileFlushedOnClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "buffered.log")
	h, closeFn, err := New(Config{Root: "r", Loggers: []Logger{{Name: "r", Outputs: []Output{{Output: path, Flush: false}}}}})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("kept")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "kept") {
		t.Errorf("buffered record lost at close: %q", b)
	}
}
