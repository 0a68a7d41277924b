package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Verdict is what a Handler decided about one packet.
type Verdict uint8

const (
	// Send: out holds a reply to send.
	Send Verdict = 1 << iota
	// NeedSync: the handler changed durable state (a lease); the batch
	// calls Config.Sync once before sending any of its replies that carry
	// NeedSync. A reply without NeedSync (an OFFER) does not wait for it.
	NeedSync
)

// Handler processes one received packet to completion. It writes a reply,
// if any, into out (appending to out.Buf[:0], setting out.N and the
// addressing fields) and says what to do with it. It runs on the reader
// goroutine; in and out are valid only during the call.
type Handler func(in, out *Packet) Verdict

// Config configures an Engine.
type Config struct {
	Conn    Conn
	Handler Handler
	// Sync makes the handler's changes durable (lease.Store.Sync). nil:
	// nothing to sync.
	Sync func(context.Context) error
	// BatchSize is the most packets read and processed as one batch
	// (default 64).
	BatchSize int
	// Queue is how many processed batches may wait for the committer
	// (default 4). When all are waiting, the reader drops what it reads
	// and counts it as Overload: memory stays bounded by
	// (Queue+2) × BatchSize × 2 buffers.
	Queue int
	// BufSize is the capacity of each packet buffer (default 2048).
	BufSize int
	// SyncInterval is the least time between the starts of two syncs: a
	// batch that needs a sync sooner waits, and what arrives meanwhile
	// shares its sync (with SyncInline the reader sleeps through the rest
	// of the interval, then takes what arrived into the same batch; with
	// the committer, batches queue). It trades up to this much reply
	// latency for fewer fsyncs, sends and wake-ups; when syncs are further
	// apart anyway it adds nothing. 0 syncs at once. With the committer,
	// Queue must hold the batches of one interval, or the reader drops.
	SyncInterval time.Duration
	// SyncInline makes the reader sync and send every batch itself
	// instead of handing it to the committer: no goroutine wake-up per
	// batch, and what arrives during a sync waits in the socket and makes
	// the next batch bigger, so syncs group themselves. Reading pauses for
	// the length of a sync, which the socket's receive buffer must absorb.
	SyncInline bool
	// Logger receives read/write/sync errors and recovered panics
	// (slog.Default if nil).
	Logger *slog.Logger
}

// Stats are the engine's counters since New.
type Stats struct {
	Received   uint64 // datagrams read
	Handled    uint64 // datagrams given to the handler
	Sent       uint64 // replies written
	Overload   uint64 // datagrams dropped because every batch was waiting for the committer
	Panics     uint64 // handler panics recovered (the packet is dropped)
	SyncErrors uint64 // replies not sent because Sync failed
	SendErrors uint64 // replies the Conn failed to write
	Batches    uint64 // batches handed to the committer
	Syncs      uint64 // calls of Config.Sync
}

// Engine is a batched packet loop: one reader goroutine reads a batch
// (blocking for the first datagram, then taking what is queued), runs the
// handler on each datagram, and hands the batch to a committer goroutine
// that syncs durable state once for the batch and then sends its replies.
// Reading and processing of the next batch go on while a sync is in
// flight. A batch that needs no sync is sent by the reader itself when the
// committer is idle, which saves a goroutine wake-up per batch.
type Engine struct {
	cfg Config
	log *slog.Logger

	free     chan *batch // batches ready to be filled
	commit   chan *batch // batches waiting for the committer
	drop     *batch      // read into when overloaded
	inflight atomic.Int32

	stopping atomic.Bool
	lastSync atomic.Int64 // UnixNano of the last sync's start
	started  atomic.Bool
	backlog  bool       // the reader's: the last hold's arrivals filled the batch
	hot      *batch     // the reader's: the batch it finished last, to fill next
	writeMu  sync.Mutex // serialises late sends with each other (Conn allows two writers)

	received, handled, sent              atomic.Uint64
	overload, panics, syncErrs, sendErrs atomic.Uint64
	batches, syncs                       atomic.Uint64
}

