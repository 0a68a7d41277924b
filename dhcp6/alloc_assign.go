package dhcp6

import (
	"errors"
	"log/slog"
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// allocateLeases finds the leases of an IA for SOLICIT and REQUEST (Kea's
// allocateLeases6): the client's existing leases, its reservations, or new
// leases from the pools.
func (x *exchange) allocateLeases(c *ia) ([]lease.Lease6, error) {
	leases, err := x.existingLeases(c)
	if err != nil {
		return nil, err
	}
	hasHosts := len(x.hosts) > 0
	switch {
	case len(leases) == 0 && hasHosts:
		if leases, err = x.allocateReserved(c, leases); err != nil {
			return nil, err
		}
		leases = x.updateLeaseData(c, leases)
	case len(leases) > 0 && !hasHosts:
		leases = x.removeNonmatchingReserved(c, leases)
		leases = x.updateLeaseData(c, leases)
	case len(leases) > 0 && hasHosts:
		if leases, err = x.allocateReserved(c, leases); err != nil {
			return nil, err
		}
		leases = x.removeNonmatchingReserved(c, leases)
		leases = x.removeNonreserved(c, leases)
		leases = x.updateLeaseData(c, leases)
	}
	if len(leases) == 0 {
		if leases, err = x.allocateUnreserved(c); err != nil {
			return nil, err
		}
	}
	x.noteAllocated(leases)
	return leases, nil
}

func (x *exchange) noteAllocated(leases []lease.Lease6) {
	for i := range leases {
		l := &leases[i]
		x.allocated = append(x.allocated, l.Prefix())
		x.newLeases = append(x.newLeases, *l)
	}
}

// allocateUnreserved tries the client's hint, then the pools, subnet by
// subnet of the shared network (Kea's allocateUnreservedLeases6).
func (x *exchange) allocateUnreserved(c *ia) ([]lease.Lease6, error) {
	if h, ok := c.firstHint(); ok && !h.prefixLength {
		l, ok, err := x.tryHint(c, h)
		if err != nil || ok {
			return l, err
		}
	}
	var out []lease.Lease6
	var ferr error
	tried := false
	x.subnet.preferred(c.typ).each(func(sn *subnet) bool {
		if !x.allowed(sn) {
			return true
		}
		for _, pool := range x.poolsOf(sn, c.typ) {
			tried = true
			l, ok, stop, err := x.allocateFrom(c, sn, pool)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = x.one(l)
				return false
			}
			if stop {
				break
			}
		}
		return true
	})
	if ferr != nil || out != nil {
		return out, ferr
	}
	if tried {
		// Every pool is full; an expired lease not yet reclaimed can be
		// reused, as Kea's allocator does when it walks onto one.
		if out, ferr = x.reuseAnyExpired(c); ferr != nil || out != nil {
			return out, ferr
		}
	}
	x.allocFailed(c, tried)
	return nil, nil
}

// allocFailed warns that no lease could be made, as Kea's allocation
// engine does.
func (x *exchange) allocFailed(c *ia, pools bool) {
	log := x.s.allocLog
	if !log.Enabled(x.ctx, slog.LevelWarn) {
		return
	}
	msg := "no pool of the subnet admits the client's classes"
	if pools {
		msg = "no free address or prefix in the pools"
	}
	log.LogAttrs(x.ctx, slog.LevelWarn, "failed to allocate a lease: "+msg,
		slog.String("type", c.typ.String()), slog.Uint64("iaid", uint64(c.iaid)),
		slog.Uint64("subnet", uint64(x.subnet.id)), slog.String("duid", DUID{Raw: x.clientID}.String()))
}

// poolsOf lists the pools of sn for lease type t that admit the client.
func (x *exchange) poolsOf(sn *subnet, t lease.Type) []*lease.Pool6 {
	x.poolList = x.poolList[:0]
	if t == lease.TypePD {
		for _, p := range sn.pdPools {
			if p.cfg.Admits(x.inClassFn) {
				x.poolList = append(x.poolList, p.pool)
			}
		}
		return x.poolList
	}
	for _, p := range sn.pools {
		if !p.cfg.Admits(x.inClassFn) {
			continue
		}
		if t == lease.TypeTA {
			x.poolList = append(x.poolList, p.ta)
		} else {
			x.poolList = append(x.poolList, p.na)
		}
	}
	return x.poolList
}

