package dhcp6

import (
	"bytes"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

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
func (x *exchange) extendLease(c *ia, cur lease.Lease6) (lease.Lease6, bool, error) {
	sn := x.subnet
	if sn.id != cur.SubnetID {
		if s2 := x.v.byID[cur.SubnetID]; s2 != nil && s2.network != nil && s2.network == sn.network {
			sn = s2
			x.subnet = s2
		}
	}
	global := false
	if g := x.globalHost(); g != nil && g.has(cur.Prefix()) {
		global = true
	}
	if !global && ((cur.Type != lease.TypePD && !sn.inRange(cur.Addr)) || !x.allowed(sn)) {
		x.revoke(c, cur)
		return cur, false, nil
	}
	// The exchange's scratch leases, as in createLease: locals would
	// escape through the store and hook calls.
	l, old := &x.cand, &x.prev
	*l, *old = cur, cur
	l.PreferredLifetime, l.ValidLifetime = x.lifetimes(c, sn)
	l.CLTT = x.unix
	l.Hostname, l.FQDNFwd, l.FQDNRev = x.hostname, x.fqdnFwd, x.fqdnRev
	if x.hw.addr != nil {
		l.HWAddr, l.HWType, l.HWAddrSource = x.hw.addr, x.hw.htype, x.hw.source
	} else {
		l.HWAddr, l.HWType, l.HWAddrSource = nil, 0, 0
	}
	l.State = lease.StateDefault
	if !x.renewHook(c, sn, l) {
		return *old, true, nil
	}
	var infoChanged bool
	l.UserContext, infoChanged = x.extendedInfo(l.UserContext)
	if !infoChanged && !extensionChanges(old, l, x.unix) && x.reuse(sn, *old, l) {
		x.logLease(l, "lease reused")
		return *l, true, nil
	}
	if old.Expired(x.unix) && old.State != lease.StateExpiredReclaimed {
		x.s.reclaimHooks(x.ctx, old, false)
	}
	if err := x.s.store.Update6(x.ctx, l); err != nil {
		return *l, false, err
	}
	x.changed = true
	x.s.counters.renewed.Add(1)
	x.logLease(l, "lease renewed")
	return *l, true, nil
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
	x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Subnet6: sn.hook, Lease6: l, IA: iaBytes}
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
