package daemontest

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/internal/plugintest"
)

// ConfigRecorder is a hook library, linked into a daemon run in-process,
// that keeps the json_config argument of every call of its point
// (dhcp4_srv_configured or dhcp6_srv_configured).
type ConfigRecorder struct {
	Point hooks.Point

	mu    sync.Mutex
	calls []json.RawMessage
}

// Load implements hooks.Library.
func (r *ConfigRecorder) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return hooks.Registration{r.Point: hooks.Sync}, nil
}

// Callout implements hooks.Library.
func (r *ConfigRecorder) Callout(_ context.Context, _ hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	r.mu.Lock()
	r.calls = append(r.calls, append(json.RawMessage(nil), a.JSONConfig...))
	r.mu.Unlock()
	return hooks.Continue, nil
}

// Unload implements hooks.Library.
func (r *ConfigRecorder) Unload(context.Context) error { return nil }

// Wait waits up to 10 s for the n-th call and returns its json_config.
func (r *ConfigRecorder) Wait(t testing.TB, n int) json.RawMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := len(r.calls)
		if got >= n {
			c := r.calls[n-1]
			r.mu.Unlock()
			return c
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%s called %d times, want %d", r.Point, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Socketless wraps a daemon's real server so that a test runs the
// daemon's start, reload and stop paths without privileges: Serve opens
// no sockets and only waits for Shutdown or the end of its context.
func Socketless[C any](s daemon.Server[C]) daemon.Server[C] {
	return &socketless[C]{Server: s, stop: make(chan struct{})}
}

type socketless[C any] struct {
	daemon.Server[C]
	stop chan struct{}
	once sync.Once
}

func (s *socketless[C]) Serve(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case <-s.stop:
	}
	return nil
}

func (s *socketless[C]) Shutdown(ctx context.Context) error {
	s.once.Do(func() { close(s.stop) })
	return s.Server.Shutdown(ctx)
}

// InProcess is a daemon run by daemon.Run in the test's process, with
// signals sent through a channel and its output collected.
type InProcess struct {
	Signals chan os.Signal
	out     plugintest.LogBuffer
	done    chan int
}

// RunInProcess starts daemon.Run(f, args) in a goroutine. Cleanup stops
// it with SIGTERM if the test did not.
func RunInProcess[C any](t testing.TB, f daemon.Family[C], args ...string) *InProcess {
	r := &InProcess{Signals: make(chan os.Signal, 1), done: make(chan int, 1)}
	go func() {
		r.done <- daemon.Run(f, args, daemon.Process{Stdout: &r.out, Stderr: &r.out, Signals: r.Signals})
	}()
	t.Cleanup(func() {
		select {
		case code := <-r.done:
			r.done <- code
		default:
			r.Signals <- syscall.SIGTERM
			<-r.done
		}
	})
	return r
}

// Output is what the daemon wrote to stdout and stderr so far.
func (r *InProcess) Output() string { return r.out.String() }

// Stop sends SIGTERM and returns the exit code (-1 if Run did not return
// within 15 s).
func (r *InProcess) Stop() int {
	r.Signals <- syscall.SIGTERM
	select {
	case code := <-r.done:
		r.done <- code // for Cleanup
		return code
	case <-time.After(15 * time.Second):
		return -1
	}
}
