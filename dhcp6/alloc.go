package dhcp6

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// ia is the state of one IA while its leases are found, made or extended
// (Kea's per-IA allocation context).
type ia struct {
	typ   lease.Type
	code  OptionCode
	iaid  uint32
	hints []hint
	// old are leases the IA lost (reused expired ones of other clients,
	// revoked ones); those of this client go back with zero lifetimes.
	old []lease.Lease6
	// fresh are the addresses and prefixes created for this IA now.
	fresh []netip.Prefix
	out   *iaOut
}

// hint is an address or prefix a client put in its IA, with the lifetimes
// it asked for (0: none).
type hint struct {
	pfx          netip.Prefix
	pref, valid  uint32
	prefixLength bool // an IAPREFIX of :: that only asks for a length
}

// newIA starts the allocation state of an IA on the exchange's reused
// scratch slices; doneIA gives them back.
func (x *exchange) newIA(code OptionCode, iaid uint32) ia {
	return ia{typ: leaseType(code), code: code, iaid: iaid, old: x.oldScratch[:0], fresh: x.freshScratch[:0]}
}

func (x *exchange) doneIA(c *ia) {
	x.oldScratch, x.freshScratch = c.old[:0], c.fresh[:0]
}

// one returns l as a one-lease list without allocating.
func (x *exchange) one(l lease.Lease6) []lease.Lease6 {
	x.oneScratch[0] = l
	return x.oneScratch[:]
}

func (c *ia) isFresh(p netip.Prefix) bool {
	for _, f := range c.fresh {
		if f == p {
			return true
		}
	}
	return false
}

func (c *ia) firstHint() (hint, bool) {
	if len(c.hints) == 0 {
		return hint{}, false
	}
	return c.hints[0], true
}

// collectHints reads the IAADDR or IAPREFIX options of an IA. With all
// false only the first is kept (assignment looks at one hint, as Kea).
func (x *exchange) collectHints(c *ia, opts Options, all bool) {
	c.hints = x.hints[:0]
	for code, data := range opts.All() {
		switch {
		case code == OptIAAddr && c.typ != lease.TypePD:
			a, err := ParseIAAddr(data)
			if err != nil {
				continue
			}
			c.hints = append(c.hints, hint{pfx: netip.PrefixFrom(a.Addr, 128), pref: a.Preferred, valid: a.Valid})
		case code == OptIAPrefix && c.typ == lease.TypePD:
			p, err := ParseIAPrefix(data)
			if err != nil {
				continue
			}
			h := hint{pfx: p.Prefix, pref: p.Preferred, valid: p.Valid}
			h.prefixLength = p.Prefix.Addr().IsUnspecified()
			c.hints = append(c.hints, h)
		default:
			continue
		}
		if !all {
			break
		}
	}
	x.hints = c.hints[:0]
}

// lifetimes returns the preferred and valid lifetimes of a lease made or
// extended now: the first class of the packet that sets each, else the
// subnet's; a lifetime the client asked for in its first hint is clamped
// to the [min, max] of that triplet.
func (x *exchange) lifetimes(c *ia, sn *subnet) (pref, valid uint32) {
	var pt, vt *config.Lifetime
	for _, i := range x.classes.order {
		if i < 0 {
			continue
		}
		cc := x.v.classes[i].cfg
		if pt == nil && cc.PreferredLifetime != nil {
			pt = cc.PreferredLifetime
		}
		if vt == nil && cc.ValidLifetime != nil {
			vt = cc.ValidLifetime
		}
	}
	if pt == nil {
		pt = &sn.cfg.PreferredLifetime
	}
	if vt == nil {
		vt = &sn.cfg.ValidLifetime
	}
	pref, valid = pt.Default, vt.Default
	if h, ok := c.firstHint(); ok {
		if h.pref != 0 {
			pref = clamp(h.pref, pt)
		}
		if h.valid != 0 {
			valid = clamp(h.valid, vt)
		}
	}
	return pref, valid
}

