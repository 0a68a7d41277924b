package runscript

import (
	"context"
	"sync"
	"time"
)

// job is one asynchronous call waiting for a free slot.
type job struct {
	point string
	vars  []string
}

// pool runs asynchronous calls: at most Params.MaxConcurrent scripts at
// once, at most Params.QueueSize calls waiting; a call that finds the queue
// full is dropped, counted and logged (at most once a second, with the
// count since the last message), so a slow script can neither block the
// server nor make it fork without bound.
type pool struct {
	in    *instance
	queue chan job
	wg    sync.WaitGroup

	// closing guards queue against sends after close.
	closing sync.RWMutex
	closed  bool
	stopped chan struct{}

	mu       sync.Mutex
	lastWarn time.Time
	unwarned uint64
}

func newPool(in *instance) *pool {
	p := &pool{in: in, queue: make(chan job, in.params.QueueSize), stopped: make(chan struct{})}
	for range in.params.MaxConcurrent {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *pool) worker() {
	defer p.wg.Done()
	for j := range p.queue {
		p.in.stats.queued.Add(-1)
		select {
		case <-p.stopped:
			// Unload's deadline passed: what is still queued is dropped.
			continue
		default:
		}
		p.runOne(j)
	}
}

func (p *pool) runOne(j job) {
	p.in.stats.running.Add(1)
	defer p.in.stats.running.Add(-1)
	ctx := context.Background()
	if t := p.in.params.Timeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	p.in.run(ctx, j.point, j.vars, false)
}

// submit queues j without ever waiting; it reports whether j was queued.
func (p *pool) submit(j job) bool {
	p.closing.RLock()
	defer p.closing.RUnlock()
	if p.closed {
		return false
	}
	p.in.stats.queued.Add(1)
	select {
	case p.queue <- j:
		return true
	default:
	}
	p.in.stats.queued.Add(-1)
	p.overflowed(j.point)
	return false
}

// full reports whether the queue has no room now (a queue of size 0 is
// never full here: a call fits when a worker is waiting, which only submit
// can tell).
func (p *pool) full() bool {
	return cap(p.queue) > 0 && len(p.queue) >= cap(p.queue)
}

// overflowed counts a dropped call and logs at most once a second.
func (p *pool) overflowed(point string) {
	n := p.in.stats.overflow.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unwarned++
	now := time.Now()
	if now.Sub(p.lastWarn) >= time.Second {
		p.in.log.Warn("script queue full; calls dropped",
			"point", point, "dropped", p.unwarned, "dropped_total", n,
			"max_concurrent", p.in.params.MaxConcurrent, "queue_size", p.in.params.QueueSize)
		p.lastWarn, p.unwarned = now, 0
	}
}

// close stops taking calls and waits until the queued ones have run or
// ctx ends; then the rest of the queue is dropped (counted and logged).
// Scripts already running are left to finish and are still reaped.
func (p *pool) close(ctx context.Context) error {
	p.closing.Lock()
	p.closed = true
	close(p.queue)
	p.closing.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		close(p.stopped)
		left := p.in.stats.queued.Load()
		p.in.log.Warn("unloading: queued script calls dropped", "calls", left)
		return ctx.Err()
	}
}
