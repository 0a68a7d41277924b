package dhcp6

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/leasehold/leasehold/internal/engine"
)

// serveState is what a running Serve shares with Shutdown and Counters.
type serveState struct {
	mu      sync.Mutex
	serving bool
	stop    context.CancelFunc
	done    chan struct{}
	engines []*engine.Engine
	// Engine counters of earlier Serve runs.
	overload, sendErrs, syncErrs, panics uint64
}

// Serve opens the sockets (or uses ServerOptions.Conns), runs the packet
// loop and the lease reclamation timers, and blocks until ctx ends or
// Shutdown is called. Packets already read when it stops are finished:
// their leases synced and their replies sent. The sockets are opened once:
// a Reconfigure that changes interfaces-config takes effect at the next
// Serve.
func (s *Server) Serve(ctx context.Context) error {
	conns, err := s.openConns()
	if err != nil {
		return err
	}
	s.readyOn.Do(func() { close(s.ready) })
	defer func() {
		for _, c := range conns {
			if c.close != nil {
				c.close()
			}
		}
	}()
	return s.serveConns(ctx, conns)
}

// openConns wraps ServerOptions.Conns, or opens the configured interfaces.
func (s *Server) openConns() ([]servedConn, error) {
	if len(s.opts.Conns) == 0 {
		return s.listen(s.view.Load().cfg)
	}
	var out []servedConn
	for _, pc := range s.opts.Conns {
		uc, ok := pc.(*net.UDPConn)
		if !ok {
			return nil, fmt.Errorf("dhcp6: ServerOptions.Conns: %T is not a *net.UDPConn", pc)
		}
		c, err := newUDP6Conn(uc)
		if err != nil {
			return nil, err
		}
		out = append(out, servedConn{Conn: c})
	}
	return out, nil
}

// engineConfig is the packet loop's configuration; tuned fills in how it
// syncs.
type engineConfig engine.Config

// tuned sets the sync mode of ServerOptions. Inline (the default), the
// reader syncs and sends each batch itself and what arrives during a sync
// waits in the socket buffer, to form the next batch. With a committer the
// reader goes on during a sync with whatever has arrived, often one or two
// datagrams a batch, so the queue is counted in batches of a modest size:
// 130 batches of 16 datagrams in 2 KiB buffers, both ways, take 8.5 MiB
// per socket and absorb a few hundred requests during a slow sync.
func (c engineConfig) tuned(o ServerOptions) engine.Config {
	c.SyncInterval = o.SyncInterval
	c.SyncInline = !o.Committer
	if o.Committer {
		c.Queue, c.BatchSize = 128, 16
	} else {
		c.BatchSize = 64
	}
	return engine.Config(c)
}

// recvBuffer is the socket receive buffer asked for: with inline syncs it
// holds what arrives while the store syncs.
const recvBuffer = 1 << 20

// serveConns runs one packet loop per socket until ctx ends or Shutdown.
func (s *Server) serveConns(ctx context.Context, conns []servedConn) error {
	st := &s.serve
	st.mu.Lock()
	if st.serving {
		st.mu.Unlock()
		return errors.New("dhcp6: Serve is already running")
	}
	ctx, cancel := context.WithCancel(ctx)
	st.serving, st.stop, st.done = true, cancel, make(chan struct{})
	done := st.done
	st.mu.Unlock()

	var engines []*engine.Engine
	defer func() {
		cancel()
		s.late.Store(nil)
		st.mu.Lock()
		for _, e := range engines {
			es := e.Stats()
			st.overload += es.Overload
			st.sendErrs += es.SendErrors
			st.syncErrs += es.SyncErrors
			st.panics += es.Panics
		}
		st.serving, st.engines = false, nil
		st.mu.Unlock()
		close(done)
	}()

	// Packets already read finish after a stop.
	pctx := context.WithoutCancel(ctx)
	for _, c := range conns {
		var e *engine.Engine
		deliver := func(r Response) {
			e.Send(&engine.Packet{Buf: r.Data, N: len(r.Data), Dst: r.Dst, IfIndex: r.IfIndex})
		}
		var err error
		e, err = engine.New(engineConfig{
			Conn:    c.Conn,
			Handler: s.engineHandler(pctx, c.ifName, deliver),
			Sync:    s.store.Sync,
			Logger:  s.pktLog,
		}.tuned(s.opts))
		if err != nil {
			return err
		}
		engines = append(engines, e)
		if len(engines) == 1 {
			s.late.Store(&deliver)
		}
	}
	st.mu.Lock()
	st.engines = engines
	st.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.reclaimLoop(ctx)
	}()
	errs := make(chan error, len(engines))
	for _, e := range engines {
		go func() { errs <- e.Run(ctx) }()
	}
	s.log.Info("DHCPv6 server serving", "sockets", len(engines))
	var first error
	for range engines {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel() // one socket failing stops the others
		}
	}
	cancel()
	wg.Wait()
	return first
}

