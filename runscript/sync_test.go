package runscript

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leasehold/leasehold/hooks"
)

func TestSyncNextStep(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		policy string
		want   hooks.NextStep
		failed bool // the run counts as failed (NonZero)
	}{
		{"drop", `echo NEXT_STEP=DROP`, "", hooks.Drop, false},
		{"skip, lower case, after other output", "echo working\necho NEXT_STEP=skip", "", hooks.Skip, false},
		{"last line wins", "echo NEXT_STEP=DROP\necho NEXT_STEP=CONTINUE", "", hooks.Continue, false},
		{"spaces around the value", `echo "NEXT_STEP= DROP "`, "", hooks.Drop, false},
		{"exit 0 without a line", `exit 0`, "drop", hooks.Continue, false},
		{"non-zero exit overrides the line", "echo NEXT_STEP=DROP\nexit 3", "", hooks.Continue, true},
		{"non-zero exit, policy drop", `exit 3`, "drop", hooks.Drop, true},
		{"non-zero exit, policy skip", `exit 3`, "skip", hooks.Skip, true},
		{"unknown step, policy drop", `echo NEXT_STEP=PARK`, "drop", hooks.Drop, false},
		{"killed by a signal", `kill -9 $$`, "skip", hooks.Skip, true},
		{"step on stderr does not count", `echo NEXT_STEP=DROP >&2`, "", hooks.Continue, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := `"sync": true`
			if tt.policy != "" {
				extra += `, "failure-policy": "` + tt.policy + `"`
			}
			l, _ := load(t, params(script(t, tt.body), extra))
			step, err := l.Callout(t.Context(), hooks.Lease4Release, releaseArgs())
			if err != nil {
				t.Fatal(err)
			}
			if step != tt.want {
				t.Errorf("step %v, want %v", step, tt.want)
			}
			st := l.Stats()
			if st.Started != 1 || (st.NonZero == 1) != tt.failed {
				t.Errorf("stats %+v, want 1 started, failed %v", st, tt.failed)
			}
		})
	}
}

// A script that hangs is killed at the timeout with everything it started,
// the failure policy applies, and the next call is served.
func TestSyncTimeout(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	body := fmt.Sprintf("sleep 30 &\necho $! >> %s\necho $$ >> %s\nwait", pids, pids)
	l, lb := load(t, params(script(t, body), `"sync": true, "timeout": 200, "failure-policy": "drop"`))
	start := time.Now()
	step, err := l.Callout(t.Context(), hooks.Lease4Release, releaseArgs())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("call took %v, want about the 200 ms timeout", d)
	}
	if step != hooks.Drop {
		t.Errorf("step %v, want the drop policy", step)
	}
	if st := l.Stats(); st.Timeouts != 1 || st.NonZero != 1 || st.Running != 0 {
		t.Errorf("stats %+v", st)
	}
	lb.waitLog(t, "script timed out and was killed", "hook_library=run_script", "point=lease4_release")
	b, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(f)
		waitGone(t, pid)
	}
}

// waitGone waits until pid no longer exists (killed and reaped; a zombie
// would still be there).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			t.Fatalf("process %d still exists: %s", pid, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Sync calls beyond max-concurrent wait for a slot within the timeout.
func TestSyncSlots(t *testing.T) {
	l, _ := load(t, params(script(t, "sleep 1"), `"sync": true, "max-concurrent": 1, "timeout": 300, "failure-policy": "skip"`))
	done := make(chan hooks.NextStep)
	go func() {
		step, _ := l.Callout(context.Background(), hooks.Lease4Release, releaseArgs())
		done <- step
	}()
	time.Sleep(50 * time.Millisecond) // the first call holds the only slot
	// The server's own deadline for this packet ends before the slot frees.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	step, _ := l.Callout(ctx, hooks.Lease4Release, releaseArgs())
	if step != hooks.Skip {
		t.Errorf("second call got %v, want the policy (no slot before the timeout)", step)
	}
	if first := <-done; first != hooks.Skip {
		t.Errorf("first call got %v, want the policy (its script outlived the timeout)", first)
	}
	if st := l.Stats(); st.Started != 1 || st.Timeouts != 2 {
		t.Errorf("stats %+v, want 1 started, 2 timeouts", st)
	}
}

