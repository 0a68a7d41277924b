package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// Lease records as the allocation engine writes them: new, renewed,
// reused after expiry; lifetimes and Kea's lease caching.

// validLifetime is AllocEngine::getValidLft: the client's option 51
// clamped to the subnet's min/max, else the default.
func (w *worker) validLifetime() uint32 {
	lt := w.x.subnet.cfg.ValidLifetime
	if hint, ok := w.m.LeaseTime(); ok && hint > 0 {
		return min(max(hint, lt.Min), lt.Max)
	}
	return lt.Default
}

// fillLease updates l with what the client sent (Kea's
// updateLease4Information) and reports whether anything significant
// changed.
func (w *worker) fillLease(l *lease.Lease4) bool {
	x := &w.x
	s := x.subnet
	changed := false
	if l.SubnetID != s.id {
		l.SubnetID, changed = s.id, true
	}
	if !bytes.Equal(l.HWAddr, x.hw) {
		l.HWAddr, changed = x.hw, true
	}
	if cid := x.matchCID(s); len(cid) > 0 {
		if !bytes.Equal(l.ClientID, cid) {
			l.ClientID, changed = cid, true
		}
	} else if len(l.ClientID) > 0 {
		l.ClientID, changed = nil, true
	}
	oldValid := l.ValidLifetime
	l.CLTT = x.unix
	l.ValidLifetime = w.validLifetime()
	if l.ValidLifetime < oldValid {
		changed = true
	}
	name := w.leaseHostname(l.Addr)
	if l.Hostname != name || l.FQDNFwd || l.FQDNRev {
		l.Hostname, l.FQDNFwd, l.FQDNRev = name, false, false
		changed = true
	}
	return changed
}

// reusable is AllocEngine::setLeaseReusable: with cache-threshold or
// cache-max-age, a renewal within the cache window keeps the lease as it
// is and answers with the remaining lifetime.
func (w *worker) reusable(old, l *lease.Lease4) (uint32, bool) {
	s := w.x.subnet.cfg
	if l.State != lease.StateDefault || (s.CacheThreshold == nil && s.CacheMaxAge == nil) {
		return 0, false
	}
	if l.ValidLifetime == lease.InfiniteLifetime {
		return lease.InfiniteLifetime, true
	}
	if l.CLTT < old.CLTT {
		return 0, false
	}
	age := uint64(l.CLTT - old.CLTT)
	if age >= uint64(old.ValidLifetime) {
		return 0, false
	}
	var maxAge uint64
	if s.CacheMaxAge != nil {
		maxAge = uint64(*s.CacheMaxAge)
		if maxAge == 0 || age > maxAge {
			return 0, false
		}
	}
	if s.CacheThreshold != nil {
		t := *s.CacheThreshold
		if t <= 0 || t > 1 {
			return 0, false
		}
		maxAge = uint64(float64(l.ValidLifetime) * t)
		if age > maxAge {
			return 0, false
		}
	}
	if maxAge == 0 {
		return 0, false
	}
	return old.ValidLifetime - uint32(age), true
}

