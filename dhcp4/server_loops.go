package dhcp4

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leasehold/leasehold/internal/engine"
)

// loopSet is what a running Serve shares with Reconfigure and Counters
// about its sockets; Server.mu guards it.
type loopSet struct {
	units []*ifSockets // the sockets being read, by interface
	// adjust carries Reconfigure's requests to make the sockets follow
	// interfaces-config; Serve closes the channel it is given when done.
	// nil while not serving.
	adjust chan chan struct{}
	ended  engine.Stats // counters of the packet loops that ended
}

// loop is one socket's packet loop.
type loop struct {
	conn engine.Conn
	// info is the interface the socket is bound to, as the handler sees
	// it; nil for a socket on every interface.
	info    *atomic.Pointer[ifaceInfo]
	ifIndex int // the bound interface's index
	e       *engine.Engine
	stop    context.CancelFunc
	done    chan struct{} // closed when Run returned
}

// run runs the packet loops, the reclamation timers and the interface
// refresh until ctx ends or a socket fails: over fixed when given (the
// caller's sockets), else over the sockets of interfaces-config, which
// follow each Reconfigure (see Serve).
func (s *Server) run(ctx context.Context, fixed []engine.Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	ifs := newIfaceCache(s.view.Load().cfg.InterfacesConfig, s)
	adjust := make(chan chan struct{})
	s.mu.Lock()
	s.sockets.adjust = adjust
	s.mu.Unlock()
	var wg sync.WaitGroup
	defer func() {
		cancel()
		s.mu.Lock()
		units := s.sockets.units
		s.sockets.adjust = nil
		s.mu.Unlock()
		s.endSockets(units, false)
		wg.Wait()
	}()

	// A loop whose socket fails reports here, which stops Serve (and every
	// other loop) with that error.
	failed := make(chan error, 1)
	if fixed != nil {
		u := &ifSockets{conns: fixed}
		ifs.setConfig(s.view.Load().cfg.InterfacesConfig, u.newLoops())
		if err := s.startLoops(ctx, ifs, u, failed); err != nil {
			return err
		}
	} else if err := s.adjustSockets(ctx, ifs, true, failed); err != nil {
		return err
	}
	s.mu.Lock()
	s.late = s.deliver
	n := 0
	for _, u := range s.sockets.units {
		n += len(u.loops)
	}
	s.mu.Unlock()
	s.readyOn.Do(func() { close(s.ready) })
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runReclaim(ctx)
	}()
	s.log.Info("DHCPv4 server serving", "sockets", n, "port", s.opts.Port)
	// Interfaces are read here, on Serve's goroutine, so that they are
	// those of Serve's network namespace.
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-failed:
			return err
		case <-tick.C:
			ifs.refresh() // addresses come and go
		case reply := <-adjust:
			if fixed != nil {
				s.mu.Lock()
				var infos []ifaceInfo
				for _, u := range s.sockets.units {
					infos = append(infos, u.bound(false)...)
				}
				s.mu.Unlock()
				ifs.setConfig(s.view.Load().cfg.InterfacesConfig, infos)
			} else if err := s.adjustSockets(ctx, ifs, false, failed); err != nil {
				s.log.Error("interfaces-config: not every socket could be opened; the others serve on", "error", err)
			}
			close(reply)
		}
	}
}

