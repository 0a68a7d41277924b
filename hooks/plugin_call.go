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
	"google.golang.org/protobuf/proto"
)

// pendingCall is one call waiting for its reply; pooled with its timer.
type pendingCall struct {
	ch    chan callReply
	timer *time.Timer
}

var pendingPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pendingCall{ch: make(chan callReply, 1), timer: t}
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
	proc.inflight.Add(1)
	start := time.Now()
	if err := proc.sendCall(id, p, a, uint32(d/time.Microsecond)); err != nil {
		proc.inflight.Add(-1)
		proc.pending.Delete(id)
		pendingPool.Put(pc)
		proc.fail(err)
		return Continue, fmt.Errorf("%w: %v", errPluginDown, err)
	}
	r, err := proc.wait(ctx, id, pc, d)
	proc.inflight.Add(-1)
	pendingPool.Put(pc)
	if err == nil || errors.Is(err, errDeadline) { // a missed deadline counts in full
		proc.noteRTT(time.Since(start))
	}
	if err != nil {
		return Continue, err
	}
	if r.err != "" {
		return Continue, fmt.Errorf("plugin callout: %s", r.err)
	}
	if r.changes != nil {
		applyChanges(p, a, r.changes)
	}
	return r.step, nil
}

// sendCall sends a call: on the socket encoded straight from a, on a gRPC
// stream as a message.
func (proc *pluginProc) sendCall(id uint64, p Point, a *Args, timeoutUs uint32) error {
	var parkID uint64
	if a.Park.Valid() {
		parkID = a.Park.id
	}
	if proc.sock == nil {
		call := &pb.Call{Id: id, Point: uint32(p), Args: argsToPB(a), ParkId: parkID, TimeoutUs: timeoutUs}
		return proc.calls.send(&pb.Frame{Kind: &pb.Frame_Call{Call: call}})
	}
	return proc.sock.sendWith(func(b []byte) ([]byte, error) {
		start := len(b)
		b = appendCallFrame(b, id, p, a, parkID, timeoutUs)
		if n := len(b) - start - 4; n > maxFrame {
			return b[:start], fmt.Errorf("call of %d bytes exceeds %d", n, maxFrame)
		}
		return b, nil
	})
}

