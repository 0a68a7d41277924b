package dhcp4

import (
	"bytes"
	"net/netip"

	"github.com/leasehold/leasehold/internal/expr"
)

const vendorClassPrefix = "VENDOR_CLASS_"

// classSet is the classes one packet is in: a bit per class of the view
// for membership, and the order classes were assigned in, which is the
// order their options apply (after reservation, pool, subnet and shared
// network options).
type classSet struct {
	v      *view
	bits   []uint64
	order  []int32
	vendor []byte // option 60 without trailing NULs: VENDOR_CLASS_<vendor>
}

func (c *classSet) reset(v *view) {
	c.v = v
	n := (len(v.classes) + 63) / 64
	if cap(c.bits) < n {
		c.bits = make([]uint64, n)
	}
	c.bits = c.bits[:n]
	clear(c.bits)
	c.order = c.order[:0]
	c.vendor = nil
}

func (c *classSet) has(i int) bool {
	return i >= 0 && i < len(c.v.classes) && c.bits[i>>6]&(1<<(i&63)) != 0
}

func (c *classSet) add(i int) {
	if i < 0 || i >= len(c.v.classes) || c.has(i) {
		return
	}
	c.bits[i>>6] |= 1 << (i & 63)
	c.order = append(c.order, int32(i))
}

func (c *classSet) remove(i int) {
	if !c.has(i) {
		return
	}
	c.bits[i>>6] &^= 1 << (i & 63)
	k := 0
	for _, j := range c.order {
		if int(j) != i {
			c.order[k] = j
			k++
		}
	}
	c.order = c.order[:k]
}

// member reports whether the packet is in the class named name. The
// vendor class is matched by its name even when no class of that name is
// configured.
func (c *classSet) member(name string) bool {
	if i, ok := c.v.classIdx[name]; ok && c.has(i) {
		return true
	}
	if c.vendor != nil && len(name) > len(vendorClassPrefix) && name[:len(vendorClassPrefix)] == vendorClassPrefix {
		return name[len(vendorClassPrefix):] == string(c.vendor)
	}
	return false
}

// supports reports whether a network, subnet or pool restricted to class
// i (-1: none) accepts the packet.
func (c *classSet) supports(i int) bool { return i < 0 || c.has(i) }

// names lists the packet's classes, for logs.
func (c *classSet) names() []string {
	out := make([]string, 0, len(c.order)+1)
	for _, i := range c.order {
		out = append(out, c.v.classes[i].name)
	}
	if c.vendor != nil {
		if _, ok := c.v.vendorIdx[string(c.vendor)]; !ok {
			out = append(out, vendorClassPrefix+string(c.vendor))
		}
	}
	return out
}

// classifyEarly is Kea's first pass (Dhcpv4Exchange::classifyPacket): ALL,
// the vendor class, then every class whose test does not depend on KNOWN
// or UNKNOWN, in configuration order.
func (w *worker) classifyEarly() {
	c := &w.cls
	c.add(c.v.idxALL)
	if vc, ok := w.m.VendorClass(); ok {
		vc = bytes.TrimRight(vc, "\x00")
		c.vendor = vc
		if i, ok := c.v.vendorIdx[string(vc)]; ok {
			c.add(i)
		}
	}
	w.evalClasses(false)
}

// evalClasses evaluates the tests of one pass. A test that fails to
// evaluate leaves the packet out of the class, as in Kea.
func (w *worker) evalClasses(dependsOnKnown bool) {
	for i, cl := range w.cls.v.classes {
		if cl.test == nil || cl.onlyIfRequired || cl.dependsOnKnown != dependsOnKnown || w.cls.has(i) {
			continue
		}
		if ok, err := cl.test.EvalScratch(&w.scratch, &w.pkt); err == nil && ok {
			w.cls.add(i)
		}
	}
}

// removeEvaluated drops the classes a test put the packet in, so that
// reserved classes can be applied and the tests run again (Kea's
// removeDependentEvaluatedClasses).
func (w *worker) removeEvaluated() {
	for i, cl := range w.cls.v.classes {
		if cl.test != nil {
			w.cls.remove(i)
		}
	}
}

// requiredClassify evaluates the classes the shared network, subnet and
// pool require (Kea's requiredClassify), in that order.
func (w *worker) requiredClassify(s *subnet4, p *pool4) {
	if s == nil {
		return
	}
	eval := func(list []int) {
		for _, i := range list {
			if w.cls.has(i) {
				continue
			}
			cl := w.cls.v.classes[i]
			if cl.test == nil {
				continue
			}
			if ok, err := cl.test.EvalScratch(&w.scratch, &w.pkt); err == nil && ok {
				w.cls.add(i)
			}
		}
	}
	eval(s.require) // the network's list comes first in it
	if p != nil {
		eval(p.require)
	}
}

// exprPacket is the expr.Packet view of the packet being processed.
type exprPacket struct {
	m    *Message
	meta *PacketMeta
	cls  *classSet
}

var _ expr.Packet = (*exprPacket)(nil)

func (p *exprPacket) Option(code uint16) ([]byte, bool) {
	if code > 255 {
		return nil, false
	}
	return p.m.Option(uint8(code))
}

func (p *exprPacket) AgentOption(code uint8) ([]byte, bool) {
	r, ok := p.m.RelayAgentInfo()
	if !ok {
		return nil, false
	}
	return r.Sub(code)
}

func (p *exprPacket) RelayCount() int                        { return 0 }
func (p *exprPacket) RelayOption(int, uint16) ([]byte, bool) { return nil, false }
func (p *exprPacket) RelayAddrs(int) (link, peer netip.Addr) { return netip.Addr{}, netip.Addr{} }
func (p *exprPacket) Chaddr() []byte                         { return p.m.CHAddr[:] }
func (p *exprPacket) Iface() string                          { return p.meta.IfName }
func (p *exprPacket) Member(class string) bool               { return p.cls.member(class) }

func (p *exprPacket) Uint(f expr.Field) uint32 {
	switch f {
	case expr.FieldHlen:
		return uint32(p.m.HLen)
	case expr.FieldHtype:
		return uint32(p.m.HType)
	case expr.FieldMsgType:
		t, _ := p.m.MessageType()
		return uint32(t)
	case expr.FieldTransID:
		return p.m.XID
	case expr.FieldLen:
		// Kea's length of the decoded message: the fixed header and each
		// option with its code and length byte.
		n := HeaderLen
		for i := range p.m.NumOptions() {
			_, d := p.m.OptionAt(i)
			n += 2 + len(d)
		}
		return uint32(n)
	}
	return 0
}

func (p *exprPacket) Addr(f expr.Field) netip.Addr {
	z := netip.AddrFrom4([4]byte{})
	orZero := func(a netip.Addr) netip.Addr {
		if a.IsValid() {
			return a
		}
		return z
	}
	switch f {
	case expr.FieldCiaddr:
		return orZero(p.m.CIAddr)
	case expr.FieldGiaddr:
		return orZero(p.m.GIAddr)
	case expr.FieldYiaddr:
		return orZero(p.m.YIAddr)
	case expr.FieldSiaddr:
		return orZero(p.m.SIAddr)
	case expr.FieldSrc:
		return orZero(p.meta.Src.Addr())
	case expr.FieldDst:
		return orZero(p.meta.Dst)
	}
	return z
}
