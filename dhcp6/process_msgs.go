package dhcp6

import (
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

// dispatch runs the processing of the message type. ok false: no reply,
// for the reason given.
func (x *exchange) dispatch() (DropReason, bool) {
	switch x.msg.Type {
	case Solicit:
		return x.processSolicit()
	case Request:
		return x.processAssign(Reply, false)
	case Renew, Rebind:
		return x.processExtend()
	case Confirm:
		return x.processConfirm()
	case Release:
		return x.processRelease()
	case Decline:
		return x.processDecline()
	case InformationRequest:
		x.reply = Reply
		x.appendOptions()
		return 0, true
	}
	return DropNotForServer, false
}

// processSolicit answers with ADVERTISE, or with REPLY and committed
// leases when the client asked for rapid commit and the subnet allows it.
func (x *exchange) processSolicit() (DropReason, bool) {
	reply := Advertise
	if x.subnet != nil && x.subnet.cfg.RapidCommit && x.msg.Options.Has(OptRapidCommit) {
		reply, x.rapid = Reply, true
	}
	return x.processAssign(reply, reply == Advertise)
}

// processAssign is SOLICIT and REQUEST: an answer for every IA.
func (x *exchange) processAssign(reply MessageType, fake bool) (DropReason, bool) {
	x.reply, x.fake = reply, fake
	if !x.processClientFqdn() {
		return DropRFCViolation, false
	}
	x.eachIA(x.assignIA)
	if x.storeErr != nil {
		return DropStore, false
	}
	x.conditionallySetReservedClasses()
	x.requiredClassify()
	x.appendOptions()
	x.updateReservedFqdn()
	if x.msg.Type == Request {
		x.generateFqdn()
	}
	return 0, true
}

// processExtend is RENEW and REBIND.
func (x *exchange) processExtend() (DropReason, bool) {
	x.reply = Reply
	if !x.processClientFqdn() {
		return DropRFCViolation, false
	}
	discard := false
	x.eachIA(func(code OptionCode, iaid uint32, opts Options) {
		if !discard && !x.extendIA(code, iaid, opts) {
			discard = true
		}
	})
	if discard {
		return DropDiscard, false
	}
	if x.storeErr != nil {
		return DropStore, false
	}
	x.conditionallySetReservedClasses()
	x.requiredClassify()
	x.appendOptions()
	x.updateReservedFqdn()
	x.generateFqdn()
	return 0, true
}

// eachIA calls fn for the IA_NA options, then IA_TA, then IA_PD, each
// in message order: the order Kea handles them (its option map is sorted
// by code).
func (x *exchange) eachIA(fn func(code OptionCode, iaid uint32, opts Options)) {
	for _, want := range [...]OptionCode{OptIANA, OptIATA, OptIAPD} {
		for code, data := range x.msg.Options.All() {
			if code != want {
				continue
			}
			switch code {
			case OptIANA:
				v, _ := ParseIANA(data)
				fn(code, v.IAID, v.Options)
			case OptIATA:
				v, _ := ParseIATA(data)
				fn(code, v.IAID, v.Options)
			case OptIAPD:
				v, _ := ParseIAPD(data)
				fn(code, v.IAID, v.Options)
			}
		}
	}
}

func leaseType(code OptionCode) lease.Type {
	switch code {
	case OptIATA:
		return lease.TypeTA
	case OptIAPD:
		return lease.TypePD
	}
	return lease.TypeNA
}

// noLease is the status an IA gets when nothing could be assigned.
func noLease(t lease.Type) StatusCode {
	if t == lease.TypePD {
		return NoPrefixAvail
	}
	return NoAddrsAvail
}

// assignIA answers one IA of a SOLICIT or REQUEST (Kea's assignIA_NA and
// assignIA_PD; IA_TA like IA_NA without T1/T2).
func (x *exchange) assignIA(code OptionCode, iaid uint32, opts Options) {
	c := x.newIA(code, iaid)
	defer x.doneIA(&c)
	o := x.openIA(code, iaid)
	if x.subnet == nil {
		msg := "no subnet is configured for this client"
		x.addStatus(o, noLease(c.typ), msg)
		return
	}
	x.collectHints(&c, opts, false)
	leases, err := x.allocateLeases(&c)
	if err != nil {
		x.storeErr = err
		return
	}
	if len(leases) == 0 {
		if c.typ == lease.TypePD {
			x.addStatus(o, NoPrefixAvail, "no prefix could be delegated")
		} else {
			x.addStatus(o, NoAddrsAvail, "no address could be assigned")
		}
		return
	}
	if c.typ != lease.TypePD {
		// Kea hands out one address per IA.
		leases = leases[:1]
	}
	minPref := leases[0].PreferredLifetime
	for i := range leases {
		l := &leases[i]
		if l.PreferredLifetime > 0 && l.PreferredLifetime < minPref {
			minPref = l.PreferredLifetime
		}
		x.addLease(o, l)
	}
	x.setTeeTimes(o, minPref)
}

// extendIA answers one IA of a RENEW or REBIND (Kea's extendIA_NA and
// extendIA_PD). false: the message must be discarded (a REBIND of
// prefixes with no subnet for the client, as Kea).
func (x *exchange) extendIA(code OptionCode, iaid uint32, opts Options) bool {
	if code == OptIATA {
		// Temporary addresses are not renewed (RFC 8415 section 6.5).
		return true
	}
	c := x.newIA(code, iaid)
	defer x.doneIA(&c)
	if x.subnet == nil {
		if code == OptIAPD && x.msg.Type == Rebind {
			return false
		}
		o := x.openIA(code, iaid)
		x.addStatus(o, NoBinding, "no lease is known for this client and IA")
		return true
	}
	x.openIA(code, iaid)
	c.out = &x.ias[len(x.ias)-1]
	x.collectHints(&c, opts, true)
	// The exchange's hint scratch is free to use: the next IA collects
	// its hints once this one is done.
	hints := c.hints
	leases, err := x.renewLeases(&c)
	if err != nil {
		x.storeErr = err
		return true
	}
	o := &x.ias[len(x.ias)-1]
	o.first = len(x.subs)
	minPref := ^uint32(0)
	for i := range leases {
		l := &leases[i]
		x.addLease(o, l)
		if l.PreferredLifetime > 0 && l.PreferredLifetime < minPref {
			minPref = l.PreferredLifetime
		}
		hints = dropHint(hints, l.Prefix())
	}
	for _, old := range c.old {
		if string(old.DUID) == string(x.clientID) {
			x.addSub(o, subOut{kind: subKindFor(c.typ), pfx: old.Prefix()})
		}
		hints = dropHint(hints, old.Prefix())
	}
	for _, h := range hints {
		if !h.prefixLength {
			x.addSub(o, subOut{kind: subKindFor(c.typ), pfx: h.pfx})
		}
	}
	if len(leases) > 0 {
		x.setTeeTimes(o, minPref)
	} else {
		x.addStatus(o, noLease(c.typ), "no lease could be renewed or assigned")
	}
	return true
}

func dropHint(hs []hint, p netip.Prefix) []hint {
	k := 0
	for _, h := range hs {
		if h.pfx != p {
			hs[k] = h
			k++
		}
	}
	return hs[:k]
}

func subKindFor(t lease.Type) subKind {
	if t == lease.TypePD {
		return subPrefix
	}
	return subAddr
}

// processConfirm answers whether the client's addresses are on the link
// (RFC 8415 section 18.3.3). A CONFIRM without addresses is discarded.
// Kea checks only the selected subnet; the other subnets of its shared
// network are on the same link, so their addresses count as on-link too.
func (x *exchange) processConfirm() (DropReason, bool) {
	x.conditionallySetReservedClasses()
	x.requiredClassify()
	x.reply = Reply
	verified := false
	for code, data := range x.msg.Options.All() {
		var sub Options
		switch code {
		case OptIANA:
			v, _ := ParseIANA(data)
			sub = v.Options
		case OptIATA:
			v, _ := ParseIATA(data)
			sub = v.Options
		default:
			continue
		}
		for c, d := range sub.All() {
			if c != OptIAAddr {
				continue
			}
			a, _ := ParseIAAddr(d)
			if x.subnet != nil && !x.onLink(a.Addr) {
				x.appendOptions()
				x.setTopStatus(NotOnLink, "address "+a.Addr.String()+" is not on link")
				return 0, true
			}
			verified = true
		}
	}
	if !verified {
		return DropDiscard, false
	}
	x.appendOptions()
	if x.subnet != nil {
		x.setTopStatus(Success, "all addresses are on link")
	} else {
		x.setTopStatus(NotOnLink, "no subnet is configured for this link")
	}
	return 0, true
}

func (x *exchange) onLink(a netip.Addr) bool {
	on := false
	x.subnet.each(func(sn *subnet) bool {
		on = sn.inRange(a)
		return !on
	})
	return on
}

// conditionallySetReservedClasses adds a subnet reservation's classes for
// a client in a shared network, once allocation settled the subnet.
func (x *exchange) conditionallySetReservedClasses() {
	if x.subnet == nil || x.subnet.network == nil {
		return
	}
	h := x.currentHost()
	if h != nil && h.subnetID != 0 {
		x.setReservedClasses()
	}
}

// appendOptions adds the configured options the client asked for and the
// vendor options (Kea's buildCfgOptionList, appendRequestedOptions and
// appendRequestedVendorOptions).
func (x *exchange) appendOptions() {
	x.buildOptionList()
	x.appendRequestedOptions()
	x.appendRequestedVendorOptions()
}
