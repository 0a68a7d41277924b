package hooks

import (
	"context"
	"sync"
	"time"
)

// deadlineCtx carries the host's deadline into a plugin callout without
// arming a timer per call (a fresh short timer interrupts the sleeping
// netpoller: a syscall and a wake-up per call). The timer is armed only if
// the callout asks for Done.
type deadlineCtx struct {
	context.Context
	deadline time.Time

	once sync.Once
	done chan struct{}
	err  error
	mu   sync.Mutex
	t    *time.Timer
}

func newDeadlineCtx(deadline time.Time) *deadlineCtx {
	return &deadlineCtx{Context: context.Background(), deadline: deadline}
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *deadlineCtx) Done() <-chan struct{} {
	c.once.Do(func() {
		c.done = make(chan struct{})
		c.mu.Lock()
		c.t = time.AfterFunc(time.Until(c.deadline), c.expire)
		c.mu.Unlock()
	})
	return c.done
}

func (c *deadlineCtx) expire() {
	c.mu.Lock()
	if c.err == nil {
		c.err = context.DeadlineExceeded
		close(c.done)
	}
	c.mu.Unlock()
}

func (c *deadlineCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return c.err
}

// release stops the timer if Done armed one.
func (c *deadlineCtx) release() {
	c.mu.Lock()
	if c.t != nil {
		c.t.Stop()
	}
	c.mu.Unlock()
}