type batch struct {
	in, out  []Packet
	verdicts []Verdict
	n        int
	needSync bool
	replies  bool
}

// New returns an engine for cfg. It allocates every buffer it will use.
func New(cfg Config) (*Engine, error) {
	if cfg.Conn == nil || cfg.Handler == nil {
		return nil, errors.New("engine: Config needs a Conn and a Handler")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4
	}
	if cfg.BufSize <= 0 {
		cfg.BufSize = 2048
	}
	e := &Engine{cfg: cfg, log: cfg.Logger}
	if e.log == nil {
		e.log = slog.Default()
	}
	n := cfg.Queue + 2 // the queue, one being filled, one being committed
	e.free = make(chan *batch, n)
	e.commit = make(chan *batch, n)
	for range n {
		e.free <- newBatch(cfg.BatchSize, cfg.BufSize)
	}
	e.drop = newBatch(cfg.BatchSize, cfg.BufSize)
	return e, nil
}

func newBatch(size, bufSize int) *batch {
	b := &batch{
		in:       make([]Packet, size),
		out:      make([]Packet, size),
		verdicts: make([]Verdict, size),
	}
	// One allocation per direction, cut into packet buffers.
	inBufs := make([]byte, size*bufSize)
	outBufs := make([]byte, size*bufSize)
	for i := range size {
		b.in[i].Buf = inBufs[i*bufSize : (i+1)*bufSize : (i+1)*bufSize]
		b.out[i].Buf = outBufs[i*bufSize : (i+1)*bufSize : (i+1)*bufSize]
	}
	return b
}

// Run reads and processes packets until ctx ends or Stop is called, then
// lets the batches already read finish (synced and sent) and returns. It
// returns nil after a stop, or the error that made reading impossible.
// Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.started.CompareAndSwap(false, true) {
		return errors.New("engine: Run called twice")
	}
	stop := context.AfterFunc(ctx, e.Stop)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.committer()
	}()
	err := e.readLoop()
	close(e.commit)
	<-done
	return err
}

// Stop makes Run stop reading; batches already read are finished.
func (e *Engine) Stop() {
	e.stopping.Store(true)
	if err := e.cfg.Conn.SetReadDeadline(time.Unix(1, 0)); err != nil {
		e.log.Warn("engine: cannot interrupt the read", "error", err)
	}
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Received:   e.received.Load(),
		Handled:    e.handled.Load(),
		Sent:       e.sent.Load(),
		Overload:   e.overload.Load(),
		Panics:     e.panics.Load(),
		SyncErrors: e.syncErrs.Load(),
		SendErrors: e.sendErrs.Load(),
		Batches:    e.batches.Load(),
		Syncs:      e.syncs.Load(),
	}
}

func (e *Engine) readLoop() error {
	var lastErr time.Time
	for {
		// The batch the reader finished last comes first: its buffers are
		// still in the CPU cache, where the free list's oldest are not.
		b := e.hot
		e.hot = nil
		if b == nil {
			select {
			case b = <-e.free:
			default:
				// Every batch is waiting for the committer: read and drop, so
				// the socket does not fill with stale requests and memory
				// stays bounded.
				n, err := e.cfg.Conn.ReadBatch(e.drop.in)
				if n > 0 {
					e.received.Add(uint64(n))
					e.overload.Add(uint64(n))
				}
				if stop, rerr := e.readError(err, &lastErr); stop {
					return rerr
				}
				continue
			}
		}
		n, err := e.cfg.Conn.ReadBatch(b.in)
		if n > 0 {
			e.received.Add(uint64(n))
			e.process(b, n)
		} else {
			e.hot = b
		}
		if stop, rerr := e.readError(err, &lastErr); stop {
			return rerr
		}
	}
}