// wait waits for the reply of call id: it takes the reply from its channel
// or, holding the read token, reads the link itself.
func (proc *pluginProc) wait(ctx context.Context, id uint64, pc *pendingCall, d time.Duration) (callReply, error) {
	deadline := time.Now().Add(d)
	var why error
	// The usual case, one call at a time: read the reply at once, with the
	// socket's read deadline as the only timer.
	select {
	case <-proc.readToken:
		r, err := proc.leadRead(id, pc, deadline)
		proc.readToken <- struct{}{}
		if err == nil {
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
			if err == nil {
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
	return callReply{}, why
}

// noteRTT adds a round trip to the moving average (weight 1/8). Callers
// racing here may lose one another's update, which an estimate can bear.
func (proc *pluginProc) noteRTT(d time.Duration) {
	old := proc.rtt.Load()
	proc.rtt.Store(old + (int64(d)-old)/8)
}

// spinFor is how long a caller may spin for its reply: ReplySpin when its
// call is the only one in flight and replies have been coming within it.
// Under load, or from a plugin whose callouts take longer, callers sleep
// at once, as spinning would only burn the CPU others need.
func (proc *pluginProc) spinFor(deadline time.Time) time.Duration {
	if proc.spin <= 0 || proc.inflight.Load() != 1 || time.Duration(proc.rtt.Load()) > proc.spin {
		return 0
	}
	return min(proc.spin, time.Until(deadline))
}

// leadRead reads frames until the reply of call id, handing other callers'
// replies to them, or until the deadline.
func (proc *pluginProc) leadRead(id uint64, pc *pendingCall, deadline time.Time) (callReply, error) {
	select {
	case r := <-pc.ch: // the previous reader found it
		return r, nil
	default:
	}
	_ = proc.sock.setReadDeadline(deadline)
	spin := proc.spinFor(deadline)
	for {
		frame, err := proc.sock.recvRaw(spin)
		spin = 0
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return callReply{}, errDeadline
			}
			proc.fail(fmt.Errorf("call link: %w", err))
			return callReply{}, errPluginDown
		}
		rep, err := readReply(frame)
		if err != nil {
			proc.fail(err)
			return callReply{}, errPluginDown
		}
		v, ok := proc.pending.LoadAndDelete(rep.id)
		if !ok {
			continue // the late reply of a call that gave up
		}
		if rep.id == id {
			return rep, nil
		}
		v.(*pendingCall).ch <- rep
	}
}

// readReply decodes a frame of the call link, which carries only replies.
func readReply(frame []byte) (callReply, error) {
	if r, ok := decodeReplyFrame(frame); ok {
		return r, nil
	}
	var f pb.Frame
	if err := proto.Unmarshal(frame, &f); err != nil {
		return callReply{}, fmt.Errorf("call link: %w", err)
	}
	rep := f.GetReply()
	if rep == nil {
		return callReply{}, fmt.Errorf("protocol error: unexpected frame %T on the call link", f.Kind)
	}
	return replyFromPB(rep), nil
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
// go; the observer queue's goroutine is the only caller. An event's credit
// goes back when the plugin acknowledges it, or, from a plugin that does
// not acknowledge, once it is written; at once when it is lost.
func (pl *pluginLib) observeBatch(q *observerQueue, batch []event) {
	proc := pl.cur.Load()
	n := 0
	for i := range batch {
		ev := &batch[i]
		switch {
		case pl.reg[ev.p] != Observe:
			q.release(1)
		case len(ev.body) > maxFrame-32:
			q.release(1)
			pl.loseEvents(1, fmt.Errorf("%s event of %d bytes exceeds %d", ev.p, len(ev.body), maxFrame))
		default:
			batch[n] = *ev
			n++
		}
	}
	batch = batch[:n]
	if n == 0 {
		return
	}
	if proc == nil {
		q.release(n)
		pl.loseEvents(n, errPluginDown)
		return
	}
	acked := proc.acks && proc.holdEvents(n)
	if err := pl.sendEvents(proc, batch); err != nil {
		proc.fail(fmt.Errorf("event link: %w", err))
		if !acked { // held credits come back when the supervisor buries proc
			q.release(n)
		}
		pl.loseEvents(n, err)
		return
	}
	if !acked {
		q.release(n)
	}
}

// sendEvents numbers the events and writes them: on the socket the encoded
// bodies go out as they are, all in one write.
func (pl *pluginLib) sendEvents(proc *pluginProc, batch []event) error {
	if proc.sock == nil {
		frames := make([]*pb.Frame, 0, len(batch))
		for i := range batch {
			ev := &pb.Event{}
			if err := proto.Unmarshal(batch[i].body, ev); err != nil {
				return fmt.Errorf("re-reading an encoded event: %w", err)
			}
			pl.evSeq++
			ev.Seq = pl.evSeq
			frames = append(frames, &pb.Frame{Kind: &pb.Frame_Event{Event: ev}})
		}
		return proc.events.sendBatch(frames)
	}
	return proc.evSock.sendWith(func(b []byte) ([]byte, error) {
		for i := range batch {
			pl.evSeq++
			b = appendEventFrame(b, pl.evSeq, batch[i].body)
		}
		return b, nil
	})
}

func (pl *pluginLib) loseEvents(n int, err error) {
	total := pl.lib.Load().lost.Add(uint64(n))
	if pl.downLog.allow(time.Second) {
		pl.log.Warn("observe-only events lost", "error", err, "lost_total", total)
	}
}

// holdEvents counts n events sent to proc that keep their credits until
// proc acknowledges them; false when proc is gone (their credits are the
// caller's to give back).
func (proc *pluginProc) holdEvents(n int) bool {
	proc.evMu.Lock()
	defer proc.evMu.Unlock()
	if proc.evGone {
		return false
	}
	proc.evUnacked += n
	return true
}

// ackEvents gives back the credits of n events proc acknowledged.
func (proc *pluginProc) ackEvents(q *observerQueue, n uint64) {
	proc.evMu.Lock()
	k := int(min(n, uint64(proc.evUnacked)))
	proc.evUnacked -= k
	proc.evMu.Unlock()
	q.release(k)
}

// buryEvents gives back the credits of the events proc will never
// acknowledge, when it has ended.
func (proc *pluginProc) buryEvents(q *observerQueue) {
	proc.evMu.Lock()
	k := proc.evUnacked
	proc.evUnacked, proc.evGone = 0, true
	proc.evMu.Unlock()
	if q != nil {
		q.release(k)
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
			l := pl.lib.Load()
			proc.buryEvents(l.obs)
			pl.lot.resolveLib(l, pl.settings.FailurePolicy)
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
