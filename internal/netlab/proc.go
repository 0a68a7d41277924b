package netlab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL: long enough
// for a DHCP client to send its RELEASE, short enough for test cleanup.
const stopGrace = 3 * time.Second

// Command returns a command that runs name inside namespace ns through
// `ip netns exec`, which also bind-mounts /etc/netns/NS/* over /etc. The
// child gets SIGKILL when the thread that started it dies (Pdeathsig) and
// has its own process group, so Stop can reach helpers it forks. The
// command is not tracked: use Start or Run for that.
func (l *Lab) Command(ns, name string, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", ns, name}, args...)
	cmd := exec.Command(l.ipPath, full...)
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	return cmd
}

// childEnv is the test's environment with the sbin directories on PATH,
// where Debian puts ip, dhclient, kea-dhcp4 and the others.
func childEnv() []string {
	env := os.Environ()
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = kv + ":/usr/local/sbin:/usr/sbin:/sbin"
			return env
		}
	}
	return append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
}

// Process is a program started by Lab.Start: tracked by PID until it exits,
// its output kept in memory.
type Process struct {
	NS   string
	Name string
	Cmd  *exec.Cmd
	PID  int

	out     outputs
	outDone sync.WaitGroup // the output copiers, done at EOF on both pipes
	done    chan struct{}
	err     error // valid after done is closed

	mu       sync.Mutex
	signaled bool // Stop sent a signal, so death by signal is expected
}

// Start runs name with args inside the lab's namespace ns and tracks it:
// Close stops it if it is still running.
func (l *Lab) Start(ns, name string, args ...string) (*Process, error) {
	if err := l.checkNS(ns); err != nil {
		return nil, err
	}
	cmd := l.Command(ns, name, args...)
	return l.startCmd(ns, name, cmd)
}

func (l *Lab) startCmd(ns, name string, cmd *exec.Cmd) (*Process, error) {
	p := &Process{NS: ns, Name: name, Cmd: cmd, done: make(chan struct{})}
	p.out.init()
	// Our own pipes rather than exec's copying goroutines: Wait then returns
	// as soon as the process is reaped, even when a daemon it forked still
	// holds the pipes, so a PID is never signalled after it was reaped.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("netlab %s: start %s: %w", l.ID, name, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("netlab %s: start %s: %w", l.ID, name, err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		err = fmt.Errorf("netlab %s: start %s: lab is closed", l.ID, name)
	} else if err = cmd.Start(); err != nil {
		err = fmt.Errorf("netlab %s: start %s in %s: %w", l.ID, name, ns, err)
	}
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, err
	}
	p.outDone.Add(2)
	go func() { defer p.outDone.Done(); copyOutput(outR, p.out.writer(&p.out.stdout)) }()
	go func() { defer p.outDone.Done(); copyOutput(errR, p.out.writer(&p.out.stderr)) }()
	p.PID = cmd.Process.Pid
	l.procs[p.PID] = p
	l.history = append(l.history, p)
	l.saveStateLocked()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
		l.mu.Lock()
		delete(l.procs, p.PID)
		// After Close began, the state file is Close's to remove: writing
		// it again would leave a lab for Sweep that is already gone.
		if !l.closed {
			l.saveStateLocked()
		}
		l.mu.Unlock()
	}()
	l.logf("netlab %s: started %s in %s, pid %d", l.ID, name, ns, p.PID)
	return p, nil
}

// drainOutput waits, after the process exited, until its output is all
// read: the process can be reaped before the copiers read its last
// writes (a Run returned half the output of ip once). A child it left
// running may hold the pipes open, so the wait ends with ctx or after two
// seconds.
func (p *Process) drainOutput(ctx context.Context) {
	drained := make(chan struct{})
	go func() { p.outDone.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
}

// copyOutput copies until every holder of the pipe's write end is gone.
func copyOutput(r *os.File, w *outputWriter) {
	defer r.Close()
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// Run runs name in ns to completion and returns its combined output. When
// ctx ends first the process is stopped and ctx's error is returned with the
// output so far.
func (l *Lab) Run(ctx context.Context, ns, name string, args ...string) ([]byte, error) {
	p, err := l.Start(ns, name, args...)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		_ = p.Stop()
		return []byte(p.Output()), fmt.Errorf("netlab: %s in %s: %w", commandLine(name, args), ns, ctx.Err())
	}
	p.drainOutput(ctx)
	out := []byte(p.Output())
	if p.err != nil {
		return out, fmt.Errorf("netlab: %s in %s: %w: %s", commandLine(name, args), ns, p.err, tail(out, 500))
	}
	return out, nil
}

func commandLine(name string, args []string) string {
	return strings.Join(append([]string{name}, args...), " ")
}

func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		return "..." + string(b[len(b)-n:])
	}
	return string(b)
}