// readError decides what a read error means: stop (with the error to
// return), or go on after a pause when errors repeat.
func (e *Engine) readError(err error, last *time.Time) (stop bool, ret error) {
	if err == nil {
		return false, nil
	}
	if e.stopping.Load() {
		return true, nil
	}
	if errors.Is(err, net.ErrClosed) {
		return true, fmt.Errorf("engine: reading: %w", err)
	}
	if IsTimeout(err) {
		return false, nil
	}
	now := time.Now()
	if now.Sub(*last) < 10*time.Millisecond {
		// A socket error that repeats at once would spin a core.
		time.Sleep(10 * time.Millisecond)
	}
	*last = now
	e.log.Warn("engine: read error", "error", err)
	return false, nil
}

// process runs the handler on the n packets of b and passes the batch on.
func (e *Engine) process(b *batch, n int) {
	b.n, b.needSync, b.replies = 0, false, false
	e.handleRange(b, n)
	if b.needSync && e.cfg.SyncInline && e.cfg.SyncInterval > 0 && e.inflight.Load() == 0 {
		e.hold(b)
	}
	switch {
	case !b.replies && !b.needSync:
		e.hot = b
	case !b.needSync && e.inflight.Load() == 0:
		// Nothing queued ahead of this batch, so sending it now keeps
		// replies in order without waking the committer.
		e.sendBatch(b, true)
		e.hot = b
	case e.cfg.SyncInline && e.inflight.Load() == 0:
		e.sendBatch(b, e.sync())
		e.hot = b
	default:
		e.inflight.Add(1)
		e.batches.Add(1)
		e.commit <- b
	}
}

// handleRange runs the handler on b.in[b.n:to] and extends the batch to
// to.
func (e *Engine) handleRange(b *batch, to int) {
	for i := b.n; i < to; i++ {
		out := &b.out[i]
		out.N, out.Raw, out.HWLen, out.IfIndex = 0, false, 0, 0
		out.Src, out.Dst = netip.AddrPort{}, netip.AddrPort{}
		v := e.handleOne(&b.in[i], out)
		b.verdicts[i] = v
		if v&NeedSync != 0 {
			b.needSync = true
		}
		if v&Send != 0 {
			b.replies = true
		}
	}
	e.handled.Add(uint64(to - b.n))
	b.n = to
}

// hold keeps a batch that needs a sync until SyncInterval has passed since
// the last sync, then takes into it what arrived meanwhile, so that one
// sync covers it all (SyncInline's group commit). It sleeps through the
// window instead of reading each datagram as it comes (the socket buffer
// holds them): one wake-up per window rather than one per datagram, which
// at a few thousand packets a second is most of the CPU the window saves.
//
// A sleeping reader takes at most a batch per window, so after a window
// whose arrivals filled the batch the next batch is not held: a busy
// server reads on at once, and its syncs are far enough apart anyway.
func (e *Engine) hold(b *batch) {
	if e.backlog {
		e.backlog = false
		return
	}
	d := time.Until(time.Unix(0, e.lastSync.Load()).Add(e.cfg.SyncInterval))
	if d <= 0 || b.n == len(b.in) || e.stopping.Load() {
		return
	}
	time.Sleep(d)
	if e.stopping.Load() {
		return
	}
	// A deadline just ahead makes the read take what is queued and wait
	// no more than that when nothing is.
	if err := e.cfg.Conn.SetReadDeadline(time.Now().Add(drainWait)); err != nil {
		return
	}
	k, _ := e.cfg.Conn.ReadBatch(b.in[b.n:])
	if k > 0 {
		e.received.Add(uint64(k))
		e.handleRange(b, b.n+k)
	}
	e.backlog = b.n == len(b.in)
	e.cfg.Conn.SetReadDeadline(time.Time{})
	if e.stopping.Load() {
		e.Stop() // Stop's past deadline may have been overwritten above
	}
}

// drainWait bounds the read that ends a hold when nothing arrived during
// the window.
const drainWait = 20 * time.Microsecond

// handleOne runs the handler with a recover, so a bug triggered by one
// packet drops that packet instead of the server.
func (e *Engine) handleOne(in, out *Packet) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			e.panics.Add(1)
			e.log.Error("engine: packet handler panicked; packet dropped",
				"panic", fmt.Sprint(r), "from", in.Src, "stack", string(debug.Stack()))
			v = 0
		}
	}()
	return e.cfg.Handler(in, out)
}
