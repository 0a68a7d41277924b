package dhcp6

import (
	"context"
	"errors"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// ReclaimResult says what one reclamation pass did.
type ReclaimResult struct {
	// Reclaimed leases, of which Recovered ended a decline probation.
	Reclaimed, Recovered int
	// Incomplete: expired leases were left for the next pass (the
	// max-reclaim-leases or max-reclaim-time limit was reached).
	Incomplete bool
}

// ReclaimExpired runs one pass of Kea's expired lease reclamation, as the
// reclaim timer of expired-leases-processing does while Serve runs: up to
// max-reclaim-leases leases (0: all) in at most max-reclaim-time
// milliseconds (0: no limit), oldest first. Each fires lease6_expire (and
// lease6_recover for a declined one) and is then marked
// expired-reclaimed, or removed when flush-reclaimed-timer-wait-time is 0
// (as are declined leases, which keep no client). The changes are synced
// before it returns.
func (s *Server) ReclaimExpired(ctx context.Context) (ReclaimResult, error) {
	v := s.view.Load()
	e := v.cfg.ExpiredLeasesProcessing
	var res ReclaimResult
	start := time.Now()
	now := s.now()
	max := int(e.MaxReclaimLeases)
	ask := 0
	if max > 0 {
		ask = max + 1
	}
	leases, err := s.store.Expired6(ctx, now, ask)
	if err != nil {
		return res, err
	}
	if max > 0 && len(leases) > max {
		leases, res.Incomplete = leases[:max], true
	}
	remove := e.FlushReclaimedTimerWaitTime == 0
	for i := range leases {
		l := &leases[i]
		if err := s.reclaim(ctx, l, remove, &res); err != nil {
			return res, err
		}
		if e.MaxReclaimTime > 0 && time.Since(start) >= time.Duration(e.MaxReclaimTime)*time.Millisecond {
			if i+1 < len(leases) {
				res.Incomplete = true
			}
			break
		}
	}
	if res.Reclaimed > 0 {
		if err := s.store.Sync(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// reclaim reclaims one expired lease in the store (Kea's
// reclaimExpiredLease with DB_RECLAIM_REMOVE or DB_RECLAIM_UPDATE).
func (s *Server) reclaim(ctx context.Context, l *lease.Lease6, remove bool, res *ReclaimResult) error {
	skipped, recovered, removeIt := s.reclaimHooksMode(ctx, l, remove)
	res.Reclaimed++
	if recovered {
		res.Recovered++
	}
	if skipped {
		return nil
	}
	var err error
	if removeIt {
		err = s.store.Delete6(ctx, l.Type, l.Addr)
	} else {
		l.Hostname, l.FQDNFwd, l.FQDNRev = "", false, false
		l.State = lease.StateExpiredReclaimed
		if l.ValidLifetime == 0 {
			l.ValidLifetime = 1
		}
		err = s.store.Update6(ctx, l)
	}
	if errors.Is(err, lease.ErrNotFound) {
		return nil
	}
	return err
}

// reclaimHooks runs the hooks of reclaiming a lease that is about to be
// reused by a client (Kea's DB_RECLAIM_LEAVE_UNCHANGED): the store is
// left to the caller.
func (s *Server) reclaimHooks(ctx context.Context, l *lease.Lease6, remove bool) {
	s.reclaimHooksMode(ctx, l, remove)
}

// reclaimHooksMode fires lease6_expire and, for a declined lease,
// lease6_recover, and counts the reclamation. skipped: a lease6_expire
// callout reclaimed the lease itself. removeIt: the lease is to be
// removed rather than marked reclaimed.
func (s *Server) reclaimHooksMode(ctx context.Context, l *lease.Lease6, remove bool) (skipped, recovered, removeIt bool) {
	removeIt = remove
	if s.hooks.Enabled(hooks.Lease6Expire) {
		a := hooks.Args{Lease6: l, RemoveLease: remove}
		if s.hooks.Call(ctx, hooks.Lease6Expire, &a) == hooks.Skip {
			s.counters.reclaimed.Add(1)
			return true, false, false
		}
		if a.Lease6 != nil && a.Lease6 != l {
			*l = *a.Lease6
		}
	}
	if l.State == lease.StateDeclined {
		removeIt = true
		recovered = true
		if s.hooks.Enabled(hooks.Lease6Recover) {
			a := hooks.Args{Lease6: l}
			if s.hooks.Call(ctx, hooks.Lease6Recover, &a) == hooks.Skip {
				// Kea then marks the lease reclaimed instead of removing it.
				removeIt, recovered = false, false
			}
		}
		if recovered {
			s.counters.recovered.Add(1)
			s.leaseLog.Info("declined address recovered after its probation period", "address", l.Addr.String())
		}
	}
	s.counters.reclaimed.Add(1)
	return false, recovered, removeIt
}

// FlushReclaimed removes expired-reclaimed leases older than
// hold-reclaimed-time, as the flush timer does while Serve runs.
func (s *Server) FlushReclaimed(ctx context.Context) (int, error) {
	v := s.view.Load()
	hold := time.Duration(v.cfg.ExpiredLeasesProcessing.HoldReclaimedTime) * time.Second
	n, err := s.store.DeleteReclaimed6(ctx, s.now().Add(-hold))
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.store.Sync(ctx)
}