func TestScriptOutputLogged(t *testing.T) {
	long := strings.Repeat("x", 10000)
	body := fmt.Sprintf("echo to-stdout\necho to-stderr >&2\necho %s\ni=0; while [ $i -lt 150 ]; do echo line$i; i=$((i+1)); done\nexit 4", long)
	name := script(t, body)
	l, lb := load(t, params(name, `"sync": true`))
	if _, err := l.Callout(t.Context(), hooks.Lease6Expire, &hooks.Args{}); err != nil {
		t.Fatal(err)
	}
	lb.waitLog(t, "level=INFO", "script output", "hook_library=run_script", "script="+name, "point=lease6_expire", "stream=stdout", "line=to-stdout")
	lb.waitLog(t, "level=WARN", "stream=stderr", "line=to-stderr")
	lb.waitLog(t, "level=WARN", "non-zero status", "status=4")
	lb.waitLog(t, "script output not logged", "stream=stdout", "lines=")
	if strings.Contains(lb.String(), strings.Repeat("x", maxLineLen+1)) {
		t.Error("a line longer than the limit was logged whole")
	}
}

func TestSyncScriptSeesExactlyKeaEnvironment(t *testing.T) {
	t.Setenv("LEASEHOLD_LEAK_CANARY", "server-environment")
	name, dumps := dumper(t)
	l, _ := load(t, params(name, `"sync": true`))
	a := releaseArgs()
	a.Lease4.Hostname = "odd\x01name\x00tail; $(reboot)"
	if _, err := l.Callout(t.Context(), hooks.Lease4Release, a); err != nil {
		t.Fatal(err)
	}
	c := waitDumps(t, dumps, 1)[0]
	if !slices.Equal(c.Args, []string{name, "lease4_release"}) {
		t.Errorf("argv %q, want [%s lease4_release]", c.Args, name)
	}
	want := Environment(hooks.Lease4Release, a)
	if !slices.Equal(c.Env, want) {
		t.Errorf("environment differs:\n got %q\nwant %q", c.Env, want)
	}
	if v := envMap(c.Env)["LEASE4_HOSTNAME"]; v != "odd\x01name" {
		t.Errorf("LEASE4_HOSTNAME=%q, want it cut at the NUL", v)
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e, "LEASEHOLD_LEAK_CANARY=") || strings.HasPrefix(e, "PATH=") || strings.HasPrefix(e, "HOME=") {
			t.Errorf("the server's environment leaked: %s", e)
		}
	}
}

// A reconfiguration loads the new parameters before it unloads the old:
// calls go to the newest load; each Unload ends the oldest.
func TestReload(t *testing.T) {
	first, second := script(t, "echo NEXT_STEP=DROP"), script(t, "echo NEXT_STEP=SKIP")
	l := New(Options{Getenv: func(string) string { return "" }})
	for _, s := range []string{first, second} {
		if _, err := l.Load(t.Context(), json.RawMessage(params(s, `"sync": true`))); err != nil {
			t.Fatal(err)
		}
	}
	if step, _ := l.Callout(t.Context(), hooks.Lease4Release, releaseArgs()); step != hooks.Skip {
		t.Errorf("after the second Load: %v, want the second script's skip", step)
	}
	if err := l.Unload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if step, _ := l.Callout(t.Context(), hooks.Lease4Release, releaseArgs()); step != hooks.Skip {
		t.Errorf("after unloading the first: %v, want the second script's skip", step)
	}
	if err := l.Unload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Callout(t.Context(), hooks.Lease4Release, releaseArgs()); err == nil {
		t.Error("Callout after the last Unload succeeded")
	}
}
