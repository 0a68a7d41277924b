package dhcp4

import (
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// processRelease frees the lease of ciaddr if it belongs to the client
// (Kea's processRelease). There is no reply. Kea, like ISC DHCP, does not
// insist on the server identifier RFC 2131 makes mandatory here.
func (w *worker) processRelease() (Reply, DropReason) {
	x := &w.x
	s := w.s
	if cid, ok := w.m.ClientID(); ok && len(cid) > 0 {
		x.cid = cid
	}
	s.leaseMu.RLock()
	defer s.leaseMu.RUnlock()
	l, ok := w.get4(w.m.CIAddr)
	if !ok {
		s.leaseLog.Debug("RELEASE for an address with no lease", "address", w.m.CIAddr)
		return Reply{}, dropNone
	}
	if !belongs(&l, x.hw, x.cid) {
		s.leaseLog.Debug("RELEASE for a lease of another client", "address", l.Addr)
		return Reply{}, dropNone
	}
	if s.hooks.Enabled(hooks.Lease4Release) {
		a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Lease4: hookLease(&l)}
		if st := s.callHook(x.ctx, hooks.Lease4Release, a); st == hooks.Skip || st == hooks.Drop {
			return Reply{}, dropNone
		}
	}
	if err := s.store.Delete4(x.ctx, l.Addr); err != nil {
		if w.storeErr(err) {
			return w.drop(DropStoreError)
		}
		return Reply{}, dropNone
	}
	s.cnt.released.Add(1)
	s.leaseLog.Info("lease released", "address", l.Addr, "hwaddr", hwString(l.HWAddr))
	x.old, x.haveOld, x.deleted, x.changed = l, true, true, true
	return w.committedNoReply()
}

// processDecline marks the address the client found in use as declined:
// no client owns it, and it stays out of use for the decline probation
// period (Kea's processDecline and declineLease).
func (w *worker) processDecline() (Reply, DropReason) {
	x := &w.x
	s := w.s
	addr, ok := w.m.RequestedIP()
	if !ok {
		return w.drop(DropMissingRequestedIP)
	}
	if cid, ok := w.m.ClientID(); ok && len(cid) > 0 {
		x.cid = cid
	}
	s.leaseMu.RLock()
	defer s.leaseMu.RUnlock()
	l, found := w.get4(addr)
	if !found {
		s.log.Warn("DECLINE for an address with no lease", "address", addr, "from", x.meta.Src)
		return Reply{}, dropNone
	}
	if !belongs(&l, x.hw, x.cid) {
		s.log.Warn("DECLINE for a lease of another client", "address", addr,
			"client-hwaddr", hwString(x.hw), "lease-hwaddr", hwString(l.HWAddr))
		return Reply{}, dropNone
	}
	if s.hooks.Enabled(hooks.Lease4Decline) {
		a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Lease4: hookLease(&l)}
		if st := s.callHook(x.ctx, hooks.Lease4Decline, a); st == hooks.Skip || st == hooks.Drop {
			return Reply{}, dropNone
		}
	}
	d := l
	d.HWAddr, d.ClientID = nil, nil
	d.Hostname, d.FQDNFwd, d.FQDNRev = "", false, false
	d.CLTT = x.unix
	d.State = lease.StateDeclined
	d.ValidLifetime = x.v.cfg.DeclineProbationPeriod
	if err := s.store.Update4(x.ctx, &d); err != nil {
		w.storeErr(err)
		return w.drop(DropStoreError)
	}
	s.cnt.declined.Add(1)
	s.leaseLog.Info("address declined by its client; held for the probation period",
		"address", addr, "probation", d.ValidLifetime)
	x.lease, x.haveLease, x.changed = d, true, true
	return w.committedNoReply()
}

// processInform answers INFORM with the configuration options and no
// address (Kea's processInform).
func (w *worker) processInform(buf []byte) (Reply, DropReason) {
	x := &w.x
	if r := w.startExchange(); r != dropNone {
		return w.drop(r)
	}
	x.respType = Ack
	w.conditionallySetReservedClasses()
	x.host = w.currentHost()
	w.requiredClassify(x.subnet, nil)
	return w.sendReply(buf)
}

// committedNoReply runs leases4_committed for RELEASE and DECLINE, which
// have no reply, and returns the outcome.
func (w *worker) committedNoReply() (Reply, DropReason) {
	x := &w.x
	if w.s.hooks.Enabled(hooks.Leases4Committed) {
		mayPark := w.s.hooks.MayPark(hooks.Leases4Committed)
		var done func(hooks.NextStep, *hooks.Args)
		if mayPark { // no reply waits, but a library may still park the packet
			done = func(hooks.NextStep, *hooks.Args) {}
		}
		a := w.committedArgs(nil, mayPark)
		st := w.s.hooks.CallParkable(x.ctx, hooks.Leases4Committed, a, done)
		w.s.cnt.hookCalls.Add(1)
		if st == hooks.Park {
			w.s.cnt.parked.Add(1)
		}
	}
	return Reply{Sync: x.changed}, dropNone
}

// committedArgs are the arguments of leases4_committed: the lease written
// (none for a NAK) and the one removed (the old lease of a client that
// moved to another address, or a released one). With keep the packets
// are copies, which a parked packet needs; without, the Args are good for
// the call only.
func (w *worker) committedArgs(resp []byte, keep bool) *hooks.Args {
	x := &w.x
	a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Response: resp,
		Leases4: []lease.Lease4{}, DeletedLeases4: []lease.Lease4{}}
	if keep {
		a.Query, a.Response = cloneBytes(x.query), cloneBytes(resp)
	}
	if x.haveLease && !x.reused && x.typ != Discover {
		a.Leases4 = append(a.Leases4, *hookLease(&x.lease))
	}
	if x.haveOld && (!x.haveLease || x.old.Addr != x.lease.Addr) {
		a.DeletedLeases4 = append(a.DeletedLeases4, *hookLease(&x.old))
	}
	return a
}
