package dhcp4

import (
	"github.com/leasehold/leasehold/lease"
)

// expiredScan bounds how many expired leases an allocation looks at when
// every address of the pools is held, before giving up until reclamation
// catches up.
const expiredScan = 512

// allocateUnreserved picks a free address from the pools the client may
// use (Kea's allocateUnreservedLease4 with the iterative allocator): the
// subnet of the shared network that allocated most recently first, then
// the others.
func (w *worker) allocateUnreserved() bool {
	x := &w.x
	first := w.preferredSubnet(x.subnet)
	for s := first; s != nil; s = w.nextSubnet(s, first) {
		x.subnet = s
		if w.allocateFrom(s) {
			s.lastAlloc.Store(x.unix)
			return true
		}
		if x.hookSkip {
			return false
		}
	}
	w.s.allocLog.Warn("failed to allocate an IPv4 address", "subnet", x.subnet.id, "classes", w.cls.names())
	return false
}

// preferredSubnet is SharedNetwork4::getPreferredSubnet: among the
// network's subnets with the same client class as s, the one that
// allocated last, which is the likeliest to have free addresses.
func (w *worker) preferredSubnet(s *subnet4) *subnet4 {
	if s.net == nil {
		return s
	}
	best := s
	for _, c := range s.net.subnets {
		if c != best && c.class == s.class && w.supported(c) && c.lastAlloc.Load() > best.lastAlloc.Load() {
			best = c
		}
	}
	return best
}

// allocateFrom walks the subnet's allowed pools from the address after
// the last one picked, wrapping around once. With a store that indexes
// held addresses it jumps from free address to free address; otherwise it
// probes each address, as Kea does.
func (w *worker) allocateFrom(s *subnet4) bool {
	x := &w.x
	ff, fast := w.s.store.(lease.FreeFinder)
	start := s.cursor.Load() + 1
	// Order the pool segments: from start to the end of the pools, then
	// from the beginning up to start.
	type seg struct{ from, last uint32 }
	var segs [2 * 8]seg
	var rest []seg
	head, tail := segs[:0:8], segs[8:8:16]
	for _, p := range s.pools {
		if !w.cls.supports(p.class) {
			continue
		}
		switch {
		case start <= p.first:
			head = append(head, seg{p.first, p.last})
		case start > p.last:
			tail = append(tail, seg{p.first, p.last})
		default:
			head = append(head, seg{start, p.last})
			tail = append(tail, seg{p.first, start - 1})
		}
	}
	rest = append(head, tail...)
	if len(rest) == 0 {
		return false
	}
	budget := s.capacity // probing never tries more addresses than exist
	for _, sg := range rest {
		from := uint64(sg.from)
		for from <= uint64(sg.last) && budget > 0 {
			cand := uint32(from)
			if fast {
				a, ok, err := ff.NextFree4(x.ctx, addrOf(cand), addrOf(sg.last))
				if err != nil {
					w.storeErr(err)
					return false
				}
				if !ok {
					break
				}
				cand = u32(a)
			}
			from = uint64(cand) + 1
			budget--
			s.cursor.Store(cand)
			a := addrOf(cand)
			if w.addressReserved(a) {
				continue
			}
			if w.allocateOrReuse(a) {
				return true
			}
			if x.hookSkip {
				return false
			}
		}
	}
	if fast {
		return w.reuseExpiredFrom(s)
	}
	return false
}

// reuseExpiredFrom takes an expired lease of the subnet's allowed pools
// that reclamation has not processed yet; the free-address index counts
// such leases as held.
func (w *worker) reuseExpiredFrom(s *subnet4) bool {
	x := &w.x
	exp, err := w.s.store.Expired4(x.ctx, x.now, expiredScan)
	if err != nil {
		w.storeErr(err)
		return false
	}
	for i := range exp {
		l := &exp[i]
		if l.SubnetID != s.id && !s.contains(u32(l.Addr)) {
			continue
		}
		p := s.poolOf(u32(l.Addr))
		if p == nil || !w.cls.supports(p.class) || w.addressReserved(l.Addr) {
			continue
		}
		if w.allocateOrReuse(l.Addr) {
			return true
		}
		if x.hookSkip {
			return false
		}
	}
	return false
}
