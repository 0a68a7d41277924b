package hooks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// pendingCall is one call waiting for its reply; pooled with its timer.
type pendingCall struct {
	ch    chan *pb.Reply
	timer *time.Timer
}

var pendingPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pendingCall{ch: make(chan *pb.Reply, 1), timer: t}
}}

// Callout sends one call to the plugin and waits for its reply, at most the
// library's deadline. Points the plugin did not register are not sent.
func (pl *pluginLib) Callout(ctx context.Context, p Point, a *Args) (NextStep, error) {
	if _, ok := pl.reg[p]; !ok {
		return Continue, nil
	}
	proc := pl.cur.Load()
	if proc == nil {
		return Continue, errPluginDown
	}
	d := pl.settings.Deadline
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < d {
			d = left
		}
	}
	if d <= 0 {
		return Continue, errDeadline
	}
	pc := pendingPool.Get().(*pendingCall)
	id := proc.nextID.Add(1)
	proc.pending.Store(id, pc)
	call := &pb.Call{Id: id, Point: uint32(p), Args: argsToPB(a), TimeoutUs: uint32(d / time.Microsecond)}
	if a.Park.Valid() {
		call.ParkId = a.Park.id
	}
	if err := proc.calls.send(&pb.Frame{Kind: &pb.Frame_Call{Call: call}}); err != nil {
		proc.pending.Delete(id)
		pendingPool.Put(pc)
		proc.fail(err)
		return Continue, fmt.Errorf("%w: %v", errPluginDown, err)
	}
	r, err := proc.wait(ctx, id, pc, d)
	pendingPool.Put(pc)
	if err != nil {
		return Continue, err
	}
	if r.Error != "" {
		return Continue, fmt.Errorf("plugin callout: %s", r.Error)
	}
	if r.Changes != nil {
		applyChanges(p, a, r.Changes)
	}
	return NextStep(r.Step), nil
}

// wait waits for the reply of call id: it takes the reply from its channel
// or, holding the read token, reads the link itself.
func (proc *pluginProc) wait(ctx context.Context, id uint64, pc *pendingCall, d time.Duration) (*pb.Reply, error) {
	deadline := time.Now().Add(d)
	var why error
	// The usual case, one call at a time: read the reply at once, with the
	// socket's read deadline as the only timer.
	select {
	case <-proc.readToken:
		r, err := proc.leadRead(id, pc, deadline)
		proc.readToken <- struct{}{}
		if r != nil {
			return r, nil
		}
		why = err
	default:
	}
	if why == nil {
		pc.timer.Reset(time.Until(deadline))
		defer pc.timer.Stop()
	}
	for why == nil {
		select {
		case r := <-pc.ch:
			return r, nil
		case <-proc.readToken: // nil with the gRPC transport: never ready
			r, err := proc.leadRead(id, pc, deadline)
			proc.readToken <- struct{}{}
			if r != nil {
				return r, nil
			}
			why = err
		case <-pc.timer.C:
			why = errDeadline
		case <-proc.dead:
			why = errPluginDown
		case <-ctx.Done():
			why = ctx.Err()
		}
	}
	if _, mine := proc.pending.LoadAndDelete(id); !mine {
		return <-pc.ch, nil // a reader took the reply and is handing it over
	}
	if why == errDeadline {
		why = fmt.Errorf("%w (%v)", errDeadline, d)
	}
	return nil, why
}

// leadRead reads frames until the reply of call id, handing other callers'
// replies to them, or until the deadline.
func (proc *pluginProc) leadRead(id uint64, pc *pendingCall, deadline time.Time) (*pb.Reply, error) {
	select {
	case r := <-pc.ch: // the previous reader found it
		return r, nil
	default:
	}
	_ = proc.sock.setReadDeadline(deadline)
	for {
		f := &pb.Frame{}
		if err := proc.sock.recv(f); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, errDeadline
			}
			proc.fail(fmt.Errorf("call link: %w", err))
			return nil, errPluginDown
		}
		rep := f.GetReply()
		if rep == nil {
			proc.fail(fmt.Errorf("protocol error: unexpected frame %T on the call link", f.Kind))
			return nil, errPluginDown
		}
		v, ok := proc.pending.LoadAndDelete(rep.Id)
		if !ok {
			continue // the late reply of a call that gave up
		}
		if rep.Id == id {
			return rep, nil
		}
		v.(*pendingCall).ch <- rep
	}
}

// applyChanges copies a plugin's changes into a. The Manager validates them
// afterwards, as it does an in-process callout's, and undoes a bad one.
func applyChanges(p Point, a *Args, c *pb.Changes) {
	if c.Query != nil {
		a.Query = c.Query
	}
	if c.Response != nil {
		a.Response = c.Response
	}
	if c.SubnetId != nil {
		applySubnet(p, a, *c.SubnetId)
	}
	if c.Lease4 != nil {
		l := lease4FromPB(c.Lease4)
		if a.Lease4 != nil {
			*a.Lease4 = l
		} else {
			a.Lease4 = &l
		}
	}
	if c.Lease6 != nil {
		l := lease6FromPB(c.Lease6)
		if a.Lease6 != nil {
			*a.Lease6 = l
		} else {
			a.Lease6 = &l
		}
	}
	if c.Ia != nil {
		a.IA = c.Ia
	}
	if c.IdType != nil {
		a.IDType = *c.IdType
	}
	if c.IdValue != nil {
		a.IDValue = c.IdValue
	}
	if c.Error != nil {
		a.Error = *c.Error
	}
	if c.OfferAddressInUse != nil {
		a.OfferAddressInUse = *c.OfferAddressInUse
	}
}

