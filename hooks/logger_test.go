package hooks

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// loggingLib logs through Logger(ctx) at Load.
type loggingLib struct{ fakeLib }

func (l *loggingLib) Load(ctx context.Context, _ json.RawMessage) (Registration, error) {
	Logger(ctx).Info("hello from the library", "k", "v")
	return Registration{}, nil
}

// TestLoggerLinked: a linked library's Load gets the Manager's logger with
// the library's name, so its lines land in the server's log like the
// Manager's own lines about it.
func TestLoggerLinked(t *testing.T) {
	var buf logBuffer
	newManager(t, Config{Logger: slogTo(&buf), Libraries: []LibraryConfig{{Library: "greeter", Linked: &loggingLib{}}}})
	var line string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "hello from the library") {
			line = l
		}
	}
	if !strings.Contains(line, "library=greeter") || !strings.Contains(line, "k=v") {
		t.Errorf("library's line %q, want it in the manager's log with library=greeter", line)
	}
}

func TestLoggerDefault(t *testing.T) {
	if Logger(context.Background()) != slog.Default() {
		t.Error("without a logger in the context, Logger is not slog.Default()")
	}
	l := slog.New(slog.DiscardHandler)
	if Logger(withLogger(context.Background(), l)) != l {
		t.Error("Logger does not return the context's logger")
	}
}
