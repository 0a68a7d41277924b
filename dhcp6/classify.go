package dhcp6

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/leasehold/leasehold/internal/expr"
)

// Built-in classes are kept in classSet.order as negative indices;
// configured classes by their index in view.classes.
const (
	classALL     = -1
	classKNOWN   = -2
	classUNKNOWN = -3
	classVendor  = -4 // VENDOR_CLASS_<tuple>, when no class of that name is configured
	classExtra   = -5 // names from reservations that are not configured; see extra
)

// classSet is the classes a packet belongs to, in the order it was put in
// them: Kea searches class options in that order.
type classSet struct {
	order  []int
	member []bool // by configured class index
	vendor []byte // the vendor-class tuple of VENDOR_CLASS_<tuple>
	extra  []string
	known  int8 // 0 unset, 1 KNOWN, -1 UNKNOWN
}

func (c *classSet) reset(n int) {
	c.order = c.order[:0]
	if cap(c.member) < n {
		c.member = make([]bool, n)
	}
	c.member = c.member[:n]
	clear(c.member)
	c.vendor = nil
	c.extra = c.extra[:0]
	c.known = 0
}

func (c *classSet) add(i int) {
	if i >= 0 {
		if c.member[i] {
			return
		}
		c.member[i] = true
	}
	c.order = append(c.order, i)
}

// addName puts the packet in a class given by name (a reservation's).
func (x *exchange) addClassName(name string) {
	if i, ok := x.v.classIdx[name]; ok {
		x.classes.add(i)
		return
	}
	if x.inClass(name) {
		return
	}
	x.classes.extra = append(x.classes.extra, name)
	x.classes.order = append(x.classes.order, classExtra)
}

// inClass reports whether the packet belongs to the class name so far.
func (x *exchange) inClass(name string) bool {
	c := &x.classes
	if i, ok := x.v.classIdx[name]; ok && c.member[i] {
		return true
	}
	switch name {
	case "ALL":
		return len(c.order) > 0
	case "KNOWN":
		return c.known > 0
	case "UNKNOWN":
		return c.known < 0
	}
	if rest, ok := strings.CutPrefix(name, vendorClassPrefix); ok && c.vendor != nil && rest == string(c.vendor) {
		return true
	}
	for _, e := range c.extra {
		if e == name {
			return true
		}
	}
	return false
}

// DOCSIS vendor-class values Kea singles out for its built-in vendor class.
var (
	docsisModem   = []byte("docsis3.0")
	docsisERouter = []byte("eRouter1.0")
)

// classify puts a received packet in ALL, its VENDOR_CLASS_ class and the
// configured classes whose tests do not depend on KNOWN/UNKNOWN, as Kea's
// classifyPacket does before pkt6_receive.
func (x *exchange) classify() {
	x.classes.reset(len(x.v.classes))
	x.classes.order = append(x.classes.order, classALL)
	if data, ok := x.msg.Options.Get(OptVendorClass); ok {
		if vc, err := ParseVendorClass(data); err == nil {
			x.classifyByVendor(vc.Data)
		}
	}
	x.evaluateClasses(false)
}

func (x *exchange) classifyByVendor(items DataItems) {
	var first, pick []byte
	for it := range items.All() {
		if first == nil {
			first = it
		}
		switch {
		case bytes.Equal(it, docsisModem):
			pick = docsisModem
		case bytes.Equal(it, docsisERouter) && pick == nil:
			pick = docsisERouter
		}
	}
	if pick == nil {
		pick = first
	}
	if pick == nil {
		return
	}
	x.classes.vendor = pick
	if i, ok := x.v.vendorIdx[string(pick)]; ok {
		x.classes.add(i)
		return
	}
	x.classes.order = append(x.classes.order, classVendor)
}

// evaluateClasses runs the tests of the classes that are not
// only-if-required and whose dependence on KNOWN/UNKNOWN is dependOnKnown.
// An evaluation error leaves the packet out of the class and is logged,
// as in Kea.
func (x *exchange) evaluateClasses(dependOnKnown bool) {
	for i, c := range x.v.classes {
		if c.test == nil || c.cfg.OnlyIfRequired || c.dependsOnKnown != dependOnKnown || x.classes.member[i] {
			continue
		}
		x.evalClass(i)
	}
}