// adjustSockets makes the open sockets those interfaces-config asks for
// now: sockets of interfaces no longer wanted (or re-created, or asked
// for differently) stop reading, finish the packets they read and close;
// wanted interfaces without sockets get them; kept sockets stay open, with
// their interface's addresses read again, and "*" gets raw senders on the
// interfaces that appeared. It returns what could not be opened.
// At start-up (initial) nothing is logged per interface.
func (s *Server) adjustSockets(ctx context.Context, ifs *ifaceCache, initial bool, failed chan<- error) error {
	ic := s.view.Load().cfg.InterfacesConfig
	want, errs := wantSockets(ic)
	s.mu.Lock()
	var kept, gone []*ifSockets
	for _, u := range s.sockets.units {
		if sp, ok := want[u.spec.name]; ok && u.spec.same(sp) {
			delete(want, u.spec.name)
			kept = append(kept, u)
		} else {
			gone = append(gone, u)
		}
	}
	s.mu.Unlock()
	// Leaving sockets close before new ones open: a new socket bound to
	// the same interface would get the same broadcasts.
	s.endSockets(gone, true)
	var infos []ifaceInfo
	for _, u := range kept {
		infos = append(infos, u.bound(true)...)
		if u.all != nil {
			if err := u.all.refresh(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	var added []*ifSockets
	for _, name := range slices.Sorted(maps.Keys(want)) {
		u, err := s.open(want[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.opened.Add(1)
		infos = append(infos, u.newLoops()...)
		added = append(added, u)
	}
	// The cache learns the new interfaces before their first packet.
	ifs.setConfig(ic, infos)
	for _, u := range added {
		if err := s.startLoops(ctx, ifs, u, failed); err != nil {
			u.close()
			errs = append(errs, err)
			continue
		}
		if !initial {
			s.log.Info("interface now served", "interface", u.spec.name)
		}
	}
	return errors.Join(errs...)
}

// newLoops makes a loop for each socket of u, with the interface of a
// bound socket as read when it was opened, and returns those interfaces.
func (u *ifSockets) newLoops() []ifaceInfo {
	var out []ifaceInfo
	u.loops = make([]*loop, len(u.conns))
	for i, c := range u.conns {
		l := &loop{conn: c}
		if fc, ok := c.(interface{ servedIface() (ifaceInfo, bool) }); ok {
			if info, ok := fc.servedIface(); ok {
				l.info = new(atomic.Pointer[ifaceInfo])
				l.info.Store(&info)
				if bc, ok := c.(interface{ ifIndex() int }); ok {
					l.ifIndex = bc.ifIndex()
				}
				out = append(out, info)
			}
		}
		u.loops[i] = l
	}
	return out
}

// bound returns the interfaces of u's bound sockets, read again first
// when reread is set (on Serve's goroutine, in the sockets' namespace).
func (u *ifSockets) bound(reread bool) []ifaceInfo {
	var out []ifaceInfo
	for _, l := range u.loops {
		if l.info == nil {
			continue
		}
		if c, ok := l.conn.(interface{ ifaceNow() (ifaceInfo, bool) }); ok && reread {
			if info, ok := c.ifaceNow(); ok {
				l.info.Store(&info)
			}
		}
		out = append(out, *l.info.Load())
	}
	return out
}

// startLoops starts the packet loops of u (made by infos) and adds u to
// the running set. Their packets finish even after ctx ends; a read error
// one cannot go on from is sent on failed.
func (s *Server) startLoops(ctx context.Context, ifs *ifaceCache, u *ifSockets, failed chan<- error) error {
	pctx := context.WithoutCancel(ctx) // packets already read finish after a stop
	for _, l := range u.loops {
		e, err := engine.New(engineConfig(s.opts, engine.Config{
			Conn:    l.conn,
			Handler: s.engineHandler(pctx, newWorker(s), ifs, l.info),
			Sync:    s.store.Sync,
			Logger:  s.pktLog,
		}))
		if err != nil {
			return err
		}
		l.e = e
	}
	s.mu.Lock()
	s.sockets.units = append(s.sockets.units, u)
	s.mu.Unlock()
	for _, l := range u.loops {
		lctx, stop := context.WithCancel(ctx)
		l.stop, l.done = stop, make(chan struct{})
		go func() {
			defer close(l.done)
			if err := l.e.Run(lctx); err != nil && lctx.Err() == nil {
				select {
				case failed <- fmt.Errorf("dhcp4: socket on %q: %w", u.spec.name, err):
				default:
				}
			}
		}()
	}
	return nil
}

// endSockets stops the loops of units, waits until each has finished the
// packets it read, keeps their counters, drops the units from the running
// set and closes the sockets Serve opened.
func (s *Server) endSockets(units []*ifSockets, logged bool) {
	for _, u := range units {
		for _, l := range u.loops {
			if l.stop != nil {
				l.stop()
			}
		}
	}
	for _, u := range units {
		for _, l := range u.loops {
			if l.done != nil {
				<-l.done
			}
		}
		s.mu.Lock()
		s.sockets.units = slices.DeleteFunc(s.sockets.units, func(x *ifSockets) bool { return x == u })
		for _, l := range u.loops {
			if l.e != nil {
				addStats(&s.sockets.ended, l.e.Stats())
			}
		}
		s.mu.Unlock()
		if u.close != nil {
			if err := u.close(); err != nil {
				s.log.Warn("closing sockets", "interface", u.spec.name, "error", err)
			}
		}
		if logged {
			s.log.Info("interface no longer served", "interface", u.spec.name)
		}
	}
}

// requestAdjust asks a running Serve to make its sockets follow the
// configuration in force, and waits until it has.
func (s *Server) requestAdjust() {
	s.mu.Lock()
	adjust, done := s.sockets.adjust, s.done
	s.mu.Unlock()
	if adjust == nil {
		return
	}
	reply := make(chan struct{})
	select {
	case adjust <- reply:
	case <-done:
		return
	}
	select {
	case <-reply:
	case <-done:
	}
}

// deliver sends a reply finished after its batch (one a hook parked) on a
// socket of the interface it belongs to, or on a socket of every
// interface; none left: the reply is dropped.
func (s *Server) deliver(r *Reply) {
	p := engine.Packet{Buf: r.Data, N: len(r.Data), Dst: r.Dst, IfIndex: r.IfIndex, Raw: r.Raw,
		Src: netip.AddrPortFrom(r.Src, uint16(s.opts.Port))}
	p.HWLen = uint8(copy(p.HWAddr[:], r.HWAddr))
	var bound, unbound *engine.Engine
	s.mu.Lock()
	for _, u := range s.sockets.units {
		for _, l := range u.loops {
			switch {
			case l.info == nil && unbound == nil:
				unbound = l.e
			case l.info != nil && bound == nil && l.ifIndex == r.IfIndex:
				bound = l.e
			}
		}
	}
	s.mu.Unlock()
	e := bound
	if e == nil {
		e = unbound
	}
	if e == nil {
		s.pktLog.Debug("parked reply resumed but its interface is no longer served; not sent", "to", r.Dst, "ifindex", r.IfIndex)
		return
	}
	e.Send(&p)
}

// engineStats sums the counters of the packet loops, running and ended.
func (s *Server) engineStats() engine.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sockets.ended
	for _, u := range s.sockets.units {
		for _, l := range u.loops {
			if l.e != nil {
				addStats(&st, l.e.Stats())
			}
		}
	}
	return st
}

func addStats(to *engine.Stats, st engine.Stats) {
	to.Received += st.Received
	to.Handled += st.Handled
	to.Sent += st.Sent
	to.Overload += st.Overload
	to.Panics += st.Panics
	to.SyncErrors += st.SyncErrors
	to.SendErrors += st.SendErrors
	to.Batches += st.Batches
	to.Syncs += st.Syncs
}
