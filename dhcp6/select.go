package dhcp6

import (
	"bytes"
	"net/netip"

	"github.com/leasehold/leasehold/hooks"
)

// selectSubnet picks the client's subnet as Kea's CfgSubnets6 does, then
// lets subnet6_select change the choice. drop: a callout dropped the
// packet.
//
// A directly connected client is matched by the receiving interface
// (the subnet's "interface"), then by its source address (a global one
// inside the subnet). A relayed client is matched by the interface-id of
// the relay next to it, then by the first relay link-address, counting
// from the client, that is neither :: nor link-local: against the
// subnets' relay ip-addresses first, then against their prefixes. Every
// match must admit the client's classes; subnets are tried in ID order.
func (x *exchange) selectSubnet() (sn *subnet, drop bool) {
	sn = x.findSubnet()
	if !x.s.hooks.Enabled(hooks.Subnet6Select) {
		return sn, false
	}
	x.args = hooks.Args{Query: x.raw, QueryAddr: x.queryAddr(), Subnets6: x.v.hookSubnets, GlobalUserContext: x.v.globalUC}
	if sn != nil {
		x.args.Subnet6 = sn.hook
	}
	switch x.s.hooks.Call(x.ctx, hooks.Subnet6Select, &x.args) {
	case hooks.Skip:
		return nil, false
	case hooks.Drop:
		return nil, true
	}
	if err := x.adoptQuery(x.args.Query); err != nil {
		return nil, true
	}
	if x.args.Subnet6 == nil {
		return nil, false
	}
	return x.v.byID[x.args.Subnet6.ID], false
}

func (x *exchange) findSubnet() *subnet {
	link, ifaceID := x.relaySelectors()
	if !link.IsValid() {
		if name := x.meta.IfName; name != "" {
			for _, sn := range x.v.subnets {
				if sn.cfg.Interface == name && x.allowed(sn) {
					return sn
				}
			}
		}
		if src := x.meta.Src.Addr(); src.IsValid() && !src.IsUnspecified() {
			return x.subnetHolding(src.WithZone(""))
		}
		return nil
	}
	if ifaceID != nil {
		for _, sn := range x.v.subnets {
			if sn.cfg.InterfaceID != nil && bytes.Equal(sn.cfg.InterfaceID, ifaceID) && x.allowed(sn) {
				return sn
			}
		}
	}
	for _, sn := range x.v.subnets {
		for _, r := range sn.cfg.Relay {
			if r == link && x.allowed(sn) {
				return sn
			}
		}
	}
	return x.subnetHolding(link)
}

func (x *exchange) subnetHolding(a netip.Addr) *subnet {
	for _, sn := range x.v.subnets {
		if sn.inRange(a) && x.allowed(sn) {
			return sn
		}
	}
	return nil
}

// relaySelectors returns, for a relayed message, the first usable
// link-address from the client outward (invalid when none: the message is
// then treated as direct, as Kea does) and the interface-id of the relay
// next to the client.
func (x *exchange) relaySelectors() (link netip.Addr, ifaceID []byte) {
	n := x.pkt.NumRelays
	if n == 0 {
		return netip.Addr{}, nil
	}
	for i := n - 1; i >= 0; i-- {
		a := x.pkt.Relays[i].LinkAddr
		if !a.IsUnspecified() && !a.IsLinkLocalUnicast() {
			link = a
			break
		}
	}
	if id, ok := x.pkt.Relays[n-1].Options.Get(OptInterfaceID); ok {
		ifaceID = id
	}
	return link, ifaceID
}