// renewLease4 extends the client's lease (AllocEngine::renewLease4). The
// lease is worked on in the exchange, so that handing it to the store
// does not move it to the heap.
func (w *worker) renewLease4(l *lease.Lease4) bool {
	x := &w.x
	x.old, x.haveOld = *l, true
	x.lease, x.haveLease = *l, false
	cur := &x.lease
	x.reused = false
	if !w.fillLease(cur) {
		if lft, ok := w.reusable(&x.old, cur); ok {
			x.reused, x.reuseLft = true, lft
		}
	}
	if !x.fake {
		if x.old.Expired(x.unix) && x.old.State != lease.StateExpiredReclaimed {
			// Reclaimed before it is given out again; one the reclamation
			// timer already processed is not reclaimed twice.
			w.s.expireHooks(x.ctx, &x.old, false)
		}
		cur.State = lease.StateDefault
	}
	skip := false
	if w.s.hooks.Enabled(hooks.Lease4Renew) {
		a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Subnet4: hookSubnet(x.subnet), ClientID: x.matchCID(x.subnet),
			HWAddr: x.hw, HWType: uint16(w.m.HType), Lease4: hookLease(cur)}
		if w.s.callHook(x.ctx, hooks.Lease4Renew, a) == hooks.Skip {
			skip = true
		} else {
			*cur = *a.Lease4
		}
	}
	if skip {
		*cur, x.reused = x.old, false
	} else if !x.fake && !x.reused {
		if err := w.s.store.Update4(x.ctx, cur); err != nil {
			w.storeErr(err)
			return false
		}
		x.changed = true
		w.s.cnt.renewed.Add(1)
	}
	x.haveLease = true
	return true
}

// allocateOrReuse takes candidate if no client holds it (Kea's
// allocateOrReuseLease4).
func (w *worker) allocateOrReuse(candidate netip.Addr) bool {
	if w.free(candidate) {
		// No lease, or a reclaimed one, which Add replaces.
		return w.createLease4(candidate)
	}
	if ex, ok := w.get4(candidate); ok {
		if !ex.Expired(w.x.unix) && ex.State != lease.StateExpiredReclaimed {
			return false
		}
		return w.reuseExpired(&ex)
	}
	return w.createLease4(candidate)
}

// createLease4 makes a new lease for addr; for DISCOVER it is not stored.
func (w *worker) createLease4(addr netip.Addr) bool {
	x := &w.x
	x.lease = lease.Lease4{
		Addr:          addr,
		HWAddr:        x.hw,
		ClientID:      x.matchCID(x.subnet),
		ValidLifetime: w.validLifetime(),
		CLTT:          x.unix,
		SubnetID:      x.subnet.id,
		Hostname:      w.leaseHostname(addr),
	}
	x.haveLease = false
	if !w.selectHook(&x.lease) {
		return false
	}
	if !x.fake {
		if err := w.s.store.Add4(x.ctx, &x.lease); err != nil {
			if !errors.Is(err, lease.ErrExists) {
				w.storeErr(err)
			}
			return false
		}
		x.changed = true
		w.s.cnt.allocated.Add(1)
	}
	x.haveLease = true
	return true
}

// reuseExpired gives an expired (or reclaimed) lease to this client
// (Kea's reuseExpiredLease4), reclaiming it first for a REQUEST.
func (w *worker) reuseExpired(e *lease.Lease4) bool {
	x := &w.x
	x.old, x.haveOld = *e, true
	x.old.Hostname, x.old.FQDNFwd, x.old.FQDNRev = "", false, false
	x.lease, x.haveLease = *e, false
	l := &x.lease
	if !x.fake {
		if l.State != lease.StateExpiredReclaimed {
			w.s.expireHooks(x.ctx, e, false)
		}
		l.State = lease.StateDefault
	}
	w.fillLease(l)
	if !w.selectHook(l) {
		return false
	}
	if !x.fake {
		if err := w.s.store.Update4(x.ctx, l); err != nil {
			w.storeErr(err)
			return false
		}
		x.changed = true
		w.s.cnt.allocated.Add(1)
	}
	x.haveLease = true
	return true
}

// selectHook runs lease4_select; false means a callout took the
// allocation over (SKIP) and the server assigns nothing.
func (w *worker) selectHook(l *lease.Lease4) bool {
	x := &w.x
	if !w.s.hooks.Enabled(hooks.Lease4Select) {
		return true
	}
	a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Subnet4: hookSubnet(x.subnet), FakeAllocation: x.fake, Lease4: hookLease(l)}
	if w.s.callHook(x.ctx, hooks.Lease4Select, a) == hooks.Skip {
		x.hookSkip = true
		return false
	}
	*l = *a.Lease4
	return true
}
