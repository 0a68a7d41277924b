package runscript

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/runscript/internal/exchange"
)

// A slow script: calls never wait, at most max-concurrent scripts run, at
// most queue-size calls wait, the rest are counted and logged, and every
// child is reaped.
func TestAsyncBounded(t *testing.T) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	// Each run records its pid and how many runs were going on when it
	// started (one file per running script).
	body := fmt.Sprintf(`touch %[1]s/run.$$
ls %[1]s | grep -c '^run\.' > %[1]s/seen.$$
echo $$ >> %[2]s
sleep 0.3
rm %[1]s/run.$$`, dir, pids)
	l, lb := load(t, params(script(t, body), `"max-concurrent": 2, "queue-size": 3`))
	const calls = 20
	for i := range calls {
		start := time.Now()
		step, err := l.Callout(t.Context(), hooks.Lease4Expire, &hooks.Args{Lease4: testLease4()})
		if err != nil || step != hooks.Continue {
			t.Fatalf("call %d: %v %v", i, step, err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("call %d waited %v", i, d)
		}
	}
	st := l.Stats()
	// The queue holds 3; the workers may have taken up to 2 more by then.
	accepted := calls - int(st.Overflow)
	if accepted < 3 || accepted > 5 {
		t.Errorf("%d calls accepted, want 3 to 5 (queue-size 3 + max-concurrent 2)", accepted)
	}
	lb.waitLog(t, "script queue full; calls dropped", "dropped=1", "max_concurrent=2", "queue_size=3")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		st = l.Stats()
		if st.Running > 2 {
			t.Fatalf("%d scripts running, max-concurrent is 2", st.Running)
		}
		if int(st.Started) == accepted && st.Running == 0 && st.Queued == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("stats %+v: the %d accepted calls did not all run", st, accepted)
		}
		time.Sleep(5 * time.Millisecond)
	}
	seen, _ := filepath.Glob(filepath.Join(dir, "seen.*"))
	if len(seen) != accepted {
		t.Errorf("%d runs recorded, want %d", len(seen), accepted)
	}
	for _, f := range seen {
		b, _ := os.ReadFile(f)
		if n, _ := strconv.Atoi(strings.TrimSpace(string(b))); n < 1 || n > 2 {
			t.Errorf("a run saw %d scripts running, max-concurrent is 2", n)
		}
	}
	b, _ := os.ReadFile(pids)
	for _, f := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(f)
		waitGone(t, pid)
	}
}

