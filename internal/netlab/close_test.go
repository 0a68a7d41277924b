package netlab

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// labTrace names what a lab made; leftovers lists what of a lab still exists: namespaces, /etc/netns
// directories, its directory, its state file, and live processes.
type labTrace struct {
	ID         string   `json:"id"`
	Namespaces []string `json:"namespaces"`
	Dir        string   `json:"dir"`
	PIDs       []int    `json:"pids"`
}

func traceOf(l *Lab, procs ...*Process) labTrace {
	tr := labTrace{ID: l.ID, Namespaces: l.Namespaces(), Dir: l.Dir}
	for _, p := range procs {
		tr.PIDs = append(tr.PIDs, p.PID)
	}
	return tr
}

func leftovers(tr labTrace) []string {
	var left []string
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	for _, ns := range tr.Namespaces {
		if exists(nsPath(ns)) {
			left = append(left, "namespace "+ns)
		}
		if exists(filepath.Join("/etc/netns", ns)) {
			left = append(left, "/etc/netns/"+ns)
		}
	}
	if exists(tr.Dir) {
		left = append(left, "directory "+tr.Dir)
	}
	if exists(statePath(tr.ID)) {
		left = append(left, "state file of "+tr.ID)
	}
	for _, pid := range tr.PIDs {
		// A child of this test binary lingers as a zombie until reaped, so
		// look at its state, not just its existence.
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && !isZombie(b) {
			left = append(left, "process "+strconv.Itoa(pid))
		}
	}
	return left
}

// gone waits up to d for pid to be dead (or a zombie nobody reaped yet).
func gone(pid int, d time.Duration) bool {
	for end := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || isZombie(b) {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

func isZombie(stat []byte) bool {
	for i := len(stat) - 1; i > 0; i-- {
		if stat[i] == ')' && i+2 < len(stat) {
			return stat[i+2] == 'Z' || stat[i+2] == 'X'
		}
	}
	return false
}

func TestCloseRemovesAll(t *testing.T) {
	if reason := Unavailable(); reason != "" {
		skipOrFail(t, reason)
	}
	l, err := New(Options{Prefix: testPrefix})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddRelayLink(RelayOptions{}); err != nil {
		l.Close()
		t.Fatal(err)
	}
	sleeper, err := l.Start(l.ClientNS, "sleep", "600")
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	// A process forked by a started one into its own session escapes
	// Stop's process group but not Close's namespace sweep.
	escaper, err := l.Start(l.ServerNS, "setsid", "-f", "sleep", "600")
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	escaper.Wait()
	tr := traceOf(l, sleeper)
	if left := leftovers(tr); len(left) < len(tr.Namespaces) {
		t.Fatalf("lab not fully there before Close: %v", left)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if left := leftovers(tr); len(left) > 0 {
		t.Errorf("left after Close: %v", left)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := l.Start(l.ClientNS, "true"); err == nil {
		t.Error("Start after Close succeeded")
	}
}

// TestCloseAfterFailure and TestSweepAfterCrash run themselves again in a
// child test binary (see runChild) where childMode builds a lab, records
// it, and then fails, panics or dies.
const childModeEnv = "NETLAB_CHILD"

func childLab(t *testing.T) {
	t.Helper()
	l := NewT(t, Options{Prefix: testPrefix + "x"})
	sleeper, err := l.Start(l.ClientNS, "sleep", "600")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(traceOf(l, sleeper))
	if err := os.WriteFile(os.Getenv("NETLAB_TRACE"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// childMode runs, in the child test binary, the part of a test that
// builds a lab and then fails, panics or dies; it reports whether it ran.
func childMode(t *testing.T) bool {
	switch os.Getenv(childModeEnv) {
	case "":
		return false
	case "fail":
		childLab(t)
		t.Fatal("failing on purpose")
	case "panic":
		childLab(t)
		panic("panicking on purpose")
	case "die":
		childLab(t)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	return true
}

// runChild runs test again in a new test binary process, in the given
// child mode, and returns the trace of the lab it built.
func runChild(t *testing.T, mode, test string) labTrace {
	t.Helper()
	if reason := Unavailable(); reason != "" {
		skipOrFail(t, reason)
	}
	traceFile := filepath.Join(t.TempDir(), "trace.json")
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, "NETLAB_TRACE="+traceFile)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child %s: want a failed test binary, got %v:\n%s", test, err, out)
	}
	var tr labTrace
	b, err := os.ReadFile(traceFile)
	if err == nil {
		err = json.Unmarshal(b, &tr)
	}
	if err != nil || tr.ID == "" {
		t.Fatalf("child %s left no trace (%v):\n%s", test, err, out)
	}
	return tr
}

func TestCloseAfterFailure(t *testing.T) {
	if childMode(t) {
		return
	}
	for _, mode := range []string{"fail", "panic"} {
		t.Run(mode, func(t *testing.T) {
			tr := runChild(t, mode, "TestCloseAfterFailure")
			if left := leftovers(tr); len(left) > 0 {
				t.Errorf("left after a test that ended by %s: %v", mode, left)
			}
		})
	}
}

func TestSweepAfterCrash(t *testing.T) {
	if childMode(t) {
		return
	}
	tr := runChild(t, "die", "TestSweepAfterCrash")
	// Pdeathsig killed the child's processes; its namespaces remain.
	time.Sleep(100 * time.Millisecond)
	left := leftovers(tr)
	if len(left) == 0 {
		t.Fatal("a SIGKILLed test binary left nothing: the crash did not happen as planned")
	}
	for _, pid := range tr.PIDs {
		if !gone(pid, 2*time.Second) {
			t.Errorf("process %d outlived the killed test binary", pid)
		}
	}
	// Too young for Sweep: it must leave the lab alone.
	if ids, err := Sweep(testPrefix + "x"); err != nil || contains(ids, tr.ID) {
		t.Fatalf("Sweep removed a lab younger than SweepMinAge: %v, %v", ids, err)
	}
	ids, err := sweep(testPrefix+"x", 0)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if !contains(ids, tr.ID) {
		t.Errorf("sweep removed %v, not the crashed lab %s", ids, tr.ID)
	}
	if left := leftovers(tr); len(left) > 0 {
		t.Errorf("left after sweep: %v", left)
	}
}

func TestSweepSparesLiveLabs(t *testing.T) {
	l := NewT(t, Options{Prefix: testPrefix + "y"})
	ids, err := sweep(testPrefix+"y", 0)
	if err != nil {
		t.Fatal(err)
	}
	if contains(ids, l.ID) {
		t.Fatalf("sweep removed the live lab %s", l.ID)
	}
	if left := leftovers(traceOf(l)); len(left) != 2*len(l.Namespaces())+2 {
		t.Errorf("live lab damaged by sweep; still there: %v", left)
	}
}
