package config

import "net/netip"

// dhcp4 decodes the "Dhcp4" map.
func (d *dec) dhcp4(n *node) *DHCP4 {
	const path = "Dhcp4"
	o := d.object(n, path, supGlobal4, keaGlobal4Keys)
	c := &DHCP4{}
	global := d.readParams(o, false)
	c.Params4 = d.params4(global, n, path)
	c.EchoClientID = o.boolOr("echo-client-id", true)
	d.server(o, &c.Server)
	c.OptionDefs = d.parseOptionDefs(o, "option-def", false)
	defs := &defTable{global: c.OptionDefs}
	c.Options = d.parseOptionData(o, defs)
	c.ClientClasses = d.classes(o, defs)

	var subnets []*Subnet4
	c.SharedNetworks, subnets = networks(d, o, "subnet4",
		func(n *node, p string) (*SharedNetwork4, string, []*Subnet4) {
			sn := d.shared4(n, p, global, defs, c.IPReservationsUnique)
			return sn, sn.Name, sn.Subnets
		},
		func(n *node, p string) *Subnet4 {
			return d.subnet4(n, p, global, nil, defs, c.IPReservationsUnique)
		})
	c.Reservations = d.reservations(o, defs, netip.Prefix{}, c.IPReservationsUnique)
	if d.failed() {
		return nil
	}
	d.checkSubnets(d.refs)
	sortByID(subnets, func(s *Subnet4) uint32 { return s.ID })
	c.Subnets = subnets
	return c
}

func (d *dec) shared4(n *node, path string, global rawParams, defs *defTable, uniqueIPs bool) *SharedNetwork4 {
	o := d.object(n, path, supShared4, keaShared4Keys)
	sn := &SharedNetwork4{Path: path}
	sn.Name = d.networkName(o, n, path)
	raw := d.readParams(o, true)
	merged := raw.over(global)
	sn.Params4 = d.params4(merged, n, path)
	sn.Interface = val(raw.iface, "")
	sn.Relay = val(raw.relay, nil)
	sn.ClientClass, sn.RequireClientClasses = classRefs(o)
	sn.Options = d.parseOptionData(o, defs)
	sn.UserContext, sn.Comment = o.userContext()
	iface := sn.Interface
	o.each("subnet4", func(_ int, n *node, p string) {
		s := d.subnet4(n, p, merged, sn, defs, uniqueIPs)
		if s == nil {
			return
		}
		d.sameInterface(&iface, s.Interface, s.Prefix, n, p)
		sn.Subnets = append(sn.Subnets, s)
	})
	return sn
}

// subnet4 decodes one subnet. parent holds the merged parameters of the
// level above (global, or shared network over global); net is the shared
// network or nil.
func (d *dec) subnet4(n *node, path string, parent rawParams, net *SharedNetwork4, defs *defTable, uniqueIPs bool) *Subnet4 {
	o := d.object(n, path, supSubnet4, keaSubnet4Keys)
	// DHCPv4-over-DHCPv6 is not implemented; its keys are accepted only
	// with their "off" value.
	for _, k := range []string{"4o6-interface", "4o6-interface-id", "4o6-subnet"} {
		if s, ok := o.str(k); ok && s != "" {
			d.unsupported(o.take(k), k, path)
		}
	}
	s := &Subnet4{Path: path, Network: net}
	s.ID = d.subnetID(o)
	s.Prefix = d.subnetPrefix(o, n, path)
	raw := d.readParams(o, true)
	merged := raw.over(parent)
	s.Params4 = d.params4(merged, n, path)
	s.Interface = val(merged.iface, "")
	s.Relay = val(merged.relay, nil)
	s.ClientClass, s.RequireClientClasses = classRefs(o)
	if d.failed() {
		return nil
	}
	s.Pools = d.pools(o, s.Prefix, defs)
	s.Options = d.parseOptionData(o, defs)
	s.Reservations = d.reservations(o, defs, s.Prefix, uniqueIPs)
	s.UserContext, s.Comment = o.userContext()
	if d.failed() {
		return nil
	}
	d.refs = append(d.refs, subnetRef{id: &s.ID, prefix: s.Prefix, path: path, n: n})
	return s
}