func clamp(v uint32, t *config.Lifetime) uint32 {
	switch {
	case v < t.Min:
		return t.Min
	case v > t.Max:
		return t.Max
	}
	return v
}

// allowed reports whether the client may use subnet sn (its classes).
func (x *exchange) allowed(sn *subnet) bool { return sn.cfg.Admits(x.inClassFn) }

// poolFor returns the pool of sn that holds p and admits the client, nil
// when there is none.
func (x *exchange) poolFor(sn *subnet, t lease.Type, p netip.Prefix) (*lease.Pool6, bool) {
	if t == lease.TypePD {
		pp := sn.pdPoolHolding(p.Addr())
		if pp == nil || !pp.cfg.Admits(x.inClassFn) {
			return nil, false
		}
		return pp.pool, true
	}
	ap := sn.poolOf(p.Addr())
	if ap == nil || !ap.cfg.Admits(x.inClassFn) {
		return nil, false
	}
	if t == lease.TypeTA {
		return ap.ta, true
	}
	return ap.na, true
}

// inAllowedPool reports whether p lies in a pool the client may use, in
// the subnet or its shared network (Kea's inAllowedPool). anyClass drops
// the pool's class check.
func (x *exchange) inAllowedPool(t lease.Type, p netip.Prefix, anyClass bool) bool {
	found := false
	x.subnet.each(func(sn *subnet) bool {
		if !x.allowed(sn) {
			return true
		}
		if t == lease.TypePD {
			if pp := sn.pdPoolOf(p); pp != nil && (anyClass || pp.cfg.Admits(x.inClassFn)) {
				found = true
			}
		} else if ap := sn.poolOf(p.Addr()); ap != nil && (anyClass || ap.cfg.Admits(x.inClassFn)) {
			found = true
		}
		return !found
	})
	return found
}

// reservedForOther is the allocator's check: an address or prefix
// reserved in the subnet being allocated from is not handed out
// dynamically (a reservation for this client was tried first).
func (x *exchange) reservedForOther(p netip.Prefix) bool {
	if x.isAllocated(p) {
		// Given to another IA of this message (an ADVERTISE writes nothing
		// the allocator could see).
		return true
	}
	sn := x.allocSubnet
	if sn == nil || !sn.cfg.ReservationModes.InSubnet || sn.cfg.ReservationModes.OutOfPool {
		return false
	}
	return len(sn.hosts.reservedTo(p)) > 0
}

// reservedInSubnet is the hint's check: Kea skips it for in-pool addresses
// when reservations-out-of-pool says reservations lie outside the pools.
func (x *exchange) reservedInSubnet(sn *subnet, t lease.Type, p netip.Prefix) bool {
	m := sn.cfg.ReservationModes
	if !m.InSubnet {
		return false
	}
	if m.OutOfPool {
		if _, in := x.poolFor(sn, t, p); in {
			return false
		}
	}
	return len(sn.hosts.reservedTo(p)) > 0
}

// existingLeases returns the client's leases of an IA in the selected
// subnet and its shared network.
func (x *exchange) existingLeases(c *ia) ([]lease.Lease6, error) {
	var out []lease.Lease6
	var err error
	x.subnet.each(func(sn *subnet) bool {
		var ls []lease.Lease6
		ls, err = x.s.store.Get6ByDUID(x.ctx, c.typ, x.clientID, c.iaid, sn.id)
		if err != nil {
			return false
		}
		if out == nil {
			out = ls
		} else {
			out = append(out, ls...)
		}
		return true
	})
	return out, err
}

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
		case errors.Is(err, lease.ErrNotFound):
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
		case cur.State == lease.StateExpiredReclaimed && int(cur.PrefixLen) == p.Bits():
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
func (x *exchange) createLease(c *ia, sn *subnet, p netip.Prefix) (l lease.Lease6, ok, skipped bool, err error) {
	l = x.newLease(c, sn, p)
	if !x.selectHook(sn, &l) {
		return l, false, true, nil
	}
	if x.fake {
		return l, true, false, nil
	}
	l.UserContext, _ = x.extendedInfo(l.UserContext)
	if err := x.s.store.Add6(x.ctx, &l); err != nil {
		if errors.Is(err, lease.ErrExists) {
			return l, false, false, nil
		}
		return l, false, false, err
	}
	x.changed = true
	x.s.counters.allocated.Add(1)
	c.fresh = append(c.fresh, l.Prefix())
	x.logLease(&l, "lease allocated")
	return l, true, false, nil
}

