package hooks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Call runs the callouts registered at p, in configuration order, and
// returns the next step the server must take (one that p honours; see
// doc.go). Synchronous callouts run on the caller's goroutine (plugins: a
// round trip bounded by the library's deadline); the first step other than
// Continue ends the chain. Observe-only callouts get a copy of a as it
// stands at their place in configuration order, with the status the
// synchronous callouts before them set (Kea's callouts each see what the
// ones before them did), on their queues.
//
// At a parkable point Call treats Park as Continue: use CallParkable there.
func (m *Manager) Call(ctx context.Context, p Point, a *Args) NextStep {
	if !m.Enabled(p) {
		return Continue
	}
	st := m.state.Load()
	return m.run(ctx, st, p, a, 0, nil)
}

// CallParkable is Call at a point that honours Park (leases4_committed,
// leases6_committed, lease4_offer). When it returns Park, the packet is
// parked: the server must leave a (and the buffers it refers to) alone and
// go on with other packets; done is called exactly once later, on another
// goroutine, with Continue (the remaining callouts ran; send the response)
// or Drop (a library dropped it, its park timed out, a plugin failed with
// the drop policy, or the manager closed). For any other result done is
// not called. A packet that would exceed the parking lot's limit is
// dropped (Drop is returned).
func (m *Manager) CallParkable(ctx context.Context, p Point, a *Args, done func(NextStep, *Args)) NextStep {
	if !m.Enabled(p) {
		return Continue
	}
	st := m.state.Load()
	return m.run(ctx, st, p, a, 0, done)
}

// run calls the callouts of p from index from on: the synchronous ones in
// turn, and each observe-only one gets a as it stands at its place, after
// the synchronous callouts before it (as in Kea, where a callout sees the
// changes of those before it only).
func (m *Manager) run(ctx context.Context, st *state, p Point, a *Args, from int, done func(NextStep, *Args)) NextStep {
	hooks := st.byPoint[p]
	parkable := done != nil && p.Parkable()
	seen := from // hooks[from:seen] have had a
	for i := from; i < len(hooks); i++ {
		h := hooks[i]
		if h.mode != Sync {
			continue
		}
		m.observe(st, p, a, seen, i, Continue)
		seen = i + 1
		var id uint64
		if parkable {
			id = m.lot.prepare(h.lib)
			a.Park = ParkHandle{id: id, r: m.lot}
		}
		step := m.callOne(ctx, h.lib, p, a)
		a.Park = ParkHandle{}
		if parkable {
			if step != Park {
				m.lot.cancel(id)
			} else {
				step = m.lot.park(id, &parkEntry{st: st, p: p, a: a, next: i + 1, done: done, lib: h.lib})
			}
		} else if step == Park {
			step = Continue
		}
		if step != Continue {
			if step != Park { // a parked packet's later observers wait for its resumption
				m.observe(st, p, a, seen, len(hooks), step)
			}
			return step
		}
	}
	m.observe(st, p, a, seen, len(hooks), Continue)
	return Continue
}

// errDeadline is what a plugin call returns when the plugin did not answer
// in time; it is counted apart from other failures.
var errDeadline = errors.New("deadline exceeded")

// callOne calls one library's synchronous callout, applying the failure
// policy to errors and panics and undoing changes that fail validation.
func (m *Manager) callOne(ctx context.Context, l *loadedLib, p Point, a *Args) NextStep {
	var snap snapshot
	snap.take(p, a)
	l.calls.Add(1)
	step, err := safeCallout(ctx, l.lib, p, a)
	if err != nil {
		snap.restore(a)
		l.errors.Add(1)
		if errors.Is(err, errDeadline) {
			l.timeouts.Add(1)
		}
		step = l.settings.FailurePolicy
		if l.errLog.allow(time.Second) {
			l.log.Warn("hook callout failed", "point", p.String(), "error", err, "next_step", step.String())
		}
	} else if err := snap.check(p, a); err != nil {
		snap.restore(a)
		l.invalid.Add(1)
		l.log.Warn("hook callout change refused", "point", p.String(), "error", err)
	}
	if !p.Honours(step) {
		return Continue
	}
	return step
}

func safeCallout(ctx context.Context, lib Library, p Point, a *Args) (step NextStep, err error) {
	defer func() {
		if r := recover(); r != nil {
			step, err = Continue, fmt.Errorf("callout panicked: %v", r)
		}
	}()
	return lib.Callout(ctx, p, a)
}

// observe hands a to the observe-only callouts among p's callouts
// hooks[from:to], with the status outcome: plugins get it encoded,
// in-process libraries a copy, shared by all of them (observers only read).
func (m *Manager) observe(st *state, p Point, a *Args, from, to int, outcome NextStep) {
	var c *Args
	var body []byte
	for _, h := range st.byPoint[p][from:to] {
		if h.mode != Observe {
			continue
		}
		q := h.lib.obs
		if !q.acquire() {
			q.lose(p)
			continue
		}
		ev := event{p: p, step: outcome}
		if _, ok := h.lib.lib.(*pluginLib); ok {
			if body == nil {
				body = encodeEvent(p, outcome, a)
			}
			ev.body = body
		} else {
			if c == nil {
				c = a.Clone()
				c.Park = ParkHandle{}
			}
			ev.a = c
		}
		q.enqueue(ev)
	}
}

var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// encodeEvent encodes an event's body into a buffer of its own, of the
// exact size: it lives until the plugin has it, and observer-buffer of them
// may wait.
func encodeEvent(p Point, step NextStep, a *Args) []byte {
	bp := encodeBufs.Get().(*[]byte)
	b := appendEventBody((*bp)[:0], p, step, a)
	body := append(make([]byte, 0, len(b)), b...)
	if cap(b) <= 1<<20 { // an odd huge event does not stay pooled
		*bp = b
		encodeBufs.Put(bp)
	}
	return body
}