// Done is closed when the process has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the process to exit and returns its exit error.
func (p *Process) Wait() error {
	<-p.done
	return p.err
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the process (not its group) while it runs.
func (p *Process) Signal(sig syscall.Signal) error {
	if p.Exited() {
		return fmt.Errorf("netlab: signal %s pid %d: already exited", p.Name, p.PID)
	}
	// The PID cannot have been reused: it stays ours until Wait reaps it.
	return syscall.Kill(p.PID, sig)
}

// Stop sends SIGTERM, waits up to a few seconds, then SIGKILLs the process
// group. It returns nil when the process is gone and exited cleanly or by
// one of those signals; otherwise the exit error.
func (p *Process) Stop() error {
	return p.StopTimeout(stopGrace)
}

// StopTimeout is Stop with the given grace period between SIGTERM and SIGKILL.
func (p *Process) StopTimeout(grace time.Duration) error {
	p.mu.Lock()
	p.signaled = true
	p.mu.Unlock()
	if !p.Exited() {
		_ = syscall.Kill(p.PID, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
		}
	}
	// The group may still hold helpers (scripts) after the leader is gone;
	// its ID is the leader's PID, ours while any member lives.
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	<-p.done
	return p.exitError()
}

// Kill SIGKILLs the process group at once and waits for the process.
func (p *Process) Kill() error {
	p.mu.Lock()
	p.signaled = true
	p.mu.Unlock()
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	<-p.done
	return p.exitError()
}

func (p *Process) exitError() error {
	var ee *exec.ExitError
	if p.err == nil || !errors.As(p.err, &ee) {
		return p.err
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if s := ws.Signal(); s == syscall.SIGTERM || s == syscall.SIGKILL {
			p.mu.Lock()
			expected := p.signaled
			p.mu.Unlock()
			if expected {
				return nil
			}
		}
	}
	return fmt.Errorf("netlab: %s (pid %d): %w", p.Name, p.PID, p.err)
}

// Stdout returns what the process wrote to standard output so far.
func (p *Process) Stdout() string { return p.out.get(&p.out.stdout) }

// Stderr returns what the process wrote to standard error so far.
func (p *Process) Stderr() string { return p.out.get(&p.out.stderr) }

// Output returns standard output and standard error interleaved in the order
// they arrived.
func (p *Process) Output() string { return p.out.get(&p.out.all) }

// WaitOutput waits until a line of the process's output (either stream)
// matches re and returns that line. It fails when ctx ends or the process
// exits without such a line.
func (p *Process) WaitOutput(ctx context.Context, re *regexp.Regexp) (string, error) {
	for {
		changed := p.out.changed()
		if line, ok := matchLine(p.Output(), re); ok {
			return line, nil
		}
		select {
		case <-changed:
		case <-p.done:
			p.drainOutput(ctx)
			if line, ok := matchLine(p.Output(), re); ok {
				return line, nil
			}
			return "", fmt.Errorf("netlab: %s (pid %d) exited (%v) before printing a line matching %q; output: %s",
				p.Name, p.PID, p.err, re, tail([]byte(p.Output()), 800))
		case <-ctx.Done():
			return "", fmt.Errorf("netlab: waiting for %q from %s (pid %d): %w; output: %s",
				re, p.Name, p.PID, ctx.Err(), tail([]byte(p.Output()), 800))
		}
	}
}

func matchLine(text string, re *regexp.Regexp) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if re.MatchString(sc.Text()) {
			return sc.Text(), true
		}
	}
	return "", false
}

// outputs keeps a process's output; each write wakes waiters by closing the
// current notify channel.
type outputs struct {
	mu                  sync.Mutex
	stdout, stderr, all bytes.Buffer
	notify              chan struct{}
}

func (o *outputs) init() { o.notify = make(chan struct{}) }

func (o *outputs) writer(buf *bytes.Buffer) *outputWriter {
	return &outputWriter{o: o, buf: buf}
}

func (o *outputs) get(buf *bytes.Buffer) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return buf.String()
}

func (o *outputs) changed() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.notify
}

type outputWriter struct {
	o   *outputs
	buf *bytes.Buffer
}

func (w *outputWriter) Write(b []byte) (int, error) {
	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	w.buf.Write(b)
	w.o.all.Write(b)
	close(w.o.notify)
	w.o.notify = make(chan struct{})
	return len(b), nil
}
