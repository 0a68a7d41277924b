package hooks

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/grpc/status"
)

// Timeouts of a plugin's start and load; a plugin slower than that is
// broken, and configuration must not wait for it forever.
const (
	pluginStartTimeout = 10 * time.Second
	pluginLoadTimeout  = 10 * time.Second
	backoffMin         = 100 * time.Millisecond
)

var errPluginDown = errors.New("plugin not running")

// pluginLib is a Library served by a plugin process. It starts the process
// with go-plugin, restarts it with back-off when it crashes or stops
// answering pings, and carries calls on the frame sockets.
type pluginLib struct {
	path     string
	settings LibrarySettings
	log      *slog.Logger
	lot      *parkingLot
	lib      atomic.Pointer[loadedLib] // set by attach, before any call; atomic for readLoop, which runs from Load

	params json.RawMessage
	reg    Registration
	forker *forker

	cur      atomic.Pointer[pluginProc]
	restarts atomic.Uint64
	evSeq    uint64 // observer goroutine only
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when the supervisor ends
	downLog  rateLimited
}

// pluginProc is one running plugin process and its links.
type pluginProc struct {
	client  *plugin.Client
	conn    *hostConn
	runner  *procRunner
	calls   frameLink
	events  frameLink
	pending sync.Map // call id → *pendingCall
	nextID  atomic.Uint64
	started time.Time
	tail    *lineTail // the last lines of its stderr

	// Observe-only events: with acks, the number sent but not yet
	// acknowledged, whose credits the host holds.
	acks      bool
	evSock    *socketLink // the event socket, nil with the gRPC transport
	evMu      sync.Mutex
	evUnacked int
	evGone    bool

	// With the socket transport callers read their replies themselves,
	// taking turns: holding readToken is the right to read sock. A reply
	// read by the caller that waits for it costs no goroutine hand-off,
	// which is most of a round trip on two cores.
	sock      *socketLink
	readToken chan struct{}

	// Spinning for replies (LibrarySettings.ReplySpin): the calls in
	// flight, and a moving average of recent round trips in nanoseconds.
	spin     time.Duration
	inflight atomic.Int32
	rtt      atomic.Int64

	dead     chan struct{}
	deadOnce sync.Once
	deadErr  error
}

func (p *pluginProc) fail(err error) {
	p.deadOnce.Do(func() {
		p.deadErr = err
		close(p.dead)
		_ = p.calls.close()
		_ = p.events.close()
	})
}

func newPluginLib(path string, s LibrarySettings, log *slog.Logger, lot *parkingLot) (*pluginLib, error) {
	if err := checkExecutable(path); err != nil {
		return nil, err
	}
	return &pluginLib{path: path, settings: s, log: log, lot: lot, stop: make(chan struct{})}, nil
}

// checkExecutable turns the usual mistakes into configuration errors that
// say what is wrong with the path.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("library %s does not exist", path)
	case err != nil:
		return fmt.Errorf("library %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("library %s is not a regular file", path)
	case fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("library %s is not executable (mode %v)", path, fi.Mode().Perm())
	}
	return nil
}

func (pl *pluginLib) Load(ctx context.Context, params json.RawMessage) (Registration, error) {
	pl.params = params
	pl.forker = newForker()
	proc, reg, err := pl.start(ctx)
	if err != nil {
		pl.forker.close()
		return nil, err
	}
	pl.reg = reg
	pl.cur.Store(proc)
	return reg, nil
}

// attach links the plugin to its manager entry and starts supervising.
func (pl *pluginLib) attach(l *loadedLib) {
	pl.lib.Store(l)
	pl.done = make(chan struct{})
	go pl.supervise()
}

