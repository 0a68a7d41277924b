package dhcp4

import (
	"errors"
	"net/netip"
)

// basicOptions are sent whenever configured, asked for or not (Kea's
// appendBasicOptions): routers, DNS servers, domain name. The server
// identifier, the fourth, is always sent.
var basicOptions = [...]uint8{OptRouter, OptDNS, OptDomainName}

// notFromConfig are codes the reply builder writes itself; configured
// option-data never supplies them.
var notFromConfig = func() (b codeBits) {
	for _, c := range []uint8{OptPad, OptEnd, OptMessageType, OptServerID, OptLeaseTime, OptRenewalTime,
		OptRebindingTime, OptOverload, OptParamRequest, OptRequestedIP, OptClientID, OptRelayAgentInfo,
		OptSubnetSelection, OptClientFQDN, OptMaxMessageSize} {
		b.set(c)
	}
	return b
}()

// buildLevels lists the option levels of the reply (Kea's
// buildCfgOptionList): reservation, pool, subnet, shared network, classes,
// global. No subnet, no options.
func (w *worker) buildLevels() {
	x := &w.x
	l := &w.levels
	l.reset()
	if x.subnet == nil {
		return
	}
	if x.host != nil {
		l.add(&x.host.opts)
	}
	if x.pool != nil {
		l.add(&x.pool.opts)
	}
	l.add(&x.subnet.opts)
	if x.subnet.net != nil {
		l.add(&x.subnet.net.opts)
	}
	for _, i := range w.cls.order {
		l.add(&x.v.classes[i].opts)
	}
	l.add(&x.v.global)
}

// serverAddr is the address the query reached: the datagram's destination
// when it was unicast to us, else the receiving interface's address.
func (x *exchange) serverAddr() netip.Addr {
	if d := x.meta.Dst; d.IsValid() && d != bcast && !isZero(d) {
		return d
	}
	return x.meta.IfAddr
}

// replyAddressing is where the reply goes (Kea's adjustIfaceData and
// adjustRemoteAddr, RFC 2131 section 4.1): the relay, ciaddr, a broadcast,
// or yiaddr by link-layer frame.
func (w *worker) replyAddressing(r *Reply) {
	x := &w.x
	m := &w.m
	relayed := w.relayed()
	port := uint16(68)
	switch {
	case w.s.opts.ClientPort != 0:
		port = uint16(w.s.opts.ClientPort)
	case (x.typ == Inform && (!isZero(m.CIAddr) || (!relayed && !isZero(x.meta.Src.Addr())))) ||
		(x.typ != Inform && !relayed):
		port = 68
	default:
		port = 67
		if rai, ok := m.RelayAgentInfo(); ok {
			if _, ok := rai.Sub(relayPortSub); ok {
				port = x.meta.Src.Port() // RFC 8357: answer the relay's port
			}
		}
	}
	var dst netip.Addr
	switch {
	case x.typ == Inform && !isZero(m.CIAddr):
		dst = m.CIAddr
	case x.typ == Inform && relayed:
		dst = m.GIAddr
		x.flags |= BroadcastFlag
	case x.typ == Inform:
		dst = x.meta.Src.Addr()
	case relayed:
		dst = m.GIAddr
	case !isZero(m.CIAddr):
		dst = m.CIAddr
	case x.respType == Nak:
		dst = bcast
	case !isZero(x.yiaddr):
		if m.Broadcast() || m.HType != 1 || m.HLen != 6 {
			dst = bcast
		} else {
			dst = x.yiaddr
			r.Raw = true
			r.HWAddr = x.hw
		}
	default:
		dst = x.meta.Src.Addr()
	}
	r.Dst = netip.AddrPortFrom(dst, port)
	r.Src = x.serverAddr()
	r.IfIndex = x.meta.IfIndex
}

// relayPortSub is RFC 8357's relay-port sub-option of option 82.
const relayPortSub = 19