// Shutdown stops Serve: no more reads, packets in progress finish, and the
// store is synced. It returns when that is done or ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	st := &s.serve
	st.mu.Lock()
	stop, done := st.stop, st.done
	st.mu.Unlock()
	if stop != nil {
		stop()
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("dhcp6: shutdown: %w", ctx.Err())
		}
	}
	if err := s.store.Sync(ctx); err != nil {
		return fmt.Errorf("dhcp6: shutdown: syncing leases: %w", err)
	}
	return nil
}

// engineHandler adapts the exchange to the engine: one exchange per
// socket (the engine runs the handler on one goroutine), the reply built
// straight into the engine's buffer.
func (s *Server) engineHandler(ctx context.Context, ifName string, deliver func(Response)) engine.Handler {
	x := newExchange(s)
	names := ifNames{}
	return func(in, out *engine.Packet) engine.Verdict {
		meta := PacketMeta{Src: in.Src, Dst: in.Dst.Addr(), IfIndex: in.IfIndex, IfName: ifName, Deliver: deliver}
		if meta.IfName == "" {
			meta.IfName = names.name(in.IfIndex)
		}
		r, err := x.runSafe(ctx, in.Data(), meta, out.Buf[:0])
		if err != nil {
			return 0
		}
		out.Buf, out.N = r.Data, len(r.Data)
		out.Dst, out.IfIndex = r.Dst, r.IfIndex
		out.Src = netip.AddrPort{}
		v := engine.Send
		if r.Sync {
			v |= engine.NeedSync
		}
		return v
	}
}

// engineDrops adds the packet loops' drops to a counters snapshot.
func (s *Server) engineDrops(out *Counters) {
	st := &s.serve
	st.mu.Lock()
	defer st.mu.Unlock()
	overload, sendErrs, syncErrs, panics := st.overload, st.sendErrs, st.syncErrs, st.panics
	for _, e := range st.engines {
		es := e.Stats()
		overload += es.Overload
		sendErrs += es.SendErrors
		syncErrs += es.SyncErrors
		panics += es.Panics
	}
	out.Dropped[DropOverload] += overload
	out.Dropped[DropSend] += sendErrs
	out.Dropped[DropSync] += syncErrs
	out.Dropped[DropInternal] += panics
	out.Received.Total += overload
	out.Received.ByType[0] += overload
}

// reclaimLoop runs the reclaim and flush timers of
// expired-leases-processing until ctx ends. The timers are one-shot and
// re-armed after each pass, as in Kea, and follow reconfiguration.
func (s *Server) reclaimLoop(ctx context.Context) {
	incomplete := 0
	nextReclaim, nextFlush := time.Time{}, time.Time{}
	for {
		e := s.view.Load().cfg.ExpiredLeasesProcessing
		now := time.Now()
		if nextReclaim.IsZero() {
			nextReclaim = now.Add(time.Duration(e.ReclaimTimerWaitTime) * time.Second)
		}
		if nextFlush.IsZero() {
			nextFlush = now.Add(time.Duration(e.FlushReclaimedTimerWaitTime) * time.Second)
		}
		wait := time.Second
		if e.ReclaimTimerWaitTime > 0 {
			wait = min(wait, time.Until(nextReclaim))
		}
		if e.FlushReclaimedTimerWaitTime > 0 {
			wait = min(wait, time.Until(nextFlush))
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		now = time.Now()
		if e.ReclaimTimerWaitTime > 0 && !now.Before(nextReclaim) {
			res, err := s.ReclaimExpired(ctx)
			if err != nil && ctx.Err() == nil {
				s.allocLog.Error("reclaiming expired leases failed", "error", err)
			}
			if res.Incomplete {
				incomplete++
				if n := int(e.UnwarnedReclaimCycles); n > 0 && incomplete > n {
					s.allocLog.Warn("expired leases are not all reclaimed in a pass; consider raising max-reclaim-leases or max-reclaim-time",
						"passes", incomplete)
					incomplete = 0
				}
			} else {
				incomplete = 0
			}
			nextReclaim = time.Time{}
		}
		if e.FlushReclaimedTimerWaitTime > 0 && !now.Before(nextFlush) {
			if _, err := s.FlushReclaimed(ctx); err != nil && ctx.Err() == nil {
				s.allocLog.Error("removing reclaimed leases failed", "error", err)
			}
			nextFlush = time.Time{}
		}
	}
}