func (x *exchange) evalClass(i int) {
	c := x.v.classes[i]
	ok, err := c.test.EvalScratch(&x.scratch, x)
	if err != nil {
		x.s.log.LogAttrs(x.ctx, slog.LevelError, "client class test failed", slog.String("class", c.cfg.Name), slog.String("error", err.Error()))
		return
	}
	if ok {
		x.classes.add(i)
	}
}

// removeEvaluatedClasses takes the packet out of every class it got by a
// test, before the tests run again with a reservation's classes (Kea's
// removeDependentEvaluatedClasses).
func (x *exchange) removeEvaluatedClasses() {
	c := &x.classes
	k := 0
	for _, i := range c.order {
		if i >= 0 && x.v.classes[i].test != nil {
			c.member[i] = false
			continue
		}
		c.order[k] = i
		k++
	}
	c.order = c.order[:k]
}

// setReservedClasses adds the current reservation's classes.
func (x *exchange) setReservedClasses() {
	if h := x.currentHost(); h != nil {
		for _, name := range h.cfg.ClientClasses {
			x.addClassName(name)
		}
	}
}

// requiredClassify evaluates the only-if-required classes that the shared
// network, the subnet and the pools of the leases in the reply require,
// in the order of the client-classes list (Kea's requiredClassify).
func (x *exchange) requiredClassify() {
	sn := x.subnet
	if sn == nil {
		return
	}
	x.req = x.req[:0]
	want := func(names []string) {
		for _, n := range names {
			if i, ok := x.v.classIdx[n]; ok {
				x.req = append(x.req, i)
			}
		}
	}
	if sn.network != nil {
		want(sn.network.cfg.RequireClientClasses)
	}
	want(sn.cfg.RequireClientClasses)
	for _, r := range x.allocated {
		if r.Bits() == 128 {
			if p := sn.poolOf(r.Addr()); p != nil {
				want(p.cfg.RequireClientClasses)
			}
		} else if p := sn.pdPoolHolding(r.Addr()); p != nil {
			want(p.cfg.RequireClientClasses)
		}
	}
	// Kea also keeps classes a hook marked required; none here.
	for i, c := range x.v.classes {
		if c.test == nil || x.classes.member[i] {
			continue
		}
		for _, r := range x.req {
			if r == i {
				x.evalClass(i)
				break
			}
		}
	}
}

// The exchange is the expr.Packet the class tests read.
var _ expr.Packet = (*exchange)(nil)

func (x *exchange) Option(code uint16) ([]byte, bool) { return x.msg.Options.Get(OptionCode(code)) }

func (x *exchange) AgentOption(uint8) ([]byte, bool) { return nil, false }

func (x *exchange) RelayCount() int { return x.pkt.NumRelays }

func (x *exchange) RelayOption(level int, code uint16) ([]byte, bool) {
	if level < 0 || level >= x.pkt.NumRelays {
		return nil, false
	}
	if OptionCode(code) == OptRelayMsg {
		return nil, false
	}
	return x.pkt.Relays[level].Options.Get(OptionCode(code))
}

func (x *exchange) RelayAddrs(level int) (link, peer netip.Addr) {
	if level < 0 || level >= x.pkt.NumRelays {
		return netip.IPv6Unspecified(), netip.IPv6Unspecified()
	}
	h := &x.pkt.Relays[level]
	return h.LinkAddr, h.PeerAddr
}

func (x *exchange) Uint(f expr.Field) uint32 {
	switch f {
	case expr.FieldMsgType:
		return uint32(x.msg.Type)
	case expr.FieldTransID:
		return x.msg.TransactionID
	case expr.FieldLen:
		return uint32(len(x.raw))
	}
	return 0
}

func (x *exchange) Addr(f expr.Field) netip.Addr {
	switch f {
	case expr.FieldSrc:
		return x.meta.Src.Addr().WithZone("")
	case expr.FieldDst:
		return x.meta.Dst.WithZone("")
	}
	return netip.Addr{}
}

func (x *exchange) Chaddr() []byte { return nil }

func (x *exchange) Iface() string { return x.meta.IfName }

func (x *exchange) Member(class string) bool { return x.inClass(class) }
