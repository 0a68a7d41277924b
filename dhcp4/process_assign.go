package dhcp4

import (
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

// processDiscover answers DISCOVER with an OFFER (Kea's processDiscover).
// Nothing is written to the store.
func (w *worker) processDiscover(buf []byte) (Reply, DropReason) {
	x := &w.x
	if _, ok := w.m.Option(OptServerID); ok {
		return w.drop(DropServerIDInDiscover)
	}
	if r := w.startExchange(); r != dropNone {
		return w.drop(r)
	}
	w.leaseMuRLock()
	r := w.assignLease()
	w.leaseMuRUnlock()
	if r != dropNone {
		return w.drop(r)
	}
	if x.respType != Offer || isZero(x.yiaddr) {
		if x.subnet == nil {
			return w.drop(DropNoSubnet)
		}
		return w.drop(DropNoAddress)
	}
	w.finishLeaseReply()
	return w.sendReply(buf)
}

// processRequest answers REQUEST in every client state with an ACK, a NAK
// or silence (Kea's processRequest).
func (w *worker) processRequest(buf []byte) (Reply, DropReason) {
	x := &w.x
	if r := w.startExchange(); r != dropNone {
		return w.drop(r)
	}
	w.leaseMuRLock()
	r := w.assignLease()
	w.leaseMuRUnlock()
	if r != dropNone {
		return w.drop(r)
	}
	if x.respType == Ack {
		w.finishLeaseReply()
	}
	return w.sendReply(buf)
}

// startExchange selects the subnet and sets up the exchange (Kea's
// selectSubnet and Dhcpv4Exchange constructor).
func (w *worker) startExchange() DropReason {
	x := &w.x
	s, r := w.selectSubnet()
	if r != dropNone {
		return r
	}
	x.subnet, x.orig = s, s
	if !w.initExchange() {
		return DropClass
	}
	return dropNone
}

// finishLeaseReply applies what Kea adds to an OFFER or ACK that carries
// a lease: classes of a reservation in a shared network, required
// classes, and the pool of the leased address for options.
func (w *worker) finishLeaseReply() {
	x := &w.x
	if l := w.s.leaseLog; l.Enabled(x.ctx, slog.LevelInfo) {
		// Kea's DHCP4_LEASE_ADVERT and DHCP4_LEASE_ALLOC, at INFO on
		// kea-dhcp4.leases.
		if x.fake {
			l.Info("lease will be advertised", "address", x.lease.Addr, "hwaddr", hwString(x.hw), "xid", x.xidText())
		} else {
			l.Info("lease allocated", "address", x.lease.Addr, "hwaddr", hwString(x.hw), "xid", x.xidText(),
				"lifetime", x.lease.ValidLifetime)
		}
	}
	w.conditionallySetReservedClasses()
	x.pool = x.subnet.poolOf(u32(x.yiaddr))
	w.requiredClassify(x.subnet, x.pool)
}

// assignLease is Dhcpv4Srv::assignLease: INIT-REBOOT checks, client name,
// allocation, and the reply type (OFFER/ACK, NAK, or none). It returns a
// drop reason when the server must stay silent.
func (w *worker) assignLease() DropReason {
	x := &w.x
	x.fake = x.typ == Discover
	if x.fake {
		x.respType = Offer
	} else {
		x.respType = Ack
	}
	if x.subnet == nil {
		x.respType = Nak
		w.s.pktLog.Debug("no subnet for the client; NAK", "from", x.meta.Src, "type", x.typ)
		return dropNone
	}
	_, hasSrvID := w.m.Option(OptServerID)
	reqIP, hasReq := w.m.RequestedIP()
	switch {
	case hasReq:
		x.hint = reqIP
	case !isZero(w.m.CIAddr):
		x.hint = w.m.CIAddr
	}
	orig := x.subnet
	if !x.fake && !hasSrvID && hasReq {
		// INIT-REBOOT: the client believes it holds x.hint.
		l, found := w.initRebootLease(orig)
		known := found && belongs(&l, x.hw, x.cid)
		auth := orig.cfg.Authoritative
		if !auth && !known {
			return DropInitRebootUnknown
		}
		if (known && l.Addr != x.hint) || (!known && auth) {
			w.s.pktLog.Debug("INIT-REBOOT for an address the client does not hold; NAK",
				"requested", x.hint, "known", known)
			x.respType = Nak
			return dropNone
		}
	}
	w.processClientName()
	if w.allocateLease4() {
		x.host = w.currentHost()
		x.yiaddr = x.lease.Addr
		if !x.fake {
			x.ciaddr = w.m.CIAddr
		}
		if x.subnet != orig {
			// The allocation moved to another subnet of the shared
			// network: its name settings and reservation apply.
			w.processClientName()
		}
		return dropNone
	}
	if x.hookSkip && x.fake {
		return DropHook
	}
	if x.unknownRq {
		known := false
		for s := orig; s != nil; s = w.nextSubnetAny(s, orig) {
			if s.poolOf(u32(x.hint)) != nil {
				known = true
				break
			}
		}
		if !known {
			return DropUnknownAddress
		}
	}
	x.respType = Nak
	x.yiaddr = netip.Addr{}
	return dropNone
}

// nextSubnetAny is nextSubnet without the class check, for Kea's "is this
// address ours at all" question.
func (w *worker) nextSubnetAny(cur, first *subnet4) *subnet4 {
	if cur == nil || cur.net == nil {
		return nil
	}
	list := cur.net.subnets
	for i, s := range list {
		if s == cur {
			n := list[(i+1)%len(list)]
			if n == first {
				return nil
			}
			return n
		}
	}
	return nil
}

// initRebootLease finds the client's lease in the selected subnet or its
// shared network, by client identifier and then hardware address.
func (w *worker) initRebootLease(orig *subnet4) (l lease.Lease4, ok bool) {
	x := &w.x
	st := w.s.store
	if len(x.cid) > 0 {
		for s := orig; s != nil; s = w.nextSubnet(s, orig) {
			if l, err := st.Get4ByClientID(x.ctx, x.cid, s.id); err == nil {
				return l, true
			} else {
				w.storeErr(err)
			}
		}
	}
	if len(x.hw) > 0 {
		for s := orig; s != nil; s = w.nextSubnet(s, orig) {
			if l, err := st.Get4ByHWAddr(x.ctx, x.hw, s.id); err == nil {
				return l, true
			} else {
				w.storeErr(err)
			}
		}
	}
	return l, false
}

// teeTimes is Dhcpv4Srv::setTeeTimes: T2 then T1, configured or computed
// with calculate-tee-times, each sent only when below the lifetime (and T1
// below T2).
func teeTimes(s *subnet4, valid uint32) (t1, t2 uint32) {
	c := s.cfg
	if c.RebindTimer != nil {
		t2 = *c.RebindTimer
	} else if c.CalculateTeeTimes {
		t2 = roundU32(c.T2Percent * float64(valid))
	}
	ceiling := valid
	if t2 > 0 && t2 < ceiling {
		ceiling = t2
	} else {
		t2 = 0
	}
	if c.RenewTimer != nil {
		t1 = *c.RenewTimer
	} else if c.CalculateTeeTimes {
		t1 = roundU32(c.T1Percent * float64(valid))
	}
	if t1 == 0 || t1 >= ceiling {
		t1 = 0
	}
	return t1, t2
}

func roundU32(f float64) uint32 {
	if f <= 0 {
		return 0
	}
	if f >= 4294967295 {
		return 4294967295
	}
	return uint32(f + 0.5)
}

func (w *worker) leaseMuRLock()   { w.s.leaseMu.RLock() }
func (w *worker) leaseMuRUnlock() { w.s.leaseMu.RUnlock() }

func (x *exchange) xidText() string { return fmt.Sprintf("0x%x", x.xid) }