func (pl *pluginLib) start(ctx context.Context) (*pluginProc, Registration, error) {
	if len(pl.settings.SHA256) > 0 {
		sc := &plugin.SecureConfig{Checksum: pl.settings.SHA256, Hash: sha256.New()}
		ok, err := sc.Check(pl.path)
		if err != nil {
			return nil, nil, fmt.Errorf("checksum of %s: %w", pl.path, err)
		}
		if !ok {
			return nil, nil, fmt.Errorf("checksum of %s does not match the configured sha256 %x", pl.path, pl.settings.SHA256)
		}
	}
	var hostCall, hostEvent net.Conn
	var extra []*os.File
	if !pl.settings.GRPCStream {
		var childCall, childEvent *os.File
		var err error
		if hostCall, childCall, err = socketPair(); err != nil {
			return nil, nil, err
		}
		if hostEvent, childEvent, err = socketPair(); err != nil {
			_ = hostCall.Close()
			_ = childCall.Close()
			return nil, nil, err
		}
		extra = []*os.File{childCall, childEvent}
	}
	proc := &pluginProc{dead: make(chan struct{}), started: time.Now(), tail: &lineTail{}}
	cleanup := func() {
		for _, f := range extra {
			_ = f.Close()
		}
		for _, c := range []net.Conn{hostCall, hostEvent} {
			if c != nil {
				_ = c.Close()
			}
		}
		if proc.runner != nil {
			_ = proc.runner.Kill(context.Background())
		}
		if proc.client != nil {
			proc.client.Kill()
		}
	}
	proc.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(nil),
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			proc.runner = newProcRunner(pl.path, cmd, extra, pl.log, pl.forker, proc.tail)
			return proc.runner, nil
		},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclogToSlog(pl.log),
		SyncStdout:       &logLines{log: pl.log, level: slog.LevelInfo, prefix: "stdout"},
		SyncStderr:       &logLines{log: pl.log, level: slog.LevelWarn, prefix: "stderr", tail: proc.tail},
		StartTimeout:     pluginStartTimeout,
	})
	rpc, err := proc.client.Client()
	if err != nil {
		err = pl.startError(proc, "start", err)
		cleanup()
		return nil, nil, err
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		err = pl.startError(proc, "start", err)
		cleanup()
		return nil, nil, err
	}
	proc.conn = raw.(*hostConn)
	req := &pb.LoadRequest{Protocol: ProtocolVersion, Name: pl.path, Parameters: pl.params}
	if !pl.settings.noEventAcks {
		// A quarter of the buffer: few acks, and the plugin never holds
		// back so many that the host runs out of credits for long.
		req.EventAckEvery = uint32(max(1, pl.settings.ObserverBuffer/4))
	}
	if hostCall != nil {
		req.CallFd, req.EventFd = 3, 4
	}
	lctx, cancel := context.WithTimeout(ctx, pluginLoadTimeout)
	resp, err := proc.conn.Load(lctx, req)
	cancel()
	if err != nil {
		err = pl.startError(proc, "load", errors.New(status.Convert(err).Message()))
		cleanup()
		return nil, nil, err
	}
	if resp.Error != "" {
		cleanup()
		return nil, nil, fmt.Errorf("plugin rejected its parameters: %s", resp.Error)
	}
	reg := Registration{}
	for _, h := range resp.Hooks {
		p := Point(h.Point)
		if !p.Valid() {
			cleanup()
			return nil, nil, fmt.Errorf("plugin %s registered unknown hook point %d", pl.path, h.Point)
		}
		reg[p] = Sync
		if h.Observe {
			reg[p] = Observe
		}
	}
	proc.acks = resp.EventAcks
	if resp.SocketsUsed && hostCall != nil {
		proc.calls = newSocketLink(hostCall, pl.settings.Deadline)
		proc.evSock = newSocketLink(hostEvent, 0)
		proc.events = proc.evSock
	} else {
		for _, c := range []net.Conn{hostCall, hostEvent} {
			if c != nil {
				_ = c.Close()
			}
		}
		if err := pl.openStreams(proc); err != nil {
			hostCall, hostEvent = nil, nil
			cleanup()
			return nil, nil, err
		}
	}
	if sock, ok := proc.calls.(*socketLink); ok {
		proc.sock = sock
		if cpusAllowed() > 1 { // on one CPU a spinning caller keeps the plugin from running
			proc.spin = max(0, pl.settings.ReplySpin)
		}
		proc.readToken = make(chan struct{}, 1)
		proc.readToken <- struct{}{}
		go pl.readLoop(proc, proc.events) // the plugin's unparks come back on the event socket
	} else {
		go pl.readLoop(proc, proc.calls)
	}
	return proc, reg, nil
}

// startError explains a failed start or load. A plugin that exited is the
// usual cause of a failed load, and the RPC error it leaves ("EOF") says
// nothing: then the error gives the exit status and the last lines of
// stderr instead. go-plugin's errors at start say what went wrong (a
// version mismatch, after which it kills the process itself); the exit
// status and stderr are added to them. The exit is seen a moment after the
// broken connection, hence the wait.
func (pl *pluginLib) startError(proc *pluginProc, during string, err error) error {
	if proc.runner == nil {
		return fmt.Errorf("plugin %s: %s: %w", pl.path, during, err)
	}
	select {
	case <-proc.runner.exited:
	case <-time.After(time.Second):
		return fmt.Errorf("plugin %s: %s: %w", pl.path, during, err)
	}
	status := "exit status 0"
	if proc.runner.waitErr != nil {
		status = proc.runner.waitErr.Error()
	}
	var msg string
	if during == "load" {
		msg = fmt.Sprintf("plugin %s exited during load (%s)", pl.path, status)
	} else {
		msg = fmt.Sprintf("plugin %s: %s: %v (the process ended: %s)", pl.path, during, err, status)
	}
	if t := proc.tail.String(); t != "" {
		msg += "; last stderr lines: " + t
	}
	return errors.New(msg)
}

