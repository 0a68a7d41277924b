package dhcp4

import (
	"context"
	"errors"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// Reclamation of expired leases runs on Kea's expired-leases-processing
// timers: every reclaim-timer-wait-time seconds up to max-reclaim-leases
// leases (within max-reclaim-time ms) are reclaimed, firing lease4_expire
// (and lease4_recover for declined addresses whose probation ended); every
// flush-reclaimed-timer-wait-time seconds reclaimed leases older than
// hold-reclaimed-time are removed. With hold-reclaimed-time 0 a reclaimed
// lease is removed at once.

// expireHooks fires lease4_expire (and lease4_recover for a declined
// lease) for a lease reclaimed as part of an allocation, where the store
// update is the allocation's own. It reports whether a callout skipped.
func (s *Server) expireHooks(ctx context.Context, l *lease.Lease4, remove bool) (skipped bool) {
	if s.hooks.Enabled(hooks.Lease4Expire) {
		a := &hooks.Args{Lease4: hookLease(l), RemoveLease: remove}
		if s.callHook(ctx, hooks.Lease4Expire, a) == hooks.Skip {
			return true
		}
	}
	if l.State == lease.StateDeclined {
		s.cnt.declReclaim.Add(1)
		if s.hooks.Enabled(hooks.Lease4Recover) {
			a := &hooks.Args{Lease4: hookLease(l)}
			s.callHook(ctx, hooks.Lease4Recover, a)
		}
	} else {
		s.cnt.reclaimed.Add(1)
	}
	return false
}

// ReclaimExpired reclaims every lease expired by now, as Kea's
// leases-reclaim command does, and returns how many it reclaimed. Serve
// does this on the expired-leases-processing timers; a program that only
// calls Handle calls this instead.
func (s *Server) ReclaimExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.reclaimExpired(ctx, s.now())
		total += n
		if err != nil {
			return total, err
		}
		if !more || n == 0 || ctx.Err() != nil {
			break
		}
	}
	s.syncAfter(ctx, total)
	return total, ctx.Err()
}

// reclaimExpired reclaims the leases expired at now, as one run of Kea's
// reclaim timer: it returns how many it reclaimed and whether leases were
// left for the next run.
func (s *Server) reclaimExpired(ctx context.Context, now time.Time) (int, bool, error) {
	v := s.view.Load()
	e := v.cfg.ExpiredLeasesProcessing
	max := int(e.MaxReclaimLeases)
	fetch := 0
	if max > 0 {
		fetch = max + 1 // one more, to know whether this run finished the work
	}
	list, err := s.store.Expired4(ctx, now, fetch)
	if err != nil {
		return 0, false, err
	}
	more := false
	if max > 0 && len(list) > max {
		list, more = list[:max], true
	}
	start := time.Now()
	// Kea removes reclaimed leases at once when no flush timer would ever
	// remove them later (flush-reclaimed-timer-wait-time 0), and tells
	// lease4_expire so through remove_lease.
	remove := e.FlushReclaimedTimerWaitTime == 0
	n := 0
	for i := range list {
		if err := s.reclaimOne(ctx, &list[i], now, remove); err != nil {
			s.allocLog.Error("lease reclamation failed", "address", list[i].Addr, "error", err)
		} else {
			n++
		}
		if e.MaxReclaimTime > 0 && time.Since(start) >= time.Duration(e.MaxReclaimTime)*time.Millisecond {
			more = more || i+1 < len(list)
			break
		}
	}
	return n, more, nil
}

