package hooks

import (
	"context"
	"sync"
	"time"
)

// event is one observe-only delivery.
type event struct {
	p    Point
	step NextStep
	a    *Args  // in-process observers: a copy, shared read-only by those of one call
	body []byte // plugins: the encoded Event but its seq (appendEventBody), shared likewise
}

// batchObserver is implemented by libraries that take a whole batch of
// events at once (the plugin host writes them to the plugin in one go). It
// owns the batch's credits: it gives each back with observerQueue.release
// once the event no longer counts in flight.
type batchObserver interface {
	observeBatch(q *observerQueue, batch []event)
}

// observerQueue delivers one library's observe-only events in order on its
// own goroutine. The packet path only takes a credit and pushes into a
// channel.
//
// Credits bound every event in flight, not only the queued ones: an event
// holds its credit from the push until the library has run its callout
// (in-process) or until the plugin acknowledges it (plugins that do), or
// until it is written to the plugin (plugins that do not acknowledge). So
// a slow plugin holds at most observer-buffer events in memory however far
// behind it falls: the host's queue, the batch being written, the socket's
// buffers and what the plugin has read but not yet handled.
//
// Batches to a plugin linger: the writer waits up to ObserverLinger after
// the first event of a batch (or until the queue is half full), so that one
// write and one wake-up of the plugin carry many events.
type observerQueue struct {
	l       *loadedLib
	ch      chan event    // never full: it has room for every credit
	credits chan struct{} // one token per event in flight
	flush   chan struct{} // a push that fills the queue ends the linger
	linger  time.Duration // 0: deliver at once (in-process libraries)
	flushAt int
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	lossLog rateLimited
}

const observerBatch = 256

func newObserverQueue(l *loadedLib) *observerQueue {
	n := l.settings.ObserverBuffer
	q := &observerQueue{
		l:       l,
		ch:      make(chan event, n),
		credits: make(chan struct{}, n),
		flush:   make(chan struct{}, 1),
		flushAt: max(1, min(observerBatch, n/2)),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if _, ok := l.lib.(batchObserver); ok {
		q.linger = max(0, l.settings.ObserverLinger)
	}
	go q.run()
	return q
}

// enqueue queues an event whose credit was acquired.
func (q *observerQueue) enqueue(ev event) {
	q.ch <- ev
	if q.linger > 0 && len(q.ch) >= q.flushAt {
		select {
		case q.flush <- struct{}{}:
		default:
		}
	}
}

func (q *observerQueue) lose(p Point) {
	n := q.l.lost.Add(1)
	if q.lossLog.allow(time.Second) {
		q.l.log.Warn("observer queue full, event lost", "point", p.String(), "lost_total", n,
			"observer_buffer", cap(q.credits))
	}
}

// acquire takes a credit: at once, or with back-pressure ("block") within
// the library's deadline.
func (q *observerQueue) acquire() bool {
	select {
	case q.credits <- struct{}{}:
		return true
	default:
	}
	if !q.l.settings.ObserverBlock {
		return false
	}
	t := time.NewTimer(q.l.settings.Deadline)
	defer t.Stop()
	select {
	case q.credits <- struct{}{}:
		return true
	case <-t.C:
	case <-q.stop:
	}
	return false
}

// release gives back n credits: n events no longer count in flight.
func (q *observerQueue) release(n int) {
	for range n {
		<-q.credits
	}
}

// inFlight is the number of events holding a credit.
func (q *observerQueue) inFlight() int { return len(q.credits) }

func (q *observerQueue) run() {
	defer close(q.done)
	batch := make([]event, 0, observerBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case ev := <-q.ch:
			batch = append(batch[:0], ev)
		case <-q.stop:
			q.drainAll(batch)
			return
		}
		if q.linger > 0 && len(q.ch) < q.flushAt-1 {
			select { // a stale signal would end this linger at once
			case <-q.flush:
			default:
			}
			timer.Reset(q.linger)
			select {
			case <-timer.C:
			case <-q.flush:
				timer.Stop()
			case <-q.stop:
				timer.Stop()
			}
		}
		batch = q.drain(batch, observerBatch)
		q.deliver(batch)
		q.drainAll(batch)
	}
}

// drainAll delivers what is queued now, in batches.
func (q *observerQueue) drainAll(batch []event) {
	for {
		batch = q.drain(batch[:0], observerBatch)
		if len(batch) == 0 {
			return
		}
		q.deliver(batch)
	}
}

func (q *observerQueue) drain(batch []event, max int) []event {
	for len(batch) < max {
		select {
		case ev := <-q.ch:
			batch = append(batch, ev)
		default:
			return batch
		}
	}
	return batch
}

func (q *observerQueue) deliver(batch []event) {
	if bo, ok := q.l.lib.(batchObserver); ok {
		bo.observeBatch(q, batch)
		clear(batch)
		return
	}
	for i := range batch {
		ev := &batch[i]
		a := *ev.a // each observer gets its own top-level copy to set Outcome on
		a.Outcome = ev.step
		if _, err := safeCallout(context.Background(), q.l.lib, ev.p, &a); err != nil && q.l.errLog.allow(time.Second) {
			q.l.log.Warn("observe-only callout failed", "point", ev.p.String(), "error", err)
		}
		batch[i] = event{}
		q.release(1)
	}
}

// close delivers what is queued and stops the goroutine, or gives up when
// ctx ends.
func (q *observerQueue) close(ctx context.Context) {
	q.once.Do(func() { close(q.stop) })
	select {
	case <-q.done:
	case <-ctx.Done():
	}
}
