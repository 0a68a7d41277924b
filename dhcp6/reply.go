package dhcp6

import (
	"math"
	"net/netip"
	"slices"

	"github.com/leasehold/leasehold/lease"
)

// iaOut is one IA option of the reply.
type iaOut struct {
	code         OptionCode
	iaid, t1, t2 uint32
	first, n     int // its sub-options: x.subs[first:first+n]
	// raw, when set, is an IA a lease6_renew/lease6_rebind callout
	// returned; it is written as it is.
	raw []byte
}

type subKind uint8

const (
	subAddr subKind = iota
	subPrefix
	subStatus
)

// subOut is an IAADDR, IAPREFIX or STATUS_CODE inside an IA.
type subOut struct {
	kind        subKind
	pfx         netip.Prefix
	pref, valid uint32
	exclude     netip.Prefix // PD_EXCLUDE of an IAPREFIX
	status      StatusCode
	msg         string
}

type statusOut struct {
	code StatusCode
	msg  string
}

// openIA starts the reply's IA for a client IA.
func (x *exchange) openIA(code OptionCode, iaid uint32) *iaOut {
	x.ias = append(x.ias, iaOut{code: code, iaid: iaid, first: len(x.subs)})
	return &x.ias[len(x.ias)-1]
}

// addSub adds a sub-option to the IA opened last.
func (x *exchange) addSub(o *iaOut, s subOut) {
	x.subs = append(x.subs, s)
	o.n++
}

func (x *exchange) addStatus(o *iaOut, code StatusCode, msg string) {
	x.addSub(o, subOut{kind: subStatus, status: code, msg: msg})
}

// setStatus replaces the IA's status codes with one (Kea's setStatusCode).
func (x *exchange) setStatus(o *iaOut, code StatusCode, msg string) {
	subs := x.subs[o.first : o.first+o.n]
	k := 0
	for _, s := range subs {
		if s.kind != subStatus {
			subs[k] = s
			k++
		}
	}
	x.subs = x.subs[:o.first+k]
	o.n = k
	x.addStatus(o, code, msg)
}

func (x *exchange) setTopStatus(code StatusCode, msg string) {
	x.top = statusOut{code: code, msg: msg}
	x.status = &x.top
}

// addLease puts a lease in its IA, with the PD_EXCLUDE of its pool when
// the client asked for that option.
func (x *exchange) addLease(o *iaOut, l *lease.Lease6) {
	s := subOut{kind: subAddr, pfx: l.Prefix(), pref: l.PreferredLifetime, valid: l.ValidLifetime}
	if l.Type == lease.TypePD {
		s.kind = subPrefix
		if x.requested(OptPDExclude) {
			s.exclude = x.excludedFor(l)
		}
	}
	x.addSub(o, s)
}

// requested reports whether the client's ORO lists code.
func (x *exchange) requested(code OptionCode) bool {
	data, ok := x.msg.Options.Get(OptORO)
	return ok && ORO(data).Contains(code)
}

// excludedFor returns the prefix a delegated prefix must not use: the
// pool's excluded-prefix bits below the delegated length, put under the
// delegated prefix (RFC 6603; Kea keeps one PD_EXCLUDE per pool).
func (x *exchange) excludedFor(l *lease.Lease6) netip.Prefix {
	sn := x.v.byID[l.SubnetID]
	if sn == nil {
		return netip.Prefix{}
	}
	p := sn.pdPoolOf(l.Prefix())
	if p == nil || !p.cfg.ExcludedPrefix.IsValid() {
		return netip.Prefix{}
	}
	ex := p.cfg.ExcludedPrefix
	dlen, elen := int(l.PrefixLen), ex.Bits()
	if elen <= dlen {
		return netip.Prefix{}
	}
	a, e := l.Addr.As16(), ex.Addr().As16()
	for bit := dlen; bit < elen; bit++ {
		m := byte(0x80) >> (bit % 8)
		a[bit/8] = a[bit/8]&^m | e[bit/8]&m
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), elen).Masked()
}