// reclaimOne reclaims one lease, after checking under the lease lock that
// no packet renewed it since the list was read.
func (s *Server) reclaimOne(ctx context.Context, l *lease.Lease4, now time.Time, remove bool) error {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	cur, err := s.store.Get4(ctx, l.Addr)
	if errors.Is(err, lease.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !cur.Expired(now.Unix()) || cur.State == lease.StateExpiredReclaimed {
		return nil
	}
	declined := cur.State == lease.StateDeclined
	if s.hooks.Enabled(hooks.Lease4Expire) {
		a := &hooks.Args{Lease4: hookLease(&cur), RemoveLease: remove}
		if s.callHook(ctx, hooks.Lease4Expire, a) == hooks.Skip {
			return nil // the callout reclaimed it itself
		}
	}
	if declined {
		// A declined lease has no client to keep it for: it goes, unless a
		// lease4_recover callout says to keep it as it is.
		remove = true
		if s.hooks.Enabled(hooks.Lease4Recover) &&
			s.callHook(ctx, hooks.Lease4Recover, &hooks.Args{Lease4: hookLease(&cur)}) == hooks.Skip {
			// Kea keeps the lease (reclaimed, not removed) and does not
			// count the address as recovered.
			remove = false
		} else {
			s.cnt.declReclaim.Add(1)
			s.leaseLog.Info("declined address recovered after probation", "address", cur.Addr)
		}
	} else {
		s.cnt.reclaimed.Add(1)
		s.leaseLog.Debug("lease reclaimed", "address", cur.Addr)
	}
	if remove {
		return s.store.Delete4(ctx, cur.Addr)
	}
	cur.Hostname, cur.FQDNFwd, cur.FQDNRev = "", false, false
	cur.State = lease.StateExpiredReclaimed
	return s.store.Update4(ctx, &cur)
}

// flushReclaimed removes reclaimed leases held longer than
// hold-reclaimed-time.
func (s *Server) flushReclaimed(ctx context.Context, now time.Time) (int, error) {
	hold := s.view.Load().cfg.ExpiredLeasesProcessing.HoldReclaimedTime
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	return s.store.DeleteReclaimed4(ctx, now.Add(-time.Duration(hold)*time.Second))
}

// runReclaim runs both timers until ctx ends. The periods are read from
// the configuration in force at each turn, so Reconfigure changes them.
func (s *Server) runReclaim(ctx context.Context) {
	var incomplete uint32
	nextReclaim, nextFlush := time.Now(), time.Now()
	schedule := func(base time.Time, secs uint32) time.Time {
		if secs == 0 {
			return time.Time{}
		}
		return base.Add(time.Duration(secs) * time.Second)
	}
	e := s.view.Load().cfg.ExpiredLeasesProcessing
	nextReclaim = schedule(nextReclaim, e.ReclaimTimerWaitTime)
	nextFlush = schedule(nextFlush, e.FlushReclaimedTimerWaitTime)
	for {
		e = s.view.Load().cfg.ExpiredLeasesProcessing
		wait := time.Second // re-read the configuration at least this often
		now := time.Now()
		for _, t := range []time.Time{nextReclaim, nextFlush} {
			if !t.IsZero() && t.Sub(now) < wait {
				wait = max(t.Sub(now), 0)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		now = time.Now()
		if nextReclaim.IsZero() && e.ReclaimTimerWaitTime > 0 {
			nextReclaim = schedule(now, e.ReclaimTimerWaitTime)
		}
		if nextFlush.IsZero() && e.FlushReclaimedTimerWaitTime > 0 {
			nextFlush = schedule(now, e.FlushReclaimedTimerWaitTime)
		}
		if !nextReclaim.IsZero() && !now.Before(nextReclaim) {
			n, more, err := s.reclaimExpired(ctx, s.now())
			if err != nil {
				s.allocLog.Error("lease reclamation failed", "error", err)
			}
			s.syncAfter(ctx, n)
			if more {
				incomplete++
				if e.UnwarnedReclaimCycles > 0 && incomplete > e.UnwarnedReclaimCycles {
					s.allocLog.Warn("expired leases are not reclaimed as fast as they expire; consider raising max-reclaim-leases or max-reclaim-time",
						"cycles", incomplete)
					incomplete = 0
				}
			} else {
				incomplete = 0
			}
			nextReclaim = schedule(time.Now(), e.ReclaimTimerWaitTime)
		}
		if !nextFlush.IsZero() && !now.Before(nextFlush) {
			n, err := s.flushReclaimed(ctx, s.now())
			if err != nil {
				s.allocLog.Error("flushing reclaimed leases failed", "error", err)
			}
			s.syncAfter(ctx, n)
			nextFlush = schedule(time.Now(), e.FlushReclaimedTimerWaitTime)
		}
	}
}

// syncAfter makes the changes of a reclamation run durable, so that the
// lease file shows them as Kea's does (Kea writes each change at once);
// no reply waits for them.
func (s *Server) syncAfter(ctx context.Context, changed int) {
	if changed == 0 {
		return
	}
	if err := s.store.Sync(ctx); err != nil && ctx.Err() == nil {
		s.allocLog.Error("syncing reclaimed leases failed", "error", err)
	}
}
