package dhcp6

import (
	"errors"
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// processRelease releases the leases of every IA (Kea's releaseLeases;
// IA_TA as IA_NA). The reply carries a status per IA and a summary.
func (x *exchange) processRelease() (DropReason, bool) {
	x.conditionallySetReservedClasses()
	x.requiredClassify()
	x.reply = Reply
	general := Success
	x.eachIA(func(code OptionCode, iaid uint32, opts Options) {
		x.releaseIA(code, iaid, opts, &general)
	})
	x.setTopStatus(general, "summary of the IAs released")
	return 0, true
}

func (x *exchange) releaseIA(code OptionCode, iaid uint32, opts Options, general *StatusCode) {
	t := leaseType(code)
	o := x.openIA(code, iaid)
	fail := func(st StatusCode, msg string) {
		x.addStatus(o, st, msg)
		*general = st
	}
	var p netip.Prefix
	found := false
	for c, d := range opts.All() {
		if c == OptIAAddr && t != lease.TypePD {
			a, _ := ParseIAAddr(d)
			p, found = netip.PrefixFrom(a.Addr, 128), true
		} else if c == OptIAPrefix && t == lease.TypePD {
			pr, _ := ParseIAPrefix(d)
			p, found = pr.Prefix, true
		}
		if found {
			break
		}
	}
	if !found {
		fail(NoBinding, "the IA holds no address or prefix to release")
		return
	}
	l, err := x.s.store.Get6(x.ctx, t, p.Addr())
	switch {
	case errors.Is(err, lease.ErrNotFound):
		fail(NoBinding, "no lease is known for this address")
		return
	case err != nil:
		x.storeErr = err
		return
	case string(l.DUID) != string(x.clientID):
		fail(NoBinding, "the lease belongs to another client")
		return
	case l.IAID != iaid:
		fail(NoBinding, "the lease belongs to another IA of this client")
		return
	}
	if x.s.hooks.Enabled(hooks.Lease6Release) {
		x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Lease6: &l}
		if st := x.s.hooks.Call(x.ctx, hooks.Lease6Release, &x.args); st == hooks.Skip || st == hooks.Drop {
			fail(UnspecFail, "the lease was not released")
			return
		}
	}
	if err := x.s.store.Delete6(x.ctx, t, l.Addr); err != nil {
		if !errors.Is(err, lease.ErrNotFound) {
			x.storeErr = err
			return
		}
		fail(UnspecFail, "the lease was not released")
		return
	}
	x.changed = true
	x.oldLeases = append(x.oldLeases, l)
	x.s.counters.released.Add(1)
	x.logLease(&l, "lease released")
	x.addStatus(o, Success, "lease released")
}

// processDecline marks the declined addresses unusable for the
// decline-probation-period (Kea's declineLeases; IA_TA as IA_NA). A
// lease6_decline callout that drops the packet drops the whole reply.
func (x *exchange) processDecline() (DropReason, bool) {
	x.conditionallySetReservedClasses()
	x.requiredClassify()
	x.reply = Reply
	drop := false
	x.eachIA(func(code OptionCode, iaid uint32, opts Options) {
		if drop || code == OptIAPD {
			return
		}
		if !x.declineIA(code, iaid, opts) {
			drop = true
		}
	})
	if drop {
		return DropHook, false
	}
	return 0, true
}

func (x *exchange) declineIA(code OptionCode, iaid uint32, opts Options) bool {
	t := leaseType(code)
	o := x.openIA(code, iaid)
	total := 0
	for c, d := range opts.All() {
		if c != OptIAAddr {
			continue
		}
		a, _ := ParseIAAddr(d)
		total++
		l, err := x.s.store.Get6(x.ctx, t, a.Addr)
		switch {
		case errors.Is(err, lease.ErrNotFound):
			x.setStatus(o, NoBinding, "no lease is known for this address")
			continue
		case err != nil:
			x.storeErr = err
			return true
		case string(l.DUID) != string(x.clientID):
			x.addStatus(o, NoBinding, "the lease belongs to another client")
			continue
		case l.IAID != iaid:
			x.setStatus(o, NoBinding, "the lease belongs to another IA of this client")
			continue
		}
		if x.s.hooks.Enabled(hooks.Lease6Decline) {
			x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Lease6: &l}
			switch x.s.hooks.Call(x.ctx, hooks.Lease6Decline, &x.args) {
			case hooks.Skip:
				continue
			case hooks.Drop:
				return false
			}
		}
		if !x.decline(&l) {
			return true
		}
		x.addStatus(o, Success, "address declined")
	}
	if total == 0 {
		x.setStatus(o, NoBinding, "the IA holds no address to decline")
	}
	return true
}

// decline takes the lease from the client and holds the address for the
// probation period (Kea's Lease6::decline).
func (x *exchange) decline(l *lease.Lease6) bool {
	l.HWAddr, l.HWType, l.HWAddrSource = nil, 0, 0
	l.DUID = declinedDUID
	l.PreferredLifetime = 0
	l.ValidLifetime = x.v.probation
	l.CLTT = x.unix
	l.Hostname, l.FQDNFwd, l.FQDNRev = "", false, false
	l.State = lease.StateDeclined
	var err error
	if l.ValidLifetime == 0 {
		// No probation: the address is free at once.
		err = x.s.store.Delete6(x.ctx, l.Type, l.Addr)
	} else {
		err = x.s.store.Update6(x.ctx, l)
	}
	if err != nil {
		x.storeErr = err
		return false
	}
	x.changed = true
	x.newLeases = append(x.newLeases, *l)
	x.s.counters.declined.Add(1)
	x.logLease(l, "address declined")
	return true
}

// declinedDUID is the one-byte DUID Kea gives a declined lease.
var declinedDUID = []byte{0}
