package hooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/protobuf/proto"
)

// ServePlugin serves lib as a leasehold hook plugin and returns when the
// host ends the plugin. Call it from main:
//
//	func main() { hooks.ServePlugin(myLibrary{}) }
//
// It sets slog's default logger to JSON on stderr, which the host logs
// under the library's name at each line's level, and to the lowest level
// the host logs (LogLevelEnv): a line the host would drop is not even
// formatted, and slog.Default().Enabled tells a callout whether building an
// expensive line is worth it. The plugin exits by itself when its host
// process dies. A binary started by hand (not by a host) prints a notice
// and exits with status 1.
func ServePlugin(lib Library) {
	level := hostLogLevel(os.Getenv(LogLevelEnv))
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	go watchParent(os.Getppid())
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(&pluginServer{lib: lib}),
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: "plugin", Level: max(hclog.Info, hclogLevel(level)), JSONFormat: true, Output: os.Stderr,
		}),
	})
}

// hostLogLevel reads LogLevelEnv; a host that does not set it (an older
// one) gets every line, as before.
func hostLogLevel(env string) slog.Level {
	var l slog.Level
	if env == "" || l.UnmarshalText([]byte(env)) != nil {
		return slog.LevelDebug
	}
	return l
}

// watchParent ends the plugin when its host is gone, as a second line of
// defence beside the host's PDEATHSIG (which other systems lack).
func watchParent(ppid int) {
	for {
		time.Sleep(500 * time.Millisecond)
		if os.Getppid() != ppid {
			os.Exit(3)
		}
	}
}

// pluginServer is the plugin side of the Hooks service.
type pluginServer struct {
	pb.UnimplementedHooksServer
	lib Library

	mu       sync.Mutex
	reg      Registration
	unparks  frameLink // where unparks and event acks go: the event socket, or the Calls stream
	ackEvery int       // acknowledge observe-only events in this many; 0: do not
}

func (s *pluginServer) Load(ctx context.Context, req *pb.LoadRequest) (*pb.LoadResponse, error) {
	reg, err := s.lib.Load(ctx, req.Parameters)
	if err != nil {
		return &pb.LoadResponse{Protocol: ProtocolVersion, Error: err.Error()}, nil
	}
	if err := reg.validate(); err != nil {
		return &pb.LoadResponse{Protocol: ProtocolVersion, Error: err.Error()}, nil
	}
	resp := &pb.LoadResponse{Protocol: ProtocolVersion, EventAcks: req.EventAckEvery > 0}
	s.ackEvery = int(req.EventAckEvery)
	for p, m := range reg {
		resp.Hooks = append(resp.Hooks, &pb.Hook{Point: uint32(p), Observe: m == Observe})
	}
	s.mu.Lock()
	s.reg = reg
	s.mu.Unlock()
	if req.CallFd != 0 && req.EventFd != 0 {
		calls, err := fdConn(req.CallFd)
		if err != nil {
			return nil, err
		}
		events, err := fdConn(req.EventFd)
		if err != nil {
			_ = calls.Close()
			return nil, err
		}
		el := newSocketLink(events, 0)
		s.setUnparks(el)
		go s.serveCalls(newSocketLink(calls, 0))
		go s.serveEvents(el)
		resp.SocketsUsed = true
	}
	return resp, nil
}

func fdConn(fd uint32) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "hooks-frames")
	if f == nil {
		return nil, fmt.Errorf("frame socket fd %d is not open", fd)
	}
	defer f.Close() // FileConn dups it
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("frame socket fd %d: %w", fd, err)
	}
	return c, nil
}

func (s *pluginServer) Unload(ctx context.Context, _ *pb.UnloadRequest) (*pb.UnloadResponse, error) {
	if err := s.lib.Unload(ctx); err != nil {
		return &pb.UnloadResponse{Error: err.Error()}, nil
	}
	return &pb.UnloadResponse{}, nil
}

func (s *pluginServer) Calls(stream pb.Hooks_CallsServer) error {
	l := &streamLink{s: stream}
	s.setUnparks(l)
	s.serveCalls(l)
	<-stream.Context().Done() // a slow callout may have handed the reading to another goroutine
	return nil
}

func (s *pluginServer) Events(stream pb.Hooks_EventsServer) error {
	s.serveEvents(&streamLink{s: stream})
	return stream.SendAndClose(&pb.EventsDone{})
}

