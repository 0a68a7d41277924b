package daemon

import (
	"context"
	"io"
	"log/slog"
	"math"
	"sync/atomic"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/logging"
)

// loggingConfig maps the configuration's "loggers" onto internal/logging.
func loggingConfig(root string, ls []config.Logger, debug bool, stdout, stderr io.Writer) logging.Config {
	lc := logging.Config{Root: root, Debug: debug, Stdout: stdout, Stderr: stderr}
	for _, l := range ls {
		out := logging.Logger{Name: l.Name, Severity: l.Severity, DebugLevel: l.DebugLevel}
		for _, o := range l.OutputOptions {
			size := int64(math.MaxInt64)
			if o.MaxSize <= math.MaxInt64 {
				size = int64(o.MaxSize)
			}
			out.Outputs = append(out.Outputs, logging.Output{Output: o.Output, Flush: o.Flush, MaxSize: size, MaxVer: o.MaxVer})
		}
		lc.Loggers = append(lc.Loggers, out)
	}
	return lc
}

// swapHandler is a slog.Handler whose destination can be replaced while
// loggers derived from it (With, WithGroup) stay in use: a reconfiguration
// changes where and how much everything logs, as Kea's does, without
// handing new loggers to the server, the store and the hooks manager.
type swapHandler struct {
	base *atomic.Pointer[handlerBox]
	ops  []handlerOp // applied to the base in order: the With/WithGroup chain
	memo atomic.Pointer[derived]
}

type handlerBox struct{ h slog.Handler }

// handlerOp is one With (attrs) or WithGroup (group) step.
type handlerOp struct {
	attrs []slog.Attr
	group string
}

// derived caches the chain applied to one base.
type derived struct {
	base *handlerBox
	h    slog.Handler
}

func newSwapHandler(h slog.Handler) *swapHandler {
	p := new(atomic.Pointer[handlerBox])
	p.Store(&handlerBox{h})
	return &swapHandler{base: p}
}

// swap makes every logger derived from s write through h from now on.
func (s *swapHandler) swap(h slog.Handler) { s.base.Store(&handlerBox{h}) }

func (s *swapHandler) current() slog.Handler {
	b := s.base.Load()
	if d := s.memo.Load(); d != nil && d.base == b {
		return d.h
	}
	h := b.h
	for _, op := range s.ops {
		if op.group != "" {
			h = h.WithGroup(op.group)
		} else {
			h = h.WithAttrs(op.attrs)
		}
	}
	s.memo.Store(&derived{base: b, h: h})
	return h
}

func (s *swapHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return s.current().Enabled(ctx, l)
}

func (s *swapHandler) Handle(ctx context.Context, r slog.Record) error {
	return s.current().Handle(ctx, r)
}

func (s *swapHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return s
	}
	return s.with(handlerOp{attrs: as})
}

func (s *swapHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return s
	}
	return s.with(handlerOp{group: name})
}

func (s *swapHandler) with(op handlerOp) *swapHandler {
	ops := make([]handlerOp, len(s.ops), len(s.ops)+1)
	copy(ops, s.ops)
	return &swapHandler{base: s.base, ops: append(ops, op)}
}