// setTeeTimes sets T1 and T2 of an IA from the shortest preferred
// lifetime (Kea's setTeeTimes): configured timers win; otherwise, with
// calculate-tee-times, the percentages of the preferred lifetime; a T1 not
// below T2 is sent as 0, leaving it to the client.
func (x *exchange) setTeeTimes(o *iaOut, pref uint32) {
	if o.code == OptIATA {
		return
	}
	p := &x.subnet.cfg.Params6
	var t1, t2 uint32
	switch {
	case p.RebindTimer != nil:
		t2 = *p.RebindTimer
	case p.CalculateTeeTimes:
		t2 = uint32(math.Round(p.T2Percent * float64(pref)))
	}
	switch {
	case p.RenewTimer != nil:
		t1 = *p.RenewTimer
	case p.CalculateTeeTimes:
		t1 = uint32(math.Round(p.T1Percent * float64(pref)))
	}
	if t1 >= t2 {
		t1 = 0
	}
	o.t1, o.t2 = t1, t2
}

// encodeIAFor encodes the IA of one lease as the reply will carry it, for
// lease6_renew and lease6_rebind.
func (x *exchange) encodeIAFor(c *ia, sn *subnet, l *lease.Lease6) []byte {
	saved := x.subnet
	x.subnet = sn
	o := iaOut{code: c.code, iaid: c.iaid}
	x.setTeeTimes(&o, l.PreferredLifetime)
	x.subnet = saved
	var b Builder
	if c.code == OptIAPD {
		b.AddIAPD(o.iaid, o.t1, o.t2)
		b.AddIAPrefix(l.Prefix(), l.PreferredLifetime, l.ValidLifetime)
	} else {
		b.AddIANA(o.iaid, o.t1, o.t2)
		b.AddIAAddr(l.Addr, l.PreferredLifetime, l.ValidLifetime)
	}
	b.EndOption()
	out, _ := b.Finish()
	return out
}

// item is one top-level option of the reply, for writing in code order.
type item struct {
	code uint16
	kind uint8
	idx  int
}

const (
	itemClientID uint8 = iota
	itemServerID
	itemIA
	itemStatus
	itemRapid
	itemFQDN
	itemConfig
)

// build encodes the reply into buf: relay encapsulation mirroring the
// query's relays (with their interface-id and relay-source-port), then the
// message with its options in code order, as Kea packs them.
func (x *exchange) build(buf []byte, items []item) ([]byte, []item, error) {
	items = items[:0]
	if x.clientID != nil {
		items = append(items, item{code: uint16(OptClientID), kind: itemClientID})
	}
	items = append(items, item{code: uint16(OptServerID), kind: itemServerID})
	for i := range x.ias {
		items = append(items, item{code: uint16(x.ias[i].code), kind: itemIA, idx: i})
	}
	if x.status != nil {
		items = append(items, item{code: uint16(OptStatusCode), kind: itemStatus})
	}
	if x.rapid {
		items = append(items, item{code: uint16(OptRapidCommit), kind: itemRapid})
	}
	if x.fqdnOut {
		items = append(items, item{code: uint16(OptClientFQDN), kind: itemFQDN})
	}
	for i := range x.out {
		items = append(items, item{code: x.out[i].code, kind: itemConfig, idx: i})
	}
	slices.SortStableFunc(items, func(a, b item) int { return int(a.code) - int(b.code) })

	b := NewRelayBuilder(buf, x.replyHops(), x.reply, x.msg.TransactionID)
	for _, it := range items {
		switch it.kind {
		case itemClientID:
			b.AddOption(OptClientID, x.clientID)
		case itemServerID:
			b.AddOption(OptServerID, x.v.serverID)
		case itemIA:
			x.writeIA(&b, &x.ias[it.idx])
		case itemStatus:
			b.AddStatusCode(x.status.code, x.status.msg)
		case itemRapid:
			b.AddRapidCommit()
		case itemFQDN:
			b.AddClientFQDN(x.fqdnFlags, x.hostname)
		case itemConfig:
			x.writeOut(&b, it.idx)
		}
	}
	out, err := b.Finish()
	return out, items, err
}

