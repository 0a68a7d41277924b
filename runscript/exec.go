package runscript

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/leasehold/leasehold/hooks"
)

// Output limits: a script cannot flood the server's log or memory.
const (
	maxLineLen   = 4096 // longer lines are cut
	maxLogLines  = 100  // per run and stream; the rest is counted
	waitDelay    = 500 * time.Millisecond
	nextStepLine = "NEXT_STEP="
)

// result is how one run of the script ended.
type result struct {
	step     hooks.NextStep // the last valid NEXT_STEP line (sync only)
	stepSeen bool
	badStep  string // a NEXT_STEP value that is not continue/skip/drop
	err      error  // could not start, timed out, non-zero exit, signal
	timedOut bool
	started  bool
}

// run runs the script once with vars as its whole environment and the
// point's name as its only argument, and reaps it. No shell is involved:
// nothing from a packet can become a command or an argument. The script
// gets its own process group, so a timeout kills whatever it started too.
// parse asks for NEXT_STEP lines on stdout to be read (sync mode). ctx
// carries the timeout: when it ends, the script's process group is killed.
func (in *instance) run(ctx context.Context, point string, vars []string, parse bool) result {
	if vars == nil {
		vars = []string{} // nil would mean "the server's environment"
	}
	cmd := exec.CommandContext(ctx, in.params.Name, point)
	cmd.Env = vars
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A child of the script that keeps the pipes open must not hold us.
	cmd.WaitDelay = waitDelay
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return result{err: err}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return result{err: err}
	}
	log := in.log.With("point", point)
	if err := cmd.Start(); err != nil {
		in.stats.failed.Add(1)
		log.Error("cannot run script", "error", err)
		return result{err: fmt.Errorf("start: %w", err)}
	}
	in.stats.started.Add(1)
	var res result
	res.started = true
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		in.readOutput(stdout, log, "stdout", slog.LevelInfo, parse, &res)
	}()
	go func() {
		defer wg.Done()
		in.readOutput(stderr, log, "stderr", slog.LevelWarn, false, nil)
	}()
	wg.Wait()
	werr := cmd.Wait()
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		res.timedOut = true
		in.stats.timeouts.Add(1)
	}
	res.err = in.exitError(log, cmd, werr, res.timedOut)
	return res
}

// exitError logs and returns how the script ended when that was not a
// zero exit status.
func (in *instance) exitError(log *slog.Logger, cmd *exec.Cmd, werr error, timedOut bool) error {
	if timedOut {
		in.stats.nonZero.Add(1)
		log.Warn("script timed out and was killed", "timeout", in.params.Timeout)
		return fmt.Errorf("timed out after %v", in.params.Timeout)
	}
	if werr == nil {
		return nil
	}
	in.stats.nonZero.Add(1)
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			log.Warn("script killed by a signal", "signal", ws.Signal().String())
			return fmt.Errorf("killed by %v", ws.Signal())
		}
		log.Warn("script exited with a non-zero status", "status", ee.ExitCode())
		return fmt.Errorf("exit status %d", ee.ExitCode())
	}
	log.Warn("script ended abnormally", "error", werr)
	return werr
}

// readOutput logs r line by line (cut at maxLineLen, at most maxLogLines)
// and, when parse is set, records the last NEXT_STEP line in res. It reads
// to the end so the script never blocks on a full pipe.
func (in *instance) readOutput(r io.Reader, log *slog.Logger, stream string, level slog.Level, parse bool, res *result) {
	br := bufio.NewReaderSize(r, maxLineLen)
	logged, dropped := 0, 0
	for {
		line, isPrefix, err := br.ReadLine()
		if len(line) > 0 || (err == nil && !isPrefix) {
			text := string(line)
			if parse && strings.HasPrefix(text, nextStepLine) {
				v := strings.TrimSpace(text[len(nextStepLine):])
				if step, ok := parseStep(v); ok {
					res.step, res.stepSeen, res.badStep = step, true, ""
				} else {
					res.badStep = v
				}
			}
			if logged < maxLogLines {
				log.Log(context.Background(), level, "script output", "stream", stream, "line", text)
				logged++
			} else {
				dropped++
			}
		}
		for isPrefix && err == nil { // skip the rest of an over-long line
			_, isPrefix, err = br.ReadLine()
		}
		if err != nil {
			break
		}
	}
	if dropped > 0 {
		log.Warn("script output not logged", "stream", stream, "lines", dropped)
	}
}

// parseStep reads the value of a NEXT_STEP line: CONTINUE, SKIP or DROP,
// in any case.
func parseStep(v string) (hooks.NextStep, bool) {
	switch strings.ToUpper(v) {
	case "CONTINUE":
		return hooks.Continue, true
	case "SKIP":
		return hooks.Skip, true
	case "DROP":
		return hooks.Drop, true
	}
	return hooks.Continue, false
}

// decide turns a synchronous run into the next step (see the package
// documentation): the script's NEXT_STEP when it exited 0, CONTINUE when
// it exited 0 without one, the failure policy otherwise.
func (in *instance) decide(point string, r result) hooks.NextStep {
	policy := in.params.FailurePolicy
	switch {
	case r.err != nil:
		in.log.Warn("script failed; applying the failure policy", "point", point, "error", r.err, "next_step", policy.String())
		return policy
	case r.badStep != "":
		in.log.Warn("script printed an unknown next step; applying the failure policy",
			"point", point, "value", r.badStep, "next_step", policy.String())
		return policy
	case r.stepSeen:
		return r.step
	}
	return hooks.Continue
}
