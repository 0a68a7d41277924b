package dhcp4

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

// The allocation engine follows Kea 2.2's AllocEngine for DHCPv4
// (discoverLease4, requestLease4 and their helpers); the comments name the
// Kea function each piece matches.

// belongs is Lease4::belongsToClient: client identifiers decide when both
// sides have one; otherwise the hardware addresses must match.
func belongs(l *lease.Lease4, hw, cid []byte) bool {
	if len(cid) > 0 && len(l.ClientID) > 0 {
		return bytes.Equal(cid, l.ClientID)
	}
	return len(hw) > 0 && len(l.HWAddr) > 0 && bytes.Equal(hw, l.HWAddr)
}

// matchCID is the client identifier as the subnet uses it: nil when the
// subnet has match-client-id false.
func (x *exchange) matchCID(s *subnet4) []byte {
	if s.cfg.MatchClientID {
		return x.cid
	}
	return nil
}

func (w *worker) storeErr(err error) bool {
	if err == nil || errors.Is(err, lease.ErrNotFound) {
		return false
	}
	w.s.allocLog.Error("lease store error", "error", err)
	return true
}

// get4 reads the lease of addr.
func (w *worker) get4(addr netip.Addr) (lease.Lease4, bool) {
	l, err := w.s.store.Get4(w.x.ctx, addr)
	if err != nil {
		w.storeErr(err)
		return l, false
	}
	return l, true
}

// free reports whether no client holds addr (no lease, or a reclaimed
// one), asking the store's free-address index when it has one: a lookup
// that misses costs the store an error value, and a free address is the
// common case for a new client.
func (w *worker) free(addr netip.Addr) bool {
	ff, ok := w.s.store.(lease.FreeFinder)
	if !ok {
		return false
	}
	a, free, err := ff.NextFree4(w.x.ctx, addr, addr)
	return err == nil && free && a == addr
}

// findClientLease finds the lease the client already has, looking through
// the subnets of the shared network, by client identifier first (where
// match-client-id allows), then by hardware address.
func (w *worker) findClientLease() (lease.Lease4, bool) {
	x := &w.x
	orig := x.subnet
	st := w.s.store
	if len(x.cid) > 0 {
		for s := orig; s != nil; s = w.nextSubnet(s, orig) {
			if !s.cfg.MatchClientID {
				continue
			}
			l, err := st.Get4ByClientID(x.ctx, x.cid, s.id)
			if err == nil {
				x.subnet = s
				return l, true
			}
			w.storeErr(err)
		}
	}
	if len(x.hw) > 0 {
		for s := orig; s != nil; s = w.nextSubnet(s, orig) {
			l, err := st.Get4ByHWAddr(x.ctx, x.hw, s.id)
			if err != nil {
				w.storeErr(err)
				continue
			}
			if belongs(&l, x.hw, x.matchCID(s)) {
				x.subnet = s
				return l, true
			}
		}
	}
	return lease.Lease4{}, false
}

// hasAddressReservation reports whether the client has an address
// reserved in a subnet it may use (moving to that subnet), or globally.
func (w *worker) hasAddressReservation() bool {
	x := &w.x
	if len(x.hosts) == 0 && x.ghost == nil {
		return false
	}
	globalDone := false
	for s := x.subnet; s != nil; s = w.nextSubnet(s, x.subnet) {
		if !globalDone && s.cfg.ReservationModes.Global {
			if x.ghost != nil && x.ghost.addr.IsValid() {
				return true
			}
			globalDone = true
		}
		if s.cfg.ReservationModes.InSubnet {
			for _, hh := range x.hosts {
				if hh.subnet == s && hh.host.addr.IsValid() &&
					(!s.cfg.ReservationModes.OutOfPool || s.poolOf(u32(hh.host.addr)) == nil) {
					x.subnet = s
					return true
				}
			}
		}
	}
	return false
}

// reservedAddr is the address the current reservation holds.
func (w *worker) reservedAddr() netip.Addr {
	if h := w.currentHost(); h != nil {
		return h.addr
	}
	return netip.Addr{}
}

