package hooks

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// procRunner is go-plugin's runner.Runner for a plugin process, written here
// (instead of go-plugin's default) to handle what the default does not:
//   - the child gets PDEATHSIG=SIGKILL, so it dies with the host even when
//     the host is SIGKILLed (go-plugin #210), and is started from a thread
//     that lives as long as the plugin (the signal follows the forking
//     thread, not the process);
//   - the child gets the two frame sockets as fds 3 and 4;
//   - lines a plugin prints on stdout before its handshake line are logged
//     and skipped instead of failing the start (go-plugin #199);
//   - stderr is logged line by line at its own level, and its last lines
//     are kept to say why a plugin exited;
//   - the child learns the host's log level (LogLevelEnv).
type procRunner struct {
	cmd     *exec.Cmd
	log     *slog.Logger
	forker  *forker
	tail    *lineTail
	stdout  *io.PipeReader
	exited  chan struct{}
	waitErr error
}

// handshakeLine is go-plugin's first stdout line: core|app|net|addr|proto.
var handshakeLine = regexp.MustCompile(`^\d+\|\d+\|(tcp|unix)\|`)

func newProcRunner(path string, spec *exec.Cmd, extra []*os.File, log *slog.Logger, f *forker, tail *lineTail) *procRunner {
	cmd := exec.Command(path)
	cmd.Env = append(slices.Clip(spec.Env), LogLevelEnv+"="+minLevel(log).String())
	cmd.Stdin = nil
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = procAttr()
	return &procRunner{cmd: cmd, log: log, forker: f, tail: tail, exited: make(chan struct{})}
}

func (r *procRunner) Start(context.Context) error {
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := r.forker.start(r.cmd); err != nil {
		return fmt.Errorf("start %s: %w", r.cmd.Path, err)
	}
	// The child has its copies of the frame sockets now.
	for _, f := range r.cmd.ExtraFiles {
		_ = f.Close()
	}
	pr, pw := io.Pipe()
	r.stdout = pr
	outLog := &logLines{log: r.log, level: slog.LevelInfo, prefix: "stdout"}
	errLog := &logLines{log: r.log, level: slog.LevelWarn, prefix: "stderr", tail: r.tail}
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		handshaken := false
		for sc.Scan() {
			line := sc.Bytes()
			if !handshaken && handshakeLine.Match(line) {
				handshaken = true
				_, _ = pw.Write(append(line, '\n'))
				continue
			}
			outLog.logLine(line)
		}
		_ = pw.Close()
	}()
	go func() {
		defer pipes.Done()
		logReader(stderr, errLog)
	}()
	go func() {
		pipes.Wait() // Wait must not run before the pipes are drained
		r.waitErr = r.cmd.Wait()
		close(r.exited)
	}()
	return nil
}

func (r *procRunner) Wait(ctx context.Context) error {
	select {
	case <-r.exited:
		return r.waitErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *procRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	err := r.cmd.Process.Kill()
	<-r.exited
	if err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}

func (r *procRunner) Stdout() io.ReadCloser { return r.stdout }

// Stderr is logged by the runner itself; go-plugin gets an empty stream.
func (r *procRunner) Stderr() io.ReadCloser { return io.NopCloser(eofAfter(r.exited)) }

func (r *procRunner) Name() string { return r.cmd.Path }

func (r *procRunner) ID() string {
	if r.cmd.Process == nil {
		return ""
	}
	return strconv.Itoa(r.cmd.Process.Pid)
}

func (r *procRunner) Diagnose(context.Context) string {
	select {
	case <-r.exited:
		return fmt.Sprintf("plugin exited: %v", r.waitErr)
	default:
		return ""
	}
}

func (r *procRunner) PluginToHost(n, a string) (string, string, error) { return n, a, nil }
func (r *procRunner) HostToPlugin(n, a string) (string, string, error) { return n, a, nil }

// eofAfter is a reader that blocks until done is closed, then reports EOF.
type eofAfter chan struct{}

func (e eofAfter) Read([]byte) (int, error) {
	<-e
	return 0, io.EOF
}

// forker starts a library's plugin processes from one goroutine locked to
// its thread for the library's lifetime: PDEATHSIG fires when the thread
// that forked the child exits, and an ordinary Go thread may be retired at
// any time.
type forker struct {
	reqs chan forkReq
	stop chan struct{}
	once sync.Once
}

type forkReq struct {
	cmd *exec.Cmd
	err chan error
}

func newForker() *forker {
	f := &forker{reqs: make(chan forkReq), stop: make(chan struct{})}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		for {
			select {
			case r := <-f.reqs:
				r.err <- r.cmd.Start()
			case <-f.stop:
				return
			}
		}
	}()
	return f
}

func (f *forker) start(cmd *exec.Cmd) error {
	req := forkReq{cmd: cmd, err: make(chan error, 1)}
	select {
	case f.reqs <- req:
		return <-req.err
	case <-f.stop:
		return fmt.Errorf("library unloaded")
	}
}

// close ends the forking thread; the plugin processes it started get
// SIGKILL, so call it only after they were stopped.
func (f *forker) close() { f.once.Do(func() { close(f.stop) }) }