// tryHint gives the client the address or prefix it asked for when it is
// in a pool it may use, free (or expired) and not reserved for another.
func (x *exchange) tryHint(c *ia, h hint) ([]lease.Lease6, bool, error) {
	var out []lease.Lease6
	var ferr error
	x.subnet.each(func(sn *subnet) bool {
		if !x.allowed(sn) {
			return true
		}
		pool, ok := x.poolFor(sn, c.typ, h.pfx)
		if !ok {
			return true
		}
		// A prefix hint names its pool; the lease has the pool's length.
		p := h.pfx
		if c.typ == lease.TypePD {
			p = netip.PrefixFrom(h.pfx.Addr(), int(pool.PrefixLen())).Masked()
		}
		if x.isAllocated(p) || x.heldAsOtherType(c.typ, p.Addr()) {
			return true
		}
		cur, err := x.s.store.Get6(x.ctx, c.typ, p.Addr())
		switch {
		case errors.Is(err, lease.ErrNotFound),
			err == nil && cur.State == lease.StateExpiredReclaimed && int(cur.PrefixLen) == p.Bits():
			if x.reservedInSubnet(sn, c.typ, p) {
				return true
			}
			l, ok, _, err := x.createLease(c, sn, p)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = x.one(l)
				return false
			}
		case err != nil:
			ferr = err
			return false
		case cur.Expired(x.unix) && int(cur.PrefixLen) == p.Bits():
			if x.reservedInSubnet(sn, c.typ, p) {
				return true
			}
			l, ok, err := x.reuseExpired(c, sn, cur)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = x.one(l)
			}
			return false
		}
		return true
	})
	return out, out != nil, ferr
}

// heldAsOtherType reports whether a lease of the other address type holds
// a: IA_NA and IA_TA leases share the address pools.
func (x *exchange) heldAsOtherType(t lease.Type, a netip.Addr) bool {
	other := lease.TypeTA
	switch t {
	case lease.TypeTA:
		other = lease.TypeNA
	case lease.TypePD:
		return false
	}
	l, err := x.s.store.Get6(x.ctx, other, a)
	return err == nil && l.State != lease.StateExpiredReclaimed
}

// allocateFrom takes a free address or prefix of one pool. stop says a
// lease6_select callout skipped, so this subnet is not tried further.
func (x *exchange) allocateFrom(c *ia, sn *subnet, pool *lease.Pool6) (l lease.Lease6, ok, stop bool, err error) {
	alloc := sn.alloc
	if c.typ == lease.TypePD {
		alloc = sn.pdAlloc
	}
	x.allocSubnet = sn
	defer func() { x.allocSubnet = nil }()
	for range 8 {
		p, aerr := alloc.Allocate6(x.ctx, x.s.store, pool, x.reservedFn)
		if errors.Is(aerr, lease.ErrPoolExhausted) {
			return l, false, false, nil
		}
		if aerr != nil {
			return l, false, false, aerr
		}
		sn.lastAlloc[c.typ].Store(x.s.allocSeq.Add(1))
		var skipped bool
		l, ok, skipped, err = x.createLease(c, sn, p)
		if err != nil || ok || skipped {
			return l, ok, skipped, err
		}
		// Lost a race for the address (Add found it taken): try again.
	}
	return l, false, false, nil
}

// reuseAnyExpired looks for an expired, unreclaimed lease in a pool the
// client may use and gives it to the client.
func (x *exchange) reuseAnyExpired(c *ia) ([]lease.Lease6, error) {
	expired, err := x.s.store.Expired6(x.ctx, x.now, 64)
	if err != nil {
		return nil, err
	}
	for _, e := range expired {
		if e.Type != c.typ || e.State != lease.StateDefault {
			continue
		}
		var target *subnet
		x.subnet.each(func(sn *subnet) bool {
			if x.allowed(sn) && sn.id == e.SubnetID {
				if _, ok := x.poolFor(sn, c.typ, e.Prefix()); ok && !x.reservedInSubnet(sn, c.typ, e.Prefix()) {
					target = sn
				}
			}
			return target == nil
		})
		if target == nil {
			continue
		}
		l, ok, err := x.reuseExpired(c, target, e)
		if err != nil || ok {
			if ok {
				return x.one(l), nil
			}
			return nil, err
		}
	}
	return nil, nil
}

