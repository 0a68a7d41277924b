package logging

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// format renders a record the way Kea's default layout reads, so operators'
// log scrapers keep working:
//
//	2026-11-25 07:42:46.961 INFO  [kea-dhcp4/9310] message key=value ...
func format(rec slog.Record, logger string, attrs []slog.Attr, groups []string) []byte {
	b := make([]byte, 0, 160)
	t := rec.Time
	if t.IsZero() {
		t = time.Now()
	}
	b = t.AppendFormat(b, "2006-01-02 15:04:05.000")
	b = append(b, ' ')
	b = append(b, padRight(severity(rec.Level), 5)...)
	b = append(b, " ["...)
	b = append(b, logger...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, "] "...)
	b = append(b, rec.Message...)
	for _, a := range attrs {
		b = appendAttr(b, "", a)
	}
	prefix := ""
	if len(groups) > 0 {
		prefix = strings.Join(groups, ".") + "."
	}
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == LoggerKey && len(groups) == 0 {
			return true
		}
		b = appendAttr(b, prefix, a)
		return true
	})
	return append(b, '\n')
}

func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix + a.Key + "."
		if a.Key == "" {
			p = prefix
		}
		for _, g := range a.Value.Group() {
			b = appendAttr(b, p, g)
		}
		return b
	}
	b = append(b, ' ')
	b = append(b, prefix...)
	b = append(b, a.Key...)
	b = append(b, '=')
	s := a.Value.String()
	if needsQuote(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '=' || r > '~' {
			return true
		}
	}
	return false
}

func severity(l slog.Level) string {
	switch {
	case l >= LevelFatal:
		return "FATAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "INFO"
	}
	return "DEBUG"
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
