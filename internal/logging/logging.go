// Package logging maps Kea's "loggers" configuration onto log/slog, so the
// daemons log where and how much a Kea operator's configuration asks for.
//
// Kea names loggers hierarchically ("kea-dhcp4", "kea-dhcp4.packets", ...);
// a record goes to the most specific configured logger whose name is the
// record's logger name or a dot-separated prefix of it. Components tag their
// records with the attribute [LoggerKey]; untagged records belong to the
// root logger of the daemon.
//
// Kea severities map to slog levels: FATAL and ERROR to [slog.LevelError]
// (FATAL four above it), WARN to [slog.LevelWarn], INFO to [slog.LevelInfo],
// DEBUG to [slog.LevelDebug] minus the logger's debuglevel (0-99), so that a
// message logged at [Debug](n) appears when debuglevel ≥ n, as in Kea.
// NONE turns a logger off.
//
//	h, closeFn, err := logging.New(logging.Config{Root: "kea-dhcp4", Loggers: specs})
//	if err != nil { ... }
//	defer closeFn()
//	log := slog.New(h)
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
)

// LoggerKey is the attribute that names the Kea logger a record belongs to.
const LoggerKey = "logger"

// LevelFatal is the slog level of Kea's FATAL severity.
const LevelFatal = slog.LevelError + 4

// Debug returns the slog level of a debug message of Kea debug level n
// (0-99): visible when the logger's debuglevel is n or more.
func Debug(n int) slog.Level { return slog.LevelDebug - slog.Level(n) }

// Logger is one entry of Kea's "loggers" list.
type Logger struct {
	Name       string   // "kea-dhcp4" or a child such as "kea-dhcp4.packets"
	Severity   string   // FATAL, ERROR, WARN, INFO, DEBUG, NONE; "" is INFO
	DebugLevel int      // 0-99, used when Severity is DEBUG
	Outputs    []Output // where records go; none means stdout as in Kea
}

// Output is one entry of a logger's "output_options".
type Output struct {
	// Output is "stdout", "stderr", "syslog", "syslog:<ident>" or a file
	// path.
	Output string
	// Flush writes every record through at once (Kea's default, true);
	// false lets file output buffer up to a few KiB.
	Flush bool
	// MaxSize rotates a file output when it would grow past this many
	// bytes (0: never); MaxVer is the number of rotated files kept.
	MaxSize int64
	MaxVer  int
}

// Config is a daemon's logging setup.
type Config struct {
	// Root is the daemon's root logger name (e.g. "kea-dhcp4"); untagged
	// records belong to it.
	Root    string
	Loggers []Logger
	// Debug forces DEBUG with debuglevel 99 on every logger (the -d flag).
	Debug bool
	// Stdout and Stderr replace the process's streams (tests).
	Stdout, Stderr io.Writer
}

// ParseSeverity converts a Kea severity name to a slog level; off reports
// NONE.
func ParseSeverity(s string, debugLevel int) (lvl slog.Level, off bool, err error) {
	switch strings.ToUpper(s) {
	case "FATAL":
		return LevelFatal, false, nil
	case "ERROR":
		return slog.LevelError, false, nil
	case "WARN":
		return slog.LevelWarn, false, nil
	case "INFO", "":
		return slog.LevelInfo, false, nil
	case "DEBUG":
		if debugLevel < 0 || debugLevel > 99 {
			return 0, false, fmt.Errorf("debuglevel %d out of range 0-99", debugLevel)
		}
		return Debug(debugLevel), false, nil
	case "NONE":
		return 0, true, nil
	}
	return 0, false, fmt.Errorf("unknown severity %q (FATAL, ERROR, WARN, INFO, DEBUG, NONE)", s)
}

// New builds a handler for cfg. The returned function closes the files it
// opened.
func New(cfg Config) (slog.Handler, func() error, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	loggers := cfg.Loggers
	if len(loggers) == 0 {
		loggers = []Logger{{Name: cfg.Root, Severity: "INFO"}}
	}
	r := &router{}
	sinks := map[string]*sink{}
	closeAll := func() error {
		var first error
		for _, s := range sinks {
			if err := s.close(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for i, l := range loggers {
		lvl, off, err := ParseSeverity(l.Severity, l.DebugLevel)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("loggers[%d] (%s): %w", i, l.Name, err)
		}
		if cfg.Debug {
			lvl, off = Debug(99), false
		}
		route := route{name: l.Name, level: lvl, off: off}
		outs := l.Outputs
		if len(outs) == 0 {
			outs = []Output{{Output: "stdout", Flush: true}}
		}
		for j, o := range outs {
			s, ok := sinks[o.Output]
			if !ok {
				s, err = openSink(o, cfg.Stdout, cfg.Stderr)
				if err != nil {
					closeAll()
					return nil, nil, fmt.Errorf("loggers[%d] (%s) output_options[%d]: %w", i, l.Name, j, err)
				}
				sinks[o.Output] = s
			}
			route.sinks = append(route.sinks, s)
		}
		r.routes = append(r.routes, route)
	}
	// Most specific (longest) name first, so lookup takes the first match.
	sort.SliceStable(r.routes, func(a, b int) bool { return len(r.routes[a].name) > len(r.routes[b].name) })
	r.root = cfg.Root
	return &handler{r: r, logger: cfg.Root}, closeAll, nil
}

type route struct {
	name  string
	level slog.Level
	off   bool
	sinks []*sink
}

type router struct {
	root   string
	routes []route
}

// find returns the route of logger name: the longest configured name equal
// to it or a dotted prefix of it, else the root's.
func (r *router) find(name string) *route {
	for i := range r.routes {
		n := r.routes[i].name
		if name == n || (strings.HasPrefix(name, n) && name[len(n)] == '.') {
			return &r.routes[i]
		}
	}
	for i := range r.routes {
		if r.routes[i].name == r.root {
			return &r.routes[i]
		}
	}
	return nil
}

// handler is the slog.Handler: it carries pre-formatted attributes and
// groups like slog's text handler and routes each record by logger name.
type handler struct {
	r      *router
	logger string
	attrs  []slog.Attr
	groups []string
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	rt := h.r.find(h.logger)
	return rt != nil && !rt.off && l >= rt.level
}

func (h *handler) Handle(_ context.Context, rec slog.Record) error {
	logger := h.logger
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == LoggerKey && len(h.groups) == 0 {
			logger = a.Value.String()
			return false
		}
		return true
	})
	rt := h.r.find(logger)
	if rt == nil || rt.off || rec.Level < rt.level {
		return nil
	}
	line := format(rec, logger, h.attrs, h.groups)
	var first error
	for _, s := range rt.sinks {
		if err := s.write(rec.Level, line); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := &handler{r: h.r, logger: h.logger, groups: h.groups}
	n.attrs = append([]slog.Attr{}, h.attrs...)
	for _, a := range as {
		if a.Key == LoggerKey && len(h.groups) == 0 {
			n.logger = a.Value.String()
			continue
		}
		n.attrs = append(n.attrs, prefixed(a, h.groups))
	}
	return n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{r: h.r, logger: h.logger, attrs: h.attrs, groups: append(append([]string{}, h.groups...), name)}
}

func prefixed(a slog.Attr, groups []string) slog.Attr {
	if len(groups) == 0 {
		return a
	}
	a.Key = strings.Join(groups, ".") + "." + a.Key
	return a
}