// buildReply encodes the reply message into buf.
func (w *worker) buildReply(buf []byte, r *Reply) ([]byte, error) {
	x := &w.x
	m := &w.m
	withOptions := x.respType != Nak && x.subnet != nil
	if withOptions {
		w.buildLevels()
	} else {
		w.levels.reset()
	}
	h := Header{
		Op: BootReply, HType: m.HType, HLen: m.HLen, Hops: m.Hops, XID: m.XID,
		Flags: m.Flags | x.flags, CIAddr: x.ciaddr, YIAddr: x.yiaddr, GIAddr: m.GIAddr, CHAddr: m.CHAddr,
	}
	if x.typ == Inform {
		h.CIAddr = m.CIAddr
	}
	if x.respType == Nak {
		h.CIAddr, h.YIAddr = netip.Addr{}, netip.Addr{}
	}
	if withOptions {
		w.fixedFields(&h)
	}
	direct := x.typ == Inform && r.Dst.Addr() != m.GIAddr
	if direct {
		// An INFORM answered straight to the client: not through the relay.
		h.Hops, h.GIAddr = 0, netip.Addr{}
	}
	sid, ok := w.levels.serverID()
	if !ok {
		sid = x.serverAddr()
	}
	if !sid.IsValid() || isZero(sid) {
		return buf, errors.New("no server address known for the receiving interface")
	}
	r.Src = sid

	maxSize := 576
	if n, ok := m.MaxMessageSize(); ok && int(n) > maxSize {
		maxSize = int(n)
	}
	// Optional options can be left out when the reply does not fit; drop
	// them from the end until it does.
	for keep := -1; ; {
		b := NewBuilder(buf[:0], h)
		b.SetMaxSize(maxSize)
		n := w.addOptions(&b, sid, withOptions, direct, keep)
		out, err := b.Finish()
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, ErrTooLarge) || n == 0 {
			return buf, err
		}
		keep = n - 1
	}
}

// addOptions writes the reply's options and returns how many optional
// ones it wrote; keep (≥ 0) limits them.
func (w *worker) addOptions(b *Builder, sid netip.Addr, withOptions, direct bool, keep int) int {
	x := &w.x
	m := &w.m
	var added codeBits
	add := func(code uint8, data []byte) {
		if !added.has(code) {
			added.set(code)
			b.AddOption(code, data)
		}
	}
	b.AddMessageType(x.respType)
	added.set(OptMessageType)
	b.AddIP(OptServerID, sid)
	added.set(OptServerID)
	if x.haveLease && x.respType != Nak {
		valid := x.lease.ValidLifetime
		if x.reused {
			valid = x.reuseLft
		}
		b.AddUint32(OptLeaseTime, valid)
		t1, t2 := teeTimes(x.subnet, valid)
		if t1 > 0 {
			b.AddUint32(OptRenewalTime, t1)
		}
		if t2 > 0 {
			b.AddUint32(OptRebindingTime, t2)
		}
		mask := x.subnet.mask
		add(OptSubnetMask, mask[:])
		added.set(OptLeaseTime)
		added.set(OptRenewalTime)
		added.set(OptRebindingTime)
	}
	if x.respType != Nak && x.name.opt != 0 {
		added.set(x.name.opt)
	}
	optional := 0
	addOpt := func(code uint8) {
		if added.has(code) || notFromConfig.has(code) || (keep >= 0 && optional >= keep) {
			return
		}
		if d, ok := w.levels.lookup(code); ok {
			add(code, d)
			optional++
		}
	}
	if withOptions {
		// Requested options in the client's order (as ISC dhcpd; Kea
		// writes them sorted by code), then the basic ones and
		// always-send ones.
		for _, c := range m.ParamRequestList() {
			addOpt(c)
		}
		for _, c := range basicOptions {
			addOpt(c)
		}
		for _, lv := range w.levels.list {
			for _, c := range lv.always {
				addOpt(c)
			}
		}
		w.addVendorOptions(b, &added)
	}
	if x.v.cfg.EchoClientID {
		if cid, ok := m.ClientID(); ok {
			add(OptClientID, cid)
		}
	}
	if x.respType != Nak {
		w.addNameOption(b)
	}
	if ss, ok := m.Option(OptSubnetSelection); ok {
		add(OptSubnetSelection, ss) // RFC 3011: echoed whether asked or not
	}
	if rai, ok := m.RelayAgentInfo(); ok && !direct && len(rai.Bytes()) > 0 {
		b.AddRelayAgentInfo(rai) // RFC 3046: echoed, last
	}
	return optional
}