// Unload runs what is queued (until its context ends), and a failing
// script's status is logged.
func TestAsyncUnloadDrains(t *testing.T) {
	name, dumps := dumper(t)
	l, _ := load(t, params(name, `"max-concurrent": 1`))
	for range 4 {
		if _, err := l.Callout(t.Context(), hooks.Lease4Recover, &hooks.Args{Lease4: testLease4()}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := l.Unload(ctx); err != nil {
		t.Fatal(err)
	}
	calls := waitDumps(t, dumps, 4)
	if len(calls) != 4 {
		t.Fatalf("%d calls after Unload, want the 4 queued", len(calls))
	}
	want := Environment(hooks.Lease4Recover, &hooks.Args{Lease4: testLease4()})
	for _, c := range calls {
		if !slices.Equal(c.Args, []string{name, "lease4_recover"}) || !slices.Equal(c.Env, want) {
			t.Errorf("call %q %q", c.Args, c.Env)
		}
	}
	// load's cleanup unloads again: that must fail harmlessly.
	if err := l.Unload(t.Context()); err == nil {
		t.Error("second Unload succeeded")
	}
	if _, err := l.Load(t.Context(), json.RawMessage(params(name, ""))); err != nil {
		t.Fatal(err)
	}
}

func TestAsyncNonZeroLogged(t *testing.T) {
	l, lb := load(t, params(script(t, "echo oops >&2; exit 7"), ""))
	if _, err := l.Callout(t.Context(), hooks.Lease4Expire, &hooks.Args{Lease4: testLease4()}); err != nil {
		t.Fatal(err)
	}
	lb.waitLog(t, "level=WARN", "non-zero status", "status=7", "point=lease4_expire", "hook_library=run_script")
	lb.waitLog(t, "level=WARN", "stream=stderr", "line=oops")
}

// Kea's callouts do nothing when an earlier library chose SKIP or DROP.
func TestAsyncOutcome(t *testing.T) {
	name, dumps := dumper(t)
	l, _ := load(t, params(name, ""))
	for _, o := range []hooks.NextStep{hooks.Skip, hooks.Drop, hooks.Continue} {
		if _, err := l.Callout(t.Context(), hooks.Lease4Expire, &hooks.Args{Lease4: testLease4(), Outcome: o}); err != nil {
			t.Fatal(err)
		}
	}
	waitDumps(t, dumps, 1)
	time.Sleep(200 * time.Millisecond)
	if n := l.Stats().Started; n != 1 {
		t.Errorf("%d scripts started, want 1 (only for the Continue outcome)", n)
	}
}

// Through a hooks.Manager, in-process: an async library is an observer
// (the packet never waits), a sync one decides the step. As in Kea, the
// async script does not run when a library before it chose SKIP or DROP,
// and runs when only a library after it did.
func TestManagerLibraryOrder(t *testing.T) {
	drop := script(t, "echo NEXT_STEP=DROP")
	release := func() *hooks.Args { return &hooks.Args{Query: testQuery4(), Lease4: testLease4()} }
	committed := func() *hooks.Args { return &hooks.Args{Query: testQuery4(), Leases4: nil, DeletedLeases4: nil} }
	renew := func() *hooks.Args { return &hooks.Args{Query: testQuery4(), Lease4: testLease4()} }
	expire := func() *hooks.Args { return &hooks.Args{Lease4: testLease4()} }
	type call struct {
		p    hooks.Point
		a    func() *hooks.Args
		want hooks.NextStep
	}
	dropCalls := []call{
		{hooks.Lease4Release, release, hooks.Drop},
		{hooks.Leases4Committed, committed, hooks.Drop},
		{hooks.Lease4Expire, expire, hooks.Continue}, // drop is not honoured there
	}
	skipCalls := []call{
		{hooks.Lease4Renew, renew, hooks.Skip},
		{hooks.Lease4Expire, expire, hooks.Skip},
	}
	tests := []struct {
		name        string
		decider     string // "drop": a sync run_script printing NEXT_STEP=DROP; "skip": a library returning SKIP
		asyncBefore bool
		calls       []call
		wantRuns    []string // points the async script ran for, in order
	}{
		{"after a library that drops", "drop", false, dropCalls, []string{"lease4_expire"}},
		{"before a library that drops", "drop", true, dropCalls, []string{"lease4_release", "leases4_committed", "lease4_expire"}},
		{"after a library that skips", "skip", false, skipCalls, nil},
		{"before a library that skips", "skip", true, skipCalls, []string{"lease4_renew", "lease4_expire"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, dumps := dumper(t)
			ctx := t.Context()
			rsAsync := New(Options{})
			async := hooks.LibraryConfig{Library: "libdhcp_run_script.so", Parameters: json.RawMessage(params(name, ""))}
			var decider hooks.LibraryConfig
			rsSync := New(Options{})
			if tt.decider == "drop" {
				decider = hooks.LibraryConfig{Library: "run_script_sync", Parameters: json.RawMessage(params(drop, `"sync": true`)), Linked: rsSync}
			} else {
				decider = hooks.LibraryConfig{Library: "skipper", Linked: skipper{}}
			}
			libs := []hooks.LibraryConfig{decider, async}
			if tt.asyncBefore {
				libs = []hooks.LibraryConfig{async, decider}
			}
			m, err := hooks.New(ctx, hooks.Config{Libraries: libs, Linked: map[string]hooks.Library{"libdhcp_run_script.so": rsAsync}})
			if err != nil {
				t.Fatal(err)
			}
			var expireArgs *hooks.Args
			for _, c := range tt.calls {
				a := c.a()
				if c.p == hooks.Lease4Expire {
					expireArgs = a
				}
				if step := m.Call(ctx, c.p, a); step != c.want {
					t.Errorf("%v: %v, want %v", c.p, step, c.want)
				}
			}
			defer m.Close(ctx)
			var calls []exchange.Call
			if len(tt.wantRuns) > 0 {
				calls = waitDumps(t, dumps, len(tt.wantRuns))
			}
			time.Sleep(200 * time.Millisecond) // for a call that should not have been made
			if n := rsAsync.Stats().Started; n != uint64(len(tt.wantRuns)) {
				t.Errorf("async script ran %d times, want %d", n, len(tt.wantRuns))
			}
			var got []string
			for _, c := range calls {
				got = append(got, c.Args[1])
				if c.Args[1] == "lease4_expire" {
					if want := Environment(hooks.Lease4Expire, expireArgs); !slices.Equal(c.Env, want) {
						t.Errorf("environment %q, want %q", c.Env, want)
					}
				}
			}
			slices.Sort(got) // scripts run concurrently: order of the dumps is not the calls'
			want := slices.Clone(tt.wantRuns)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("async script ran for %v, want %v", got, want)
			}
			if n := rsSync.Stats().Started; tt.decider == "drop" && n != uint64(len(tt.calls)) {
				t.Errorf("sync script ran %d times, want %d", n, len(tt.calls))
			}
		})
	}
}

// skipper returns SKIP at lease4_renew and lease4_expire.
type skipper struct{}

func (skipper) Load(context.Context, json.RawMessage) (hooks.Registration, error) {
	return hooks.Registration{hooks.Lease4Renew: hooks.Sync, hooks.Lease4Expire: hooks.Sync}, nil
}

func (skipper) Callout(context.Context, hooks.Point, *hooks.Args) (hooks.NextStep, error) {
	return hooks.Skip, nil
}

func (skipper) Unload(context.Context) error { return nil }

// Linked without a Logger, the library logs through the Manager's logger,
// with the library's name, as the Manager logs about it.
func TestLogsThroughManager(t *testing.T) {
	lb := &logBuf{}
	name := script(t, "echo out-line; exit 3")
	ctx := t.Context()
	m, err := hooks.New(ctx, hooks.Config{
		Logger:    slog.New(slog.NewTextHandler(lb, nil)),
		Libraries: []hooks.LibraryConfig{{Library: "rs-lib", Parameters: json.RawMessage(params(name, "")), Linked: New(Options{})}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	m.Call(ctx, hooks.Lease4Expire, &hooks.Args{Lease4: testLease4()})
	lb.waitLog(t, "run_script loaded", "library=rs-lib", "hook_library=run_script")
	lb.waitLog(t, "level=INFO", "library=rs-lib", "stream=stdout", "line=out-line")
	lb.waitLog(t, "level=WARN", "library=rs-lib", "non-zero status", "status=3")
}
