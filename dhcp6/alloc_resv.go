package dhcp6

import (
	"errors"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

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