// writeIA writes one IA: addresses before the status (IAADDR is 5,
// STATUS_CODE 13) and the status before prefixes (IAPREFIX is 26), the
// order of Kea's sorted sub-options.
func (x *exchange) writeIA(b *Builder, o *iaOut) {
	if o.raw != nil {
		b.WriteBytes(o.raw)
		return
	}
	switch o.code {
	case OptIANA:
		b.AddIANA(o.iaid, o.t1, o.t2)
	case OptIATA:
		b.AddIATA(o.iaid)
	case OptIAPD:
		b.AddIAPD(o.iaid, o.t1, o.t2)
	}
	subs := x.subs[o.first : o.first+o.n]
	for _, s := range subs {
		if s.kind == subAddr {
			b.AddIAAddr(s.pfx.Addr(), s.pref, s.valid)
		}
	}
	for _, s := range subs {
		if s.kind == subStatus {
			b.AddStatusCode(s.status, s.msg)
		}
	}
	for _, s := range subs {
		if s.kind != subPrefix {
			continue
		}
		if !s.exclude.IsValid() {
			b.AddIAPrefix(s.pfx, s.pref, s.valid)
			continue
		}
		b.StartIAPrefix(s.pfx, s.pref, s.valid)
		b.AddPDExclude(s.pfx, s.exclude)
		b.EndOption()
	}
	b.EndOption()
}

// optRelaySourcePort is RFC 8357's relay source port option.
const optRelaySourcePort OptionCode = 135

// replyHops returns the RELAY-REPL headers mirroring the query's relays,
// outermost first, each with the relay's interface-id and relay source
// port options echoed (Kea's copyRelayInfo).
func (x *exchange) replyHops() []RelayHop {
	n := x.pkt.NumRelays
	if n == 0 {
		return nil
	}
	x.relayOpts = x.relayOpts[:0]
	var ends [MaxRelays + 1]int
	for i := range n {
		h := &x.pkt.Relays[i]
		for code, data := range h.Options.All() {
			if code == OptInterfaceID || code == optRelaySourcePort {
				x.relayOpts = append(x.relayOpts, byte(code>>8), byte(code), byte(len(data)>>8), byte(len(data)))
				x.relayOpts = append(x.relayOpts, data...)
			}
		}
		ends[i+1] = len(x.relayOpts)
	}
	for i := range n {
		q := &x.pkt.Relays[i]
		x.hops[i] = RelayHop{Type: RelayRepl, HopCount: q.HopCount, LinkAddr: q.LinkAddr, PeerAddr: q.PeerAddr,
			Options: Options(x.relayOpts[ends[i]:ends[i+1]])}
	}
	return x.hops[:n]
}

// destination is where the reply goes: back to the sender, on the client
// port for a direct client (or -P's), to a relay on port 547, or on the
// relay's own port when the relay next to the server sent a relay source
// port option (RFC 8357).
func (x *exchange) destination() netip.AddrPort {
	src := x.meta.Src
	port := uint16(ClientPort)
	switch {
	case x.s.opts.ClientPort != 0:
		port = uint16(x.s.opts.ClientPort)
	case x.pkt.NumRelays > 0:
		port = ServerPort
		if x.pkt.Relays[0].Options.Has(optRelaySourcePort) {
			port = src.Port()
		}
	}
	return netip.AddrPortFrom(src.Addr(), port)
}

// processRSOO adds the options relays supplied for the client (RFC 6422)
// that relay-supplied-options allows and the reply does not have yet,
// relays nearest the client first (Kea's processRSOO).
func (x *exchange) processRSOO() {
	if x.pkt.NumRelays == 0 || len(x.v.rsoo) == 0 {
		return
	}
	added := false
	for i := x.pkt.NumRelays - 1; i >= 0; i-- {
		data, ok := x.pkt.Relays[i].Options.Get(OptRSOO)
		if !ok {
			continue
		}
		for code, d := range Options(data).All() {
			if !slices.Contains(x.v.rsoo, uint16(code)) || x.serverOwned(uint16(code)) || x.hasOut(uint16(code)) {
				continue
			}
			x.out = append(x.out, outOption{code: uint16(code), data: d})
			added = true
		}
	}
	if added {
		slices.SortStableFunc(x.out, func(a, b outOption) int { return int(a.code) - int(b.code) })
		x.vendorIdx = -1
		for i, o := range x.out {
			if o.code == uint16(OptVendorOpts) && (len(x.vendorSubs) > 0) {
				x.vendorIdx = i
			}
		}
	}
}