// addressReserved reports whether a is reserved for another client in the
// current subnet (Kea's addressReserved).
func (w *worker) addressReserved(a netip.Addr) bool {
	x := &w.x
	s := x.subnet
	if s == nil || !s.cfg.ReservationModes.InSubnet {
		return false
	}
	v := u32(a)
	if s.cfg.ReservationModes.OutOfPool && s.poolOf(v) != nil {
		return false
	}
	hs := s.resv[v]
	for _, h := range hs {
		if h.matches(&x.ids) {
			return false
		}
	}
	return len(hs) > 0
}

// inAllowedPool reports whether a is in a pool the client may use, in the
// current subnet or another of its shared network (which becomes
// current).
func (w *worker) inAllowedPool(a netip.Addr) bool {
	x := &w.x
	v := u32(a)
	for s := x.subnet; s != nil; s = w.nextSubnet(s, x.subnet) {
		if p := s.poolOf(v); p != nil && w.cls.supports(p.class) {
			x.subnet = s
			return true
		}
	}
	return false
}

// allocateLease4 is AllocEngine::allocateLease4.
func (w *worker) allocateLease4() bool {
	x := &w.x
	x.haveOld, x.haveLease = false, false
	if x.subnet != nil && !w.supported(x.subnet) {
		x.subnet = w.nextSubnet(x.subnet, x.subnet)
	}
	if x.subnet == nil {
		return false
	}
	if x.fake {
		return w.discoverLease4()
	}
	return w.requestLease4()
}

// discoverLease4 chooses the address to offer: the reserved one, the one
// the client has, the one it asks for, or a free one from the pools.
func (w *worker) discoverLease4() bool {
	x := &w.x
	client, hasClient := w.findClientLease()
	ok := false
	if w.hasAddressReservation() {
		resv := w.reservedAddr()
		if !hasClient || client.Addr != resv {
			ok = w.allocateOrReuse(resv)
			if !ok {
				w.s.allocLog.Warn("reserved address is in use by another client", "address", resv)
			}
		} else {
			ok = w.renewLease4(&client)
		}
	}
	if !ok && hasClient && w.inAllowedPool(client.Addr) && !w.addressReserved(client.Addr) {
		ok = w.renewLease4(&client)
	}
	if !ok && !x.hookSkip && !isZero(x.hint) && w.inAllowedPool(x.hint) && !w.addressReserved(x.hint) {
		ok = w.allocateOrReuse(x.hint)
	}
	if !ok && !x.hookSkip {
		ok = w.allocateUnreserved()
	}
	if !x.haveOld && hasClient {
		x.old, x.haveOld = client, true
	}
	return ok
}

// requestLease4 assigns the address the client asks for (or holds, or is
// reserved), refusing addresses reserved for or leased to others and
// addresses outside the pools.
func (w *worker) requestLease4() bool {
	x := &w.x
	client, hasClient := w.findClientLease()
	if !isZero(x.hint) {
		if w.addressReserved(x.hint) {
			return false
		}
	} else if w.hasAddressReservation() {
		x.hint = w.reservedAddr()
	}
	if !isZero(x.hint) {
		if w.free(x.hint) {
			// Not held: no conflict.
		} else if ex, ok := w.get4(x.hint); ok && !ex.Expired(x.unix) && !belongs(&ex, x.hw, x.matchCID(x.subnet)) {
			return false
		}
		resv := w.hasAddressReservation()
		if resv && w.reservedAddr() != x.hint {
			if ex, ok := w.get4(w.reservedAddr()); !ok || ex.Expired(x.unix) {
				// The reserved address is free again: the client should
				// come back with DISCOVER and get it.
				return false
			}
		}
		if (!resv || w.reservedAddr() != x.hint) && !w.inAllowedPool(x.hint) {
			x.unknownRq = true
			return false
		}
	}
	if hasClient && (client.Addr == x.hint || isZero(x.hint)) &&
		((w.hasAddressReservation() && w.reservedAddr() == x.hint) || w.inAllowedPool(client.Addr)) {
		return w.renewLease4(&client)
	}
	var ok bool
	if !isZero(x.hint) {
		ok = w.allocateOrReuse(x.hint)
	} else {
		ok = w.allocateUnreserved()
	}
	if ok && hasClient {
		x.old, x.haveOld = client, true
		if err := w.s.store.Delete4(x.ctx, client.Addr); err == nil {
			x.deleted = true
		} else {
			w.storeErr(err)
		}
	}
	return ok
}
