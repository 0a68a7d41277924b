package hooks

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/internal/logging"
)

func TestLineLevel(t *testing.T) {
	for _, tt := range []struct {
		line  string
		level slog.Level
		ok    bool
	}{
		{`{"@level":"info","@message":"x","@timestamp":"2026-01-01T00:00:00Z"}`, slog.LevelInfo, true},
		{`{"@level":"trace","@message":"x"}`, slog.LevelDebug, true},
		{`{"@level":"warn","@message":"x"}`, slog.LevelWarn, true},
		{`{"time":"2026-01-01T00:00:00Z","level":"ERROR","msg":"x"}`, slog.LevelError, true},
		{`{"time":"t","level":"DEBUG-10","msg":"x"}`, slog.LevelDebug - 10, true},
		{`{"time":"t","level":"INFO+2","msg":"x"}`, slog.LevelInfo + 2, true},
		// A key inside a string has escaped quotes: the real level counts.
		{`{"time":"t","msg":"said \"level\":\"ERROR\"","level":"INFO"}`, slog.LevelInfo, true},
		{`{"time":"t","level": "INFO","msg":"x"}`, 0, false}, // not as slog writes it: decoded instead
		{`{"time":"t","level":"LOUD","msg":"x"}`, 0, false},
		{`{"level":"INFO`, 0, false},
		{`{"msg":"no level"}`, 0, false},
	} {
		level, ok := lineLevel([]byte(tt.line))
		if ok != tt.ok || (ok && level != tt.level) {
			t.Errorf("lineLevel(%s) = %v, %v; want %v, %v", tt.line, level, ok, tt.level, tt.ok)
		}
	}
}

func TestLogLinesFilter(t *testing.T) {
	buf := &logBuffer{}
	w := &logLines{log: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn})),
		level: slog.LevelWarn, prefix: "stderr"}
	for _, line := range []string{
		`{"@level":"info","@message":"hclog info","@timestamp":"t"}`,
		`{"time":"t","level":"INFO","msg":"slog info","address":"192.0.2.1"}`,
		`{"time":"t","level": "INFO","msg":"spaced info"}`,
		`{"time":"t","level":"WARN","msg":"slog warn","address":"192.0.2.2","n":3}`,
		`{"@level":"error","@message":"hclog error","@timestamp":"t","@module":"m","k":"v"}`,
		`plain line`,
		`{"broken json`,
	} {
		fmt.Fprintln(w, line)
	}
	got := buf.String()
	for _, want := range []string{
		`level=WARN msg="slog warn" address=192.0.2.2 n=3`,
		`level=ERROR msg="hclog error" k=v`,
		`level=WARN msg="plugin stderr" line="plain line"`,
		`level=WARN msg="plugin stderr" line="{\"broken json"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	for _, no := range []string{"info"} {
		if strings.Contains(got, no) {
			t.Errorf("log has a line below the host's level:\n%s", got)
		}
	}
}

func TestMinLevel(t *testing.T) {
	for _, tt := range []struct {
		level slog.Level
		env   string
	}{
		{slog.LevelWarn, "WARN"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelDebug, "DEBUG"},
		{logging.Debug(40), "DEBUG-40"},
		{slog.LevelError, "ERROR"},
	} {
		log := slog.New(slog.NewTextHandler(&logBuffer{}, &slog.HandlerOptions{Level: tt.level}))
		got := minLevel(log)
		if got != tt.level || got.String() != tt.env {
			t.Errorf("minLevel = %v (%q), want %v (%q)", got, got.String(), tt.level, tt.env)
		}
		if back := hostLogLevel(got.String()); back != tt.level {
			t.Errorf("hostLogLevel(%q) = %v, want %v", got.String(), back, tt.level)
		}
	}
	if got := hostLogLevel(""); got != slog.LevelDebug {
		t.Errorf("without the variable the plugin logs from %v, want DEBUG", got)
	}
}

func TestLineTail(t *testing.T) {
	var tail lineTail
	tail.add([]byte("panic: boom"))
	for i := range tailLines + 2 {
		tail.add([]byte(fmt.Sprintf("frame %d", i)))
	}
	tail.add([]byte(`{"time":"t","level":"ERROR","msg":"last words"}`))
	got := tail.String()
	if !strings.HasPrefix(got, "panic: boom | ... | frame 3 | ") || !strings.HasSuffix(got, "frame 9 | ERROR last words") {
		t.Errorf("tail = %q", got)
	}
}

// The plugin learns the host's level at start and writes nothing below it:
// the tail, which keeps every line the host received, has no INFO line.
func TestPluginLogLevel(t *testing.T) {
	buf := &logBuffer{}
	cfg := pluginConfig(t, `{"sync": ["pkt4_receive"], "log-at-load": ["DEBUG", "INFO", "WARN", "ERROR"]}`, LibrarySettings{})
	cfg.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := newManager(t, cfg)
	waitFor(t, "the plugin's ERROR line", 5*time.Second, func() bool { return strings.Contains(buf.String(), "logged at ERROR") })
	if !strings.Contains(buf.String(), "logged at WARN") {
		t.Errorf("WARN line not logged:\n%s", buf)
	}
	tail := m.state.Load().libs[0].lib.(*pluginLib).cur.Load().tail.String()
	if strings.Contains(tail, "logged at INFO") || strings.Contains(tail, "logged at DEBUG") {
		t.Errorf("the plugin wrote lines below the host's level: %s", tail)
	}
	if !strings.Contains(tail, "logged at WARN") {
		t.Errorf("tail lacks the WARN line: %s", tail)
	}
	m.Call(context.Background(), Pkt4Receive, &Args{Query: packet4(1, 1, 1)})
}

// BenchmarkLogLineDropped is the host's cost of a plugin's log line below
// its level: no decoding, no allocation.
func BenchmarkLogLineDropped(b *testing.B) {
	w := &logLines{log: slog.New(slog.NewTextHandler(&logBuffer{}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		level: slog.LevelWarn, prefix: "stderr", tail: &lineTail{}}
	line := []byte(`{"time":"2026-11-25T10:50:40.77877562Z","level":"INFO","msg":"lease committed","address":"198.18.1.17",` +
		`"hwaddr":"00:0c:01:02:03:04","client_id":"","valid_lifetime":4000,"cltt":1764067840,"subnet_id":1,"hostname":"","state":0,"outcome":"continue"}`)
	b.ReportAllocs()
	for b.Loop() {
		w.logLine(line)
	}
}