// selectHook fires lease6_select; false means a callout skipped the lease.
func (x *exchange) selectHook(sn *subnet, l *lease.Lease6) bool {
	if !x.s.hooks.Enabled(hooks.Lease6Select) {
		return true
	}
	x.args = hooks.Args{Query: x.raw, Subnet6: sn.hook, FakeAllocation: x.fake, Lease6: l}
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

// removeNonmatchingReserved drops the client's leases that are reserved
// for another host, or that lie outside every pool it may use (Kea's
// removeNonmatchingReservedLeases6); they go to the IA's old leases.
func (x *exchange) removeNonmatchingReserved(c *ia, leases []lease.Lease6) []lease.Lease6 {
	if len(leases) == 0 {
		return leases
	}
	m := x.subnet.cfg.ReservationModes
	k := 0
	for _, l := range leases {
		p := l.Prefix()
		if m.InSubnet || m.Global {
			if x.reservedForMe(p, l.SubnetID) {
				leases[k] = l
				k++
				continue
			}
			if len(x.subnet.hosts.reservedTo(p)) == 0 && x.inAllowedPool(c.typ, p, false) {
				leases[k] = l
				k++
				continue
			}
		} else if x.inAllowedPool(c.typ, p, false) {
			leases[k] = l
			k++
			continue
		}
		x.revoke(c, l)
	}
	return leases[:k]
}

// removeNonreserved releases, when the client has reservations, its leases
// that are not reserved for it, keeping at least one (Kea's
// removeNonreservedLeases6).
func (x *exchange) removeNonreserved(c *ia, leases []lease.Lease6) []lease.Lease6 {
	total := len(leases)
	if total <= 1 {
		return leases
	}
	k := 0
	for i, l := range leases {
		if total == 1 || x.reservedForMe(l.Prefix(), l.SubnetID) {
			leases[k] = leases[i]
			k++
			continue
		}
		x.revoke(c, l)
		total--
	}
	return leases[:k]
}

// revoke takes a lease away from the client: deleted from the store (for
// a real allocation) and listed as an old lease of the IA.
func (x *exchange) revoke(c *ia, l lease.Lease6) {
	if !x.fake {
		if err := x.s.store.Delete6(x.ctx, l.Type, l.Addr); err != nil {
			if !errors.Is(err, lease.ErrNotFound) {
				x.storeErr = err
			}
			return
		}
		x.changed = true
		x.oldLeases = append(x.oldLeases, l)
	}
	c.old = append(c.old, l)
}

// reservedForMe reports whether the client's reservation in the lease's
// subnet, or its global one, holds p.
func (x *exchange) reservedForMe(p netip.Prefix, subnetID uint32) bool {
	if g := x.globalHost(); g != nil && g.has(p) {
		return true
	}
	h := x.hostIn(subnetID)
	return h != nil && h.has(p)
}

// allocateReserved gives the client a reserved address or prefix for the
// IA, unless it already holds one (Kea's allocateReservedLeases6). Each IA
// takes the first reservation not yet handed out in this message.
func (x *exchange) allocateReserved(c *ia, existing []lease.Lease6) ([]lease.Lease6, error) {
	for _, l := range existing {
		if l.ValidLifetime == 0 {
			continue
		}
		if h := x.hostIn(l.SubnetID); h != nil && h.has(l.Prefix()) {
			if x.hostSubnet == nil && x.subnet.network != nil {
				x.hostSubnet = x.v.byID[l.SubnetID]
				x.useReservedHostname(h)
			}
			return existing, nil
		}
	}
	var out = existing
	var ferr error
	done := false
	x.subnet.each(func(sn *subnet) bool {
		h := x.hostIn(sn.id)
		if h == nil || !x.allowed(sn) {
			return true
		}
		for _, p := range x.reservedOf(h, c.typ) {
			if x.isAllocated(p) {
				continue
			}
			m := sn.cfg.ReservationModes
			if !m.InSubnet {
				continue
			}
			if m.OutOfPool {
				if _, in := x.poolFor(sn, c.typ, p); in {
					continue
				}
			}
			if _, err := x.s.store.Get6(x.ctx, c.typ, p.Addr()); err == nil {
				continue
			} else if !errors.Is(err, lease.ErrNotFound) {
				ferr = err
				return false
			}
			x.subnet = sn
			if x.hostSubnet == nil {
				x.hostSubnet = sn
				x.useReservedHostname(h)
			}
			l, ok, _, err := x.createLease(c, sn, p)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = append(out, l)
			}
			done = true
			return false
		}
		return true
	})
	if ferr != nil || done {
		return out, ferr
	}
	return x.allocateGlobalReserved(c, out)
}

