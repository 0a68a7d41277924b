package hooks

import (
	"context"
	"log/slog"
)

type loggerKey struct{}

// Logger returns the logger a library should log through, from the
// context its Load gets: in-process, the server's hooks logger with the
// library's name (as the Manager logs about the library); in a plugin,
// slog's default logger, which ServePlugin points at the host's log (the
// host adds the library's name). Keep it from Load: callouts' contexts do
// not carry it. Without a logger in ctx it is slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.Default()
}

// withLogger is the context a linked library's Load gets.
func withLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, log)
}
