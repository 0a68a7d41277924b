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
	a    *Args // a copy, shared read-only by the observers of one call
}

// batchObserver is implemented by libraries that take a whole batch of
// events at once (the plugin host writes them to the plugin in one go).
type batchObserver interface {
	observeBatch(batch []event)
}

// observerQueue delivers one library's observe-only events in order on its
// own goroutine. The packet path only pushes into a bounded channel.
type observerQueue struct {
	l       *loadedLib
	ch      chan event
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	lossLog rateLimited
}

const observerBatch = 256

func newObserverQueue(l *loadedLib) *observerQueue {
	q := &observerQueue{
		l:    l,
		ch:   make(chan event, l.settings.ObserverBuffer),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go q.run()
	return q
}

func (q *observerQueue) push(ev event) {
	select {
	case q.ch <- ev:
		return
	default:
	}
	if q.l.settings.ObserverBlock {
		t := time.NewTimer(q.l.settings.Deadline)
		defer t.Stop()
		select {
		case q.ch <- ev:
			return
		case <-t.C:
		case <-q.stop:
		}
	}
	n := q.l.lost.Add(1)
	if q.lossLog.allow(time.Second) {
		q.l.log.Warn("observer queue full, event lost", "point", ev.p.String(), "lost_total", n, "observer_buffer", cap(q.ch))
	}
}

func (q *observerQueue) run() {
	defer close(q.done)
	batch := make([]event, 0, observerBatch)
	for {
		select {
		case ev := <-q.ch:
			batch = append(batch[:0], ev)
			batch = q.drain(batch, observerBatch)
			q.deliver(batch)
		case <-q.stop:
			for {
				batch = q.drain(batch[:0], observerBatch)
				if len(batch) == 0 {
					return
				}
				q.deliver(batch)
			}
		}
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
		bo.observeBatch(batch)
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