func (x *exchange) allocateGlobalReserved(c *ia, existing []lease.Lease6) ([]lease.Lease6, error) {
	g := x.globalHost()
	if g == nil {
		return existing, nil
	}
	for _, l := range existing {
		if l.ValidLifetime != 0 && g.has(l.Prefix()) {
			x.useReservedHostname(g)
			return existing, nil
		}
	}
	for _, p := range x.reservedOf(g, c.typ) {
		if x.isAllocated(p) {
			continue
		}
		if _, err := x.s.store.Get6(x.ctx, c.typ, p.Addr()); err == nil {
			continue
		} else if !errors.Is(err, lease.ErrNotFound) {
			return existing, err
		}
		x.useReservedHostname(g)
		l, ok, _, err := x.createLease(c, x.subnet, p)
		if err != nil {
			return existing, err
		}
		if ok {
			existing = append(existing, l)
		}
		return existing, nil
	}
	return existing, nil
}

// reservedOf lists a host's reserved addresses (NA; TA has none) or
// prefixes (PD).
func (x *exchange) reservedOf(h *host, t lease.Type) []netip.Prefix {
	x.resList = x.resList[:0]
	switch t {
	case lease.TypeNA:
		for _, a := range h.cfg.IPAddresses {
			x.resList = append(x.resList, netip.PrefixFrom(a, 128))
		}
	case lease.TypePD:
		for _, p := range h.cfg.Prefixes {
			x.resList = append(x.resList, p.Masked())
		}
	}
	return x.resList
}

func (x *exchange) isAllocated(p netip.Prefix) bool {
	for _, a := range x.allocated {
		if a == p {
			return true
		}
	}
	return false
}

// renewLeases extends the leases of an IA for RENEW and REBIND (Kea's
// renewLeases6): leases reserved for others or out of the pools are
// dropped, reservations are honoured, and a client left with nothing gets
// a new lease.
func (x *exchange) renewLeases(c *ia) ([]lease.Lease6, error) {
	leases, err := x.existingLeases(c)
	if err != nil {
		return nil, err
	}
	if len(leases) > 0 {
		leases = x.removeNonmatchingReserved(c, leases)
	}
	if len(x.hosts) > 0 {
		if leases, err = x.allocateReserved(c, leases); err != nil {
			return nil, err
		}
		leases = x.removeNonreserved(c, leases)
	}
	if len(leases) == 0 {
		if leases, err = x.allocateUnreserved(c); err != nil {
			return nil, err
		}
	}
	k := 0
	for i := range leases {
		l := leases[i]
		if !c.isFresh(l.Prefix()) {
			var keep bool
			if l, keep, err = x.extendLease(c, l); err != nil {
				return nil, err
			}
			if !keep {
				continue
			}
		}
		leases[k] = l
		k++
	}
	leases = leases[:k]
	x.noteAllocated(leases)
	return leases, nil
}

