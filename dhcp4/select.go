package dhcp4

import (
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
)

// supported is Subnet4::clientSupported: the subnet's class, and its
// shared network's, admit the packet.
func (w *worker) supported(s *subnet4) bool {
	if s.net != nil && !w.cls.supports(s.net.class) {
		return false
	}
	return w.cls.supports(s.class)
}

// nextSubnet is Subnet4::getNextSubnet: the subnet after cur in its
// shared network, wrapping around, skipping subnets the client may not
// use, and nil once back at first (or for a subnet outside a network).
func (w *worker) nextSubnet(cur, first *subnet4) *subnet4 {
	if cur == nil || cur.net == nil {
		return nil
	}
	list := cur.net.subnets
	i := 0
	for i < len(list) && list[i] != cur {
		i++
	}
	for n := 1; n < len(list); n++ {
		c := list[(i+n)%len(list)]
		if c == first {
			return nil
		}
		if w.supported(c) {
			return c
		}
	}
	return nil
}

// selectSubnetQuiet selects without firing subnet4_select, for the
// acceptance check of directly connected clients.
func (w *worker) selectSubnetQuiet() *subnet4 { return w.pickSubnet() }

// selectSubnet is Dhcpv4Srv::selectSubnet: the configured rules, then the
// subnet4_select callouts, which may choose another subnet (SKIP: none;
// DROP: drop the packet).
func (w *worker) selectSubnet() (*subnet4, DropReason) {
	s := w.pickSubnet()
	if !w.s.hooks.Enabled(hooks.Subnet4Select) {
		return s, dropNone
	}
	x := &w.x
	a := &hooks.Args{Query: x.query, QueryAddr: w.queryAddr(x.query), Subnets4: x.v.hookSubnetList()}
	if s != nil {
		h := s.hook
		a.Subnet4 = &h
	}
	switch w.s.callHook(x.ctx, hooks.Subnet4Select, a) {
	case hooks.Drop:
		return nil, DropHook
	case hooks.Skip:
		return nil, dropNone
	}
	if r := w.requery(a.Query); r != dropNone {
		return nil, r
	}
	if a.Subnet4 == nil {
		return nil, dropNone
	}
	return x.v.byID[a.Subnet4.ID], dropNone
}

// pickSubnet is CfgSubnets4::selectSubnet, in Kea 2.2's order: the relay's
// link-selection sub-option, else option 118, then giaddr against
// relay ip-addresses, then an address to match against the prefixes:
// giaddr, ciaddr (unicast only), the source (unicast only), or the
// receiving interface (its name on subnets, then its address).
func (w *worker) pickSubnet() *subnet4 {
	x := &w.x
	v := x.v
	m := &w.m
	// The relay's link selection first, then option 118 (Kea 2.2's
	// CfgSubnets4::initSelector).
	if rai, ok := m.RelayAgentInfo(); ok {
		if ls, ok := rai.LinkSelection(); ok && !isZero(ls) {
			return w.subnetByAddr(u32(ls))
		}
	}
	if ss, ok := m.SubnetSelection(); ok && !isZero(ss) {
		return w.subnetByAddr(u32(ss))
	}
	gi := u32(m.GIAddr)
	if gi != 0 {
		for _, s := range v.subnets {
			if !hasRelay(s, m.GIAddr) {
				continue
			}
			if w.supported(s) {
				return s
			}
		}
		return w.subnetByAddr(gi)
	}
	unicast := x.meta.Dst.IsValid() && x.meta.Dst != bcast
	if ci := u32(m.CIAddr); ci != 0 && unicast {
		return w.subnetByAddr(ci)
	}
	if src := u32(x.meta.Src.Addr()); src != 0 && unicast {
		return w.subnetByAddr(src)
	}
	if x.meta.IfName != "" {
		for _, s := range v.subnets {
			iface := s.cfg.Interface
			if iface == x.meta.IfName && w.supported(s) {
				return s
			}
		}
	}
	if a := u32(x.meta.IfAddr); a != 0 {
		return w.subnetByAddr(a)
	}
	return nil
}

// hasRelay reports whether giaddr is one of the subnet's relay addresses
// (relay.ip-addresses of the subnet, else of its shared network).
func hasRelay(s *subnet4, giaddr netip.Addr) bool {
	for _, r := range s.cfg.Relay {
		if r == giaddr {
			return true
		}
	}
	return false
}

// subnetByAddr returns the first subnet (by ID) whose prefix holds a and
// that admits the packet's classes.
func (w *worker) subnetByAddr(a uint32) *subnet4 {
	for _, s := range w.x.v.subnets {
		if s.contains(a) && w.supported(s) {
			return s
		}
	}
	return nil
}
