package hooks

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/protobuf/proto"
)

// The plugin runs each call on the goroutine that read it: handing a call
// to another goroutine costs a wake-up, often on the other core, about as
// much as the rest of the round trip. So that a slow callout does not hold
// the calls behind it, a watcher hands the reading to a new goroutine when
// one callout has run for a tick or two.
//
// The watcher ticks only while calls come in. A timer armed per call would
// be cheaper to write but is not cheap to run: a timer earlier than the
// sleeping netpoller's wake-up interrupts it, a syscall and a wake-up per
// call (measured: +10-15 µs per round trip).
const handOverTick = 2 * time.Millisecond

// callReader is the state shared by the reading goroutines of one link.
type callReader struct {
	s      *pluginServer
	l      frameLink
	state  atomic.Uint64 // generation<<1 | 1 while the reader runs a callout
	asleep atomic.Bool
	wake   chan struct{}
	stop   chan struct{}
	once   sync.Once
}

func (s *pluginServer) serveCalls(l frameLink) {
	r := &callReader{s: s, l: l, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	go r.watch()
	r.read()
}

// read reads and runs calls until the link ends or a watcher hands the
// reading to another goroutine.
func (r *callReader) read() {
	for {
		c, a, err := r.next()
		if err != nil {
			r.once.Do(func() { close(r.stop) })
			return
		}
		if a == nil {
			continue
		}
		busy := (r.state.Load()>>1+1)<<1 | 1
		r.state.Store(busy)
		if r.asleep.Load() && r.asleep.CompareAndSwap(true, false) {
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}
		reply := r.s.runCall(c, a)
		still := r.state.CompareAndSwap(busy, busy&^1)
		if err := sendReply(r.l, reply); err != nil {
			slog.Error("hooks: send reply", "error", err)
		}
		if !still {
			return // a new goroutine reads now
		}
	}
}

// next reads the next call: from the socket decoded straight into Args
// (the generated code takes what that decoder does not), from a stream as
// a message. Args is nil for a frame that is not a call.
func (r *callReader) next() (callFields, *Args, error) {
	var f pb.Frame
	if sl, ok := r.l.(*socketLink); ok {
		frame, err := sl.recvRaw(0)
		if err != nil {
			return callFields{}, nil, err
		}
		if c, a, ok := decodeCallFrame(frame); ok {
			return c, a, nil
		}
		if err := proto.Unmarshal(frame, &f); err != nil {
			return callFields{}, nil, err
		}
	} else if err := r.l.recv(&f); err != nil {
		return callFields{}, nil, err
	}
	c := f.GetCall()
	if c == nil {
		slog.Error("hooks: unexpected frame on the call link", "frame", fmt.Sprintf("%T", f.Kind))
		return callFields{}, nil, nil
	}
	p := Point(c.Point)
	return callFields{id: c.Id, point: p, parkID: c.ParkId, timeoutUs: c.TimeoutUs}, argsFromPB(p, c.Args), nil
}

// watch hands the reading over when the same callout is still running at
// two ticks in a row, and sleeps after a while without calls.
func (r *callReader) watch() {
	t := time.NewTicker(handOverTick)
	defer t.Stop()
	var last uint64
	idle := 0
	for {
		select {
		case <-t.C:
		case <-r.stop:
			return
		}
		st := r.state.Load()
		switch {
		case st&1 == 1 && st == last:
			if r.state.CompareAndSwap(st, (st>>1+1)<<1) {
				go r.read()
			}
		case st == last:
			if idle++; idle < 50 {
				break
			}
			r.asleep.Store(true)
			if r.state.Load() == st {
				select {
				case <-r.wake:
				case <-r.stop:
					return
				}
			}
			r.asleep.Store(false)
			t.Reset(handOverTick)
			idle = 0
		default:
			idle = 0
		}
		last = r.state.Load()
	}
}