// extendLease renews one lease (Kea's extendLease6). A lease whose address
// left the subnet, or whose subnet no longer admits the client, is deleted
// and reported with zero lifetimes instead.
func (x *exchange) extendLease(c *ia, l lease.Lease6) (lease.Lease6, bool, error) {
	sn := x.subnet
	if sn.id != l.SubnetID {
		if s2 := x.v.byID[l.SubnetID]; s2 != nil && s2.network != nil && s2.network == sn.network {
			sn = s2
			x.subnet = s2
		}
	}
	global := false
	if g := x.globalHost(); g != nil && g.has(l.Prefix()) {
		global = true
	}
	if !global && ((l.Type != lease.TypePD && !sn.inRange(l.Addr)) || !x.allowed(sn)) {
		x.revoke(c, l)
		return l, false, nil
	}
	old := l
	l.PreferredLifetime, l.ValidLifetime = x.lifetimes(c, sn)
	l.CLTT = x.unix
	l.Hostname, l.FQDNFwd, l.FQDNRev = x.hostname, x.fqdnFwd, x.fqdnRev
	if x.hw.addr != nil {
		l.HWAddr, l.HWType, l.HWAddrSource = x.hw.addr, x.hw.htype, x.hw.source
	} else {
		l.HWAddr, l.HWType, l.HWAddrSource = nil, 0, 0
	}
	l.State = lease.StateDefault
	if !x.renewHook(c, sn, &l) {
		return old, true, nil
	}
	var infoChanged bool
	l.UserContext, infoChanged = x.extendedInfo(l.UserContext)
	if !infoChanged && !extensionChanges(&old, &l, x.unix) && x.reuse(sn, old, &l) {
		x.logLease(&l, "lease reused")
		return l, true, nil
	}
	if old.Expired(x.unix) && old.State != lease.StateExpiredReclaimed {
		x.s.reclaimHooks(x.ctx, &old, false)
	}
	if err := x.s.store.Update6(x.ctx, &l); err != nil {
		return l, false, err
	}
	x.changed = true
	x.s.counters.renewed.Add(1)
	x.logLease(&l, "lease renewed")
	return l, true, nil
}

// renewHook fires lease6_renew or lease6_rebind with the lease and the IA
// as it will be sent; false means a callout skipped the renewal (the
// stored lease stays as it was). A callout's new IA replaces the server's.
func (x *exchange) renewHook(c *ia, sn *subnet, l *lease.Lease6) bool {
	p := hooks.Lease6Renew
	if x.msg.Type == Rebind {
		p = hooks.Lease6Rebind
	}
	if !x.s.hooks.Enabled(p) {
		return true
	}
	iaBytes := x.encodeIAFor(c, sn, l)
	x.args = hooks.Args{Query: x.raw, Subnet6: sn.hook, Lease6: l, IA: iaBytes}
	if x.s.hooks.Call(x.ctx, p, &x.args) == hooks.Skip {
		return false
	}
	if x.args.Lease6 != nil && x.args.Lease6 != l {
		*l = *x.args.Lease6
	}
	if !sameSlice(x.args.IA, iaBytes) && c.out != nil {
		if ok := validIA(c.code, x.args.IA); ok {
			c.out.raw = append(c.out.raw[:0], x.args.IA...)
		}
	}
	return true
}

// validIA reports whether b is a whole IA option of the given code that
// decodes.
func validIA(code OptionCode, b []byte) bool {
	o := Options(b)
	c, data, next, err := o.Next(0)
	if err != nil || c != code || next != len(b) {
		return false
	}
	switch code {
	case OptIANA:
		_, err = ParseIANA(data)
	case OptIAPD:
		_, err = ParseIAPD(data)
	default:
		return false
	}
	return err == nil
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) && bytes.Equal(a, b)
}
