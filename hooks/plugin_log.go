package hooks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// LogLevelEnv is the environment variable in which the host tells a plugin
// the lowest level it logs (slog's text form: "INFO", "DEBUG-10"), so that
// the plugin does not format lines the host would drop. ServePlugin sets
// slog's default logger to that level. It is the host's level when the
// plugin started; the host still filters every line it gets.
const LogLevelEnv = "LEASEHOLD_HOOKS_LOG_LEVEL"

// minLevel is the lowest level log is enabled for (Kea's debug levels go
// down to Debug-99).
func minLevel(log *slog.Logger) slog.Level {
	ctx := context.Background()
	for l := slog.LevelDebug - 99; l < slog.LevelError; l++ {
		if log.Enabled(ctx, l) {
			return l
		}
	}
	return slog.LevelError
}

// hclogToSlog gives go-plugin an hclog.Logger whose lines end in slog.
func hclogToSlog(log *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "go-plugin",
		Level:      hclog.Info,
		JSONFormat: true,
		Output:     &logLines{log: log, level: slog.LevelInfo},
	})
}

// hclogLevel is the hclog level that logs what the slog level l logs.
func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l < slog.LevelDebug:
		return hclog.Trace
	case l < slog.LevelInfo:
		return hclog.Debug
	case l < slog.LevelWarn:
		return hclog.Info
	case l < slog.LevelError:
		return hclog.Warn
	}
	return hclog.Error
}

// logLines is an io.Writer that logs each line through slog: JSON lines
// from hclog ("@level", "@message") or slog ("level", "msg") keep their
// level and attributes, other lines are logged at level.
type logLines struct {
	log    *slog.Logger
	level  slog.Level
	prefix string // "stdout"/"stderr" for a plugin's raw output
	tail   *lineTail
	buf    []byte
}

func (w *logLines) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.logLine(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a writer that never ends its line
		w.logLine(w.buf)
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

func (w *logLines) logLine(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	if w.tail != nil {
		w.tail.add(line)
	}
	ctx := context.Background()
	if line[0] != '{' {
		if !w.log.Enabled(ctx, w.level) {
			return
		}
		if w.prefix != "" {
			w.log.Log(ctx, w.level, "plugin "+w.prefix, "line", string(line))
			return
		}
		w.log.Log(ctx, w.level, string(line))
		return
	}
	// Most lines a busy plugin writes are below the host's level: find the
	// level without decoding the line, which costs more than the rest of an
	// event's delivery.
	if level, ok := lineLevel(line); ok && !w.log.Enabled(ctx, level) {
		return
	}
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		if w.log.Enabled(ctx, w.level) {
			w.log.Log(ctx, w.level, "plugin "+w.prefix, "line", string(line))
		}
		return
	}
	level, msg := w.level, ""
	if s, ok := m["@level"].(string); ok {
		level, msg = parseLevel(s, level), str(m["@message"])
		delete(m, "@level")
		delete(m, "@message")
		delete(m, "@timestamp")
		delete(m, "@module")
		delete(m, "@caller")
	} else if s, ok := m["level"].(string); ok {
		level, msg = parseLevel(s, level), str(m["msg"])
		delete(m, "level")
		delete(m, "msg")
		delete(m, "time")
	}
	if !w.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]any, 0, 2*len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) { // a stable order reads and greps better
		attrs = append(attrs, k, m[k])
	}
	w.log.Log(ctx, level, msg, attrs...)
}

// Keys of the level in hclog's and slog's JSON lines, as both write them
// (no space after the colon). "@level" first: "level" is part of it.
var levelKeys = [][]byte{[]byte(`"@level":"`), []byte(`"level":"`)}

// lineLevel finds the level of a JSON log line without decoding it. A key
// inside a string value cannot match: its quotes are escaped there.
func lineLevel(line []byte) (slog.Level, bool) {
	for _, key := range levelKeys {
		i := bytes.Index(line, key)
		if i < 0 {
			continue
		}
		v := line[i+len(key):]
		j := bytes.IndexByte(v, '"')
		if j < 0 {
			return 0, false
		}
		return levelOf(v[:j])
	}
	return 0, false
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// levelOf reads hclog's level names and slog's ("INFO", "DEBUG-4").
func levelOf(b []byte) (slog.Level, bool) {
	switch string(b) { // no allocation: the conversion is only compared
	case "trace", "debug", "DEBUG":
		return slog.LevelDebug, true
	case "info", "INFO":
		return slog.LevelInfo, true
	case "warn", "warning", "WARN":
		return slog.LevelWarn, true
	case "error", "ERROR":
		return slog.LevelError, true
	}
	var l slog.Level
	if l.UnmarshalText(b) != nil {
		return 0, false
	}
	return l, true
}

func parseLevel(s string, def slog.Level) slog.Level {
	if l, ok := levelOf([]byte(strings.TrimSpace(s))); ok {
		return l
	}
	return def
}

// logReader logs every line r yields until r ends.
func logReader(r io.Reader, w *logLines) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		w.logLine(sc.Bytes())
	}
}

// lineTail keeps the last lines a plugin wrote on stderr, and its last
// panic line (a panic's stack trace pushes it out of the tail), to say why
// a plugin that exited did.
type lineTail struct {
	mu    sync.Mutex
	lines [tailLines][]byte
	next  int
	n     int
	panic []byte
}

const (
	tailLines   = 8
	tailLineMax = 300
)

func (t *lineTail) add(line []byte) {
	line = line[:min(len(line), tailLineMax)]
	t.mu.Lock()
	t.lines[t.next] = append(t.lines[t.next][:0], line...)
	t.next = (t.next + 1) % tailLines
	t.n = min(t.n+1, tailLines)
	if bytes.HasPrefix(line, []byte("panic: ")) || bytes.HasPrefix(line, []byte("fatal error: ")) {
		t.panic = append(t.panic[:0], line...)
	}
	t.mu.Unlock()
}

// String is the kept lines, oldest first, separated by " | ".
func (t *lineTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	seenPanic := t.panic == nil
	for i := range t.n {
		l := t.lines[(t.next-t.n+i+tailLines)%tailLines]
		seenPanic = seenPanic || bytes.Equal(l, t.panic)
		parts = append(parts, readableLine(l))
	}
	if !seenPanic {
		parts = append([]string{string(t.panic), "..."}, parts...)
	}
	return strings.Join(parts, " | ")
}

// readableLine shortens a JSON log line to its level and message; the tail
// is read by a person, in an error message.
func readableLine(line []byte) string {
	var m map[string]any
	if line[0] != '{' || json.Unmarshal(line, &m) != nil {
		return string(line)
	}
	for _, k := range [][2]string{{"@level", "@message"}, {"level", "msg"}} {
		if level, ok := m[k[0]].(string); ok {
			return strings.ToUpper(level) + " " + str(m[k[1]])
		}
	}
	return string(line)
}