// newLease fills a lease of the client for p in subnet sn.
func (x *exchange) newLease(c *ia, sn *subnet, p netip.Prefix) lease.Lease6 {
	pref, valid := x.lifetimes(c, sn)
	l := lease.Lease6{
		Type: c.typ, Addr: p.Addr(), PrefixLen: uint8(p.Bits()),
		DUID: x.clientID, IAID: c.iaid,
		PreferredLifetime: pref, ValidLifetime: valid,
		CLTT: x.unix, SubnetID: sn.id,
		Hostname: x.hostname, FQDNFwd: x.fqdnFwd, FQDNRev: x.fqdnRev,
	}
	if x.hw.addr != nil {
		l.HWAddr, l.HWType, l.HWAddrSource = x.hw.addr, x.hw.htype, x.hw.source
	}
	return l
}

// createLease makes a new lease (Kea's createLease6): lease6_select may
// change it or skip it; a real allocation adds it to the store. ok false
// with no error and skipped false means the address was taken meanwhile.
func (x *exchange) createLease(c *ia, sn *subnet, p netip.Prefix) (_ lease.Lease6, ok, skipped bool, err error) {
	l := &x.cand
	*l = x.newLease(c, sn, p)
	if !x.selectHook(sn, l) {
		return *l, false, true, nil
	}
	if x.fake {
		return *l, true, false, nil
	}
	l.UserContext, _ = x.extendedInfo(l.UserContext)
	if err := x.s.store.Add6(x.ctx, l); err != nil {
		if errors.Is(err, lease.ErrExists) {
			return *l, false, false, nil
		}
		return *l, false, false, err
	}
	x.changed = true
	x.s.counters.allocated.Add(1)
	c.fresh = append(c.fresh, l.Prefix())
	x.logLease(l, "lease allocated")
	return *l, true, false, nil
}

// selectHook fires lease6_select (with the client's reservation as host,
// as leasehold's lease4_select has it); false means a callout skipped the
// lease.
func (x *exchange) selectHook(sn *subnet, l *lease.Lease6) bool {
	if !x.s.hooks.Enabled(hooks.Lease6Select) {
		return true
	}
	x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Subnet6: sn.hook, FakeAllocation: x.fake, Lease6: l}
	if h := x.currentHost(); h != nil {
		x.args.Host = &h.hook
	}
	if x.s.hooks.Call(x.ctx, hooks.Lease6Select, &x.args) == hooks.Skip {
		return false
	}
	if x.args.Lease6 != nil && x.args.Lease6 != l {
		*l = *x.args.Lease6
	}
	l.DUID = x.clientID
	return true
}

// reuseExpired gives an expired lease of another client (or this one) to
// this client (Kea's reuseExpiredLease): it is reclaimed first (the
// lease6_expire and lease6_recover hooks) for a real allocation.
func (x *exchange) reuseExpired(c *ia, sn *subnet, old lease.Lease6) (lease.Lease6, bool, error) {
	c.old = append(c.old, old)
	if !x.fake && old.State != lease.StateExpiredReclaimed {
		x.s.reclaimHooks(x.ctx, &old, false)
	}
	l := x.newLease(c, sn, old.Prefix())
	if !x.selectHook(sn, &l) {
		return l, false, nil
	}
	if x.fake {
		return l, true, nil
	}
	l.UserContext, _ = x.extendedInfo(l.UserContext)
	if err := x.s.store.Update6(x.ctx, &l); err != nil {
		return l, false, err
	}
	x.changed = true
	x.s.counters.allocated.Add(1)
	c.fresh = append(c.fresh, l.Prefix())
	x.logLease(&l, "expired lease reused")
	return l, true, nil
}

// updateLeaseData brings the client's existing leases up to date for this
// message (Kea's updateLeaseData): host name and DNS flags; for a REQUEST
// the client's last transmission time, and the lease is assigned again if
// it had been reclaimed. Lifetimes stay as they were.
func (x *exchange) updateLeaseData(c *ia, leases []lease.Lease6) []lease.Lease6 {
	for i := range leases {
		l := &leases[i]
		if c.isFresh(l.Prefix()) {
			continue
		}
		l.Hostname, l.FQDNFwd, l.FQDNRev = x.hostname, x.fqdnFwd, x.fqdnRev
		if x.fake {
			continue
		}
		old := *l
		if l.State == lease.StateExpiredReclaimed {
			l.State = lease.StateDefault
		}
		l.CLTT = x.unix
		if l.Hostname == old.Hostname && x.reuse(x.subnet, old, l) {
			continue
		}
		if err := x.s.store.Update6(x.ctx, l); err != nil {
			x.storeErr = err
			continue
		}
		x.changed = true
		x.s.counters.renewed.Add(1)
	}
	return leases
}
