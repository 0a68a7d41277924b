package dhcp6

import (
	"net/netip"

	"github.com/leasehold/leasehold/config"
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