func applySubnet(p Point, a *Args, id uint32) {
	if p.V6() {
		a.Subnet6 = nil
		if id != 0 {
			a.Subnet6 = &Subnet6{ID: id} // made-up unless found: validation refuses it
			for i := range a.Subnets6 {
				if a.Subnets6[i].ID == id {
					a.Subnet6 = &a.Subnets6[i]
				}
			}
		}
		return
	}
	a.Subnet4 = nil
	if id != 0 {
		a.Subnet4 = &Subnet4{ID: id}
		for i := range a.Subnets4 {
			if a.Subnets4[i].ID == id {
				a.Subnet4 = &a.Subnets4[i]
			}
		}
	}
}

// observeBatch writes a batch of observe-only events to the plugin in one
// go; the observer queue's goroutine is the only caller. The events' credits
// go back once written (the socket's and the plugin's buffers then hold
// them), or at once when they are lost.
func (pl *pluginLib) observeBatch(q *observerQueue, batch []event) {
	proc := pl.cur.Load()
	frames := make([]*pb.Frame, 0, len(batch))
	for i := range batch {
		ev := &batch[i]
		if pl.reg[ev.p] != Observe {
			q.release(1)
			continue
		}
		pl.evSeq++
		frames = append(frames, &pb.Frame{Kind: &pb.Frame_Event{Event: &pb.Event{
			Seq: pl.evSeq, Point: uint32(ev.p), Outcome: uint32(ev.step), Args: argsToPB(ev.a)}}})
	}
	if len(frames) == 0 {
		return
	}
	var err error
	if proc == nil {
		err = errPluginDown
	} else if err = proc.events.sendBatch(frames); err != nil {
		proc.fail(fmt.Errorf("event link: %w", err))
	}
	q.release(len(frames))
	if err != nil {
		n := pl.lib.lost.Add(uint64(len(frames)))
		if pl.downLog.allow(time.Second) {
			pl.log.Warn("observe-only events lost", "error", err, "lost_total", n)
		}
	}
}

// supervise restarts the plugin when it fails, with back-off, until Unload.
func (pl *pluginLib) supervise() {
	defer close(pl.done)
	backoff := backoffMin
	for {
		if proc := pl.cur.Load(); proc != nil {
			if !pl.watch(proc) {
				return
			}
			pl.cur.Store(nil)
			pl.stopProc(proc, false)
			pl.lot.resolveLib(pl.lib, pl.settings.FailurePolicy)
			if time.Since(proc.started) > time.Minute {
				backoff = backoffMin
			}
			pl.log.Error("hook plugin failed, restarting", "error", proc.deadErr, "backoff", backoff.String(),
				"failure_policy", pl.settings.FailurePolicy.String())
		}
		select {
		case <-time.After(backoff):
		case <-pl.stop:
			return
		}
		backoff = min(2*backoff, pl.settings.RestartBackoffMax)
		proc, reg, err := pl.start(context.Background())
		if err != nil {
			pl.log.Error("hook plugin restart failed", "error", err, "next_try", backoff.String())
			continue
		}
		if !sameRegistration(reg, pl.reg) {
			pl.log.Warn("restarted plugin registered other hook points; keeping the first registration")
		}
		select {
		case <-pl.stop: // Unload raced with the restart
			proc.fail(errors.New("unloaded"))
			pl.stopProc(proc, false)
			return
		default:
		}
		pl.restarts.Add(1)
		pl.cur.Store(proc)
		pl.log.Info("hook plugin restarted", "restarts", pl.restarts.Load())
	}
}

// watch returns true when proc failed (crash, broken link, missed ping) and
// false when the library is being unloaded.
func (pl *pluginLib) watch(proc *pluginProc) bool {
	t := time.NewTicker(pl.settings.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-proc.dead:
			return true
		case <-proc.runner.exited:
			proc.fail(fmt.Errorf("plugin process exited: %v", proc.runner.waitErr))
			return true
		case <-pl.stop:
			return false
		case <-t.C:
			if err := pl.ping(proc); err != nil {
				proc.fail(fmt.Errorf("no answer to ping: %w", err))
				return true
			}
		}
	}
}

// ping is go-plugin's health check with a timeout (go-plugin's own Ping has
// none, so a stopped plugin would hang it).
func (pl *pluginLib) ping(proc *pluginProc) error {
	ctx, cancel := context.WithTimeout(context.Background(), max(pl.settings.PingInterval, time.Second))
	defer cancel()
	_, err := grpc_health_v1.NewHealthClient(proc.conn.conn).Check(ctx,
		&grpc_health_v1.HealthCheckRequest{Service: "plugin"})
	return err
}

func sameRegistration(a, b Registration) bool {
	if len(a) != len(b) {
		return false
	}
	for p, m := range a {
		if b[p] != m {
			return false
		}
	}
	return true
}