func (s *pluginServer) setUnparks(l frameLink) {
	s.mu.Lock()
	s.unparks = l
	s.mu.Unlock()
}

// runCall runs one call's callout and builds its reply.
func (s *pluginServer) runCall(c callFields, a *Args) callReply {
	p := c.point
	if !p.Valid() {
		return callReply{id: c.id, err: fmt.Sprintf("unknown hook point %d", p)}
	}
	if c.parkID != 0 {
		a.Park = ParkHandle{id: c.parkID, r: s}
	}
	before := takeContent(p, a)
	var ctx context.Context = context.Background()
	if c.timeoutUs > 0 {
		dc := newDeadlineCtx(time.Now().Add(time.Duration(c.timeoutUs) * time.Microsecond))
		defer dc.release()
		ctx = dc
	}
	step, err := safeCallout(ctx, s.lib, p, a)
	if err != nil {
		before.release()
		return callReply{id: c.id, err: err.Error()}
	}
	r := callReply{id: c.id, step: step, changes: before.diff(p, a)}
	before.release()
	return r
}

// sendReply sends a call's reply: on the socket encoded straight into the
// link's buffer, on a gRPC stream as a message.
func sendReply(l frameLink, r callReply) error {
	if sl, ok := l.(*socketLink); ok {
		return sl.sendWith(func(b []byte) ([]byte, error) { return appendReplyFrame(b, r) })
	}
	return l.send(&pb.Frame{Kind: &pb.Frame_Reply{Reply: &pb.Reply{
		Id: r.id, Step: uint32(r.step), Changes: r.changes, Error: r.err}}})
}

// resume implements resumer: a callout's ParkHandle sends an unpark.
func (s *pluginServer) resume(id uint64, u Unpark) error {
	s.mu.Lock()
	l := s.unparks
	s.mu.Unlock()
	if l == nil {
		return errors.New("hooks: no link to the host")
	}
	return l.send(&pb.Frame{Kind: &pb.Frame_Unpark{Unpark: &pb.Unpark{
		ParkId: id, Step: uint32(u.Step), OfferAddressInUse: u.OfferAddressInUse}}})
}

// serveEvents hands observe-only events to the library one at a time, in
// order. A slow library slows this reader, which fills the socket, which
// the host meets with its observer-overflow setting. Each ackEvery events
// handled it tells the host, which holds them in flight until then.
func (s *pluginServer) serveEvents(l frameLink) {
	handled := 0
	for {
		ok, err := s.nextEvent(l)
		if err != nil {
			return
		}
		if ok {
			handled++
		}
		if s.ackEvery > 0 && handled >= s.ackEvery && s.ack(handled) {
			handled = 0
		}
	}
}

// nextEvent reads a frame and, if it is an event, runs the callout.
func (s *pluginServer) nextEvent(l frameLink) (bool, error) {
	if sl, ok := l.(*socketLink); ok {
		frame, err := sl.recvRaw(0)
		if err != nil {
			return false, err
		}
		if p, outcome, a, ok := decodeEventFrame(frame); ok {
			s.event(p, outcome, a)
			return true, nil
		}
		f := &pb.Frame{}
		if err := proto.Unmarshal(frame, f); err != nil {
			return false, err
		}
		return s.eventPB(f.GetEvent()), nil
	}
	f := &pb.Frame{}
	if err := l.recv(f); err != nil {
		return false, err
	}
	return s.eventPB(f.GetEvent()), nil
}

func (s *pluginServer) eventPB(ev *pb.Event) bool {
	if ev == nil {
		return false
	}
	p := Point(ev.Point)
	s.event(p, NextStep(ev.Outcome), argsFromPB(p, ev.Args))
	return true
}

func (s *pluginServer) event(p Point, outcome NextStep, a *Args) {
	if !p.Valid() {
		return
	}
	a.Outcome = outcome
	if _, err := safeCallout(context.Background(), s.lib, p, a); err != nil {
		slog.Warn("hooks: observe-only callout failed", "point", p.String(), "error", err)
	}
}

// ack reports n handled events; false when there is no link to say it on
// yet (the gRPC Calls stream opens after Load): the next ack counts them.
func (s *pluginServer) ack(n int) bool {
	s.mu.Lock()
	l := s.unparks
	s.mu.Unlock()
	if l == nil {
		return false
	}
	return l.send(&pb.Frame{Kind: &pb.Frame_EventAck{EventAck: &pb.EventAck{Count: uint64(n)}}}) == nil
}