func (pl *pluginLib) openStreams(proc *pluginProc) error {
	sctx, cancel := context.WithCancel(context.Background())
	cs, err := proc.conn.Calls(sctx)
	if err != nil {
		cancel()
		return fmt.Errorf("plugin %s: open call stream: %w", pl.path, err)
	}
	es, err := proc.conn.Events(sctx)
	if err != nil {
		cancel()
		return fmt.Errorf("plugin %s: open event stream: %w", pl.path, err)
	}
	proc.calls = &streamLink{s: cs, cancel: cancel, closer: cs.CloseSend}
	proc.events = &streamLink{s: es, closer: func() error { _, err := es.CloseAndRecv(); return err }}
	return nil
}

// socketPair returns the host's end as a net.Conn (deadlines via the
// netpoller) and the child's end as a file for exec.
func socketPair() (net.Conn, *os.File, error) {
	fds, err := socketpairCloexec()
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	hf := os.NewFile(uintptr(fds[0]), "hooks-host")
	c, err := net.FileConn(hf)
	_ = hf.Close() // FileConn dups the descriptor
	if err != nil {
		_ = syscall.Close(fds[1])
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return c, os.NewFile(uintptr(fds[1]), "hooks-child"), nil
}

// readLoop takes replies and unparks from the plugin until the link fails.
func (pl *pluginLib) readLoop(proc *pluginProc, l frameLink) {
	for {
		f := &pb.Frame{}
		if err := l.recv(f); err != nil {
			proc.fail(fmt.Errorf("link to plugin: %w", err))
			return
		}
		switch k := f.Kind.(type) {
		case *pb.Frame_Reply:
			if v, ok := proc.pending.LoadAndDelete(k.Reply.Id); ok {
				v.(*pendingCall).ch <- replyFromPB(k.Reply)
			}
		case *pb.Frame_EventAck:
			if l := pl.lib.Load(); l != nil && l.obs != nil {
				proc.ackEvents(l.obs, k.EventAck.Count)
			}
		case *pb.Frame_Unpark:
			u := Unpark{Step: Drop, OfferAddressInUse: k.Unpark.OfferAddressInUse}
			if NextStep(k.Unpark.Step) == Continue {
				u.Step = Continue
			}
			if err := pl.lot.resumeFrom(pl.lib.Load(), k.Unpark.ParkId, u); err != nil {
				pl.log.Warn("plugin unparked a packet it did not park", "park_id", k.Unpark.ParkId, "error", err)
			}
		default:
			proc.fail(fmt.Errorf("protocol error: unexpected frame %T from plugin", f.Kind))
			return
		}
	}
}

func (pl *pluginLib) Unload(ctx context.Context) error {
	pl.stopOnce.Do(func() { close(pl.stop) })
	if pl.done != nil {
		select {
		case <-pl.done:
		case <-ctx.Done():
		}
	}
	var err error
	if proc := pl.cur.Swap(nil); proc != nil {
		uctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		resp, rerr := proc.conn.Unload(uctx, &pb.UnloadRequest{})
		cancel()
		switch {
		case rerr != nil:
			err = fmt.Errorf("unload: %s", status.Convert(rerr).Message())
		case resp.Error != "":
			err = errors.New(resp.Error)
		}
		proc.fail(errors.New("unloaded"))
		pl.stopProc(proc, true)
		if l := pl.lib.Load(); l != nil {
			proc.buryEvents(l.obs)
		}
	}
	if pl.forker != nil {
		pl.forker.close()
	}
	return err
}

// stopProc ends a plugin process: gracefully (go-plugin's shutdown, 2 s)
// when it is healthy, by SIGKILL at once when it failed (a stopped or hung
// process would hold a graceful shutdown forever).
func (pl *pluginLib) stopProc(proc *pluginProc, graceful bool) {
	if graceful {
		done := make(chan struct{})
		go func() { proc.client.Kill(); close(done) }()
		select {
		case <-done:
			return
		case <-time.After(3 * time.Second):
		}
	}
	_ = proc.runner.Kill(context.Background())
	proc.client.Kill()
}