// addNameOption writes option 81 or 12 as decided.
func (w *worker) addNameOption(b *Builder) {
	x := &w.x
	switch x.name.opt {
	case OptClientFQDN:
		// Kea copies the client's RCODE values (RFC 4702 says a server
		// should send 255; clients ignore them).
		b.AddClientFQDN(x.name.flags, x.name.rcode, w.nameForReply())
	case OptHostname:
		if n := w.nameForReply(); n != "" {
			b.AddString(OptHostname, n)
		}
	}
}

// addVendorOptions writes option 125 for the enterprise the client named
// in its own option 125: the sub-options it requested (DOCSIS ORO for
// CableLabs, enterprise 4491) and those marked always-send (Kea's
// appendRequestedVendorOptions).
func (w *worker) addVendorOptions(b *Builder, added *codeBits) {
	vb, ok := w.m.VIVendorSpecific()
	if !ok || !vb.Next() {
		return
	}
	ent := vb.Enterprise()
	var req [255]bool
	var order []uint8
	want := func(c uint8) {
		if c != 0 && !req[c] {
			req[c] = true
			order = append(order, c)
		}
	}
	if ent == 4491 {
		sub := VendorSuboptions(OptVIVendorSpecific, vb.Data())
		for sub.Next() {
			if sub.Code() == 1 {
				for _, c := range sub.Data() {
					want(c)
				}
			}
		}
	}
	for _, lv := range w.levels.list {
		for i := range lv.vendor {
			if v := &lv.vendor[i]; v.enterprise == ent && v.always {
				want(v.code)
			}
		}
	}
	started := false
	for _, c := range order {
		d, ok := w.levels.vendorLookup(ent, c)
		if !ok {
			continue
		}
		if !started {
			b.StartOption(OptVIVendorSpecific)
			b.StartVendor(ent)
			started = true
		}
		b.AddSubOption(c, d)
	}
	if started {
		b.EndVendor()
		b.EndOption()
		added.set(OptVIVendorSpecific)
	}
}

// fixedFields sets siaddr, sname and file: subnet, then the first class
// that sets each, then the reservation (Kea's setFixedFields).
func (w *worker) fixedFields(h *Header) {
	x := &w.x
	s := x.subnet.cfg
	next, sname, file := s.NextServer, s.ServerHostname, s.BootFileName
	var gotNext, gotSname, gotFile bool
	for _, i := range w.cls.order {
		cc := x.v.classes[i].cfg
		if cc == nil {
			continue
		}
		if !gotNext && cc.NextServer.IsValid() && !isZero(cc.NextServer) {
			next, gotNext = cc.NextServer, true
		}
		if !gotSname && cc.ServerHostname != "" {
			sname, gotSname = cc.ServerHostname, true
		}
		if !gotFile && cc.BootFileName != "" {
			file, gotFile = cc.BootFileName, true
		}
	}
	if hst := x.host; hst != nil {
		if hst.nextServer.IsValid() && !isZero(hst.nextServer) {
			next = hst.nextServer
		}
		if hst.sname != "" {
			sname = hst.sname
		}
		if hst.file != "" {
			file = hst.file
		}
	}
	if next.IsValid() && !isZero(next) {
		h.SIAddr = next
	}
	copy(h.SName[:len(h.SName)-1], sname)
	copy(h.File[:len(h.File)-1], file)
}

func hwString(hw []byte) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 0, 3*len(hw))
	for i, c := range hw {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexd[c>>4], hexd[c&15])
	}
	return string(b)
}
